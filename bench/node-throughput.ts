// Section 1: parse throughput on Node (V8), project against the naive
// baseline, same workloads, same run. First both sides are checked to emit the
// same events over two passes of each stream; then each is warmed up and
// timed in alternating rounds, so drift on the machine hits both alike.
import type { Latin1Codec } from "./naive-parser.js";
import { fixed, MB, ratio, type Section, type SectionResult } from "./section.js";
import { CHUNK, compareSides, createDriver, type Driver, WORKLOADS } from "./workloads.js";

// What Node modem code does with a serialport chunk: chunk.toString("latin1")
// and Buffer.from(text, "latin1"). latin1Slice is what toString calls; used on
// the stream directly it spares the benchmark a Buffer view per chunk, which
// serialport would have made anyway.
const latin1Slice = (
	Buffer.prototype as unknown as {
		latin1Slice(this: Uint8Array, start: number, end: number): string;
	}
).latin1Slice;

export const nodeLatin1: Latin1Codec = {
	decode: (bytes, start, end) => latin1Slice.call(bytes, start, end),
	encode: (text) => Buffer.from(text, "latin1"),
};

const WARMUP = 2 * MB;
const ROUNDS = 5;
const ROUND_MS = 100; // each round runs whole batches for at least this long
const BATCH = MB / 4;

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

// Bytes per second of one round: batches until ROUND_MS passed.
function round(driver: Driver): number {
	collect(); // the naive side's garbage from earlier rounds is not the project's to collect
	let moved = 0;
	const start = performance.now();
	let elapsed = 0;
	while (elapsed < ROUND_MS) {
		moved += driver.run(BATCH);
		elapsed = performance.now() - start;
	}
	return moved / (elapsed / 1000);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[sorted.length >> 1];
}

export interface NodeFigures {
	workload: string;
	projectMBps: number;
	naiveMBps: number;
	ratio: number;
	projectRounds: number[];
	naiveRounds: number[];
}

async function run(): Promise<SectionResult> {
	const notes: string[] = [];
	for (const w of WORKLOADS) {
		const c = compareSides(w.name, 2, nodeLatin1);
		if (!c.match) throw new Error(`Node: the two parsers disagree on ${w.name}: ${JSON.stringify(c)}`);
		notes.push(
			`events match (Node) ${w.name}: ${c.project.lines} lines, ${c.project.payloadBytes} payload bytes, ` +
				`payload hash ${c.project.payloadHash}, field hash ${c.project.fields}`,
		);
	}
	const figures: NodeFigures[] = [];
	for (const w of WORKLOADS) {
		const project = createDriver(w.name, "project"),
			naive = createDriver(w.name, "naive", nodeLatin1);
		project.run(WARMUP);
		naive.run(WARMUP);
		const p: number[] = [],
			n: number[] = [];
		for (let r = 0; r < ROUNDS; r++) {
			p.push(round(project) / MB);
			n.push(round(naive) / MB);
		}
		if (project.tally.errors !== 0 || naive.tally.errors !== 0)
			throw new Error(`Node: ${w.name} reported errors (project ${project.tally.errors}, naive ${naive.tally.errors})`);
		const projectMBps = median(p),
			naiveMBps = median(n);
		figures.push({
			workload: w.name,
			projectMBps,
			naiveMBps,
			ratio: projectMBps / naiveMBps,
			projectRounds: p,
			naiveRounds: n,
		});
	}
	notes.push(
		`median of ${ROUNDS} alternating rounds of >= ${ROUND_MS} ms after ${WARMUP / MB} MB of warm-up; ` +
			`${CHUNK}-byte chunks; MB = 2^20 bytes of module output`,
	);
	const goal = 20;
	return {
		table: {
			columns: ["workload", "project MB/s", "naive MB/s", "project/naive"],
			rows: figures.map((f) => [f.workload, fixed(f.projectMBps), fixed(f.naiveMBps), ratio(f.ratio)]),
		},
		notes,
		data: { workloads: figures, rounds: ROUNDS, roundMs: ROUND_MS, warmupBytes: WARMUP },
		targets: [
			{
				name: `Node MB/s >= ${goal}x the naive baseline`,
				value: figures.map((f) => `${f.workload} ${ratio(f.ratio)}`).join(", "),
				met: figures.every((f) => f.ratio >= goal),
			},
		],
	};
}

export const nodeThroughput: Section = {
	key: "nodeThroughput",
	title: "1. Parse throughput on Node (MB/s, higher is better)",
	run,
};
