// The ECMA-419 classes over the driver and the emulated module, driven the way
// Moddable's own clients drive sockets: an HTTP/1.1 GET, an MQTT
// CONNECT/PUBLISH, an SNTP exchange over UDP, and the contract details those
// clients rely on.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Resolver } from "../../firmware/net/dns.js";
import { TCP } from "../../firmware/net/tcp.js";
import { UDP } from "../../firmware/net/udp.js";
import { SntpServer } from "../../host-sim/cloud/sntp-server.js";
import { openSession, type Session } from "../../host-sim/modem-session.js";
import { httpServer, hostilePayload, mqttBroker, tcpEcho } from "../support/loopback-servers.js";
import { httpGet, mqttPublish } from "../support/moddable-style-clients.js";

let session: Session;

test.before(async () => {
	session = await openSession({ baud: 921600, emulator: { hosts: { "collector.test": ["127.0.0.1"] } } });
});

test.after(async () => {
	await session.close();
});

const io = () => ({ socket: { io: TCP, modem: session.modem }, dns: { io: Resolver, modem: session.modem } });

test("an HTTP/1.1 GET written like Moddable's client gets the whole binary body", async () => {
	const body = hostilePayload(6000, 3);
	const server = await httpServer(body);
	try {
		const result = await httpGet({ ...io(), host: "collector.test", port: server.port, path: "/data" });
		assert.is(result.status, 200);
		assert.is(result.headers.get("content-length"), String(body.length));
		assert.equal(Array.from(result.body), Array.from(body));
		assert.is(result.callbacksInsideCalls, 0, "no callback ran inside a constructor or method");
	} finally {
		await server.close();
	}
});

test("an MQTT CONNECT and QoS 1 PUBLISH go through and are acknowledged", async () => {
	const broker = await mqttBroker();
	try {
		const payload = hostilePayload(300, 5);
		const result = await mqttPublish({
			...io(),
			host: "127.0.0.1",
			port: broker.port,
			clientId: "bc20-test",
			topic: "sensors/1",
			payload,
		});
		assert.is(result.connack, 0);
		assert.is(result.pubackId, 7);
		assert.is(broker.published.length, 1);
		assert.equal(Array.from(broker.published[0].payload), Array.from(payload));
	} finally {
		await broker.close();
	}
});

test("UDP: an SNTP request and its answer as a datagram carrying address and port", async () => {
	const sntp = await new SntpServer(() => Date.UTC(2026, 0, 2, 3, 4, 5)).start();
	try {
		const answer = await new Promise<{ seconds: number; address: string; port: number }>((resolve, reject) => {
			const request = new Uint8Array(48);
			request[0] = 0x23; // version 4, client
			const udp: UDP = new UDP({
				modem: session.modem,
				onWritable() {
					if (!this.sent) {
						this.sent = true;
						udp.write(request.buffer, "127.0.0.1", sntp.port);
					}
				},
				onReadable(datagrams: number) {
					assert.is(datagrams, 1);
					const packet = udp.read();
					udp.close();
					if (!packet) return reject(new Error("no datagram"));
					resolve({
						seconds: new DataView(packet).getUint32(40) - 2208988800,
						address: packet.address,
						port: packet.port,
					});
				},
				onError() {
					reject(udp.lastError);
				},
			});
		});
		assert.is(answer.seconds, Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
		assert.is(answer.address, "127.0.0.1");
		assert.is(answer.port, sntp.port);
	} finally {
		sntp.close();
	}
});

test("TCP contract: write throws and writes nothing when it does not fit; format switches; extra properties", async () => {
	const echo = await tcpEcho();
	try {
		const got = await new Promise<number[]>((resolve, reject) => {
			const received: number[] = [];
			let wrote = false;
			const tcp: TCP = new TCP({
				modem: session.modem,
				address: "127.0.0.1",
				port: echo.port,
				onWritable(count: number) {
					if (wrote) return;
					wrote = true;
					assert.throws(() => tcp.write(new Uint8Array(count + 1)), /output full/);
					tcp.format = "number";
					tcp.write(0x41);
					tcp.format = "buffer";
					tcp.write(Uint8Array.of(0x0d, 0x0a, 0x00, 0xff));
				},
				onReadable(count: number) {
					// As on Moddable's socket, read(buffer) takes exactly the buffer's length.
					const chunk = new Uint8Array(count);
					const n = tcp.read(chunk) as number;
					received.push(...chunk.subarray(0, n));
					if (received.length >= 5) {
						tcp.close();
						resolve(received);
					}
				},
				onError() {
					reject(tcp.lastError);
				},
			});
			tcp.tlsSession = { note: "extra properties are kept" };
			assert.equal(tcp.tlsSession, { note: "extra properties are kept" });
		});
		assert.equal(got, [0x41, 0x0d, 0x0a, 0x00, 0xff], "nothing of the refused write reached the peer");
	} finally {
		await echo.close();
	}
});

test("TCP contract: onError comes only after the data the peer sent before closing was read", async () => {
	const echo = await tcpEcho(1000); // echoes 1000 bytes, then closes
	try {
		const payload = hostilePayload(1000, 9);
		const events = await new Promise<string[]>((resolve) => {
			const events: string[] = [];
			let received = 0;
			const tcp: TCP = new TCP({
				modem: session.modem,
				host: "127.0.0.1",
				port: echo.port,
				mode: 0 /* buffer access mode */,
				onWritable() {
					if (events.length === 0) {
						events.push("connected");
						tcp.write(payload);
					}
				},
				onReadable() {
					const data = tcp.read() as ArrayBuffer;
					received += data.byteLength;
					if (received === payload.length) events.push("all data read");
				},
				onError() {
					events.push("error");
					resolve(events);
				},
			});
		});
		assert.equal(events, ["connected", "all data read", "error"]);
	} finally {
		await echo.close();
	}
});

test("Resolver: an address literal resolves to itself, a hostile name is refused, callbacks come later", async () => {
	const resolver = new Resolver({ modem: session.modem });
	const order: string[] = [];
	const literal = new Promise<string>((resolve) =>
		resolver.resolve({ host: "127.0.0.1", onResolved: (_h, a) => resolve(a) }),
	);
	order.push("returned");
	assert.is(await literal, "127.0.0.1");
	const refused = await new Promise<string>((resolve) =>
		resolver.resolve({
			host: "x\r\nAT+QPOWD=1",
			onResolved: () => resolve("resolved?!"),
			onError: (host) => resolve(`refused ${JSON.stringify(host)}`),
		}),
	);
	assert.is(refused, 'refused "x\\r\\nAT+QPOWD=1"');
	assert.not.ok(
		session.emulator?.commands.some((c) => c.includes("QPOWD")),
		"nothing reached the module",
	);
	const named = await new Promise<string>((resolve, reject) =>
		resolver.resolve({ host: "collector.test", onResolved: (_h, a) => resolve(a), onError: reject }),
	);
	assert.is(named, "127.0.0.1");
	assert.equal(order, ["returned"]);
});

test("the host broke none of the module's protocol rules in any of these tests", () => {
	assertNoViolations(session.emulator);
});

test.run();
