// Section 0: the device path (modem.receive(chunk) -> socket -> the app's
// read(buffer), bench/device-path.ts) inside XS, per workload, beside the
// floor (the cheapest zero-allocation loop doing the unavoidable work on the
// same chunks) and the naive parser (bench/workloads.ts, its nearest
// workload), all in the same run: XS operations per byte, ms per MB, heap
// slots per MB, and the worst XS operations one 128-byte chunk cost (one
// delivery per chunk over a whole pass of the stream, the delivery's own
// overhead subtracted). Node figures come from the same classes on V8.
import { bundleForXS } from "../scripts/xs-bundle.mjs";
import { measureHeapGrowth, startXS, type XS } from "../test/xs/xs-runner.js";
import { CHUNK, createDevice, DEVICE_WORKLOADS } from "./device-path.js";
import { fixed, MB, ratio, type Section, type SectionResult } from "./section.js";
import { createDriver } from "./workloads.js";

const BUDGET = 64 * 1024;
const ITERATIONS = 8; // 512 KiB timed per workload and side
const ROUNDS = 3;
const PASS_CHUNKS = 300; // chunks measured one by one for the worst case
// The naive parser's workload: for line-mix the same stream; for payload the
// nearest (its payload streams are view mode 0 text, with no +QIRD: 0 read).
const NAIVE: Record<string, string> = {
	"buffer-text": "buffer-read",
	"push-text": "direct-push",
	"line-mix": "report-loop", // the same stream, byte for byte
};
// Targets for the default configuration (text receive).
const FLOOR_FACTOR = 2;
const WORST_OPS = 8000;
const XS_VS_NAIVE_PAYLOAD = 10;
const NODE_VS_NAIVE = 2;
// The sends measured turn by turn: the longest each form carries, and a report.
const SENDS = [
	{ name: "1024 text bytes (AT+QISEND)", text: true, length: 1024, stream: false },
	{ name: "512 bytes as hex (AT+QISENDEX)", text: false, length: 512, stream: false },
	{ name: "a 24-byte report (AT+QISEND)", text: true, length: 24, stream: false },
	{ name: "2 x 1024 text bytes written at once", text: true, length: 1024, stream: true },
	{ name: "2 x 512 bytes as hex written at once", text: false, length: 512, stream: true },
];
const SEND_REPEATS = 6; // the transmit ring's place moves: some writes wrap it
// What one turn may cost while the module's bytes keep coming: the time the
// 128-byte FIFO takes to fill, at an assumed 3 M XS operations per second.
const OPS_PER_MS = 3000;
const FIFO_MS_115200 = (128 * 10) / 115.2;
const FIFO_MS_460800 = (128 * 10) / 460.8;

interface Run {
	bytes: number;
	compute: number;
	workloadMs: number;
	growth: number;
}

async function measure(xs: XS, create: string, budget: number): Promise<Run> {
	try {
		return await measureOnce(xs, create, budget);
	} catch (error) {
		throw new Error(`XS: measuring ${create}: ${String(error)}`);
	}
}

async function measureOnce(xs: XS, create: string, budget: number): Promise<Run> {
	const heap = await measureHeapGrowth(xs, {
		setup: `globalThis.benchSide = ${create}; globalThis.benchMoved = 0;`,
		step: `if (i === 0) benchMoved = 0; benchMoved += benchSide.run(${budget});`,
		iterations: ITERATIONS,
	});
	const {
		value: [bytes, errors],
	} = await xs.call<[number, number]>("[benchMoved, benchSide.errors ?? 0]");
	if (errors !== 0) throw new Error(`XS: ${create} reported ${errors} errors`);
	return { bytes, compute: heap.compute, workloadMs: heap.workloadMs, growth: heap.growth };
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[sorted.length >> 1];
}

interface Figures {
	opsPerByte: number;
	msPerMB: number;
	slotsPerMB: number;
	worstChunkOps: number; // the receive turn of one chunk
	worstOtherOps: number; // the turns between chunks (the app's write, timers); 0 where there are none
}

function figures(runs: Run[], worst: Worst): Figures {
	return {
		opsPerByte: median(runs.map((r) => r.compute / r.bytes)),
		msPerMB: median(runs.map((r) => r.workloadMs / (r.bytes / MB))),
		slotsPerMB: Math.max(...runs.map((r) => r.growth / (r.bytes / MB))),
		worstChunkOps: worst.chunk,
		worstOtherOps: worst.other,
	};
}

