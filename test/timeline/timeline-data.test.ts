// What the page draws, from the hand-made recordings: commands with the lines
// the module answered, socket and power intervals, where each report's window went.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_CURRENT_MODEL } from "../../host-sim/energy/current-model.js";
import { energy } from "../../host-sim/energy/report-energy.js";
import { parseRecording } from "../../host-sim/timeline/read-recording.js";
import { timelineData } from "../../host-sim/timeline/timeline-data.js";

const data = (name: string) => {
	const recording = parseRecording(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));
	return timelineData(recording, energy(recording, { ...DEFAULT_CURRENT_MODEL }), [], name);
};

test("a command: from its line to its result, with the lines the module sent meanwhile", () => {
	const d = data("two-reports.jsonl");
	assert.equal(d.commands[1], {
		t: 100,
		end: 120,
		text: 'AT+QISEND=0,26,"R,demo-sensor,1,100,21.5"',
		status: "OK",
		lines: ["OK", "SEND OK"],
	});
	assert.is(d.commands.length, 4);
});

test("where report 2's window went: 100 ms to the first command, 20 in flight, 80 until the report, 100 until sleep", () => {
	const r = data("two-reports.jsonl").reports[1];
	assert.equal([r.from, r.at, r.to], [1300, 1500, 1600]);
	assert.equal(r.split, { beforeFirstCommand: 100, inFlight: 20, untilReport: 80, untilSleep: 100 });
	// The run's figure is the mean over its steady reports: report 2 alone here.
	assert.equal(data("two-reports.jsonl").energy.runs[0].split, r.split);
});

test("from light sleep the command wakes the module: its flight counts from the wake", () => {
	const lines = [
		'{"format":"bc20-recording","version":1,"started":"x","port":"sim","command":"hand-made"}',
		...[
			[0, "power", { state: "awake" }],
			[10, "report", { n: 1, ok: true, commands: 1 }],
			[20, "power", { state: "light-sleep" }],
			[100, "cmd", { id: 1, text: "AT+QISEND=0,1" }],
			[101, "power", { state: "awake" }],
			[110, "done", { id: 1, status: "OK", ms: 10 }],
			[150, "report", { n: 2, ok: true, commands: 1 }],
			[300, "power", { state: "light-sleep" }],
		].map(([t, k, rest]) => JSON.stringify({ t, k, ...(rest as object) })),
	];
	const recording = parseRecording(lines.join("\n"));
	const r = timelineData(recording, energy(recording, { ...DEFAULT_CURRENT_MODEL }), [], "x").reports[1];
	assert.equal([r.from, r.to], [101, 300]);
	assert.equal(r.split, { beforeFirstCommand: 0, inFlight: 9, untilReport: 40, untilSleep: 150 });
});

test("sockets and power as intervals; a connectID keeps one lane", () => {
	const d = data("two-reports.jsonl");
	assert.equal(d.sockets, [
		{
			id: 0,
			types: ["TCP"],
			segments: [
				{ from: 30, to: 50, state: "Opening", type: "TCP" },
				{ from: 50, to: 2610, state: "Connected", type: "TCP" },
				{ from: 2610, to: 2640, state: "Closing", type: "TCP" },
				{ from: 2640, to: 2640, state: "Initial", type: "TCP" },
			],
		},
	]);
	assert.equal(
		data("two-sockets.jsonl").sockets.map((s) => `${s.id} ${s.types}`),
		["0 TCP", "1 UDP"],
	);
	assert.equal(
		d.power.map((p) => `${p.state} ${p.from}-${p.to}`),
		["awake 0-300", "psm 300-1300", "awake 1300-1600", "psm 1600-2600", "awake 2600-2640"],
	);
});

test.run();
