// The fault matrix, part 2: the network and the module's resources misbehave.
// Same rules as part 1 (fault-matrix.test.ts): the real driver against the
// emulated BC20 and real loopback peers; the driver recovers or reports a
// clear error; every wait is bounded; every byte is delivered exactly once
// or reported with its count.
import { createServer } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Error, E_BUFFER_FULL, E_PEER_CLOSED, E_QUEUE_FULL, E_SEND_FAILED } from "../../firmware/bc20/errors.js";
import { checkReceived, checkSent } from "../support/reliability-accounting.js";
import { tcpEcho, udpEcho } from "../support/loopback-servers.js";
import { faultSession, openLogged, pattern, roundTrip, sink, sleep, until } from "../support/reliability-session.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

test("the peer closes during a send: E_PEER_CLOSED, with the written bytes never sent counted", async () => {
	const session = await faultSession();
	// Reads 3000 bytes, then closes.
	const peer = await sink((socket, index) => {
		let n = 0;
		socket.on("data", (d) => {
			n += d.length;
			if (n >= 3000 && index === 0) socket.destroy();
		});
	});
	const echo = await tcpEcho();
	try {
		const s = openLogged(session.modem, { port: peer.port });
		await s.connected(5000);
		s.send(pattern(40000, 7));
		await s.ended(15000);
		assert.is(s.log.error?.code, E_PEER_CLOSED, s.log.describe());
		const stats = s.socket.stats;
		// Nothing is left unaccounted: every byte write() took was confirmed,
		// failed, left unknown, or is in the error's count (never sent).
		assert.is(stats.sent + stats.failed + stats.unknown, stats.written, JSON.stringify(stats));
		const error = s.log.error as BC20Error;
		if (error.count > 0) assert.is(error.offset + error.count, stats.written, "the unsent bytes are the stream's tail");
		// What the peer received is the start of what was written, unaltered.
		const got = peer.all(0),
			written = s.written();
		assert.ok(
			got.length <= written.length && Buffer.compare(got, Buffer.from(written.subarray(0, got.length))) === 0,
			`the peer received ${got.length} bytes that are not the start of the stream`,
		);
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await peer.close();
		await echo.close();
	}
});

test('"buff full": buffer mode reports E_BUFFER_FULL, the module keeps the data, and every byte arrives once the app reads', async () => {
	const data = pattern(12000, 8);
	const session = await faultSession({ emulator: { socketBufferSize: 1024 } });
	const peer = await sink((socket) => socket.write(data));
	try {
		let reading = false;
		const s = openLogged(session.modem, { port: peer.port, mode: 0 }, () => !reading);
		await until(() => s.log.warnings.some((w) => w.code === E_BUFFER_FULL) || s.log.ended, 5000, "buff full");
		assert.ok(
			s.log.warnings.some((w) => w.code === E_BUFFER_FULL),
			s.log.describe(),
		);
		reading = true;
		s.drainNow();
		await until(() => s.log.receivedBytes.length >= data.length || s.log.ended, 10000, "all the data");
		assert.is(s.log.reportedLost(), 0, s.log.describe());
		assert.is(checkReceived(data, s.log.receivedBytes, s.log), "");
		s.socket.close();
		await s.ended(5000);
	} finally {
		await session.close();
		await peer.close();
	}
});

test('"buff full" on UDP: datagrams the module drops are reported (E_BUFFER_FULL), those delivered are whole and exact', async () => {
	const session = await faultSession({ emulator: { socketBufferSize: 1024 } });
	const udp = await udpEcho();
	try {
		let reading = false;
		const datagrams: Uint8Array[] = [];
		for (let i = 0; i < 12; i++) datagrams.push(pattern(300, 20 + i));
		const got: Uint8Array[] = [];
		const warnings: number[] = [];
		const socket = session.modem.open({
			type: "udp",
			host: "127.0.0.1",
			port: udp.port,
			mode: 0,
			onWritable() {
				while (datagrams.length > 0 && this.write(datagrams[0]) > 0) datagrams.shift();
			},
			onReadable() {
				while (reading && this.nextDatagramLength >= 0) {
					const d = new Uint8Array(this.nextDatagramLength);
					this.read(d);
					got.push(d);
				}
			},
			onWarning(e) {
				warnings.push(e.code);
			},
		});
		await until(() => warnings.includes(E_BUFFER_FULL), 5000, "buff full");
		await sleep(200);
		reading = true;
		while (socket.nextDatagramLength >= 0) {
			const d = new Uint8Array(socket.nextDatagramLength);
			socket.read(d);
			got.push(d);
		}
		await sleep(300);
		const sent = new Set(Array.from({ length: 12 }, (_, i) => Buffer.from(pattern(300, 20 + i)).toString("hex")));
		for (const d of got)
			assert.ok(sent.has(Buffer.from(d).toString("hex")), "a delivered datagram is one that was sent, whole");
		assert.ok(got.length < 12, "the module dropped some (its buffer holds 1024 bytes)");
		socket.close();
	} finally {
		await session.close();
		await udp.close();
	}
});