interface Worst {
	chunk: number;
	other: number;
}

// The most operations one chunk's receive turn cost, over PASS_CHUNKS chunks
// fed one per delivery, and the most the turns before a chunk cost (the
// project's before(): the app's write and the deferred timer turns, which on
// the device run apart from the UART's turn, so one figure for them all
// overstates each). The floor and the naive parser have no such turns.
async function worstChunk(xs: XS, create: string): Promise<Worst> {
	try {
		return await worstChunkOnce(xs, create);
	} catch (error) {
		throw new Error(`XS: chunk by chunk ${create}: ${String(error)}`);
	}
}

async function worstChunkOnce(xs: XS, create: string): Promise<Worst> {
	await xs.evaluate(`globalThis.benchOne = ${create}; benchOne.run(64 * 1024);`);
	const empty = Math.min(...(await Promise.all([0, 1, 2].map(async () => (await xs.call("0")).compute))));
	const { value: turns } = await xs.call<boolean>(`typeof benchOne.before === "function"`);
	const worst = { chunk: 0, other: 0 };
	for (let i = 0; i < PASS_CHUNKS; i++) {
		if (turns) {
			const before = (await xs.call("benchOne.before()")).compute - empty;
			if (before > worst.other) worst.other = before;
		}
		const { compute } = await xs.call(turns ? "benchOne.receive()" : "benchOne.run(1)");
		if (compute - empty > worst.chunk) worst.chunk = compute - empty;
	}
	return worst;
}

function nodeMBps(run: (budget: number) => number): number {
	run(2 * MB);
	const rates: number[] = [];
	for (let r = 0; r < 5; r++) {
		let moved = 0,
			elapsed = 0;
		const start = performance.now();
		while (elapsed < 100) {
			moved += run(MB / 4);
			elapsed = performance.now() - start;
		}
		rates.push(moved / MB / (elapsed / 1000));
	}
	return median(rates);
}

export interface SendFigures {
	send: string;
	writeOps: number; // the app's write(), worst of SEND_REPEATS
	turns: number; // the timer turns that prepare, render and write the command, most
	turnOps: number; // the longest of those turns, worst
	totalOps: number; // all of those turns, worst
	// Two sends written at once: the receive turn of the first one's SEND OK
	// (-1: not measured), and the turns after it that write the second,
	// prepared ahead while the first was on the wire.
	answerOps: number;
	nextTurns: number;
	nextTurnOps: number; // the longest of those turns
}

// Fires the timer turns due one by one; returns their count, the longest and the sum.
async function timerTurns(xs: XS, empty: number, what: string): Promise<[number, number, number]> {
	let turns = 0,
		longest = 0,
		total = 0;
	for (;;) {
		const turn = await xs.call<boolean>("benchSend.sendTurn()");
		if (!turn.value) return [turns, longest, total];
		if (++turns > 100) throw new Error(`XS: send ${what}: more than 100 turns`);
		total += turn.compute - empty;
		longest = Math.max(longest, turn.compute - empty);
	}
}

// A send turn by turn, on a path of its own, the worst of SEND_REPEATS sends.
// A stream: two sends written at once, the second prepared ahead while the
// first is on the wire.
async function sendTurns(xs: XS, send: (typeof SENDS)[number]): Promise<SendFigures> {
	const length = send.stream ? 2 * send.length : send.length;
	await xs.evaluate(
		`globalThis.benchSend = device.createDevice("line-mix", "project"); ` +
			`globalThis.benchData = device.sendData(${send.text}, ${length});`,
	);
	const empty = Math.min(...(await Promise.all([0, 1, 2].map(async () => (await xs.call("0")).compute))));
	const figures: SendFigures = {
		send: send.name,
		writeOps: 0,
		turns: 0,
		turnOps: 0,
		totalOps: 0,
		answerOps: -1,
		nextTurns: 0,
		nextTurnOps: 0,
	};
	for (let r = 0; r < SEND_REPEATS; r++) {
		const write = await xs.call<number>("benchSend.sendWrite(benchData)");
		if (write.value !== length) throw new Error(`XS: send ${send.name}: write took ${write.value}`);
		figures.writeOps = Math.max(figures.writeOps, write.compute - empty);
		const [turns, longest, total] = await timerTurns(xs, empty, send.name);
		figures.turns = Math.max(figures.turns, turns);
		figures.turnOps = Math.max(figures.turnOps, longest);
		figures.totalOps = Math.max(figures.totalOps, total);
		if (send.stream) {
			const { value: before } = await xs.call<number>("benchSend.sendAccepted()");
			const answer = await xs.call<number>("benchSend.sendOk()");
			figures.answerOps = Math.max(figures.answerOps, answer.compute - empty);
			const [turns, after] = await timerTurns(xs, empty, send.name);
			const { value: written } = await xs.call<number>("benchSend.commands");
			if (written !== before + 1) throw new Error(`XS: send ${send.name}: the second send was not written`);
			figures.nextTurns = Math.max(figures.nextTurns, turns);
			figures.nextTurnOps = Math.max(figures.nextTurnOps, after);
		}
		const { value: answered } = await xs.call<boolean>("benchSend.sendAnswered()");
		if (!answered) throw new Error(`XS: send ${send.name}: not answered`);
	}
	return figures;
}

