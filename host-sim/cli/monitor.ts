// bc20 monitor: prints each line the module sends on its own (URCs: data
// arriving, sockets closing, registration, sleep, a reboot's banner) with the
// seconds since the command started, from the first byte the link carries,
// until Ctrl-C or --seconds. The driver's own AT (the module answers?) and
// its reply are not shown; nothing is written to the module besides it.
import { isUrc } from "../../firmware/at/line-kind.js";
import { type ParsedArgs, UsageError, intOption } from "./args.js";
import { connect } from "./connect.js";

export async function monitor(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	if (args.positional.length !== 0) throw new UsageError("usage: bc20 monitor [--seconds N]");
	const seconds = intOption(args, "--seconds", 0, 0, 31 * 24 * 3600);
	const started = performance.now();
	const session = await connect(args, "look", (line, kind) => {
		if (isUrc(kind)) out(`${((performance.now() - started) / 1000).toFixed(3)} ${line}`);
	});
	out(`the module answers on ${session.transport.description}; watching (Ctrl-C to stop)`);
	await new Promise<void>((resolve) => {
		const stop = () => resolve();
		process.once("SIGINT", stop);
		process.once("SIGTERM", stop);
		if (seconds > 0) setTimeout(stop, seconds * 1000);
	});
	await session.close();
	return 0;
}
