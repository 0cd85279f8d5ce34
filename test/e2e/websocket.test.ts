// A WebSocket client of Moddable's shape (test/support/moddable-style-clients.ts)
// over the TCP class on the emulated BC20, against a WebSocket echo server on
// 127.0.0.1: the Upgrade handshake, masked client frames, and text and binary
// messages echoed byte-exact, one of them larger than the socket's 2 KB
// receive buffer.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Resolver } from "../../firmware/net/dns.js";
import { TCP } from "../../firmware/net/tcp.js";
import { openSession } from "../../host-sim/modem-session.js";
import { hostilePayload, webSocketAccept, webSocketEcho } from "../support/loopback-servers.js";
import { webSocketEcho as webSocketClient, type WebSocketMessage } from "../support/moddable-style-clients.js";

test("a WebSocket client of Moddable's shape gets text and binary messages echoed byte-exact", async () => {
	const session = await openSession({ baud: 921600, emulator: { hosts: { "ws.test": ["127.0.0.1"] } } });
	const server = await webSocketEcho();
	try {
		const text = "hello over bc20 \r\nOK\r\n";
		const messages: WebSocketMessage[] = [
			{ binary: false, data: Uint8Array.from(text, (c) => c.charCodeAt(0)) },
			{ binary: true, data: hostilePayload(300, 21) },
			{ binary: true, data: hostilePayload(5000, 22) }, // more than the 2 KB receive buffer
			{ binary: false, data: new Uint8Array(0) },
		];
		const result = await webSocketClient({
			socket: { io: TCP, modem: session.modem },
			dns: { io: Resolver, modem: session.modem },
			host: "ws.test",
			port: server.port,
			path: "/echo",
			messages,
			checkAccept: (key, accept) => accept === webSocketAccept(key),
		});
		assert.is(result.status, 101);
		assert.ok(result.acceptValid, "Sec-WebSocket-Accept matches the key");
		assert.is(server.unmaskedFrames, 0, "every client frame is masked");
		assert.equal(
			server.received.map((m) => m.opcode),
			[1, 2, 2, 1],
		);
		assert.is(result.messages.length, messages.length);
		messages.forEach((sent, i) => {
			assert.is(result.messages[i].binary, sent.binary, `message ${i}: same type`);
			assert.equal(
				Buffer.compare(Buffer.from(result.messages[i].data), Buffer.from(sent.data)),
				0,
				`message ${i}: byte-exact`,
			);
		});
		assertNoViolations(session.emulator);
	} finally {
		await server.close();
		await session.close();
	}
});

test.run();
