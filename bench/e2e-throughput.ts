// Section 4: payload throughput through the emulated BC20 (real loopback TCP
// behind it) at emulated 115200 and 921600 baud, as a share of the line-rate
// ideal that the AT framing allows (bench/framing.ts).
//
// - send: the app keeps the socket's transmit buffer full (onWritable); a
//   loopback sink takes the data. A printable-text payload goes as
//   AT+QISEND (1024 bytes per command), a binary one as AT+QISENDEX (512 bytes
//   as 1024 hex digits): each has its own ideal.
// - receive: a loopback source sends the payload at once to a direct-push
//   socket (view mode 1); the app reads everything in onReadable. Text and hex
//   receive formats (AT+QICFG="dataformat",0,<0|1>), each against its own ideal.
//
// Steady state only: the clock starts at the first completed transfer (first
// onWritable after a SEND OK, first onReadable) and stops at the last, and
// only the payload moved in between counts. Each payload is sized for about
// DURATION_S at the ideal rate, and is checked byte for byte at the far end.
// The emulator paces its output at the baud rate; host → module bytes are
// paced by bench/e2e-session.ts's PacedInput (the emulator does not pace them).
import { randomBytes } from "node:crypto";
import type { Socket } from "../firmware/bc20/socket.js";
import { openBenchSession } from "./e2e-session.js";
import { type Framing, idealBytesPerSecond, receiveFraming, sendFraming } from "./framing.js";
import { sink, source } from "./loopback-peers.js";
import { fixed, type Section, type SectionResult } from "./section.js";

const BAUDS = [115200, 921600];
const DURATION_S = 2.5;
const GOAL = 0.95;

type Direction = "send" | "receive";
type Format = "text" | "binary" | "hex";

export interface ThroughputFigures {
	direction: Direction;
	format: Format; // send: text | binary payload; receive: text | hex receive format
	baud: number;
	payloadBytes: number; // whole run
	windowBytes: number; // payload inside the timed window
	windowSeconds: number;
	bytesPerSecond: number;
	idealBytesPerSecond: number;
	efficiency: number; // bytesPerSecond / idealBytesPerSecond
	framing: Framing;
	// UART bytes per payload byte in the bottleneck direction: the format's
	// (largest transfer) and what the emulator counted in the window.
	lineBytesPerPayloadModel: number;
	lineBytesPerPayloadMeasured: number;
	transfers: number; // commands or URCs in the window
	// Per transfer: the period, the wire time of its bytes (both directions,
	// as the driver waits for SEND OK before the next send), and the rest.
	periodMs: number;
	wireMs: number;
	turnaroundMs: number;
	// Mean lateness of PacedInput's deliveries (send only), microseconds.
	inputPacingLateUs: number | null;
}

// Printable bytes AT+QISEND carries as they are (no quote, comma, semicolon,
// backslash; no space at either end).
function textPayload(length: number): Uint8Array {
	const alphabet = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/+=()[]{}<>!?#$%&*@^~|", "latin1");
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = alphabet[(i * 7 + (i >> 5)) % alphabet.length];
	return out;
}

function sizeFor(ideal: number, chunk: number): number {
	return chunk * Math.max(8, Math.ceil((ideal * DURATION_S) / chunk));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	return Promise.race([
		promise,
		new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms)),
	]).finally(() => clearTimeout(timer));
}

