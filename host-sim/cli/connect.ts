// Opens the module the command line names (--port or BC20_PORT, --baud,
// --trace, --attach-timeout, and the emulator's options for "sim") and starts
// the driver on it: the full bring-up for the commands that need a clean
// slate (nc, demo), a look start for those that only look (see BringUp).
import { type BC20EmulatorOptions, describeViolation } from "../emulator/bc20-emulator.js";
import { DEFAULT_HOSTS, type HostsTable } from "../emulator/name-resolver.js";
import { isIP } from "node:net";
import { openSession, type Session, type SessionOptions } from "../modem-session.js";
import { parseTransportSpec } from "../transport/open-transport.js";
import { intOption, type ParsedArgs, rateOption, UsageError } from "./args.js";
import { heard, linkLost } from "./link.js";
import { recorderFor, recording } from "../record/cli-recording.js";
import { armFaults, armsAnything, emulatorOptionsGiven, faultPlan, hostileOptions } from "./faults.js";
import { NOISE } from "../../firmware/at/line-kind.js";
import type { BC20Options } from "../../firmware/bc20/modem.js";
import { AttachProgress } from "./attach-progress.js";
import { StatusLine } from "./status-line.js";
import { traceTo } from "./trace-output.js";

// --host NAME=ADDR[,ADDR...] entries over the default table; NAME= (no
// address) makes the emulated module answer that NAME does not exist.
function hostsTable(args: ParsedArgs): HostsTable {
	const table: Record<string, string[]> = { ...DEFAULT_HOSTS } as Record<string, string[]>;
	for (const entry of args.lists.get("--host") ?? []) {
		const eq = entry.indexOf("=");
		const name = eq > 0 ? entry.slice(0, eq) : "";
		if (name === "")
			throw new UsageError(
				`--host must be NAME=ADDRESS[,ADDRESS...] (or NAME= for no address), not ${JSON.stringify(entry)}`,
			);
		const addresses = entry
			.slice(eq + 1)
			.split(",")
			.filter((a) => a !== "");
		for (const address of addresses)
			if (isIP(address) === 0) throw new UsageError(`--host ${name}: ${JSON.stringify(address)} is not an IP address`);
		table[name] = addresses;
	}
	return table;
}

export function emulatorOptions(args: ParsedArgs): BC20EmulatorOptions {
	const { damageLines, ...hostile } = hostileOptions(args);
	return {
		...hostile,
		echo: !args.flags.has("--no-echo"),
		bootGarbage: args.flags.has("--boot-garbage"),
		attachDelayMs: intOption(args, "--attach-delay", 300, 0, 600000),
		chunkSize: intOption(args, "--chunk-size", 0, 0, 65536),
		nvramPath: args.options.get("--nvram"),
		seed: intOption(args, "--seed", 1, 0, 2 ** 31 - 1),
		hosts: hostsTable(args),
		faults: {
			dropRate: rateOption(args, "--drop-rate"),
			corruptRate: rateOption(args, "--corrupt-rate"),
			rebootAfterCommands: args.options.has("--reboot-after-commands")
				? intOption(args, "--reboot-after-commands", 0, 1, 1000000)
				: undefined,
			damageLines,
		},
	};
}

// What start() does to the module: "full" (echo off, receive settings
// written, stray sockets closed), "look" (AT only) or "look-attached" (AT, then
// registration and attach, read only).
export type BringUp = NonNullable<BC20Options["bringUp"]>;

// --port, else BC20_PORT from the environment, else the emulated module.
export function portSpec(args: ParsedArgs): string {
	return args.options.get("--port") ?? (process.env.BC20_PORT || "sim");
}

// The progress line, on stderr when it is a terminal.
export const status = StatusLine.on(process.stderr);

export async function connect(
	args: ParsedArgs,
	bringUp: BringUp,
	onLine?: (line: string, kind: number) => void,
): Promise<Session> {
	const port = portSpec(args);
	try {
		parseTransportSpec(port);
	} catch (error) {
		throw new UsageError(`--port: ${(error as Error).message}`);
	}
	const baud = intOption(args, "--baud", 115200, 300, 4000000);
	const attachTimeout = intOption(args, "--attach-timeout", 120000, 1000, 3600000);
	const trace = traceTo(args, status);
	const progress = status && bringUp !== "look" ? new AttachProgress(status, () => performance.now()) : null;
	const modem = {
		syncAttempts: intOption(args, "--sync", 20, 1, 100),
		attachTimeout,
		bringUp,
		trace(line: string, kind: number) {
			heard(kind === NOISE ? line : "");
			progress?.line(line);
			onLine?.(line, kind);
		},
	};
	let options: SessionOptions = { port, baud, trace, modem, onLinkLost: linkLost };
	if (port !== "sim") {
		const given = emulatorOptionsGiven(args);
		if (given.length > 0)
			throw new UsageError(`${given[0]} is for the emulated module only (bc20 sim, or --port sim), not --port ${port}`);
	} else {
		const plan = faultPlan(args);
		options = {
			...options,
			emulator: emulatorOptions(args),
			onEmulator: armsAnything(plan) ? (emulator) => armFaults(emulator, plan) : undefined,
		};
	}
	const record = recorderFor(args, port);
	const ticks = progress ? setInterval(() => progress.render(), 1000) : undefined;
	try {
		const session = await recording(record, openSession({ ...options, record }));
		return port === "sim" ? reportingViolations(session) : session;
	} finally {
		clearInterval(ticks);
		progress?.done();
	}
}

// With --port sim, as `bc20 sim` does on exit: what the host did that the
// module's manual forbids is printed on stderr when the session closes (the
// driver's own tests assert there is none).
function reportingViolations(session: Session): Session {
	const close = session.close.bind(session);
	session.close = async () => {
		const violations = session.emulator?.violations ?? [];
		if (violations.length > 0) {
			process.stderr.write(
				`bc20: protocol violations by the host: ${violations.length}\n` +
					violations.map((v) => `  ${describeViolation(v)}\n`).join(""),
			);
		}
		await close();
	};
	return session;
}
