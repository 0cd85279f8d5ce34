// bc20 monitor: brings the module up, then prints every line it sends
// (URCs: data arriving, sockets closing, registration, sleep) with a
// timestamp, until Ctrl-C or --seconds.
import { type ParsedArgs, UsageError, intOption } from "./args.js";
import { connect } from "./connect.js";

export async function monitor(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	if (args.positional.length !== 0) throw new UsageError("usage: bc20 monitor [--seconds N]");
	const seconds = intOption(args, "--seconds", 0, 0, 31 * 24 * 3600);
	let ready = false;
	const started = performance.now();
	const session = await connect(args, "ready", (line) => {
		if (ready) out(`${((performance.now() - started) / 1000).toFixed(3)} ${line}`);
	});
	ready = true;
	out(`module ready, address ${session.ready?.address}; watching (Ctrl-C to stop)`);
	await new Promise<void>((resolve) => {
		const stop = () => resolve();
		process.once("SIGINT", stop);
		process.once("SIGTERM", stop);
		if (seconds > 0) setTimeout(stop, seconds * 1000);
	});
	await session.close();
	return 0;
}