export interface DeviceFigures {
	workload: string;
	project: Figures;
	floor: Figures;
	naive: Figures | null;
	nodeProjectMBps: number;
	nodeNaiveMBps: number;
}

async function run(): Promise<SectionResult> {
	const xs = await startXS();
	try {
		await xs.evaluate(await bundleForXS("bench/device-path.ts", { globalName: "device" }));
		const all: DeviceFigures[] = [];
		for (const w of DEVICE_WORKLOADS) {
			const project = `device.createDevice(${JSON.stringify(w.name)}, "project")`;
			const floor = `device.createDevice(${JSON.stringify(w.name)}, "floor")`;
			const naiveName = NAIVE[w.name];
			const naive = naiveName ? `device.createNaive(${JSON.stringify(naiveName)}, "naive")` : "";
			const p: Run[] = [],
				f: Run[] = [],
				n: Run[] = [];
			for (let r = 0; r < ROUNDS; r++) {
				p.push(await measure(xs, project, BUDGET));
				f.push(await measure(xs, floor, BUDGET));
				if (naive) n.push(await measure(xs, naive, BUDGET));
			}
			const node = createDevice(w.name, "project");
			const nodeNaive = naiveName ? createDriver(naiveName, "naive") : null;
			all.push({
				workload: w.name,
				project: figures(p, await worstChunk(xs, project)),
				floor: figures(f, await worstChunk(xs, floor)),
				naive: naive ? figures(n, await worstChunk(xs, naive)) : null,
				nodeProjectMBps: nodeMBps((b) => node.run(b)),
				nodeNaiveMBps: nodeNaive ? nodeMBps((b) => nodeNaive.run(b)) : NaN,
			});
		}
		const sends: SendFigures[] = [];
		for (const send of SENDS) sends.push(await sendTurns(xs, send));
		const longestSendTurn = Math.max(...sends.map((s) => Math.max(s.writeOps, s.turnOps, s.answerOps, s.nextTurnOps)));
		const text = all.filter((f) => !DEVICE_WORKLOADS.find((w) => w.name === f.workload)?.hex);
		const payload = text.filter((f) => f.workload !== "line-mix");
		const mix = all.find((f) => f.workload === "line-mix") as DeviceFigures;
		const naiveTime = (f: DeviceFigures) => (f.naive ? f.naive.msPerMB / f.project.msPerMB : NaN);
		return {
			table: {
				columns: [
					"workload",
					"ops/B",
					"floor",
					"x floor",
					"naive",
					"ms/MB",
					"floor",
					"naive",
					"slots/MB",
					"worst chunk ops",
					"floor",
					"naive",
					"other turns",
					"Node MB/s",
					"naive",
				],
				rows: all.map((f) => [
					f.workload,
					fixed(f.project.opsPerByte),
					fixed(f.floor.opsPerByte),
					ratio(f.project.opsPerByte / f.floor.opsPerByte),
					f.naive ? fixed(f.naive.opsPerByte) : "-",
					fixed(f.project.msPerMB),
					fixed(f.floor.msPerMB),
					f.naive ? fixed(f.naive.msPerMB) : "-",
					String(f.project.slotsPerMB),
					String(f.project.worstChunkOps),
					String(f.floor.worstChunkOps),
					f.naive ? String(f.naive.worstChunkOps) : "-",
					String(f.project.worstOtherOps),
					fixed(f.nodeProjectMBps),
					Number.isNaN(f.nodeNaiveMBps) ? "-" : fixed(f.nodeNaiveMBps),
				]),
			},
			notes: [
				`modem.receive(chunk) -> socket -> app read(buffer) in ${CHUNK}-byte chunks, view mode 1, showlength 1; ` +
					`median of ${ROUNDS} alternating rounds of ${ITERATIONS} x ${BUDGET / 1024} KiB; worst chunk over ${PASS_CHUNKS} chunks: its receive turn; ` +
					"other turns: the worst of the turns before a chunk (the app's write and the timer turns, separate on the device, measured as one)",
				"naive: bench/workloads.ts's naive parser: on line-mix's own stream (report-loop); on the nearest payload workloads (buffer-read, direct-push: view mode 0 text)",
				"the default configuration is text receive: the targets below are for the text workloads and line-mix",
				"sends, turn by turn (worst of " +
					SEND_REPEATS +
					"): " +
					sends
						.map(
							(s) =>
								`${s.send}: the app's write ${s.writeOps} ops; ${s.turns} turns to prepare, render and write it, ` +
								`the longest ${s.turnOps}, ${s.totalOps} in all` +
								(s.answerOps >= 0
									? `; the first one's SEND OK, a receive turn, ${s.answerOps}, then ${s.nextTurns} turns write the second, the longest ${s.nextTurnOps}`
									: ""),
						)
						.join("; "),
			],
			data: { workloads: all, sends, budget: BUDGET, iterations: ITERATIONS, rounds: ROUNDS, passChunks: PASS_CHUNKS },
			targets: [
				{
					name: `device path ops/B <= ${FLOOR_FACTOR}x the floor (text payload)`,
					value: payload.map((f) => `${f.workload} ${ratio(f.project.opsPerByte / f.floor.opsPerByte)}`).join(", "),
					met: payload.every((f) => f.project.opsPerByte <= FLOOR_FACTOR * f.floor.opsPerByte),
				},
				{
					name: `worst 128-byte chunk (and the turns between line-mix's chunks) <= ${WORST_OPS} XS ops (default configuration)`,
					value: text
						.map((f) => `${f.workload} ${f.project.worstChunkOps} (other ${f.project.worstOtherOps})`)
						.join(", "),
					met: text.every((f) => f.project.worstChunkOps <= WORST_OPS && f.project.worstOtherOps <= WORST_OPS),
				},
				{
					name:
						"a send's longest turn within the time the UART FIFO fills (3 M ops/s assumed): " +
						`115200 baud ${Math.round(FIFO_MS_115200 * OPS_PER_MS)} ops, 460800 baud ${Math.round(FIFO_MS_460800 * OPS_PER_MS)}`,
					value: `${longestSendTurn} ops (${fixed(longestSendTurn / OPS_PER_MS)} ms)`,
					met: longestSendTurn <= FIFO_MS_460800 * OPS_PER_MS,
				},
				{
					name: "0 XS heap slots per MB on the device path",
					value: all.map((f) => `${f.workload} ${f.project.slotsPerMB}`).join(", "),
					met: all.every((f) => f.project.slotsPerMB === 0),
				},
				{
					name: `device path XS time >= ${XS_VS_NAIVE_PAYLOAD}x the naive parser (payload), >= 1x (line-mix)`,
					value: [...payload, mix].map((f) => `${f.workload} ${ratio(naiveTime(f))}`).join(", "),
					met: payload.every((f) => naiveTime(f) >= XS_VS_NAIVE_PAYLOAD) && naiveTime(mix) >= 1,
				},
				{
					name: `device path Node MB/s >= ${NODE_VS_NAIVE}x the naive parser`,
					value: [...payload, mix].map((f) => `${f.workload} ${ratio(f.nodeProjectMBps / f.nodeNaiveMBps)}`).join(", "),
					met: [...payload, mix].every((f) => f.nodeProjectMBps >= NODE_VS_NAIVE * f.nodeNaiveMBps),
				},
			],
		};
	} finally {
		await xs.close();
	}
}

export const deviceCost: Section = {
	key: "deviceCost",
	title: "0. The device path inside XS: modem.receive -> socket -> read(buffer), beside the floor and the naive parser",
	run,
};
