// The emulated module's fault options (bc20 sim, and --port sim): parsed and
// checked from the command line, then armed on the emulator before it starts.
// Each armed fault fires once. PREFIX matches the start of a command line as
// the module reads it, case-insensitively ("AT+QIOPEN" matches
// "AT+QIOPEN=1,0,\"TCP\",...").
//   --reboot-after-commands N  reboot right after answering the Nth command line
//   --reboot-on PREFIX         reboot right after answering the next such command
//   --cut-response BYTES       with --reboot-on: only BYTES bytes of that answer go out
//   --withhold PREFIX          the next such command is read (and echoed), never answered
//   --delay PREFIX=MS          the next such command is answered MS late
//   --urc-in-response PREFIX=LINE  the answer to the next such command carries LINE
//                              after its first information line (else before OK/ERROR)
//   --fail-send N              the Nth AT+QISEND/AT+QISENDEX gets OK, then SEND FAIL
//   --reboot-after MS, --pdpdeact-after MS, --urc-after MS=LINE: MS after the
//                              first command line the module reads
// and the module's hostile but legal behaviour (emulator options, seeded by --seed):
//   --trickle                  output in 1-3-byte writes
//   --interleave-urcs R        URCs between the lines of responses (chance R, 0-1)
//   --damage-line PREFIX[:N]   one byte of the Nth line starting with PREFIX damaged
//   --boot-answer MODE         ignore | after-banner | never: a command sent while booting
//   --nat-timeout MS           idle time after which the network forgets a flow
import type { BC20Emulator, BC20EmulatorOptions, BootAnswer, LineDamage } from "../emulator/bc20-emulator.js";
import { intOption, type ParsedArgs, rateOption, UsageError } from "./args.js";

const MAX_MS = 3600000;

export interface FaultPlan {
	rebootOn: string[];
	cutResponse: number | undefined;
	withhold: string[];
	delay: { prefix: string; ms: number }[];
	urcInResponse: { prefix: string; line: string }[];
	failSend: number[];
	rebootAfterMs: number | undefined;
	pdpdeactAfterMs: number | undefined;
	urcAfter: { ms: number; line: string }[];
}

// Every option that only means something to the emulated module.
export const EMULATOR_OPTIONS = [
	"--attach-delay",
	"--chunk-size",
	"--nvram",
	"--drop-rate",
	"--corrupt-rate",
	"--seed",
	"--host",
	"--reboot-after-commands",
	"--reboot-on",
	"--cut-response",
	"--withhold",
	"--delay",
	"--urc-in-response",
	"--fail-send",
	"--reboot-after",
	"--pdpdeact-after",
	"--urc-after",
	"--no-echo",
	"--boot-garbage",
	"--trickle",
	"--interleave-urcs",
	"--damage-line",
	"--boot-answer",
	"--nat-timeout",
];

const BOOT_ANSWERS: readonly BootAnswer[] = ["ignore", "after-banner", "never"];

// PREFIX[:N]: N (from 1) when the text after the last ":" is a number, so a
// prefix may hold ":" ("+CPIN: READY", "+CPIN: READY:2").
function lineDamage(text: string): LineDamage {
	const match = /^(.*):(\d+)$/s.exec(text);
	const prefix = match ? match[1] : text;
	const occurrence = match ? Number(match[2]) : 1;
	if (prefix === "" || /[\r\n]/.test(prefix) || occurrence < 1 || occurrence > 1000000)
		throw new UsageError(
			`--damage-line must be PREFIX[:N] (the start of a line the module sends, N from 1), not ${JSON.stringify(text)}`,
		);
	return { prefix, occurrence };
}

// The module's hostile-but-legal behaviour and its network, as emulator options.
export function hostileOptions(args: ParsedArgs): Partial<BC20EmulatorOptions> & { damageLines: LineDamage[] } {
	const bootAnswer = args.options.get("--boot-answer") ?? "ignore";
	if (!BOOT_ANSWERS.includes(bootAnswer as BootAnswer))
		throw new UsageError(`--boot-answer must be ${BOOT_ANSWERS.join(", ")}, not ${JSON.stringify(bootAnswer)}`);
	return {
		trickle: args.flags.has("--trickle"),
		interleaveUrcs: rateOption(args, "--interleave-urcs"),
		bootAnswer: bootAnswer as BootAnswer,
		natTimeoutMs: intOption(args, "--nat-timeout", 60000, 1, 86400000),
		damageLines: list(args, "--damage-line").map(lineDamage),
	};
}

// The emulator options given, by name.
export function emulatorOptionsGiven(args: ParsedArgs): string[] {
	return EMULATOR_OPTIONS.filter((name) => args.options.has(name) || args.lists.has(name) || args.flags.has(name));
}

function list(args: ParsedArgs, name: string): string[] {
	return args.lists.get(name) ?? [];
}

function prefixOf(name: string, text: string, allowEmpty = false): string {
	if ((text === "" && !allowEmpty) || /[\r\n]/.test(text))
		throw new UsageError(`${name} needs the start of a command line (such as AT+QIOPEN), not ${JSON.stringify(text)}`);
	return text;
}

function milliseconds(name: string, text: string, whole: string): number {
	const ms = Number(text);
	if (!/^\d+$/.test(text) || ms > MAX_MS)
		throw new UsageError(`${name}: MS must be an integer from 0 to ${MAX_MS}, not ${JSON.stringify(whole)}`);
	return ms;
}

