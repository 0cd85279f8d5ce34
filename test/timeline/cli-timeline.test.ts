// `bc20 timeline` as a user runs it: the page and the energy lines, and one
// line on stderr with the right exit code when something is wrong.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const fixture = fileURLToPath(new URL("fixtures/two-reports.jsonl", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bc20-timeline-cli-"));
const bc20 = (...args: string[]) =>
	spawnSync(process.execPath, ["--import", "tsx", "host-sim/cli.ts", ...args], { encoding: "utf8" });

test("writes the page and prints each run's charge per report and battery life", () => {
	const page = join(dir, "t.html");
	const run = bc20("timeline", fixture, "-o", page, "--report-interval", "600", "--capacity", "1000");
	assert.is(run.status, 0, run.stderr);
	// The default model, report 2 by hand: 280 ms awake at 54 mA + 20 ms at 167 mA = 18.46e6 µA·ms = 5.13 µAh.
	assert.match(
		run.stdout,
		/^sensor app over TCP, PSM between reports: 5\.13 µAh per report \(300 ms awake, 1\.0 AT commands\), .* µA average at one report every 600 s, .* on 1000 mAh\n/,
	);
	assert.match(run.stdout, `timeline written to ${page}`);
	const html = readFileSync(page, "utf8");
	assert.match(html, '<svg id="chart"');
	assert.match(html, "AT+QIOPEN=1,0,");
});

test("--current-model replaces the defaults", () => {
	const model = join(dir, "model.json");
	writeFileSync(model, JSON.stringify({ awake: 50000, tx: 150000 }));
	const run = bc20("timeline", fixture, "-o", join(dir, "m.html"), "--current-model", model);
	assert.is(run.status, 0, run.stderr);
	// Report 2 by hand: 280 ms at 50 mA + 20 ms at 150 mA = 17e6 µA·ms = 4.72 µAh.
	assert.match(run.stdout, /4\.72 µAh per report/);
});

test("errors: usage (2), a file that is not a recording (1), a bad model (2)", () => {
	const usage = bc20("timeline");
	assert.is(usage.status, 2);
	assert.match(usage.stderr, /^bc20: usage: bc20 timeline RECORDING/);
	const notRecording = join(dir, "x.jsonl");
	writeFileSync(notRecording, "hello\n");
	const bad = bc20("timeline", notRecording);
	assert.is(bad.status, 1);
	assert.is(bad.stderr, `bc20: ${notRecording}:1: not a JSON object\n`);
	const model = join(dir, "bad-model.json");
	writeFileSync(model, '{"sleep": 1}');
	const badModel = bc20("timeline", fixture, "--current-model", model);
	assert.is(badModel.status, 2);
	assert.match(badModel.stderr, /unknown state "sleep"/);
});

test.run();
