// Where --trace and --trace-file send the trace (host-sim/transport/trace.ts):
// stderr, a file, or both. The file is appended to, as picocom's --logfile
// is, after a line that says when and what ran; it is written synchronously,
// so the last lines before an exit are in it.
import { closeSync, openSync, writeSync } from "node:fs";
import type { ParsedArgs } from "./args.js";
import type { StatusLine } from "./status-line.js";

export function traceTo(args: ParsedArgs, status: StatusLine | null): ((line: string) => void) | undefined {
	const toStderr = args.flags.has("--trace");
	const path = args.options.get("--trace-file");
	let file = -1;
	if (path !== undefined) {
		try {
			file = openSync(path, "a");
		} catch (error) {
			throw new Error(
				`cannot write the trace to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
			);
		}
		writeSync(file, `# bc20 ${process.argv.slice(2).join(" ")}, started ${new Date().toISOString()}\n`);
		process.once("exit", () => closeSync(file));
	}
	if (!toStderr && file < 0) return undefined;
	return (line) => {
		if (toStderr) {
			status?.clear();
			process.stderr.write(line + "\n");
		}
		if (file >= 0) writeSync(file, line + "\n");
	};
}
