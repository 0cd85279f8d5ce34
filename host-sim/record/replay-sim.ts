// bc20 sim --replay FILE --listen HOST:PORT [--replay-speed X]: serves a
// recording as the module to one host (see replay-module.ts), then says how
// it went: exit 0 when the host did all the recording expected and nothing
// else, 1 with a report at the first divergence.
import { readFileSync } from "node:fs";
import { hostPort, type ParsedArgs, UsageError } from "../cli/args.js";
import { emulatorOptionsGiven } from "../cli/faults.js";
import { serveEmulatorUart } from "../sim-server.js";
import { ReplayModule, type ReplayOutcome } from "./replay-module.js";
import { parseRecording, RecordingError } from "./replay-script.js";

export async function replay(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const path = args.options.get("--replay") as string;
	const listen = args.options.get("--listen");
	if (listen === undefined || args.positional.length !== 0)
		throw new UsageError("usage: bc20 sim --replay FILE --listen HOST:PORT [--replay-speed X]");
	const { host, port } = hostPort(listen, "--listen");
	// The recording is the module: nothing of the emulator's applies.
	const other = [...emulatorOptionsGiven(args), ...["--record", "--baud"].filter((name) => args.options.has(name))];
	if (other.length > 0) throw new UsageError(`${other[0]} does not go with --replay: the recording is the module`);
	const speed = speedOption(args);
	let script;
	try {
		script = parseRecording(readFileSync(path, "latin1"), path);
	} catch (error) {
		throw new Error(
			error instanceof RecordingError ? error.message : `--replay: cannot read ${path}: ${(error as Error).message}`,
		);
	}
	let finished!: (outcome: ReplayOutcome) => void;
	const outcome = new Promise<ReplayOutcome>((resolve) => (finished = resolve));
	const module = new ReplayModule(script, { path, speed, finished });
	const server = await serveEmulatorUart(module, {
		host,
		port,
		onClient: (event) => (event === "connected" ? module.start() : event === "left" ? module.hostGone() : undefined),
	});
	out(`listening ${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`);
	const stop = () => finished({ ok: false, message: "replay stopped before the host did all the recording expected" });
	process.once("SIGINT", stop);
	process.once("SIGTERM", stop);
	const result = await outcome;
	module.close();
	await server.close();
	if (!result.ok) throw new Error(result.message);
	out(`replay complete: the host wrote the ${result.commands} command lines of ${path} (${script.header.command})`);
	return 0;
}

function speedOption(args: ParsedArgs): number {
	const text = args.options.get("--replay-speed");
	if (text === undefined) return 1;
	const speed = Number(text);
	if (!(speed >= 0.01 && speed <= 10000))
		throw new UsageError(`--replay-speed must be a number from 0.01 to 10000, not ${JSON.stringify(text)}`);
	return speed;
}
