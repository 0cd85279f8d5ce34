// The bc20 command line: global options, a command and its own options, in
// any order. Errors are UsageError (exit code 2) with a message to print as is.
import { checkHost } from "../../firmware/bc20/validate.js";

export class UsageError extends Error {
	override readonly name = "UsageError";
}

// Options that take a value; everything else starting with "-" is a flag.
const VALUED = new Set([
	"--port",
	"--baud",
	"--listen",
	"--nvram",
	"--wait",
	"--count",
	"--timeout",
	"--size",
	"--seconds",
	"--drop-rate",
	"--corrupt-rate",
	"--chunk-size",
	"--attach-delay",
	"--seed",
	"--ntp-port",
	"--sync",
	"--reports",
	"--interval",
	"--reboot-after-commands",
	"--cut-response",
	"--reboot-after",
	"--pdpdeact-after",
	"--interleave-urcs",
	"--boot-answer",
	"--nat-timeout",
	"--record",
	"--replay",
	"--replay-speed",
	"-o",
	"--current-model",
	"--report-interval",
	"--capacity",
	"--attach-timeout",
	"--trace-file",
]);
// Options that may be given more than once; every value is kept.
const REPEATED = new Set([
	"--host",
	"--reboot-on",
	"--withhold",
	"--delay",
	"--urc-in-response",
	"--fail-send",
	"--urc-after",
	"--damage-line",
]);
const FLAGS = new Set([
	"--trace",
	"-u",
	"--buffer",
	"--help",
	"-h",
	"--no-echo",
	"--boot-garbage",
	"--trickle",
	"--json",
	"--quiet",
]);

export interface ParsedArgs {
	command: string;
	positional: string[];
	options: Map<string, string>;
	// Values of the repeatable options, in order.
	lists: Map<string, string[]>;
	flags: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
	const positional: string[] = [];
	const options = new Map<string, string>();
	const lists = new Map<string, string[]>();
	const flags = new Set<string>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === "--") {
			positional.push(...argv.slice(i + 1));
			break;
		}
		if (arg.startsWith("-") && arg.length > 1) {
			const eq = arg.indexOf("=");
			const name = eq > 0 ? arg.slice(0, eq) : arg;
			if (VALUED.has(name) || REPEATED.has(name)) {
				const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
				if (value === undefined) throw new UsageError(`${name} needs a value`);
				if (REPEATED.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
				else options.set(name, value);
			} else if (FLAGS.has(name) && eq < 0) flags.add(name);
			else throw new UsageError(`unknown option ${arg} (see bc20 --help)`);
			continue;
		}
		positional.push(arg);
	}
	const command = positional.shift() ?? "";
	return { command, positional, options, lists, flags };
}

export function intOption(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
	const text = args.options.get(name);
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!/^\d+$/.test(text) || value < min || value > max)
		throw new UsageError(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`);
	return value;
}

export function rateOption(args: ParsedArgs, name: string): number {
	const text = args.options.get(name);
	if (text === undefined) return 0;
	const value = Number(text);
	if (!(value >= 0 && value <= 1))
		throw new UsageError(`${name} must be a number from 0 to 1, not ${JSON.stringify(text)}`);
	return value;
}

// "HOST:PORT" or "[v6]:PORT".
export function hostPort(text: string, what: string): { host: string; port: number } {
	const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
	const port = match ? Number(match[3]) : 0;
	if (!match || port > 65535) throw new UsageError(`${what} must be HOST:PORT, not ${JSON.stringify(text)}`);
	return { host: match[1] ?? match[2], port };
}

export function portNumber(text: string | undefined, what: string): number {
	const port = Number(text);
	if (text === undefined || !/^\d{1,5}$/.test(text) || port < 1 || port > 65535)
		throw new UsageError(`${what} must be a port number from 1 to 65535`);
	return port;
}

// A host name or IPv4 address the module takes (the driver's own check, made
// before anything reaches the module).
export function hostArgument(text: string, what: string): string {
	try {
		return checkHost(text, what);
	} catch (error) {
		const detail = /\(\d+\): (.*)$/s.exec((error as Error).message);
		throw new UsageError(detail ? detail[1] : (error as Error).message);
	}
}
