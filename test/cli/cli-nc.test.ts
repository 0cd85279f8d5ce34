// `bc20 nc` over TCP, as a user runs it: a peer that closes before all of
// stdin went out is an error (exit 1, one line saying how many bytes were not
// sent) while every byte received still reaches stdout; --wait MS ends a TCP
// nc whose peer never closes.
import { createServer, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type CliRun, runCli } from "../support/cli-process.js";
import { hostilePayload, tcpEcho, type Peer } from "../support/loopback-servers.js";

function bc20(args: string[], input: Uint8Array, timeoutMs = 10000): Promise<CliRun> {
	return runCli(args, input, timeoutMs);
}

// A peer that reads until it has `readFirst` bytes (0: none), then sends
// `reply` and closes. It counts every byte that came.
async function closingPeer(readFirst: number, reply: Uint8Array): Promise<Peer & { received(): number }> {
	let received = 0;
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on("error", () => {});
		const done = () => socket.end(Buffer.from(reply));
		if (readFirst === 0) done();
		socket.on("data", (data) => {
			const before = received;
			received += data.length;
			if (before < readFirst && received >= readFirst) done();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return {
		port: (server.address() as { port: number }).port,
		received: () => received,
		close: () =>
			new Promise((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}

const UNSENT =
	/^bc20: the peer closed the connection( before the end of stdin)?: (\d+) of the (\d+) bytes (read )?from stdin not sent.*\n$/;

test("the peer closes before stdin ended: exit 1, one line with the bytes not sent, all received bytes on stdout", async () => {
	const reply = hostilePayload(3000, 9);
	const peer = await closingPeer(1000, reply);
	try {
		const payload = hostilePayload(300000, 3);
		const run = await bc20(["nc", "127.0.0.1", String(peer.port)], payload);
		assert.is(run.code, 1, run.stderr);
		const match = UNSENT.exec(run.stderr);
		assert.ok(match, run.stderr);
		assert.ok(match![1] !== undefined, `stdin had not ended: ${run.stderr}`);
		assert.match(run.stderr, /, the rest not read\n$/);
		const unsent = Number(match![2]),
			read = Number(match![3]);
		assert.ok(read > 0 && read < payload.length, `read ${read}`);
		assert.ok(unsent > 0 && unsent <= read, `unsent ${unsent}`);
		// What was sent got to the peer (the peer may not have read all of it before closing).
		assert.ok(
			peer.received() >= 1000 && peer.received() <= read - unsent,
			`peer got ${peer.received()}, sent ${read - unsent}`,
		);
		assert.equal(Buffer.compare(run.stdout, Buffer.from(reply)), 0, "every received byte on stdout");
	} finally {
		await peer.close();
	}
});

test("the peer closes at once: the bytes not sent are reported, its greeting is on stdout", async () => {
	const peer = await closingPeer(0, Buffer.from("hello\n"));
	try {
		const payload = hostilePayload(1500, 4);
		const run = await bc20(["nc", "127.0.0.1", String(peer.port)], payload);
		assert.is(run.code, 1, run.stderr);
		const match = UNSENT.exec(run.stderr);
		assert.ok(match, run.stderr);
		assert.ok(Number(match![2]) > 0, run.stderr);
		assert.is(run.stdout.toString(), "hello\n");
	} finally {
		await peer.close();
	}
});

test("TCP nc --wait MS: ends MS after the last byte although the peer never closes", async () => {
	const echo = await tcpEcho(); // never closes
	try {
		const payload = hostilePayload(2000, 6);
		const run = await bc20(["nc", "127.0.0.1", String(echo.port), "--wait", "300"], payload);
		assert.is(run.code, 0, run.stderr);
		assert.is(run.stderr, "");
		assert.equal(Buffer.compare(run.stdout, Buffer.from(payload)), 0, "byte-exact echo");
		assert.ok(run.ms < 8000, `took ${run.ms} ms`);
	} finally {
		await echo.close();
	}
});

test("TCP nc --wait MS: idle counts from the last byte received, not from the end of stdin", async () => {
	// The peer answers 400 ms and 800 ms after the data came: with --wait 700
	// nc is still there for the second answer only if each byte restarts the wait.
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on("error", () => {});
		socket.once("data", () => {
			setTimeout(() => socket.write("one\n"), 400);
			setTimeout(() => socket.write("two\n"), 800);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	try {
		const port = (server.address() as { port: number }).port;
		const run = await bc20(["nc", "127.0.0.1", String(port), "--wait", "700"], Buffer.from("question\n"));
		assert.is(run.code, 0, run.stderr);
		assert.is(run.stdout.toString(), "one\ntwo\n");
	} finally {
		for (const s of sockets) s.destroy();
		await new Promise((resolve) => server.close(resolve));
	}
});

test.run();
