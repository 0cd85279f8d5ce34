// The TCP bridge client against a bridge played by a loopback server.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TransportError } from "../../host-sim/transport/host-transport.js";
import { TcpBridgeTransport } from "../../host-sim/transport/tcp-bridge.js";
import { bytes, hex } from "../support/bytes.js";
import { allByteValues, receive, within } from "./helpers.js";

interface Bridge {
	server: Server;
	port: number;
	accepted: Promise<Socket>;
}

async function startBridge(): Promise<Bridge> {
	const server = createServer();
	const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return { server, port: (server.address() as AddressInfo).port, accepted };
}

function stopBridge(bridge: Bridge): Promise<void> {
	return new Promise((resolve) => bridge.server.close(() => resolve()));
}

function readFrom(socket: Socket, count: number): Promise<Uint8Array> {
	const parts: Buffer[] = [];
	let total = 0;
	return within(
		new Promise((resolve) => {
			socket.on("data", (chunk: Buffer) => {
				parts.push(chunk);
				total += chunk.length;
				if (total >= count) resolve(Buffer.concat(parts));
			});
		}),
		3000,
		`${count} bytes at the bridge`,
	);
}

test("bytes cross both ways unchanged, including 0x00 0xFF CR LF", async () => {
	const bridge = await startBridge();
	const transport = new TcpBridgeTransport({ host: "127.0.0.1", port: bridge.port });
	await transport.open();
	const peer = await bridge.accepted;
	assert.is(transport.description, `tcp://127.0.0.1:${bridge.port}`);

	const sent = allByteValues();
	const framed = new Uint8Array(sent.length + 4);
	framed.set(sent, 2);
	const atBridge = readFrom(peer, sent.length);
	transport.write(framed, 2, 2 + sent.length);
	framed.fill(0x55); // the engine reuses its buffer at once: the transport must have copied
	assert.is(hex(await atBridge), hex(sent));

	const atHost = receive(transport, sent.length);
	peer.write(sent);
	assert.is(hex(await atHost), hex(sent));

	await transport.close();
	await stopBridge(bridge);
});

test("close() delivers what was written, reports onClose(null), and the bridge sees the end", async () => {
	const bridge = await startBridge();
	const transport = new TcpBridgeTransport({ host: "127.0.0.1", port: bridge.port });
	const closes: (TransportError | null)[] = [];
	transport.onClose = (error) => closes.push(error);
	await transport.open();
	const peer = await bridge.accepted;
	const ended = new Promise<void>((resolve) => peer.once("end", resolve));
	const atBridge = readFrom(peer, 4);
	transport.write(bytes("AT\r\n"), 0, 4);
	await transport.close();
	assert.equal(closes, [null]);
	assert.is(hex(await atBridge), hex(bytes("AT\r\n")));
	await within(ended, 3000, "the end of stream at the bridge");
	assert.throws(() => transport.write(bytes("AT\r\n"), 0, 4), /is not open/);
	peer.destroy();
	await stopBridge(bridge);
});

test("a bridge that hangs up is reported through onClose, and later writes throw", async () => {
	const bridge = await startBridge();
	const transport = new TcpBridgeTransport({ host: "127.0.0.1", port: bridge.port });
	const closed = new Promise<TransportError | null>((resolve) => (transport.onClose = resolve));
	await transport.open();
	(await bridge.accepted).end();
	const error = await within(closed, 3000, "onClose");
	assert.instance(error, TransportError);
	assert.is(error?.message, `tcp://127.0.0.1:${bridge.port}: the bridge closed the connection`);
	assert.throws(
		() => transport.write(bytes("AT\r\n"), 0, 4),
		(e: Error) => e instanceof TransportError,
	);
	await stopBridge(bridge);
});

test("a refused port gives one clear error", async () => {
	// A port that was just free: listen, note it, close.
	const bridge = await startBridge();
	await stopBridge(bridge);
	const transport = new TcpBridgeTransport({ host: "127.0.0.1", port: bridge.port });
	let closes = 0;
	transport.onClose = () => closes++;
	try {
		await transport.open();
		assert.unreachable("open() should have failed");
	} catch (error) {
		assert.instance(error, TransportError);
		assert.is(
			(error as Error).message,
			`cannot connect to tcp://127.0.0.1:${bridge.port}: connection refused (is the bridge running on that port?)`,
		);
	}
	// A link that never opened has nothing to close or report.
	await transport.close();
	assert.is(closes, 0);
});

test("IPv6 hosts are bracketed in the description", () => {
	assert.is(new TcpBridgeTransport({ host: "::1", port: 2000 }).description, "tcp://[::1]:2000");
});

test.run();
