// Section 6: the peak JavaScript stack of firmware/main.ts, the device entry,
// run in bc20-device-xs with the manifest's creation sizes against the
// emulated BC20 and a loopback collector (test/device/device-runner.ts), over
// UDP and over TCP, against the target of half the manifest's creation.stack.
//
// XS counts its stack in slots on every platform. "here" is the deepest any
// delivery went in this runner (the figure an overflow is judged on). The
// runner reaches the firmware's callbacks through xsnap's host call and its
// own dispatch, which Moddable's native loop does not have: two probes measure
// a callback's depth here and when called from C at rest, and "device" is the
// peak restated with the second.
import { manifestCreation } from "../test/device/device-creation.js";
import { type FirmwareRun, runFirmware } from "../test/device/device-runner.js";
import type { Section, SectionResult } from "./section.js";

const REPORTS = 5;

async function run(): Promise<SectionResult> {
	const stack = manifestCreation().stack;
	const target = stack / 2;
	const runs: Record<string, FirmwareRun> = {};
	for (const protocol of ["udp", "tcp"] as const) runs[protocol] = await runFirmware({ protocol, reports: REPORTS });
	const rows = Object.entries(runs).map(([protocol, r]) => [
		protocol.toUpperCase(),
		String(r.acknowledged),
		String(r.peakStack),
		String(r.callbackStack),
		String(r.nativeCallbackStack),
		String(r.deviceStack),
		String(target),
	]);
	const worst = Math.max(...Object.values(runs).map((r) => r.deviceStack));
	const data = Object.fromEntries(
		Object.entries(runs).map(([protocol, r]) => [
			protocol,
			{
				acknowledged: r.acknowledged,
				peakStack: r.peakStack,
				callbackStack: r.callbackStack,
				nativeCallbackStack: r.nativeCallbackStack,
				deviceStack: r.deviceStack,
				stackSize: r.stackSize,
			},
		]),
	);
	return {
		table: {
			columns: [
				"main.ts over",
				"reports acked",
				"peak here",
				"callback here",
				"callback from C",
				"peak, device",
				"target",
			],
			rows,
		},
		notes: [
			`stack slots of the manifest's ${stack}; ${REPORTS} reports per run, booting included`,
			'"device" = peak here - callback here + callback from C (the native loop calls callbacks at rest)',
		],
		data: { stackSlots: stack, target, ...data },
		targets: [
			{
				name: `peak stack of main.ts <= ${target} slots (half the manifest's ${stack}), UDP and TCP`,
				value: Object.entries(runs)
					.map(([p, r]) => `${p} ${r.deviceStack} (${r.peakStack} in the runner)`)
					.join(", "),
				met: worst <= target,
			},
		],
	};
}

export const deviceStack: Section = {
	key: "deviceStack",
	title: "6. Peak stack of firmware/main.ts in the manifest's XS (slots)",
	run,
};
