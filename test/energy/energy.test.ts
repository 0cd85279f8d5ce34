// The energy arithmetic on a hand-made recording (test/timeline/fixtures/two-reports.jsonl),
// with a model of round numbers so every figure can be checked by hand:
// awake 50 mA, transmitting 150 mA, PSM 4 µA.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { currentModel, DEFAULT_CURRENT_MODEL, loadCurrentModel } from "../../host-sim/energy/current-model.js";
import { chargeBetween, currentProfile } from "../../host-sim/energy/current-profile.js";
import { energy, project } from "../../host-sim/energy/report-energy.js";
import { parseRecording } from "../../host-sim/timeline/read-recording.js";

const fixture = new URL("../timeline/fixtures/two-reports.jsonl", import.meta.url);
const recording = parseRecording(readFileSync(fixture, "utf8"), "two-reports.jsonl");
const model = currentModel({ psm: 4, "light-sleep": 400, awake: 50000, tx: 150000 });
const near = (actual: number, expected: number, what: string) =>
	assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 1e-9, `${what}: ${actual}, expected ${expected}`);

test("the current steps: awake, transmitting while QIOPEN/QISEND/QICLOSE are in flight, PSM", () => {
	const steps = currentProfile(recording, model).steps.map((s) => `${s.t}:${s.uA}`);
	assert.equal(steps, [
		"0:50000",
		"10:150000",
		"30:50000",
		"100:150000",
		"120:50000",
		"300:4",
		"1300:50000",
		"1400:150000",
		"1420:50000",
		"1600:4",
		"2600:150000",
		"2640:50000",
	]);
});

test("charge per report: the awake window from the wake to the next sleep", () => {
	const { reports } = energy(recording, model);
	assert.is(reports.length, 2);
	// Report 1, 0-300 ms: 40 ms transmitting (QIOPEN 10-30, QISEND 100-120), 260 ms awake:
	// 40 × 150000 + 260 × 50000 = 19e6 µA·ms = 19e6 / 3.6e6 µAh.
	assert.equal([reports[0].from, reports[0].to, reports[0].awakeMs, reports[0].sleptIn], [0, 300, 300, "psm"]);
	near(reports[0].uAh, 19e6 / 3.6e6, "report 1");
	// Report 2 starts at the wake (1300), not at report 1: the PSM between them is not its cost.
	// 20 × 150000 + 280 × 50000 = 17e6 µA·ms.
	assert.equal([reports[1].from, reports[1].to, reports[1].commands], [1300, 1600, 1]);
	near(reports[1].uAh, 17e6 / 3.6e6, "report 2");
});

test("totals: the whole recording's charge, average current and time per state", () => {
	const e = energy(recording, model);
	// 19e6 + 1000 ms PSM × 4 + 17e6 + 1000 × 4 + QICLOSE 40 ms × 150000 = 42 008 000 µA·ms over 2640 ms.
	near(e.totalUAh, 42_008_000 / 3.6e6, "total");
	near(e.averageUA, 42_008_000 / 2640, "average");
	assert.equal(e.time, { awake: 640, "light-sleep": 0, psm: 2000 });
	near(chargeBetween(e.profile, 300, 1300), 4000, "one second of PSM");
});

test("a run's steady cost leaves out its first report, which carries the connection's opening", () => {
	const [run] = energy(recording, model).runs;
	assert.is(run.label, "sensor app over TCP, PSM between reports");
	assert.equal(
		run.steady.map((r) => r.n),
		[2],
	);
	near(run.uAh, 17e6 / 3.6e6, "steady charge");
	assert.is(run.sleep, "psm");
});

