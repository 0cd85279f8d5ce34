// `--record FILE` for the bc20 command: the recorder it names, and a session
// that closes it.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "../modem-session.js";
import { type ParsedArgs, UsageError } from "../cli/args.js";
import { Recorder } from "./recorder.js";

// The argv as one line a shell reads back into the same argv.
export function commandLine(argv: readonly string[]): string {
	return ["bc20", ...argv]
		.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
		.join(" ");
}

// Where `bc20 demo` (npm start) records its session without --record.
export const DEMO_RECORDING = join(tmpdir(), "bc20-demo.jsonl");

// The recorder --record asks for, or undefined; `fallback` records without it.
export function recorderFor(args: ParsedArgs, port: string, fallback?: string): Recorder | undefined {
	const path = args.options.get("--record") ?? fallback;
	if (path === undefined) return undefined;
	try {
		return new Recorder(path, { port, command: commandLine(process.argv.slice(2)) });
	} catch (error) {
		throw new UsageError(`--record: cannot write ${path}: ${(error as Error).message}`);
	}
}

// The session, closing `recorder` with it; a session that failed to open is
// recorded up to its failure.
export async function recording(recorder: Recorder | undefined, opening: Promise<Session>): Promise<Session> {
	if (recorder === undefined) return opening;
	let session: Session;
	try {
		session = await opening;
	} catch (error) {
		recorder.note(`failed: ${(error as Error).message}`);
		recorder.close();
		throw error;
	}
	const close = session.close.bind(session);
	session.close = async () => {
		try {
			await close();
		} finally {
			recorder.close();
		}
	};
	return session;
}
