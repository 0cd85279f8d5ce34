// Opens the module the command line names (--port, --baud, --trace, and the
// emulator's options for "sim") and brings it up.
import { type BC20EmulatorOptions, describeViolation } from "../emulator/bc20-emulator.js";
import { DEFAULT_HOSTS, type HostsTable } from "../emulator/name-resolver.js";
import { isIP } from "node:net";
import { openSession, type Session } from "../modem-session.js";
import { parseTransportSpec } from "../transport/open-transport.js";
import { intOption, type ParsedArgs, rateOption, UsageError } from "./args.js";
import { linkLost } from "./link.js";
import { recorderFor, recording } from "../record/cli-recording.js";
import { armFaults, armsAnything, emulatorOptionsGiven, faultPlan, hostileOptions } from "./faults.js";

// --host NAME=ADDR[,ADDR...] entries over the default table; NAME= (no
// address) makes the emulated module answer that NAME does not exist.
function hostsTable(args: ParsedArgs): HostsTable {
	const table: Record<string, string[]> = { ...DEFAULT_HOSTS } as Record<string, string[]>;
	for (const entry of args.lists.get("--host") ?? []) {
		const eq = entry.indexOf("=");
		const name = eq > 0 ? entry.slice(0, eq) : "";
		if (name === "") throw new UsageError(`--host must be NAME=ADDRESS[,ADDRESS...] (or NAME= for no address), not ${JSON.stringify(entry)}`);
		const addresses = entry.slice(eq + 1).split(",").filter((a) => a !== "");
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
			rebootAfterCommands: args.options.has("--reboot-after-commands") ? intOption(args, "--reboot-after-commands", 0, 1, 1000000) : undefined,
			damageLines,
		},
	};
}

// Where the trace goes: stderr, one line per chunk with a timestamp.
export function traceTo(args: ParsedArgs): ((line: string) => void) | undefined {
	return args.flags.has("--trace") ? (line) => process.stderr.write(line + "\n") : undefined;
}

export function connect(args: ParsedArgs, until: "ready" | "synced" = "ready",
	onLine?: (line: string) => void): Promise<Session> {
	const port = args.options.get("--port") ?? "sim";
	try {
		parseTransportSpec(port);
	}
	catch (error) {
		throw new UsageError(`--port: ${(error as Error).message}`);
	}
	const baud = intOption(args, "--baud", 115200, 300, 4000000);
	const modem = { syncAttempts: intOption(args, "--sync", 20, 1, 100), trace: onLine };
	if (port !== "sim") {
		const given = emulatorOptionsGiven(args);
		if (given.length > 0) throw new UsageError(`${given[0]} is for the emulated module only (bc20 sim, or --port sim), not --port ${port}`);
		const record = recorderFor(args, port);
		return recording(record, openSession({ port, baud, trace: traceTo(args), modem, until, onLinkLost: linkLost, record }));
	}
	const plan = faultPlan(args);
	const record = recorderFor(args, port);
	return recording(record, openSession({
		port, baud, trace: traceTo(args), emulator: emulatorOptions(args), modem, until, onLinkLost: linkLost, record,
		onEmulator: armsAnything(plan) ? (emulator) => armFaults(emulator, plan) : undefined,
	})).then(reportingViolations);
}

// With --port sim, as `bc20 sim` does on exit: what the host did that the
// module's manual forbids is printed on stderr when the session closes (the
// driver's own tests assert there is none).
function reportingViolations(session: Session): Session {
	const close = session.close.bind(session);
	session.close = async () => {
		const violations = session.emulator?.violations ?? [];
		if (violations.length > 0) {
			process.stderr.write(`bc20: protocol violations by the host: ${violations.length}\n` +
				violations.map((v) => `  ${describeViolation(v)}\n`).join(""));
		}
		await close();
	};
	return session;
}
