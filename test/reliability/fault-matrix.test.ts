// The fault matrix, part 1: the module misbehaves. Each test drives the real
// driver (BC20 + sockets) against the emulated BC20 with real loopback peers,
// injects one fault, and checks that the driver recovers or reports a clear
// error, that nothing hangs (every wait is bounded), and that every byte the
// app wrote or the peer sent is delivered exactly once or reported with its
// count. Damaged bytes on the line are in fault-matrix-damage.test.ts, the
// network's faults in fault-matrix-network.test.ts, and faults the emulator
// cannot place exactly in fault-scripted.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { E_REBOOTED, E_SEND_UNKNOWN, E_TIMEOUT } from "../../firmware/bc20/errors.js";
import { checkReceived, checkSent } from "../support/reliability-accounting.js";
import { tcpEcho } from "../support/loopback-servers.js";
import { faultSession, openLogged, pattern, roundTrip, sink, sleep, until } from "../support/reliability-session.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

test("reboot in the middle of a send: the socket fails with E_REBOOTED; each written byte is delivered or reported", async () => {
	const session = await faultSession();
	const peer = await sink();
	const echo = await tcpEcho();
	try {
		const emulator = session.emulator!;
		const s = openLogged(session.modem, { port: peer.port });
		await s.connected(5000);
		// The module reboots right after answering the first QISEND (its bytes
		// are on their way to the peer; no SEND OK ever comes).
		emulator.rebootAfterCommand("AT+QISEND");
		s.send(pattern(3000, 1));
		await s.ended(5000);
		assert.is(s.log.error?.code, E_REBOOTED, s.log.describe());
		await sleep(100);
		const problem = checkSent(s.written(), peer.all(), s.socket.stats, s.log);
		assert.is(problem, "", problem);
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await peer.close();
		await echo.close();
	}
});

test("reboot in the middle of a read: the socket fails with E_REBOOTED after the data read so far, and the rest is reported lost", async () => {
	const data = pattern(5000, 2);
	const session = await faultSession();
	const peer = await sink((socket) => socket.write(data));
	const echo = await tcpEcho();
	try {
		const emulator = session.emulator!;
		let armed = false;
		const s = openLogged(session.modem, { port: peer.port }, () => {
			// At the first data, the module reboots in the middle of the next +QIRD response.
			if (!armed) {
				armed = true;
				emulator.rebootAfterCommand("AT+QIRD", { cutResponseAfter: 300 });
			}
			return false;
		});
		await s.ended(5000);
		assert.is(s.log.error?.code, E_REBOOTED, s.log.describe());
		// Bytes that never reached the module (TCP reset them at the reboot) may
		// go unreported; every byte the module took must arrive or be counted.
		const reachedModule = emulator.stats.sockets[0].bytesReceived;
		const problem = checkReceived(data, s.log.receivedBytes, s.log, data.length - reachedModule);
		assert.is(problem, "", problem);
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await peer.close();
		await echo.close();
	}
});

test("reboot in the middle of an open: the open fails with E_REBOOTED and the next open works", async () => {
	const session = await faultSession();
	const echo = await tcpEcho();
	try {
		session.emulator!.rebootAfterCommand("AT+QIOPEN");
		const s = openLogged(session.modem, { port: echo.port });
		await s.ended(5000);
		assert.is(s.log.error?.code, E_REBOOTED, s.log.describe());
		assert.is(s.socket.state, INITIAL);
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await echo.close();
	}
});

