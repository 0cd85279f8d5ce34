// `bc20 nc` ends within a bound whatever the peer does, and its summary
// gives every stdin byte a fate: sent (SEND OK), not sent, or unknown
// (written to the module, no SEND OK / SEND FAIL came).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../support/cli-process.js";
import { hostilePayload, sink } from "../support/loopback-servers.js";

const SUMMARY =
	/^bc20: (?:[^\n]*: )?(\d+) of the (\d+) bytes (?:read )?from stdin not sent(?:, (\d+) of unknown fate[^\n]*)?/m;

test("a peer that never answers nor closes: nc ends about --wait (default 1 s) after stdin ended and every byte was sent, exit 0", async () => {
	const peer = await sink();
	try {
		const payload = hostilePayload(3000, 5);
		const started = Date.now();
		const run = await runCli(["nc", "127.0.0.1", String(peer.port)], payload, 20000);
		assert.is(run.code, 0, run.stderr);
		assert.ok(Date.now() - started < 15000, "ended within its bound");
		assert.equal(Buffer.compare(peer.received(), Buffer.from(payload)), 0);
	} finally {
		await peer.close();
	}
});

test("a failed send with a peer waiting for the rest: nc still ends, with its summary, exit 1", async () => {
	const peer = await sink();
	try {
		const payload = hostilePayload(1500, 6);
		const run = await runCli(["nc", "127.0.0.1", String(peer.port), "--fail-send", "2"], payload, 20000);
		assert.is(run.code, 1, run.stderr);
		const match = SUMMARY.exec(run.stderr);
		assert.ok(match, run.stderr);
		assert.is(Number(match![2]), 1500);
		assert.is(Number(match![1]), 1500 - peer.received().length, "the bytes not sent are exactly those the peer lacks");
	} finally {
		await peer.close();
	}
});

test("a clean reboot during a transfer: the summary counts every stdin byte the peer did not get (not sent or unknown), not only what was buffered", async () => {
	const peer = await sink();
	try {
		const payload = hostilePayload(8192, 7);
		const run = await runCli(
			["--port", "sim", "--reboot-on", "AT+QISEND", "nc", "127.0.0.1", String(peer.port)],
			payload,
			30000,
		);
		assert.is(run.code, 1, run.stderr);
		const match = SUMMARY.exec(run.stderr);
		assert.ok(match, run.stderr);
		const notSent = Number(match![1]),
			read = Number(match![2]),
			unknown = Number(match![3] ?? 0);
		const received = peer.received().length;
		assert.ok(notSent <= read - received, `${notSent} reported not sent, but the peer got ${received} of ${read}`);
		assert.ok(
			notSent + unknown >= read - received,
			`${notSent} not sent + ${unknown} unknown < ${read - received} missing at the peer`,
		);
		assert.match(run.stderr, /rebooted/i);
	} finally {
		await peer.close();
	}
});

test.run();
