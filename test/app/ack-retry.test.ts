// The sensor app's acknowledgement policy and sleep set-up against the emulated
// BC20: a report without an ack is resent after a doubling wait, given up after
// `retries` resends, and the steady state costs one AT command per report.
import { createSocket } from "node:dgram";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Collector } from "../../host-sim/cloud/collector.js";
import { boot, runApp } from "./sensor-harness.js";

for (const protocol of ["udp", "tcp"] as const) {
	test(`${protocol}: the collector ignores the first report; the app resends it and is acknowledged; then one AT command per report`, async () => {
		const session = await boot();
		const collector = await new Collector({ dropFirst: 1 }).start();
		try {
			const port = protocol === "udp" ? collector.udpPort : collector.tcpPort;
			const { summary, log, commands } = await runApp(session, {
				config: { protocol, port, reports: 3, retries: 3, ackTimeoutMs: 200 },
				stallMs: 8000,
			});
			assert.ok(log.includes("report 1: no ack, resending (1/3)"), log.join("\n"));
			// Report 1: AT+QIOPEN, AT+QISEND, the resent AT+QISEND; then the socket stays open.
			assert.ok(log.includes("report 1: acknowledged after 1 resends, 3 AT commands"), log.join("\n"));
			assert.ok(log.includes("report 2: acknowledged after 0 resends, 1 AT commands"), log.join("\n"));
			assert.ok(log.includes("report 3: acknowledged after 0 resends, 1 AT commands"), log.join("\n"));
			assert.equal(
				{ ...summary, atPerReport: Math.round(summary.atPerReport * 10) / 10 },
				{ reports: 3, acked: 3, lost: 0, resends: 1, atCommands: 5, atPerReport: 1.7 },
			);
			assert.is(commands.filter((c) => c.startsWith("AT+QIOPEN")).length, 1, "opened once");
			assert.equal(
				collector.readings.map((r) => r.seq),
				[1, 2, 3],
			);
		} finally {
			await session.close();
			await collector.close();
		}
	});
}

test("a collector that never answers: resends after 1x, 2x the ack timeout, then the report is lost and the next cycle runs", async () => {
	const session = await boot();
	const arrivals: number[][] = [];
	const sink = createSocket("udp4");
	sink.on("message", (message) => {
		const seq = Number(message.toString("latin1").split(",")[2]);
		(arrivals[seq] ??= []).push(Date.now());
	});
	await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", resolve));
	try {
		const { summary, log } = await runApp(session, {
			config: { protocol: "udp", port: sink.address().port, reports: 2, retries: 2, ackTimeoutMs: 200 },
			stallMs: 8000,
		});
		assert.ok(log.includes("report 1: lost after 2 resends"), log.join("\n"));
		assert.equal(
			{ reports: summary.reports, acked: summary.acked, lost: summary.lost, resends: summary.resends },
			{ reports: 2, acked: 0, lost: 2, resends: 4 },
		);
		assert.is(arrivals[1]?.length, 3, "report 1 sent three times");
		assert.is(arrivals[2]?.length, 3, "report 2 sent three times: the cycle went on");
		const [first, second, third] = arrivals[1];
		assert.ok(second - first >= 150 && second - first < 350, `first resend after ~200 ms, not ${second - first}`);
		assert.ok(third - second >= 350 && third - second < 600, `second resend after ~400 ms, not ${third - second}`);
	} finally {
		await session.close();
		await new Promise<void>((resolve) => sink.close(() => resolve()));
	}
});

test("sleep psm without a PSM_EINT pin falls back to light sleep, says so, and the module still wakes for every report", async () => {
	const session = await boot({ sleepAfterMs: 60 });
	const collector = await new Collector().start();
	try {
		const { summary, log, commands } = await runApp(session, {
			config: { protocol: "udp", port: collector.udpPort, reports: 3, sleep: "psm", intervalMs: 250 },
			stallMs: 8000,
		});
		assert.ok(
			log.some((l) => /sleep psm needs a PSM_EINT pin.*using light sleep \(AT\+QSCLK=2\)/.test(l)),
			log.join("\n"),
		);
		assert.ok(commands.includes("AT+QSCLK=2"), commands.join(" "));
		assert.not.ok(
			commands.some((c) => c.startsWith("AT+CPSMS=1")),
			"PSM not requested",
		);
		assert.is(summary.acked, 3, log.join("\n"));
		assert.ok(
			session.emulator!.stats.bytesIgnored > 0,
			"the module did sleep between reports (a wake-up byte was lost)",
		);
	} finally {
		await session.close();
		await collector.close();
	}
});

test("sleep psm with a PSM_EINT pin: the module is in deep sleep at each wake-up pulse and every report arrives", async () => {
	const session = await boot({ sleepAfterMs: 60 });
	const collector = await new Collector().start();
	const statesAtPulse: string[] = [];
	try {
		const { summary, log, commands } = await runApp(session, {
			config: { protocol: "tcp", port: collector.tcpPort, reports: 3, sleep: "psm", intervalMs: 250 },
			stallMs: 8000,
			pulseWakePin: () => {
				statesAtPulse.push(session.emulator!.sleep);
				session.emulator!.wakeByPin();
			},
		});
		assert.ok(commands.includes("AT+QSCLK=1") && commands.some((c) => c.startsWith("AT+CPSMS=1")), commands.join(" "));
		assert.equal(statesAtPulse, ["deep", "deep"], "pulsed before reports 2 and 3, each time from deep sleep");
		assert.is(summary.acked, 3, log.join("\n"));
	} finally {
		await session.close();
		await collector.close();
	}
});

test.run();