test("a response withheld until the deadline: the send is reported unknown, the read is retried, nothing is lost or doubled", async () => {
	const session = await faultSession();
	const peer = await sink();
	const echo = await tcpEcho();
	try {
		const emulator = session.emulator!;
		const s = openLogged(session.modem, { port: peer.port });
		await s.connected(5000);
		// The module reads the second QISEND but never executes or answers it.
		let sends = 0;
		emulator.on("command", (line) => {
			if (line.startsWith("AT+QISEND") && ++sends === 1) emulator.withhold("AT+QISEND");
		});
		s.send(pattern(4000, 4));
		await until(
			() => s.socket.stats.sent + s.socket.stats.failed + s.socket.stats.unknown === 4000,
			8000,
			"every byte to be settled",
		);
		assert.ok(
			s.log.warnings.some((w) => w.code === E_SEND_UNKNOWN),
			s.log.describe(),
		);
		s.socket.close();
		await s.ended(5000);
		await sleep(100);
		const problem = checkSent(s.written(), peer.all(), s.socket.stats, s.log);
		assert.is(problem, "", problem);

		// A withheld read: the driver asks again, and gets every byte once.
		const data = pattern(3000, 5);
		const source = await sink((socket) => socket.write(data));
		try {
			emulator.withhold("AT+QIRD");
			const r = openLogged(session.modem, { port: source.port });
			await until(
				() => r.log.receivedBytes.length >= data.length || r.log.ended,
				8000,
				"the data after a withheld read",
			);
			assert.is(Buffer.compare(Buffer.from(r.log.receivedBytes), Buffer.from(data)), 0, r.log.describe());
			r.socket.close();
			await r.ended(5000);
		} finally {
			await source.close();
		}
		assert.is(await roundTrip(session.modem, echo.port), "");
	} finally {
		await session.close();
		await peer.close();
		await echo.close();
	}
});

test("a late response (after its deadline) is not taken for the next command's answer; late read data still arrives, once", async () => {
	const session = await faultSession();
	const echo = await tcpEcho();
	try {
		const emulator = session.emulator!;
		const modem = session.modem;
		// A raw command answered 700 ms late (its deadline: 100 ms + 200 ms grace).
		emulator.delay("AT+CGMR", 700);
		const results: [string, unknown, string[]][] = [];
		modem.command("AT+CGMR", { timeout: 100 }, (e, lines) => results.push(["CGMR", e?.code ?? null, lines]));
		modem.command("AT+CGMI", (e, lines) => results.push(["CGMI", e?.code ?? null, lines]));
		await until(() => results.length === 2, 5000, "both commands to end");
		assert.equal(results[0].slice(0, 2), ["CGMR", E_TIMEOUT]);
		assert.equal(results[1], ["CGMI", null, ["Quectel_Ltd"]]);

		// A +QIRD answered late: its data still reaches the socket, in order, once.
		emulator.delay("AT+QIRD", 700);
		const payload = pattern(3000, 6);
		const s = openLogged(modem, { port: echo.port });
		s.send(payload);
		await until(() => s.log.receivedBytes.length >= payload.length || s.log.ended, 10000, "the echo");
		assert.is(Buffer.compare(Buffer.from(s.log.receivedBytes), Buffer.from(payload)), 0, s.log.describe());
		s.socket.close();
		await s.ended(5000);
	} finally {
		await session.close();
		await echo.close();
	}
});

test("a response so late that the resync probe times out too is still not taken for a later command's answer", async () => {
	const session = await faultSession();
	try {
		const emulator = session.emulator!;
		const modem = session.modem;
		// The module stalls for 2 s on AT+CGMR, then answers everything in
		// order. AT+CGMR times out (at 300 ms); the resync probe written for
		// AT+CGMI times out too (and AT+CGMI with it); AT+CIMI comes while the
		// module is still stalled (at ~1.75 s), so a second probe goes first.
		// When the module wakes up, the first probe's answer must not be taken
		// for the second's, and AT+CIMI must get its own answer (the IMSI).
		emulator.delay("AT+CGMR", 2000);
		const results: [string, unknown, string[]][] = [];
		modem.command("AT+CGMR", { timeout: 100 }, (e, lines) => results.push(["CGMR", e?.code ?? null, lines]));
		modem.command("AT+CGMI", { timeout: 100 }, (e, lines) => results.push(["CGMI", e?.code ?? null, lines]));
		await until(() => results.length === 2, 5000, "the first two commands to end");
		await sleep(950);
		modem.command("AT+CIMI", (e, lines) => results.push(["CIMI", e?.code ?? null, lines]));
		await until(() => results.length === 3, 8000, "AT+CIMI to end");
		assert.equal(results[0].slice(0, 2), ["CGMR", E_TIMEOUT]);
		assert.equal(results[1].slice(0, 2), ["CGMI", E_TIMEOUT]);
		// (Failing with a timeout would be honest too; answering [] is not.)
		if (results[2][1] === null)
			assert.ok(
				/^\d{15}$/.test(results[2][2].join("")),
				"AT+CIMI got " + JSON.stringify(results[2][2]) + ", not an IMSI",
			);
	} finally {
		await session.close();
	}
});

test.run();