async function measureSend(baud: number, format: "text" | "binary"): Promise<ThroughputFigures> {
	const hex = format === "binary";
	const framing = sendFraming(0, hex);
	const ideal = idealBytesPerSecond(baud, framing);
	const size = sizeFor(ideal, framing.payload);
	const payload = hex ? new Uint8Array(randomBytes(size)) : textPayload(size);
	const peer = await sink();
	const session = await openBenchSession({ baud });
	try {
		const { modem, emulator, input } = session;
		const window = await withTimeout(new Promise<{ t1: number; s1: number; in1: number; out1: number; t2: number; in2: number; out2: number }>(
			(resolve, reject) => {
				let offset = 0;
				let t1 = -1, s1 = 0, in1 = 0, out1 = 0;
				modem.open({
					host: "127.0.0.1", port: peer.port,
					onWritable(this: Socket) {
						const now = performance.now(), sent = this.stats.sent;
						if (sent > 0 && t1 < 0) {
							t1 = now;
							s1 = sent;
							in1 = emulator.stats.bytesIn;
							out1 = emulator.stats.bytesOut;
						}
						if (sent === size) {
							resolve({ t1, s1, in1, out1, t2: now, in2: emulator.stats.bytesIn, out2: emulator.stats.bytesOut });
							return;
						}
						if (offset < size) offset += this.write(payload, offset, size);
					},
					onWarning: (error) => reject(error),
					onError: (error) => reject(error),
				});
			}), (size / ideal) * 4000 + 10_000, `send ${format} at ${baud}`);
		// SEND OK means the emulator handed the bytes to its socket: wait for them to land.
		for (let i = 0; i < 200 && peer.received().length < size; i++) await new Promise((r) => setTimeout(r, 5));
		if (!peer.received().equals(payload)) throw new Error(`send ${format} at ${baud}: the sink did not get the payload intact`);
		const windowBytes = size - window.s1, seconds = (window.t2 - window.t1) / 1000;
		const transfers = windowBytes / framing.payload;
		const periodMs = (seconds * 1000) / transfers;
		const wireMs = ((framing.hostToModule + framing.moduleToHost) * 10 * 1000) / baud;
		const bytesPerSecond = windowBytes / seconds;
		return {
			direction: "send", format, baud, payloadBytes: size, windowBytes, windowSeconds: seconds, bytesPerSecond,
			idealBytesPerSecond: ideal, efficiency: bytesPerSecond / ideal, framing,
			lineBytesPerPayloadModel: framing.hostToModule / framing.payload,
			lineBytesPerPayloadMeasured: (window.in2 - window.in1) / windowBytes,
			transfers, periodMs, wireMs, turnaroundMs: periodMs - wireMs,
			inputPacingLateUs: input && input.deliveries > 0 ? (1000 * input.lateMs) / input.deliveries : null,
		};
	}
	finally {
		await session.close();
		await peer.close();
	}
}

