// bc20 sim --listen HOST:PORT: the emulated module's UART as raw bytes over
// TCP, one client at a time, for socat, minicom or another program (or
// `bc20 --port tcp://HOST:PORT ...`). Logs each client that connects, leaves
// or is refused (--quiet: not). Runs until Ctrl-C (or SIGTERM), then prints
// the protocol violations the module recorded.
import { BC20Emulator, describeViolation } from "../emulator/bc20-emulator.js";
import { serveEmulatorUart } from "../sim-server.js";
import { type ParsedArgs, UsageError, hostPort, intOption } from "./args.js";
import { emulatorOptions } from "./connect.js";
import { armFaults, faultPlan } from "./faults.js";
import { recordedUart } from "../record/recorded-transport.js";
import { recorderFor } from "../record/cli-recording.js";
import { replay } from "../record/replay-sim.js";

export async function sim(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	if (args.options.has("--replay")) return replay(args, out);
	const listen = args.options.get("--listen");
	if (listen === undefined || args.positional.length !== 0)
		throw new UsageError("usage: bc20 sim --listen HOST:PORT [--quiet] [--baud N] [--nvram FILE] [fault options]");
	const { host, port } = hostPort(listen, "--listen");
	const options = { ...emulatorOptions(args), baud: intOption(args, "--baud", 115200, 300, 4000000) };
	const plan = faultPlan(args);
	const emulator = new BC20Emulator(options);
	armFaults(emulator, plan);
	const quiet = args.flags.has("--quiet");
	const record = recorderFor(args, "sim");
	const server = await serveEmulatorUart(record ? recordedUart(emulator, record) : emulator, {
		host,
		port,
		onClient: quiet
			? undefined
			: (event, client) =>
					out(
						event === "refused"
							? `client ${client} refused: another client has the module`
							: `client ${client} ${event}`,
					),
	});
	emulator.start();
	out(`listening ${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`);
	await new Promise<void>((resolve) => {
		process.once("SIGINT", resolve);
		process.once("SIGTERM", resolve);
	});
	await server.close();
	await emulator.close();
	record?.close();
	// What the clients did that the module's manual forbids (see protocol-violations.ts).
	const violations = emulator.violations;
	out(`protocol violations by the host: ${violations.length === 0 ? "none" : violations.length}`);
	for (const violation of violations) out(`  ${describeViolation(violation)}`);
	return 0;
}
