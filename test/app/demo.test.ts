// `npm start` as a user runs it: `bc20 demo` in its own process must finish by
// itself, exit 0, and end with the collector holding every reading.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const dir = mkdtempSync(join(tmpdir(), "bc20-demo-test-"));
const recording = join(dir, "demo.jsonl"),
	page = join(dir, "timeline.html");

test("bc20 demo exits 0 and the collector has all readings", async () => {
	const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
		const child = spawn(
			process.execPath,
			["--import", "tsx", "host-sim/cli.ts", "demo", "--record", recording, "-o", page],
			{ stdio: ["ignore", "pipe", "pipe"] },
		);
		let stdout = "",
			stderr = "";
		child.stdout.on("data", (d) => (stdout += d));
		child.stderr.on("data", (d) => (stderr += d));
		const timer = setTimeout(() => child.kill("SIGKILL"), 18000); // about 4 s normally
		child.on("close", (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
	assert.is(run.code, 0, run.stdout + run.stderr);
	assert.match(run.stdout, /demo finished: the collector has all 11 readings/);
	assert.match(run.stdout, /UDP: 3\/3 reports acknowledged, 1 resends/);
	assert.match(
		run.stdout,
		/TCP, short sleeps: 3\/3 reports acknowledged, 0 resends/,
		"a sleep shorter than the NAT timeout: the connection survives",
	);
	// A sleep longer than the NAT timeout: the connection is gone at wake; the
	// app wakes the module again (PSM_EINT) for its retry, reopens and resends.
	assert.match(run.stdout, /TCP, long sleeps: 2\/2 reports acknowledged, [1-9]\d* resends/);
	assert.match(run.stdout, /network: 1 TCP connection\(s\) lost to NAT expiry across sleep/);
	assert.match(run.stdout, /report 1: no ack, resending \(1\/3\)/, "the demo shows the retry");
	// The naive cycle on the same network, and what each report cost.
	assert.match(run.stdout, /naive open\/send\/close: 3\/3 reports acknowledged, 3\.0 AT commands per report/);
	for (const name of [
		"sensor app over UDP, light sleep between reports",
		"sensor app over TCP, PSM between reports",
		"naive cycle, as peer drivers do it",
	])
		assert.match(
			run.stdout,
			new RegExp(`  ${name}.*: \\d+\\.\\d\\d µAh per report .* µA average at one report every 3600 s, .* on 2400 mAh`),
		);
	assert.match(
		run.stdout,
		/keeping the TCP connection open across PSM costs [\d.]+ µAh per report against [\d.]+ µAh for open, send, close/,
	);
	assert.match(run.stdout, `session recorded to ${recording}\n`);
	assert.match(run.stdout, `timeline: ${page}\n`);
	assert.ok(existsSync(page));
	assert.match(readFileSync(recording, "utf8"), /"k":"report","n":3/);
});

test.run();