test("runs: named by the last heading note before them (not a wake pulse, not indented, cut at a parenthesis); a report cut short by the next run is not steady", () => {
	const head = '{"format":"bc20-recording","version":1,"started":"x","port":"sim","command":"hand-made"}';
	const lines = [
		head,
		...[
			[0, "note", { text: "A" }],
			[100, "report", { n: 1, ok: true, commands: 2 }],
			[200, "power", { state: "psm" }],
			[1190, "note", { text: "wake pulse on PSM_EINT" }],
			[1200, "power", { state: "awake" }],
			[1300, "report", { n: 2, ok: true, commands: 1 }],
			[1400, "power", { state: "psm" }],
			[2400, "power", { state: "awake" }],
			[2500, "report", { n: 3, ok: true, commands: 1 }],
			[2510, "note", { text: "B (the second run): its details" }],
			[2515, "note", { text: "  sensor: a detail line" }],
			[2520, "note", { text: "wake pulse on PSM_EINT" }],
			[2600, "report", { n: 1, ok: false, commands: 3 }],
			[2700, "power", { state: "light-sleep" }],
		].map(([t, k, rest]) => JSON.stringify({ t, k, ...(rest as object) })),
	];
	const e = energy(parseRecording(lines.join("\n")), model);
	assert.equal(
		e.runs.map((r) => r.label),
		["A", "B"],
	);
	// Run A: report 3 never slept before run B began (its window is 2400-2500), so only report 2 (1200-1400) is steady.
	assert.equal(
		e.runs[0].steady.map((r) => r.n),
		[2],
	);
	near(e.runs[0].uAh, (200 * 50000) / 3.6e6, "run A");
	assert.is(e.runs[0].sleep, "psm");
	// Run B, one report from the end of the last window (2500) to its sleep (2700).
	assert.equal([e.runs[1].steady[0].from, e.runs[1].steady[0].to, e.runs[1].sleep], [2500, 2700, "light-sleep"]);
});

test("battery life: one report per interval, PSM in between", () => {
	const [run] = energy(recording, model).runs;
	const p = project(run, model, 3600, 2400);
	// (17e6 + 4 µA × (3 600 000 − 300) ms) / 3 600 000 ms = 8.72189 µA; 2400 mAh / that = 11465 days.
	near(p.averageUA, (17e6 + 4 * (3_600_000 - 300)) / 3_600_000, "average current");
	near(p.lifeDays, (2400 * 1000) / p.averageUA / 24, "life");
	assert.is(Math.round(p.lifeDays), 11465);
	// An interval shorter than the awake window is all awake window.
	near(project(run, model, 0.1, 2400).averageUA, 17e6 / 300, "back to back");
});

test("a recording without power events is awake throughout; without reports it has no report costs", () => {
	const bare = parseRecording(
		[
			'{"format":"bc20-recording","version":1,"started":"x","port":"sim","command":"at"}',
			'{"t":0,"k":"cmd","id":1,"text":"AT"}',
			'{"t":100,"k":"done","id":1,"status":"OK","ms":100}',
		].join("\n"),
	);
	const e = energy(bare, model);
	near(e.totalUAh, (100 * 50000) / 3.6e6, "awake 100 ms");
	assert.equal([e.reports, e.runs], [[], []]);
});

test("the current model: defaults, partial overrides from a JSON file, and clear errors", () => {
	assert.equal(loadCurrentModel(undefined), { ...DEFAULT_CURRENT_MODEL });
	const dir = mkdtempSync(join(tmpdir(), "bc20-model-"));
	writeFileSync(join(dir, "m.json"), '{"psm": 1.5}');
	assert.equal(loadCurrentModel(join(dir, "m.json")), { ...DEFAULT_CURRENT_MODEL, psm: 1.5 });
	assert.throws(() => currentModel({ PSM: 1 }), /unknown state "PSM"/);
	assert.throws(() => currentModel({ tx: -1 }), /tx must be a current in µA/);
	writeFileSync(join(dir, "bad.json"), "{psm");
	assert.throws(() => loadCurrentModel(join(dir, "bad.json")), /--current-model .*bad\.json/);
});

test("a damaged recording is refused with its line number", () => {
	const head = '{"format":"bc20-recording","version":1,"started":"x","port":"sim","command":"at"}';
	assert.throws(() => parseRecording('{"format":"other"}'), /not a bc20 recording/);
	assert.throws(() => parseRecording(head.replace('"version":1', '"version":2')), /version 2/);
	assert.throws(() => parseRecording(`${head}\n{"t":1,"k":"cmd","id":1}`, "r"), /r:2: a "cmd" event needs "text"/);
	assert.throws(() => parseRecording(`${head}\n{"t":1,"k":"power","state":"nap"}`), /unknown power state "nap"/);
	assert.throws(
		() => parseRecording(`${head}\n{"t":5,"k":"note","text":"a"}\n{"t":4,"k":"note","text":"b"}`),
		/:3: time goes back/,
	);
});

test.run();