async function measureReceive(baud: number, format: "text" | "hex"): Promise<ThroughputFigures> {
	const hex = format === "hex";
	const framing = receiveFraming(0, hex);
	const ideal = idealBytesPerSecond(baud, framing);
	const size = sizeFor(ideal, framing.payload);
	const payload = new Uint8Array(randomBytes(size));
	const peer = await source();
	const session = await openBenchSession({ baud, modem: { receiveHex: hex } });
	try {
		const { modem, emulator } = session;
		const received = new Uint8Array(size);
		const window = await withTimeout(new Promise<{ t1: number; r1: number; out1: number; t2: number; out2: number }>(
			(resolve, reject) => {
				let total = 0;
				let t1 = -1, r1 = 0, out1 = 0;
				modem.open({
					host: "127.0.0.1", port: peer.port, mode: 1,
					onConnected() {
						peer.send(payload).catch(reject);
					},
					onReadable(this: Socket) {
						const now = performance.now();
						// The ring holds 2048 bytes: more than the payload left would be a bug.
						for (let n; (n = this.read(received, total, size)) > 0;) total += n;
						if (t1 < 0) {
							t1 = now;
							r1 = total;
							out1 = emulator.stats.bytesOut;
						}
						if (total === size) resolve({ t1, r1, out1, t2: now, out2: emulator.stats.bytesOut });
					},
					onWarning: (error) => reject(error),
					onError: (error) => reject(error),
				});
			}), (size / ideal) * 4000 + 10_000, `receive ${format} at ${baud}`);
		if (!Buffer.from(received).equals(Buffer.from(payload)))
			throw new Error(`receive ${format} at ${baud}: the payload did not arrive intact`);
		const windowBytes = size - window.r1, seconds = (window.t2 - window.t1) / 1000;
		const lineBytes = window.out2 - window.out1;
		// URCs in the window: the module → host bytes beyond the data, over one URC's framing.
		const perUrcFraming = framing.moduleToHost - (hex ? 2 : 1) * framing.payload;
		const transfers = (lineBytes - (hex ? 2 : 1) * windowBytes) / perUrcFraming;
		const periodMs = (seconds * 1000) / transfers;
		const wireMs = (lineBytes / transfers) * 10 * 1000 / baud;
		const bytesPerSecond = windowBytes / seconds;
		return {
			direction: "receive", format, baud, payloadBytes: size, windowBytes, windowSeconds: seconds, bytesPerSecond,
			idealBytesPerSecond: ideal, efficiency: bytesPerSecond / ideal, framing,
			lineBytesPerPayloadModel: framing.moduleToHost / framing.payload,
			lineBytesPerPayloadMeasured: lineBytes / windowBytes,
			transfers, periodMs, wireMs, turnaroundMs: periodMs - wireMs, inputPacingLateUs: null,
		};
	}
	finally {
		await session.close();
		await peer.close();
	}
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

async function run(): Promise<SectionResult> {
	const all: ThroughputFigures[] = [];
	for (const baud of BAUDS) {
		all.push(await measureSend(baud, "text"));
		all.push(await measureSend(baud, "binary"));
		all.push(await measureReceive(baud, "text"));
		all.push(await measureReceive(baud, "hex"));
	}
	const label = (f: ThroughputFigures) => f.direction === "send"
		? `send ${f.format} (${f.format === "text" ? "QISEND" : "QISENDEX"} ${f.framing.payload})`
		: `receive ${f.format} (push ${f.framing.payload})`;
	const notes = [
		"ideal = baud/10 bytes/s x payload / UART bytes per transfer in the busier direction, from the formats:",
		...[...new Map(all.map((f) => [label(f), f])).values()].map((f) => `  ${label(f)}: ${f.framing.payload} payload bytes in ` +
			`${f.direction === "send" ? f.framing.hostToModule + " bytes host -> module (+" + f.framing.moduleToHost +
				" module -> host: OK, SEND OK)" : f.framing.moduleToHost + " bytes module -> host"}` +
			` = ${percent(f.framing.payload / Math.max(f.framing.hostToModule, f.framing.moduleToHost))} of the line`),
		"steady state: timed from the first completed transfer to the last; payload checked byte for byte at the far end",
		"line B/payload B: UART bytes per payload byte in the bottleneck direction, the format's vs counted by the emulator",
		"turnaround: per transfer, the period minus the wire time of its bytes in both directions (the driver waits for " +
			"SEND OK before the next send; a push needs no answer)",
		"the emulator paces only its own output; host -> module bytes are paced by the bench (PacedInput, " +
			`mean lateness ${all.filter((f) => f.inputPacingLateUs !== null).map((f) => fixed(f.inputPacingLateUs!)).join("/")} us)`,
	];
	const below = all.filter((f) => f.efficiency < GOAL);
	if (below.length > 0) {
		notes.push(`below ${GOAL * 100} %: ${below.map((f) => `${label(f)} at ${f.baud} (${percent(f.efficiency)}, ` +
			`${fixed(f.turnaroundMs)} ms turnaround per ${fixed(f.periodMs)} ms transfer)`).join("; ")}`);
	}
	return {
		table: {
			columns: ["case", "baud", "payload B", "B/s", "ideal B/s", "of ideal", "line B/payload B", "measured", "turnaround ms"],
			rows: all.map((f) => [label(f), String(f.baud), String(f.payloadBytes), fixed(f.bytesPerSecond),
				fixed(f.idealBytesPerSecond), percent(f.efficiency), f.lineBytesPerPayloadModel.toFixed(4),
				f.lineBytesPerPayloadMeasured.toFixed(4), fixed(f.turnaroundMs)]),
		},
		notes,
		data: { cases: all, durationTargetSeconds: DURATION_S, goal: GOAL },
		targets: [{
			name: `end-to-end throughput >= ${GOAL * 100} % of the line-rate ideal (emulator, TCP send and receive)`,
			value: all.map((f) => `${f.direction} ${f.format} @${f.baud} ${percent(f.efficiency)}`).join(", "),
			met: below.length === 0,
		}],
	};
}

export const e2eThroughput: Section = {
	key: "e2eThroughput",
	title: "4. End-to-end throughput through the emulator (% of the line-rate ideal, higher is better)",
	run,
};
