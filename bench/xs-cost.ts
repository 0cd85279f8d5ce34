// Section 2: the cost of the same workloads inside Moddable's XS engine
// (@agoric/xsnap), the interpreter the ESP32 runs. bench/workloads.ts is
// bundled into the worker as one script; both parsers run there.
//
// - XS ms per MB: performance.now() inside XS around the workload (the
//   worker's own clock, not the round trip to Node).
// - XS operations per byte: the worker's compute meter.
// - Heap slots per MB: slots allocated during the run. The project's figure
//   comes from the timed run itself (>= 1 MB): with no allocation the heap
//   count cannot move. The naive side allocates, so XS collects during a long
//   run and the count after it says little; its figure comes from short spans
//   (8 and 16 KiB, well inside the free heap after gc()) and is only trusted
//   when the 16 KiB span allocated twice what the 8 KiB one did.
import { bundleForXS } from "../scripts/xs-bundle.mjs";
import { measureHeapGrowth, startXS, type XS } from "../test/xs/xs-runner.js";
import { fixed, MB, ratio, type Section, type SectionResult } from "./section.js";
import { CHUNK, type Side, WORKLOADS } from "./workloads.js";

const BUDGET = 64 * 1024; // bytes per workload iteration
const ITERATIONS = 16; // 1 MB timed per workload and side
const ROUNDS = 3; // alternating project/naive; the median time is reported
const SPAN = 8 * 1024; // bytes per iteration of the naive slot spans

interface Run {
	bytes: number;
	compute: number;
	workloadMs: number;
	growth: number; // heap slots, garbage included
}

async function measure(xs: XS, name: string, side: Side, budget: number, iterations: number): Promise<Run> {
	const heap = await measureHeapGrowth(xs, {
		setup: `globalThis.benchDriver = bench.createDriver(${JSON.stringify(name)}, ${JSON.stringify(side)});
			globalThis.benchMoved = 0;`,
		// Counts only the measured run's bytes: each run starts at i = 0.
		step: `if (i === 0) benchMoved = 0; benchMoved += benchDriver.run(${budget});`,
		iterations,
	});
	const {
		value: [bytes, errors],
	} = await xs.call<[number, number]>("[benchMoved, benchDriver.tally.errors]");
	if (errors !== 0) throw new Error(`XS: ${name} (${side}) reported ${errors} errors`);
	return { bytes, compute: heap.compute, workloadMs: heap.workloadMs, growth: heap.growth };
}

interface SideFigures {
	msPerMB: number; // median over the rounds
	opsPerByte: number;
	slotsPerMB: number;
	runs: Run[];
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[sorted.length >> 1];
}

function figures(runs: Run[], slotsPerMB: number): SideFigures {
	return {
		msPerMB: median(runs.map((r) => r.workloadMs / (r.bytes / MB))),
		opsPerByte: median(runs.map((r) => r.compute / r.bytes)),
		slotsPerMB,
		runs,
	};
}

export interface XSFigures {
	workload: string;
	project: SideFigures;
	naive: SideFigures & { spans: Run[]; spansLinear: boolean };
	timeRatio: number; // naive ms per MB / project ms per MB
	opsRatio: number;
}

async function run(): Promise<SectionResult> {
	const xs = await startXS();
	try {
		await xs.evaluate(await bundleForXS("bench/workloads.ts", { globalName: "bench" }));
		const notes: string[] = [];
		for (const w of WORKLOADS) {
			const { value: c } = await xs.call<{
				match: boolean;
				project: { lines: number; payloadBytes: number; payloadHash: number };
			}>(`bench.compareSides(${JSON.stringify(w.name)}, 2)`);
			if (!c.match) throw new Error(`XS: the two parsers disagree on ${w.name}: ${JSON.stringify(c)}`);
			notes.push(
				`events match (XS) ${w.name}: ${c.project.lines} lines, ${c.project.payloadBytes} payload bytes, ` +
					`payload hash ${c.project.payloadHash}`,
			);
		}
		const all: XSFigures[] = [];
		for (const w of WORKLOADS) {
			const p: Run[] = [],
				n: Run[] = [];
			for (let r = 0; r < ROUNDS; r++) {
				p.push(await measure(xs, w.name, "project", BUDGET, ITERATIONS));
				n.push(await measure(xs, w.name, "naive", BUDGET, ITERATIONS));
			}
			const spans = [await measure(xs, w.name, "naive", SPAN, 1), await measure(xs, w.name, "naive", SPAN, 2)];
			const [short, long] = spans;
			const spansLinear =
				Math.abs(long.growth / short.growth - long.bytes / short.bytes) < 0.1 * (long.bytes / short.bytes);
			// The project's slots: the largest growth of any round, each >= 1 MB.
			const project = figures(p, Math.max(...p.map((r) => r.growth / (r.bytes / MB))));
			const naive = { ...figures(n, long.growth / (long.bytes / MB)), spans, spansLinear };
			all.push({
				workload: w.name,
				project,
				naive,
				timeRatio: naive.msPerMB / project.msPerMB,
				opsRatio: naive.opsPerByte / project.opsPerByte,
			});
		}
		notes.push(
			`median of ${ROUNDS} alternating rounds of ${ITERATIONS} x ${BUDGET / 1024} KiB per workload and side, ` +
				`each after one warm-up iteration; ${CHUNK}-byte chunks; ` +
				"x = naive cost / project cost (above 1: the project is cheaper)",
		);
		for (const f of all) {
			if (!f.naive.spansLinear)
				notes.push(
					`${f.workload}: the naive slot spans were not linear (XS collected mid-span?): its slots/MB is a lower bound`,
				);
		}
		const goal = 20;
		return {
			table: {
				columns: [
					"workload",
					"ms/MB project",
					"naive",
					"x",
					"ops/B project",
					"naive",
					"x",
					"slots/MB project",
					"naive",
				],
				rows: all.map((f) => [
					f.workload,
					fixed(f.project.msPerMB),
					fixed(f.naive.msPerMB),
					ratio(f.timeRatio),
					fixed(f.project.opsPerByte),
					fixed(f.naive.opsPerByte),
					ratio(f.opsRatio),
					String(f.project.slotsPerMB),
					fixed(f.naive.slotsPerMB),
				]),
			},
			notes,
			data: { workloads: all, budget: BUDGET, iterations: ITERATIONS, rounds: ROUNDS, span: SPAN },
			targets: [
				{
					name: `XS time >= ${goal}x the naive baseline`,
					value: all.map((f) => `${f.workload} ${ratio(f.timeRatio)}`).join(", "),
					met: all.every((f) => f.timeRatio >= goal),
				},
				{
					name: "0 XS heap slots per MB (project)",
					value: all.map((f) => `${f.workload} ${f.project.slotsPerMB}`).join(", "),
					met: all.every((f) => f.project.runs.every((r) => r.growth === 0)),
				},
			],
		};
	} finally {
		await xs.close();
	}
}

export const xsCost: Section = {
	key: "xsCost",
	title: "2. Cost inside XS (@agoric/xsnap): time, operations, heap slots (lower is better)",
	run,
};