function urcLine(name: string, line: string, whole: string): string {
	if (line === "" || /[\r\n]/.test(line))
		throw new UsageError(`${name}: the URC must be one non-empty line, not ${JSON.stringify(whole)}`);
	return line;
}

// PREFIX=VALUE, split at the last "=" (a prefix may hold "=", as in AT+QIRD=0).
function splitLast(name: string, text: string, shape: string): [string, string] {
	const eq = text.lastIndexOf("=");
	if (eq < 0) throw new UsageError(`${name} must be ${shape}, not ${JSON.stringify(text)}`);
	return [text.slice(0, eq), text.slice(eq + 1)];
}

export function faultPlan(args: ParsedArgs): FaultPlan {
	const rebootOn = list(args, "--reboot-on").map((text) => prefixOf("--reboot-on", text));
	const cutResponse = args.options.has("--cut-response") ? intOption(args, "--cut-response", 0, 0, 65536) : undefined;
	if (cutResponse !== undefined && rebootOn.length === 0)
		throw new UsageError("--cut-response needs --reboot-on PREFIX (the response it cuts)");
	return {
		rebootOn,
		cutResponse,
		withhold: list(args, "--withhold").map((text) => prefixOf("--withhold", text)),
		delay: list(args, "--delay").map((text) => {
			const [prefix, ms] = splitLast("--delay", text, "PREFIX=MS");
			return { prefix: prefixOf("--delay", prefix), ms: milliseconds("--delay", ms, text) };
		}),
		urcInResponse: list(args, "--urc-in-response").map((text) => {
			const [prefix, line] = splitLast("--urc-in-response", text, "PREFIX=LINE");
			return { prefix: prefixOf("--urc-in-response", prefix, true), line: urcLine("--urc-in-response", line, text) };
		}),
		failSend: list(args, "--fail-send").map((text) => {
			const n = Number(text);
			if (!/^\d+$/.test(text) || n < 1 || n > 1000000)
				throw new UsageError(
					`--fail-send must be an integer from 1 to 1000000 (which send fails), not ${JSON.stringify(text)}`,
				);
			return n;
		}),
		rebootAfterMs: args.options.has("--reboot-after") ? intOption(args, "--reboot-after", 0, 0, MAX_MS) : undefined,
		pdpdeactAfterMs: args.options.has("--pdpdeact-after")
			? intOption(args, "--pdpdeact-after", 0, 0, MAX_MS)
			: undefined,
		urcAfter: list(args, "--urc-after").map((text) => {
			// MS=LINE, split at the first "=": MS has none.
			const eq = text.indexOf("=");
			if (eq < 0) throw new UsageError(`--urc-after must be MS=LINE, not ${JSON.stringify(text)}`);
			return {
				ms: milliseconds("--urc-after", text.slice(0, eq), text),
				line: urcLine("--urc-after", text.slice(eq + 1), text),
			};
		}),
	};
}

// Whether the plan needs the emulator itself (not just its constructor options).
export function armsAnything(plan: FaultPlan): boolean {
	return (
		plan.rebootOn.length +
			plan.withhold.length +
			plan.delay.length +
			plan.urcInResponse.length +
			plan.failSend.length +
			plan.urcAfter.length >
			0 ||
		plan.rebootAfterMs !== undefined ||
		plan.pdpdeactAfterMs !== undefined
	);
}

// Arms the plan on an emulator that has not started yet.
export function armFaults(emulator: BC20Emulator, plan: FaultPlan): void {
	for (const prefix of plan.rebootOn) emulator.rebootAfterCommand(prefix, { cutResponseAfter: plan.cutResponse });
	for (const prefix of plan.withhold) emulator.withhold(prefix);
	for (const { prefix, ms } of plan.delay) emulator.delay(prefix, ms);

	// Faults tied to a command line are armed as it comes in: the "command"
	// event comes before the module answers it.
	const urcs = plan.urcInResponse.map((entry) => ({ ...entry, prefix: entry.prefix.toUpperCase() }));
	const failSends = new Set(plan.failSend);
	let sends = 0;
	if (urcs.length > 0 || failSends.size > 0) {
		emulator.on("command", (line) => {
			const upper = line.toUpperCase();
			const index = urcs.findIndex((entry) => upper.startsWith(entry.prefix));
			if (index >= 0) emulator.injectUrcBetweenLines(urcs.splice(index, 1)[0].line);
			if (upper.startsWith("AT+QISEND") && failSends.has(++sends)) emulator.failNextSend();
		});
	}

	// Timed faults count from the first command line: the host is there.
	const timed: [number, () => void][] = [];
	if (plan.rebootAfterMs !== undefined) timed.push([plan.rebootAfterMs, () => emulator.reboot()]);
	if (plan.pdpdeactAfterMs !== undefined) timed.push([plan.pdpdeactAfterMs, () => emulator.pdpDeact()]);
	for (const { ms, line } of plan.urcAfter) timed.push([ms, () => emulator.injectUrc(line)]);
	if (timed.length > 0) {
		emulator.once("command", () => {
			// Each does nothing once the emulator is closed; unref: none keeps the process alive.
			for (const [ms, action] of timed) setTimeout(action, ms).unref();
		});
	}
}
