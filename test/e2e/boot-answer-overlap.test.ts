// A module that answers a command written during its boot after its banner
// (bootAnswer "after-banner"), at 9600 baud so that the answer comes well
// after RDY: the driver's first AT is cut by the banner, and nothing else may
// go on the wire until that AT's answer came. (The driver once wrote its
// resync probe on seeing RDY: two commands on the wire, which the emulator
// records as a probe-overlap.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openSession } from "../../host-sim/modem-session.js";
import { assertNoViolations } from "../support/emulator-violations.js";

test("a command answered after the banner: the driver writes nothing until that answer came", async () => {
	const session = await openSession({ baud: 9600, emulator: { bootAnswer: "after-banner", bootDelayMs: 20 } });
	try {
		assert.ok(session.emulator?.commands.includes("AT"), "the AT written during the boot was answered");
		assertNoViolations(session.emulator);
	} finally {
		await session.close();
	}
});

test.run();
