// The ECMA-419 TCP class over the driver and the emulated module: a byte
// stream with a gap (a send that failed, received bytes lost) is broken, and
// the socket says so through onError, after the bytes received before the gap
// were read, intact. HTTP and MQTT clients never see a silent hole.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import { PUSH_MODE } from "../../firmware/bc20/socket-constants.js";
import * as assert from "uvu/assert";
import { E_DATA_LOST, E_SEND_FAILED } from "../../firmware/bc20/errors.js";
import { TCP } from "../../firmware/net/tcp.js";
import { openSession } from "../../host-sim/modem-session.js";
import { hostilePayload, source, tcpEcho } from "../support/loopback-servers.js";
import { sleep, until } from "../support/reliability-session.js";

// Reads everything the socket lets the app read, in pieces of at most 100
// bytes (read(buffer) takes exactly the buffer's length, as Moddable's socket).
function drain(tcp: TCP): number[] {
	const got: number[] = [];
	for (;;) {
		const n = Math.min(100, tcp.readable);
		if (n === 0) return got;
		const chunk = new Uint8Array(n);
		tcp.read(chunk);
		got.push(...chunk);
	}
}

test("TCP: SEND FAIL ends the socket with onError, after the data received before it was read intact", async () => {
	const session = await openSession({ baud: 921600 });
	const echo = await tcpEcho();
	try {
		const first = hostilePayload(300, 1),
			second = hostilePayload(200, 2);
		let writable = -1,
			errors = 0;
		const tcp: TCP = new TCP({
			modem: session.modem,
			address: "127.0.0.1",
			port: echo.port,
			onWritable(count: number) {
				if (writable >= 0) return;
				writable = count;
				assert.is(tcp.write(first), count - first.length, "write() returns what is still writable");
			},
			onError() {
				errors++;
			},
		});
		// The echo of the first write waits, unread.
		await until(() => tcp.readable === first.length, 5000, "the echo of the first write");
		session.emulator!.failNextSend();
		tcp.write(second);
		await until(() => tcp.lastError !== null, 5000, "the SEND FAIL to be seen");
		assert.throws(() => tcp.write(Uint8Array.of(1)), /gap/, "nothing is written after the gap");
		await sleep(200);
		assert.is(errors, 0, "onError waits until the data received before the gap is read");
		assert.is(tcp.readable, first.length);
		assert.equal(drain(tcp), Array.from(first), "the data read before onError is intact");
		await until(() => errors > 0, 2000, "onError");
		assert.is(errors, 1);
		const error = tcp.lastError!;
		assert.is(error.code, E_SEND_FAILED);
		assert.is(error.offset, first.length, "the gap starts after the first write");
		assert.is(error.count, second.length);
		assert.is(tcp.read(), undefined);
		await sleep(100);
		assert.is(errors, 1, "onError comes once");
		assertNoViolations(session.emulator);
	} finally {
		await session.close();
		await echo.close();
	}
});

test("TCP: received bytes lost in direct push mode end the socket with onError, after the bytes before the loss", async () => {
	const session = await openSession({ baud: 921600, modem: { rxBufferSize: 1024 } });
	const peer = await source();
	try {
		const data = hostilePayload(4000, 3);
		let connected = false,
			errors = 0;
		const tcp = new TCP({
			modem: session.modem,
			address: "127.0.0.1",
			port: peer.port,
			mode: PUSH_MODE,
			onWritable() {
				connected = true;
			},
			onError() {
				errors++;
			},
		});
		await until(() => connected, 5000, "the connection");
		await peer.send(data); // more than the 1024-byte receive buffer, not read
		await until(() => tcp.lastError !== null, 5000, "the loss to be seen");
		await sleep(200);
		assert.is(errors, 0, "onError waits until the data received before the loss is read");
		const got = drain(tcp);
		assert.ok(got.length > 0 && got.length <= 1024, `read ${got.length} bytes`);
		assert.equal(got, Array.from(data.subarray(0, got.length)), "what was read is the stream's start, without a hole");
		await until(() => errors > 0, 2000, "onError");
		assert.is(tcp.lastError!.code, E_DATA_LOST);
		assert.ok(tcp.lastError!.lost !== 0);
		assertNoViolations(session.emulator);
	} finally {
		await session.close();
		await peer.close();
	}
});

test.run();