test("pdpdeact: sockets fail with 570 after their data is read; the modem attaches again and works", async () => {
	const data = pattern(2000, 9);
	const session = await faultSession();
	const peer = await sink((socket) => socket.write(data));
	const echo = await tcpEcho();
	try {
		const s = openLogged(session.modem, { port: peer.port, mode: 0 });
		await until(() => s.log.receivedBytes.length >= data.length, 5000, "the data");
		const writer = openLogged(session.modem, { port: peer.port, mode: 1 });
		await writer.connected(5000);
		writer.send(pattern(20000, 10));
		session.emulator!.pdpDeact();
		await s.ended(5000);
		await writer.ended(15000);
		assert.is(s.log.error?.code, 570, s.log.describe());
		assert.is(writer.log.error?.code, 570, writer.log.describe());
		assert.is(checkReceived(data, s.log.receivedBytes, s.log), "");
		const stats = writer.socket.stats;
		assert.is(stats.sent + stats.failed + stats.unknown, stats.written, JSON.stringify(stats));
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await peer.close();
		await echo.close();
	}
});

test("SEND FAIL: the send is reported with its offset and count, nothing of it arrives, the socket lives on", async () => {
	const session = await faultSession();
	const peer = await sink();
	try {
		const s = openLogged(session.modem, { port: peer.port });
		await s.connected(5000);
		let sends = 0;
		session.emulator!.on("command", (line) => {
			if (line.startsWith("AT+QISEND") && ++sends === 2) session.emulator!.failNextSend();
		});
		s.send(pattern(5000, 11));
		await until(
			() => s.socket.stats.sent + s.socket.stats.failed + s.socket.stats.unknown === 5000,
			10000,
			"every byte settled",
		);
		assert.ok(
			s.log.warnings.some((w) => w.code === E_SEND_FAILED && w.count > 0),
			s.log.describe(),
		);
		assert.is(s.socket.state, CONNECTED);
		s.socket.close();
		await s.ended(5000);
		await sleep(100);
		const problem = checkSent(s.written(), peer.all(), s.socket.stats, s.log);
		assert.is(problem, "", problem);
	} finally {
		await session.close();
		await peer.close();
	}
});

test("connect failure 566: the open fails with the manual's code and text, the connectID is freed", async () => {
	// A port nothing listens on (bound and closed again).
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
	const port = (probe.address() as { port: number }).port;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	const session = await faultSession();
	const echo = await tcpEcho();
	try {
		const s = openLogged(session.modem, { port, connectId: 0 });
		await s.ended(5000);
		assert.is(s.log.error?.code, 566, s.log.describe());
		assert.is(s.log.error?.description, "Socket connect failed");
		assert.is(s.log.error?.command, "AT+QIOPEN");
		assert.is(s.socket.state, INITIAL);
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await echo.close();
	}
});

test("DNS failure 565: open, resolve, ping and NTP of an unknown name fail with 565; nothing else breaks", async () => {
	const session = await faultSession({ emulator: { hosts: { localhost: ["127.0.0.1"], "nowhere.invalid": [] } } });
	const echo = await tcpEcho();
	try {
		const modem = session.modem;
		const s = openLogged(modem, { host: "nowhere.invalid", port: 80 });
		const codes: [string, number | undefined][] = [];
		modem.resolve("nowhere.invalid", (e) => codes.push(["resolve", e?.code]));
		modem.ping("nowhere.invalid", { count: 1, timeout: 1 }, (e) => codes.push(["ping", e?.code]));
		modem.ntp("nowhere.invalid", {}, (e) => codes.push(["ntp", e?.code]));
		await s.ended(5000);
		await until(() => codes.length === 3, 8000, "resolve, ping and NTP to end");
		assert.is(s.log.error?.code, 565, s.log.describe());
		assert.is(s.log.error?.description, "DNS parse failed");
		assert.equal(codes.sort(), [
			["ntp", 565],
			["ping", 565],
			["resolve", 565],
		]);
		assert.is(await roundTrip(modem, echo.port), "");
	} finally {
		await session.close();
		await echo.close();
	}
});

test("the queue full: E_QUEUE_FULL at once, nothing queued or sent for it; socket traffic is never refused", async () => {
	const session = await faultSession({ modem: { queueSize: 2 } });
	const echo = await tcpEcho();
	try {
		const modem = session.modem,
			emulator = session.emulator!;
		const s = openLogged(modem, { port: echo.port });
		await s.connected(5000);
		const before = emulator.commands.length;
		const done: string[] = [];
		// One on the wire, two waiting: the queue is full.
		modem.command("AT+CGMR", (e) => done.push("a" + (e?.code ?? "")));
		modem.command("AT+CGMI", (e) => done.push("b" + (e?.code ?? "")));
		modem.command("AT+CGMM", (e) => done.push("c" + (e?.code ?? "")));
		let refused: unknown = null;
		try {
			modem.command("AT+CIMI", () => done.push("d"));
		} catch (error) {
			refused = error;
		}
		assert.ok(refused instanceof BC20Error && refused.code === E_QUEUE_FULL, String(refused));
		// Socket traffic still flows while the queue is full.
		const payload = pattern(3000, 12);
		s.send(payload);
		await until(
			() => done.length === 3 && s.log.receivedBytes.length >= payload.length,
			8000,
			"the commands and the echo",
		);
		assert.equal(done, ["a", "b", "c"]);
		assert.not.ok(emulator.commands.slice(before).includes("AT+CIMI"), "the refused command never reached the module");
		assert.is(Buffer.compare(Buffer.from(s.log.receivedBytes), Buffer.from(payload)), 0);
		s.socket.close();
		await s.ended(5000);
	} finally {
		await session.close();
		await echo.close();
	}
});

test.run();
