// The recordings in test/recordings/ replayed: `bc20 sim --replay` serves
// each as the module, and the command that made it, run again against that
// module, must write the same command lines and print what it printed then.
// A host that writes something else gets the first divergence, with the
// recording's line, and exit code 1.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FIXTURES } from "../recordings/fixtures.js";
import { runCli } from "../support/cli-process.js";

const SPEED = "20";

interface Replayer {
	port: number;
	// Exit code and output once the replay ended.
	ended: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function replayer(file: string): Promise<Replayer> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[
				"--import",
				"tsx",
				"host-sim/cli.ts",
				"sim",
				"--replay",
				file,
				"--replay-speed",
				SPEED,
				"--listen",
				"127.0.0.1:0",
			],
			{ stdio: ["ignore", "pipe", "pipe"] },
		);
		let stdout = "",
			stderr = "";
		const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
		const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
			child.on("close", (code) => {
				clearTimeout(timer);
				done({ code, stdout, stderr });
				reject(new Error(`bc20 sim --replay exited (${code}) before listening: ${stderr}`));
			}),
		);
		child.stderr.on("data", (d) => (stderr += d));
		child.stdout.on("data", (d) => {
			stdout += d;
			const match = /listening 127\.0\.0\.1:(\d+)/.exec(stdout);
			if (match) resolve({ port: Number(match[1]), ended });
		});
	});
}

// The header's command line back into argv (cli-recording.ts quotes with '...').
function argv(line: string): string[] {
	return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
		m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2],
	);
}

// The recorded command, pointed at the replaying module instead of --port sim.
function againstReplay(file: string, port: number): string[] {
	const header = JSON.parse(readFileSync(file, "utf8").split("\n")[0]);
	const args = argv(header.command).slice(1); // without "bc20"
	const record = args.indexOf("--record");
	args.splice(record, 2);
	const sim = args.indexOf("--port");
	assert.is(args[sim + 1], "sim", `${file} was recorded against the emulated module`);
	args[sim + 1] = `tcp://127.0.0.1:${port}`;
	return args;
}

// All at once: each is its own pair of processes on its own port.
test("every recording replays: the command that made it writes the same lines and prints the same", async () => {
	await Promise.all(
		FIXTURES.map(async (fixture) => {
			const file = `test/recordings/${fixture.name}.jsonl`;
			const replay = await replayer(file);
			const host = await runCli(
				againstReplay(file, replay.port),
				fixture.stdin === undefined ? undefined : Buffer.from(fixture.stdin),
			);
			const ended = await replay.ended;
			assert.is(ended.stderr, "", fixture.name);
			assert.match(ended.stdout, /replay complete: the host wrote the \d+ command lines of /, fixture.name);
			assert.is(ended.code, 0, fixture.name);
			assert.is(host.stderr, "", fixture.name);
			assert.is(host.stdout.toString(), readFileSync(`test/recordings/${fixture.name}.stdout`, "utf8"), fixture.name);
			assert.is(host.code, 0, fixture.name);
		}),
	);
});

test("a host that diverges gets the recording's line, what was expected and what came, and exit code 1", async () => {
	const file = "test/recordings/at-csq.jsonl";
	const lines = readFileSync(file, "utf8").split("\n");
	const csqLine = lines.findIndex((line) => line.includes(`"k":"tx"`) && line.includes("AT+CSQ\\r")) + 1;
	assert.ok(csqLine > 1);
	const replay = await replayer(file);
	const host = await runCli(["--port", `tcp://127.0.0.1:${replay.port}`, "at", "AT+CGMR"]);
	const ended = await replay.ended;
	assert.is(
		ended.stderr,
		`bc20: replay diverged at line ${csqLine} of ${file} (recorded at ${JSON.parse(lines[csqLine - 1]).t} ms): expected "AT+CSQ", got "AT+CGMR"\n`,
	);
	assert.is(ended.code, 1);
	assert.is.not(host.code, 0);
});

test("what cannot be replayed is refused at once, in one line: not a recording (exit 1), an emulator option (exit 2)", async () => {
	const notRecording = await runCli(["sim", "--replay", "README.md", "--listen", "127.0.0.1:0"]);
	assert.is(notRecording.stderr, "bc20: README.md:1: not a JSON object\n");
	assert.is(notRecording.code, 1);
	const withFaults = await runCli([
		"sim",
		"--replay",
		"test/recordings/at-csq.jsonl",
		"--listen",
		"127.0.0.1:0",
		"--drop-rate",
		"0.1",
	]);
	assert.is(withFaults.stderr, "bc20: --drop-rate does not go with --replay: the recording is the module\n");
	assert.is(withFaults.code, 2);
});

test.run();
