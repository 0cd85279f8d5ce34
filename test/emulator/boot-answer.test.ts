/**
 * A command written while the module boots, as a module can treat it
 * (bootAnswer): lost ("ignore", the default: bring-up.test.ts), answered after
 * the banner ("after-banner"), or read and never answered ("never").
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkViolationsAfterEach, framed, ModuleHarness } from "./module-harness.js";

checkViolationsAfterEach(test);

test("after-banner: a command sent before RDY is answered after the banner (writing while booting is no violation)", async () => {
	const m = new ModuleHarness({ bootAnswer: "after-banner", bootDelayMs: 20 });
	try {
		m.emulator.start();
		m.send("\rAT\r");
		assert.is(await m.until("OK\r\n"), framed("RDY", "+CFUN: 1", "+CPIN: READY") + "\rAT\r" + framed("OK"));
		assert.equal(m.emulator.commands, ["AT"]);
		assert.is(m.emulator.stats.bytesReadAfterBoot, 4);
		assert.is(m.emulator.stats.bytesIgnored, 0);
	} finally {
		await m.close();
	}
});

test("after-banner: a second AT written on seeing RDY, before the first one's OK, is recorded (probe-overlap)", async () => {
	// What the driver of issue 12 did. At 9600 baud the OK comes ~10 ms after RDY.
	const m = new ModuleHarness({ bootAnswer: "after-banner", bootDelayMs: 20, baud: 9600 });
	m.expectViolations("probe-overlap");
	try {
		m.emulator.start();
		m.send("\rAT\r");
		await m.until("RDY\r\n");
		m.sendLine("AT");
		await m.until(/OK\r\n[\s\S]*OK\r\n/);
		assert.equal(
			m.emulator.violations.map((v) => [v.kind, v.command]),
			[["probe-overlap", "AT"]],
		);
		assert.match(m.emulator.violations[0]!.reason, /"AT", which the host wrote while the module booted/);
	} finally {
		await m.close();
	}
});

test("never: lines sent before RDY are never answered; an unterminated tail prefixes the first line after RDY", async () => {
	const m = new ModuleHarness({ bootAnswer: "never", bootDelayMs: 20 });
	try {
		m.emulator.start();
		m.send("AT\rAT+CG");
		await m.until(/\+IP: [^\r]*\r\n/);
		assert.is(await m.quiet(50), "");
		assert.is(await m.command("MR"), `MR\r${framed("Revision: BC20JAR01A04", "OK")}`);
		assert.equal(m.emulator.commands, ["AT+CGMR"]);
	} finally {
		await m.close();
	}
});

test.run();
