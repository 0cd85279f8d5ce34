// The ECMA-419 UDP class over the driver and the emulated module: write()
// takes a datagram or throws (sending nothing) in every state, including
// while the socket to that peer is still opening; every datagram it took
// reaches the peer; a datagram the module loses is counted, not fatal.
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { E_SEND_FAILED } from "../../firmware/bc20/errors.js";
import { UDP } from "../../firmware/net/udp.js";
import { openSession, type Session } from "../../host-sim/modem-session.js";
import { sleep, until } from "../support/reliability-session.js";

let session: Session;

test.before(async () => {
	session = await openSession({ baud: 921600 });
});

test.after(async () => {
	await session.close();
});

// A loopback peer that keeps every datagram it receives.
async function recorder(): Promise<{ port: number; got: Buffer[]; close(): Promise<void> }> {
	const socket: DgramSocket = createSocket("udp4");
	const got: Buffer[] = [];
	socket.on("message", (message) => got.push(message));
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
	return { port: socket.address().port, got, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

// A datagram the module takes as text (AT+QISEND, up to 1024 bytes): printable,
// none of " , ; \, no space at either end.
function text(length: number, seed: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = 0x41 + ((i + seed) % 26);
	return out;
}

test("UDP while opening: a datagram the module cannot take throws and sends nothing; every datagram taken arrives", async () => {
	const peer = await recorder();
	const uncaught: unknown[] = [];
	const onUncaught = (error: unknown) => uncaught.push(error);
	process.on("uncaughtException", onUncaught);
	try {
		let errors = 0;
		const udp = new UDP({ modem: session.modem, onError: () => errors++ });
		const taken = [text(1024, 0), text(1024, 1), text(1024, 2), text(1024, 3)];
		// The first write opens the socket to this peer: everything here is
		// written while it is still opening.
		for (const datagram of taken) udp.write(datagram, "127.0.0.1", peer.port);
		assert.throws(() => udp.write(text(1025, 9), "127.0.0.1", peer.port), /1024/, "over the module's maximum");
		assert.throws(() => udp.write(new Uint8Array(600), "127.0.0.1", peer.port), /512/, "binary over the hex maximum");
		assert.throws(() => udp.write(new Uint8Array(0), "127.0.0.1", peer.port), /empty/);
		assert.throws(() => udp.write(text(10, 9), "127.0.0.1", peer.port), /wait/, "the opening queue is full");
		await until(() => peer.got.length >= taken.length, 5000, "every datagram taken to arrive");
		await sleep(200); // anything refused would have come by now
		assert.equal(
			peer.got.map((d) => d.toString("latin1")),
			taken.map((d) => Buffer.from(d).toString("latin1")),
			"every datagram taken arrived, whole and in order, and nothing refused was sent",
		);
		assert.is(errors, 0);
		assert.is(udp.unsent, 0);
		assert.equal(uncaught, [], "no exception escaped a callback");
		udp.close();
	} finally {
		process.off("uncaughtException", onUncaught);
		await peer.close();
	}
});

test("UDP while connected: write() returns what is still writable and throws, sending nothing, when a datagram is too big", async () => {
	const peer = await recorder();
	try {
		const sent = await new Promise<number[]>((resolve, reject) => {
			const results: number[] = [];
			const udp: UDP = new UDP({
				modem: session.modem,
				onWritable(count: number) {
					if (results.length === 0 && udp.sent) {
						results.push(count);
						assert.throws(() => udp.write(text(1025, 0), "127.0.0.1", peer.port), /1024/);
						results.push(udp.write(text(100, 1), "127.0.0.1", peer.port));
						udp.close();
						resolve(results);
					} else if (!udp.sent) {
						udp.sent = true;
						udp.write(text(5, 0), "127.0.0.1", peer.port); // opens the socket to the peer
					}
				},
				onError: () => reject(udp.lastError),
			});
		});
		// The module's transmit buffer (2048 bytes) took 100: a datagram of any
		// content fits in what is left, up to the 512 bytes of AT+QISENDEX.
		assert.equal(sent, [512, 512]);
		await until(() => peer.got.length >= 2, 5000, "both datagrams");
		await sleep(100);
		assert.equal(
			peer.got.map((d) => d.length),
			[5, 100],
		);
	} finally {
		await peer.close();
	}
});

test("UDP: a datagram the module fails to send is counted and kept as lastWarning; the socket lives on (no onError)", async () => {
	const peer = await recorder();
	try {
		let errors = 0;
		const udp = new UDP({ modem: session.modem, onError: () => errors++ });
		session.emulator!.failNextSend();
		udp.write(text(20, 0), "127.0.0.1", peer.port);
		await until(() => udp.unsent === 1, 5000, "the failed send to be counted");
		assert.is(udp.lastWarning?.code, E_SEND_FAILED);
		assert.is(udp.lastWarning?.count, 20);
		udp.write(text(30, 1), "127.0.0.1", peer.port);
		await until(() => peer.got.length >= 1, 5000, "the next datagram");
		assert.equal(
			peer.got.map((d) => d.length),
			[30],
			"the failed datagram never arrived; the next one did",
		);
		assert.is(errors, 0);
		assert.is(udp.lastError, null);
		udp.close();
	} finally {
		await peer.close();
	}
});

test("the host broke none of the module's protocol rules in any of these tests", () => {
	assertNoViolations(session.emulator);
});

test.run();
