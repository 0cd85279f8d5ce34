// bc20 info: identity, signal, registration, bands, PSM and eDRX, read only,
// for a person or as one JSON document; the emulated module's answers are
// configurable (its identity option) and info reads them back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { serveEmulatorUart } from "../../host-sim/sim-server.js";
import { runCli } from "../support/cli-process.js";

test("info on a configured module: every item, for a person and as JSON", async () => {
	const emulator = new BC20Emulator({
		bootDelayMs: 5,
		attachDelayMs: 20,
		identity: {
			imei: "867724030000007",
			imsi: "460041234567890",
			iccid: "89860412345678901238",
			firmware: "BC20JAR01A09",
			rssi: 20,
			rsrq: 20,
			bands: [8, 20],
		},
	});
	const server = await serveEmulatorUart(emulator);
	emulator.start();
	const port = `tcp://127.0.0.1:${server.port}`;
	try {
		// PSM and eDRX on, as a device would have set them.
		for (const command of ['AT+CPSMS=1,,,"00100001","00000101"', 'AT+CEDRXS=1,5,"0101"'])
			assert.is((await runCli(["--port", port, "at", command])).code, 0, command);
		const run = await runCli(["--port", port, "info"]);
		assert.is(run.code, 0, run.stderr);
		assert.is(
			run.stdout.toString(),
			[
				"IMEI          867724030000007",
				"firmware      BC20JAR01A09",
				"IMSI          460041234567890",
				"ICCID         89860412345678901238",
				"signal        rssi -73 dBm (+CSQ: 20), rsrp -84 dBm, rsrq -10 dB",
				"registration  registered (home) (+CEREG stat 1)",
				"bands         8, 20",
				'PSM           on: periodic TAU 1 h ("00100001"), active time 10 s ("00000101")',
				'eDRX          on: "0101" (cycle 81.92 s)',
				"",
			].join("\n"),
		);
		const json = await runCli(["--port", port, "info", "--json"]);
		assert.is(json.code, 0, json.stderr);
		const info = JSON.parse(json.stdout.toString());
		assert.equal(
			[
				info.imei,
				info.iccid,
				info.signal.rssiDbm,
				info.registration.stat,
				info.bands,
				info.psm.periodicTauSeconds,
				info.edrx.cycleSeconds,
			],
			["867724030000007", "89860412345678901238", -73, 1, [8, 20], 3600, 81.92],
		);
		assert.equal(info.unavailable, {});
	} finally {
		await server.close();
		await emulator.close();
	}
});

test("info on a module without the radio on: what it refuses is unavailable, with its answer; exit 0", async () => {
	const emulator = new BC20Emulator({ bootDelayMs: 5, attachDelayMs: 20 });
	const server = await serveEmulatorUart(emulator);
	emulator.start();
	const port = `tcp://127.0.0.1:${server.port}`;
	try {
		assert.is((await runCli(["--port", port, "at", "AT+CFUN=0"])).code, 0);
		const run = await runCli(["--port", port, "info"]);
		assert.is(run.code, 0, run.stderr);
		assert.match(run.stdout.toString(), /^IMSI {10}unavailable \(ERROR\)$/m);
		assert.match(run.stdout.toString(), /^IMEI {10}\d{15}$/m);
	} finally {
		await server.close();
		await emulator.close();
	}
});

test.run();
