// The bc20 command as a child process, for the CLI's end-to-end tests: one
// run with stdin, and `bc20 sim` serving the emulated UART on loopback.
import { type ChildProcess, spawn } from "node:child_process";

const CLI = ["--import", "tsx", "host-sim/cli.ts"];

export interface CliRun {
	code: number | null;
	stdout: Buffer;
	stderr: string; // without the emulated module's violation report
	ms: number; // from spawn to exit
	// With --port sim: what the host did that the module's manual forbids
	// ("bc20: protocol violations by the host" and its lines, taken out of stderr).
	violations: string[];
}

const VIOLATIONS = /^bc20: protocol violations by the host: \d+\n((?:  .*\n)*)/m;

// Runs `bc20 ...args` with `input` (or nothing) on stdin; kills it after
// timeoutMs. A run on the emulated module must break none of its protocol
// rules unless `allowViolations` (a test that misbehaves on purpose).
// `env`: variables added to the environment; a BC20_PORT of the developer's
// own is not passed on unless given here.
export function runCli(
	args: string[],
	input?: Uint8Array,
	timeoutMs = 30000,
	allowViolations = false,
	env: Record<string, string> = {},
): Promise<CliRun> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const { BC20_PORT: _own, ...inherited } = process.env;
		const child = spawn(process.execPath, [...CLI, ...args], {
			stdio: ["pipe", "pipe", "pipe"],
			env: { ...inherited, ...env },
		});
		const out: Buffer[] = [];
		let stderr = "";
		child.stdout.on("data", (d) => out.push(d));
		child.stderr.on("data", (d) => (stderr += d));
		child.stdin.on("error", () => {}); // a command may exit before taking all of stdin
		const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
		child.on("close", (code) => {
			clearTimeout(timer);
			const match = VIOLATIONS.exec(stderr);
			const violations = match
				? match[1]
						.split("\n")
						.filter((l) => l !== "")
						.map((l) => l.trim())
				: [];
			if (match) stderr = stderr.replace(match[0], "");
			if (violations.length > 0 && !allowViolations) {
				reject(new Error(`bc20 ${args.join(" ")} broke the module's protocol:\n  ${violations.join("\n  ")}`));
				return;
			}
			resolve({ code, stdout: Buffer.concat(out), stderr, ms: performance.now() - started, violations });
		});
		child.stdin.end(input ? Buffer.from(input) : undefined);
	});
}

// Starts `bc20 sim --listen 127.0.0.1:0 ...extra` and waits (at most
// timeoutMs) for its "listening" line; a missing line fails, never hangs.
export function simServer(extra: string[] = [], timeoutMs = 10000): Promise<{ child: ChildProcess; port: number }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [...CLI, "sim", "--listen", "127.0.0.1:0", ...extra], {
			stdio: ["ignore", "pipe", "pipe"],
		});
		let text = "";
		let stderr = "";
		const timer = setTimeout(() => {
			child.kill("SIGKILL");
			reject(
				new Error(
					`bc20 sim printed no "listening 127.0.0.1:PORT" line in ${timeoutMs} ms (stdout ${JSON.stringify(text)}, stderr ${JSON.stringify(stderr)})`,
				),
			);
		}, timeoutMs);
		child.stdout.on("data", (d) => {
			text += d;
			const match = /listening 127\.0\.0\.1:(\d+)/.exec(text);
			if (match) {
				clearTimeout(timer);
				resolve({ child, port: Number(match[1]) });
			}
		});
		child.stderr.on("data", (d) => (stderr += d));
		child.on("close", (code) => {
			clearTimeout(timer);
			reject(new Error(`bc20 sim exited with ${code} before listening: ${stderr.trim()}`));
		});
	});
}
