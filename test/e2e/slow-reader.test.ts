// A client that reads late loses nothing: the TCP class opens in buffer
// access mode, so what its receive buffer cannot take waits in the module
// (backpressure) until the client reads. ECMA-419 lets a client read whenever
// it likes after onReadable; this one waits 15 ms every time.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TCP } from "../../firmware/net/tcp.js";
import { openSession } from "../../host-sim/modem-session.js";
import { hostilePayload, source } from "../support/loopback-servers.js";
import { until } from "../support/reliability-session.js";

test("a client reading 15 ms after each onReadable receives 200 KB byte-exact at 921600 baud", async () => {
	const session = await openSession({ baud: 921600 });
	const peer = await source();
	try {
		const body = hostilePayload(200 * 1024, 11);
		const got = new Uint8Array(body.length);
		let at = 0,
			failed = false,
			reading = false;
		const tcp: TCP = new TCP({
			modem: session.modem,
			address: "127.0.0.1",
			port: peer.port,
			onReadable() {
				if (reading) return;
				reading = true;
				setTimeout(() => {
					reading = false;
					const n = tcp.readable;
					if (n > 0) tcp.read(got.subarray(at, at + n));
					at += n;
				}, 15);
			},
			onError() {
				failed = true;
			},
		});
		await peer.send(body);
		await until(() => at >= body.length || failed, 60000, "the whole body");
		assert.is(failed, false, String(tcp.lastError?.message));
		assert.is(at, body.length);
		assert.equal(Buffer.compare(Buffer.from(got), Buffer.from(body)), 0, "byte-exact");
		tcp.close();
		assertNoViolations(session.emulator);
	} finally {
		await peer.close();
		await session.close();
	}
});

test.run();
