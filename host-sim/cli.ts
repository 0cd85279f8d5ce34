#!/usr/bin/env node
// The bc20 command. Every failure ends as one line on stderr and a non-zero
// exit code: 2 for usage, 1 for everything else (no such port, the module
// never answers, connection refused (566), DNS failure (565)...).
import { demo } from "./demo.js";
import { at } from "./cli/at.js";
import { intOption, parseArgs, type ParsedArgs, UsageError } from "./cli/args.js";
import { status } from "./cli/connect.js";
import { traceTo } from "./cli/trace-output.js";
import { COMMAND_HELP } from "./cli/command-help.js";
import { ExitStatus } from "./cli/exit-status.js";
import { HELP } from "./cli/help.js";
import { info } from "./cli/info.js";
import { linkIsLost, linkLoss } from "./cli/link.js";
import { monitor } from "./cli/monitor.js";
import { nc } from "./cli/nc.js";
import { dns, ntp, ping, state } from "./cli/queries.js";
import { sim } from "./cli/sim.js";
import { energyOptions, timelineCommand } from "./cli/timeline.js";
import { DEMO_RECORDING, recorderFor } from "./record/cli-recording.js";
import { TransportError } from "./transport/host-transport.js";

const out = (line: string) => process.stdout.write(line + "\n");

// The commands that print one JSON document with --json.
const JSON_COMMANDS = new Set(["info", "state", "ping", "dns", "ntp"]);

function run(args: ParsedArgs): Promise<number> {
	if (args.flags.has("--json") && !JSON_COMMANDS.has(args.command))
		throw new UsageError(`--json is for ${[...JSON_COMMANDS].join(", ")}, not ${args.command || "no command"}`);
	switch (args.command) {
		case "at":
			return at(args, out);
		case "nc":
			return nc(args, { stdin: process.stdin, stdout: process.stdout, status });
		case "ping":
			return ping(args, out);
		case "dns":
			return dns(args, out);
		case "ntp":
			return ntp(args, out);
		case "state":
			return state(args, out);
		case "info":
			return info(args, out);
		case "monitor":
			return monitor(args, out);
		case "sim":
			return sim(args, out);
		case "timeline":
			return timelineCommand(args, out);
		case "demo":
			return demo({
				log: out,
				trace: traceTo(args, status),
				record: recorderFor(args, "sim", DEMO_RECORDING),
				reports: intOption(args, "--reports", 3, 1, 1000),
				intervalMs: intOption(args, "--interval", 400, 0, 3600000),
				timelinePath: args.options.get("-o"),
				energy: energyOptions(args),
			});
		case "":
			throw new UsageError("no command given (see bc20 --help)");
		default:
			throw new UsageError(`unknown command ${JSON.stringify(args.command)} (see bc20 --help)`);
	}
}

async function main(): Promise<number> {
	let args: ParsedArgs;
	try {
		args = parseArgs(process.argv.slice(2));
		if (args.flags.has("--help") || args.flags.has("-h") || args.command === "help") {
			// `bc20 COMMAND --help`, `bc20 help COMMAND`: that command's own text.
			const topic = args.command === "help" ? (args.positional[0] ?? "") : args.command;
			out(Object.hasOwn(COMMAND_HELP, topic) ? COMMAND_HELP[topic] : HELP);
			return 0;
		}
		return await Promise.race([run(args), linkLoss]);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		status?.clear();
		process.stderr.write(`bc20: ${message}\n`);
		return error instanceof UsageError ? 2 : error instanceof ExitStatus ? error.code : 1;
	}
}

// Once the link is lost, the driver's writes still pending fail with
// "... is not open": the loss was already reported in one line.
process.on("uncaughtException", (error) => {
	if (linkIsLost() && error instanceof TransportError) return;
	throw error;
});

// Exit explicitly: a port or timer left behind must not keep a finished command alive.
main().then((code) => {
	process.stdout.write("", () => process.exit(code));
});
