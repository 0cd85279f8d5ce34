// The fault matrix: bytes damaged on the module's TX line. Same rules as
// fault-matrix.test.ts: the real driver against the emulated BC20 and real
// loopback peers; no exception, no hang, recovery, no silent loss where the
// framing shows the damage.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tcpEcho } from "../support/loopback-servers.js";
import { faultSession, openLogged, pattern, roundTrip, until } from "../support/reliability-session.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

// Damaged output (dropped or altered bytes on the module's TX line) for the
// length of one echo exchange, then a clean line. A UART has no integrity
// check, and the BC20 adds none: damage that keeps the framing intact (a hex
// digit turned into another) cannot be seen by any driver. What must hold:
// no exception, no hang, damage to data is reported rather than silent where
// the framing shows it (hex receive format), and once the line is clean the
// driver works again.
for (const fault of ["dropRate", "corruptRate"] as const) {
	test(`${fault === "dropRate" ? "dropped" : "corrupted"} bytes: no exception, no hang, the driver works again once the line is clean`, async () => {
		const faults: { dropRate?: number; corruptRate?: number } = {};
		const crashes: unknown[] = [];
		const onCrash = (error: unknown) => void crashes.push(error);
		process.on("uncaughtException", onCrash);
		const session = await faultSession({ emulator: { faults, seed: 5 } });
		const echo = await tcpEcho();
		try {
			for (const mode of [0, 1]) {
				faults[fault] = 0.002;
				const payload = pattern(6000, 3 + mode);
				const s = openLogged(session.modem, { port: echo.port, mode });
				s.send(payload);
				// Until everything came back, the socket ended, or nothing moved for 3 s.
				let last = -1,
					quietSince = Date.now();
				await until(
					() => {
						const got = s.log.receivedBytes.length;
						if (got !== last) {
							last = got;
							quietSince = Date.now();
						}
						return got >= payload.length || s.log.ended || Date.now() - quietSince > 3000;
					},
					30000,
					"the damaged echo to settle",
				);
				faults[fault] = 0;
				const back = s.log.receivedBytes;
				if (fault === "dropRate" && back.length < payload.length) {
					// Missing bytes (the echo peer sent them all) must be reported lost.
					const lost = s.log.reportedLost();
					assert.ok(
						lost < 0 || lost >= payload.length - back.length,
						`${mode ? "push" : "buffer"} mode: ` +
							`${payload.length - back.length} of ${payload.length} bytes never came back, ${lost} reported lost (${s.log.describe()})`,
					);
				}
				if (s.socket.state !== INITIAL) s.socket.close();
				// Sends still queued go out first; one whose SEND OK is owed (its OK
				// came late) waits up to another SEND OK deadline (10 s) before the next.
				await s.ended(25000);
			}
			assert.equal(crashes, []);
			assert.is(await roundTrip(session.modem, echo.port, 15000), "");
		} finally {
			process.off("uncaughtException", onCrash);
			await session.close();
			await echo.close();
		}
	});
}

test.run();
