// The TCP class keeps the contract of Moddable's own TCP socket
// (modules/io/socket/lwip/tcp.c) where Moddable's clients rely on it: every
// form and edge of read(), expando properties (the TLS wrapper assigns
// `readable` and `writable`), and a modem whose options were deep-frozen.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TCP } from "../../firmware/net/tcp.js";
import { openSession, type Session } from "../../host-sim/modem-session.js";
import { tcpEcho, type Peer } from "../support/loopback-servers.js";
import { until } from "../support/reliability-session.js";
import { hexOf, OK, ready } from "../support/bc20-harness.js";

let session: Session;
let echo: Peer;

test.before(async () => {
	session = await openSession({ baud: 921600 });
	echo = await tcpEcho();
});

test.after(async () => {
	await session.close();
	await echo.close();
});

// A connected TCP to the echo peer with `text` echoed back and buffered, unread.
async function withEcho(text: string, options: Record<string, unknown> = {}): Promise<TCP> {
	let connected = false;
	const tcp: TCP = new TCP({
		modem: session.modem,
		address: "127.0.0.1",
		port: echo.port,
		...options,
		onWritable() {
			connected = true;
		},
	});
	await until(() => connected, 5000, "connected");
	tcp.write(new TextEncoder().encode(text));
	await until(() => tcp.readable >= text.length, 5000, "the echo");
	return tcp;
}

test("read(): undefined when nothing is buffered, in every form", async () => {
	let connected = false;
	const tcp = new TCP({
		modem: session.modem,
		address: "127.0.0.1",
		port: echo.port,
		onWritable() {
			connected = true;
		},
	});
	await until(() => connected, 5000, "connected");
	assert.is(tcp.read(), undefined);
	assert.is(tcp.read(4), undefined);
	assert.is(tcp.read(new Uint8Array(4)), undefined);
	tcp.format = "number";
	assert.is(tcp.read(), undefined);
	tcp.close();
});

test("read(n) and read(buffer) take exactly n bytes, and throw, taking nothing, when fewer are buffered or n is not positive", async () => {
	const tcp = await withEcho("abcdef");
	assert.throws(() => tcp.read(7), /invalid read/);
	assert.throws(() => tcp.read(new Uint8Array(7)), /invalid read/);
	assert.throws(() => tcp.read(0), /invalid read/);
	assert.throws(() => tcp.read(-1), /invalid read/);
	assert.is(tcp.readable, 6, "a refused read takes nothing");
	const two = new Uint8Array(2);
	assert.is(tcp.read(two), 2, "read(buffer) returns the count");
	assert.equal(Array.from(two), [97, 98]);
	const three = tcp.read(3) as ArrayBuffer;
	assert.instance(three, ArrayBuffer);
	assert.equal(Array.from(new Uint8Array(three)), [99, 100, 101]);
	tcp.format = "number";
	assert.is(tcp.read(), 102, "number format: one byte");
	assert.is(tcp.read(), undefined);
	tcp.close();
});

test("read() takes all that is buffered", async () => {
	const tcp = await withEcho("hello");
	const all = tcp.read() as ArrayBuffer;
	assert.equal(new TextDecoder().decode(all), "hello");
	assert.is(tcp.readable, 0);
	tcp.close();
});

test("a client shaped like Moddable's tlssocket.js (it assigns readable and writable and wraps reads and writes) runs over the TCP class", async () => {
	// The wrapper's shape: it keeps the socket, records the counts the socket
	// reports on the socket itself (socket.readable = count), and its session
	// reads that many bytes; here the "session" is an XOR so the bytes are changed both ways.
	class TlsShaped {
		socket: TCP;
		plain = "";
		constructor(onReady: (self: TlsShaped) => void) {
			const self = this;
			this.socket = new TCP({
				modem: session.modem,
				address: "127.0.0.1",
				port: echo.port,
				onWritable(count: number) {
					this.writable = count;
					onReady(self);
				},
				onReadable(count: number) {
					this.readable = count;
					const record = new Uint8Array(this.readable as number);
					this.read(record);
					for (const b of record) self.plain += String.fromCharCode(b ^ 0x5a);
				},
			});
		}
		send(text: string): void {
			const record = Uint8Array.from(text, (c) => c.charCodeAt(0) ^ 0x5a);
			this.socket.write(record);
		}
	}
	let ready = false;
	const tls = new TlsShaped(() => void (ready = true));
	await until(() => ready, 5000, "connected");
	assert.ok(typeof tls.socket.writable === "number", "writable took the assignment");
	tls.send("a secret, twice wrapped");
	await until(() => tls.plain.length >= 23, 5000, "the echo");
	assert.is(tls.plain, "a secret, twice wrapped");
	tls.socket.close();
});

test("a modem held by deep-frozen options keeps working: no state is written through a frozen object", () => {
	const deepFreeze = (value: unknown): void => {
		if (value === null || (typeof value !== "object" && typeof value !== "function") || Object.isFrozen(value)) return;
		Object.freeze(value);
		for (const key of Reflect.ownKeys(value as object)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
	};
	const h = ready();
	deepFreeze({ modem: h.modem, port: 9000, retries: { count: 3 } }); // as the device freezes its configuration
	// Direct-push data for a connectID nobody holds: the modem counts it in its stats.
	h.fake.send('\r\n+QIURC: "recv",4,5,' + hexOf("stray") + "\r\n");
	h.settle();
	assert.is(h.modem.stats.pushBytesDropped, 5);
	// A reboot check writes its count too; a socket opens, sends and closes.
	h.fake.expect("AT+QISTATE?", OK);
	h.fake.send("\r\n+CPIN: READY\r\n");
	h.settle();
	assert.is(h.modem.stats.rebootChecks, 1);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const socket = h.open({});
	h.fake.expect("AT+QISEND=0,2,hi", OK + "\r\nSEND OK\r\n");
	socket.write(new TextEncoder().encode("hi"));
	h.settle();
	assert.is(socket.stats.sent, 2);
	assert.equal(h.fake.unexpected, []);
});

test("the host broke none of the module's protocol rules in any of these tests", () => {
	assertNoViolations(session.emulator);
});

test.run();
