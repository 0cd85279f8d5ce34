// The assertion every end-to-end test makes about the host: it never did
// what the module's manual forbids (two commands on the wire, a send while
// SEND OK is pending, a send on a socket that is not open, a malformed line,
// bytes into a module in PSM...). The emulated BC20 records each such
// violation; this fails the test with one line per violation.
import type { ChildProcess } from "node:child_process";
import * as assert from "uvu/assert";
import { type BC20Emulator, describeViolation, type ViolationKind } from "../../host-sim/emulator/bc20-emulator.js";

// `allow`: kinds a test accepts (e.g. "probe-overlap" where the module
// answers commands written during its boot).
export function assertNoViolations(
	emulator: BC20Emulator | null | undefined,
	allow: readonly ViolationKind[] = [],
	what = "the host",
): void {
	if (!emulator) throw new Error("assertNoViolations: no emulator (the session is not on --port sim)");
	const lines = emulator.violations.filter((v) => !allow.includes(v.kind)).map(describeViolation);
	assert.equal(lines, [], `${what} broke the module's protocol ${lines.length} time(s):\n  ${lines.join("\n  ")}`);
}

// Stops a `bc20 sim` child (SIGTERM) and resolves with the violation report
// it prints on the way out ("protocol violations by the host: none" or the
// count, then one line each); rejects if it does not exit within `ms`.
export function stopSim(child: ChildProcess, ms = 5000): Promise<string> {
	return new Promise((resolve, reject) => {
		let text = "";
		child.stdout?.on("data", (d) => (text += d));
		const timer = setTimeout(() => reject(new Error(`bc20 sim did not exit within ${ms} ms of SIGTERM`)), ms);
		child.once("close", () => {
			clearTimeout(timer);
			resolve(text.slice(text.indexOf("protocol violations")));
		});
		child.kill("SIGTERM");
	});
}

export function assertSimSawNoViolations(report: string): void {
	assert.match(
		report,
		/^protocol violations by the host: none\n$/,
		`bc20 sim recorded protocol violations:\n${report}`,
	);
}
