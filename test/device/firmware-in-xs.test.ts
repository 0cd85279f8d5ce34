// firmware/main.ts, the device entry, in an XS created with manifest.json's
// creation sizes (bc20-device-xs: stack slots as on the ESP32), its Moddable
// modules played by stand-ins of the ESP32 ones, against the emulated BC20 and
// a loopback collector in real time. See device-runner.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { manifestCreation } from "./device-creation.js";
import { runFirmware } from "./device-runner.js";

for (const protocol of ["udp", "tcp"] as const) {
	test(`main.ts boots in the manifest's ${manifestCreation().stack}-slot stack and gets 3 reports acknowledged over ${protocol.toUpperCase()}`, async () => {
		const run = await runFirmware({ protocol, reports: 3 });
		console.log(
			`  ${protocol}: peak stack ${run.peakStack} of ${run.stackSize} slots here, about ${run.deviceStack} on the device`,
		);
		assert.match(run.console, /bc20: ready, address 127\.0\.0\.1/);
		assert.ok(run.acknowledged >= 3, run.console);
		assert.ok(
			run.readings.filter((r) => r.transport === protocol).length >= 3,
			`the collector got ${run.readings.length} reports`,
		);
		assert.is(run.lostBytes, 0, "every onReadable drained the 128-byte RX FIFO");
		assert.equal(run.violations, [], "the module saw nothing the manual forbids");
	});
}

// A module on a noisy line, as the device meets it: boot-ROM bytes before
// RDY, a slow boot (the firmware's first commands go out before RDY, and the
// module answers them after its banner), output trickled 1-3 bytes a read,
// URCs between a response's lines, and a reboot after the first report. The
// firmware comes back by itself, with one command on the wire at a time
// throughout.
test("main.ts rides out a slow-booting, trickling module that reboots mid-run", async () => {
	const run = await runFirmware({
		protocol: "udp",
		reports: 3,
		timeoutMs: 30000,
		emulator: {
			seed: 7,
			bootDelayMs: 1500,
			bootGarbage: true,
			bootAnswer: "after-banner",
			trickle: true,
			interleaveUrcs: 0.9,
			faults: { rebootAfterCommands: 16 },
		},
	});
	assert.ok(run.module.bytesReadAfterBoot > 0, "the firmware wrote while the module booted");
	assert.is(run.module.reboots, 1);
	assert.match(run.console, /socket 0: The module rebooted/);
	assert.ok(run.acknowledged >= 3, run.console);
	assert.is(run.lostBytes, 0, "every onReadable drained the 128-byte RX FIFO");
	assert.equal(run.violations, [], "the module saw nothing the manual forbids");
});

test("a stack overflow ends the run with XS's message", async () => {
	const error = await runFirmware({ protocol: "udp", reports: 1, stack: 96 }).catch((e: unknown) => e as Error);
	assert.instance(error, Error);
	assert.match((error as Error).message, /stack overflow/);
});

test("an exception escaping the firmware ends the run with XS's message", async () => {
	const error = await runFirmware({ protocol: "udp", reports: 1, config: { collector_host: "" } }).catch(
		(e: unknown) => e as Error,
	);
	assert.instance(error, Error);
	assert.match((error as Error).message, /set the collector: mcconfig/);
});

test.run();
