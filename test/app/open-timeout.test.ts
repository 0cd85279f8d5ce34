// An AT+QIOPEN whose result never comes (the driver's own bound is 60 s) must
// not hold the sensor app: each attempt's window bounds the open, the
// half-open socket is closed, the retry opens afresh, and the cycle goes on.
// A stand-in modem whose opens never complete makes this quick to see.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SensorApp, type SensorSummary } from "../../firmware/app/sensor-app.js";
import type { BC20 } from "../../firmware/bc20/modem.js";
import { NodeClock } from "../../host-sim/node-clock.js";
import { INITIAL, OPENING } from "../../firmware/bc20/socket-constants.js";

class NeverOpeningModem {
	state = "ready";
	clock = new NodeClock(); // the net classes deliver their callbacks from it
	commandsSent = 0;
	opened = 0;
	closed = 0;

	command(_line: string, callback: (error: null) => void): void {
		this.commandsSent++;
		setImmediate(() => callback(null));
	}

	open() {
		this.opened++;
		this.commandsSent++; // AT+QIOPEN, answered OK, +QIOPEN never follows
		const modem = this;
		return {
			state: OPENING,
			close() {
				this.state = INITIAL;
				modem.closed++;
			},
		};
	}
}

test("TCP open that never completes: bounded by each attempt's window, reopened on retry, report lost, next cycle runs", async () => {
	const modem = new NeverOpeningModem();
	const log: string[] = [];
	const clock = modem.clock;
	const app = new SensorApp(
		{
			device: "test-sensor",
			host: "127.0.0.1",
			port: 9,
			protocol: "tcp",
			intervalMs: 50,
			ackTimeoutMs: 50,
			retries: 1,
			reports: 2,
			sleep: "none",
		},
		{ modem: modem as unknown as BC20, clock, sample: () => 1, uptimeMs: () => clock.now(), log: (l) => log.push(l) },
	);
	const summary = await new Promise<SensorSummary | null>((resolve) => {
		const stalled = setTimeout(() => {
			app.stop();
			resolve(null);
		}, 3000);
		app.start((s) => {
			clearTimeout(stalled);
			resolve(s);
		});
	});
	assert.ok(summary, `the app stalled; its log:\n${log.join("\n")}`);
	assert.is(summary!.reports, 2);
	assert.is(summary!.lost, 2);
	assert.is(modem.opened, 4, "each report: an open and a reopen");
	assert.is(modem.closed, 4, "every abandoned open was closed (no connectID left behind)");
	assert.ok(log.includes("report 1: no ack, reconnecting and resending (1/1)"), log.join("\n"));
});

test.run();
