// Opens the module the command line names (--port, --baud, --trace, and the
// emulator's options for "sim") and brings it up.
import type { BC20EmulatorOptions } from "../emulator/bc20-emulator.js";
import { openSession, type Session } from "../modem-session.js";
import { intOption, type ParsedArgs, rateOption } from "./args.js";

export function emulatorOptions(args: ParsedArgs): BC20EmulatorOptions {
	return {
		echo: !args.flags.has("--no-echo"),
		bootGarbage: args.flags.has("--boot-garbage"),
		attachDelayMs: intOption(args, "--attach-delay", 300, 0, 600000),
		chunkSize: intOption(args, "--chunk-size", 0, 0, 65536),
		nvramPath: args.options.get("--nvram"),
		seed: intOption(args, "--seed", 1, 0, 2 ** 31),
		faults: { dropRate: rateOption(args, "--drop-rate"), corruptRate: rateOption(args, "--corrupt-rate") },
	};
}

// Where the trace goes: stderr, one line per chunk with a timestamp.
export function traceTo(args: ParsedArgs): ((line: string) => void) | undefined {
	return args.flags.has("--trace") ? (line) => process.stderr.write(line + "\n") : undefined;
}

export function connect(args: ParsedArgs, until: "ready" | "synced" = "ready",
	onLine?: (line: string) => void): Promise<Session> {
	return openSession({
		port: args.options.get("--port") ?? "sim",
		baud: intOption(args, "--baud", 115200, 300, 4000000),
		trace: traceTo(args),
		emulator: emulatorOptions(args),
		modem: { syncAttempts: intOption(args, "--sync", 20, 1, 100), trace: onLine },
		until,
	});
}
