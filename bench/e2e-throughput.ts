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
// paced by bench/e2e-session.ts's PacedLine (the emulator does not pace them).
// The sends run once more with the module's output paced by a PacedLine too
// ("bench" pacing), a cross-check of the emulator's own pacer.
import { randomBytes } from "node:crypto";
import type { Socket } from "../firmware/bc20/socket.js";
import { openBenchSession, type Pacing } from "./e2e-session.js";
import { type Framing, idealBytesPerSecond, receiveFraming, sendFraming } from "./framing.js";
import { sink, source } from "../test/support/loopback-servers.js";
import { fixed, type Section, type SectionResult } from "./section.js";

const BAUDS = [115200, 921600];
const DIAGNOSTIC_BAUDS = [921600];
const DURATION_S = 2.5;
const GOAL = 0.95;

type Direction = "send" | "receive";
type Format = "text" | "binary" | "hex";

export interface ThroughputFigures {
	direction: Direction;
	format: Format; // send: text | binary payload; receive: text | hex receive format
	baud: number;
	pacing: Pacing; // who paced module → host bytes
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
	// Send: the turnaround split, means per transfer: the bench's host → module
	// line (PacedLine) handing the command over after its due time; the
	// module's (emulator: from reading the command's last byte to emitting
	// SEND OK's, minus the answer's wire time); and the host's (pipe, driver
	// and app: from SEND OK emitted to the next command written).
	inputLateMs: number | null;
	moduleTurnaroundMs: number | null;
	hostTurnaroundMs: number | null;
}

// Printable bytes AT+QISEND carries as they are (no quote, comma, semicolon,
// backslash; no space at either end).
function textPayload(length: number): Uint8Array {
	const alphabet = Buffer.from(
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/+=()[]{}<>!?#$%&*@^~|",
		"latin1",
	);
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
		new Promise<never>(
			(_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms)),
		),
	]).finally(() => clearTimeout(timer));
}

const SEND_LINE = Buffer.from("AT+QISEND", "latin1");
const SEND_OK_END = "SEND OK\r\n";

function startsWith(bytes: Uint8Array, prefix: Buffer): boolean {
	return bytes.length >= prefix.length && prefix.equals(bytes.subarray(0, prefix.length));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function measureSend(baud: number, format: "text" | "binary", pacing: Pacing): Promise<ThroughputFigures> {
	const hex = format === "binary";
	const framing = sendFraming(0, hex);
	const ideal = idealBytesPerSecond(baud, framing);
	const size = sizeFor(ideal, framing.payload);
	const payload = hex ? new Uint8Array(randomBytes(size)) : textPayload(size);
	const peer = await sink();
	// When each send command was written, read by the module, and answered (SEND OK's last byte emitted).
	const written: number[] = [],
		read: number[] = [],
		answered: number[] = [];
	let tail = "";
	const session = await openBenchSession({
		baud,
		pacing,
		onHostWrite: (bytes) => void (startsWith(bytes, SEND_LINE) && written.push(performance.now())),
		onModuleRead: (bytes) => void (startsWith(bytes, SEND_LINE) && read.push(performance.now())),
		onEmit: (chunk) => {
			tail = (tail + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1")).slice(
				-SEND_OK_END.length,
			);
			if (tail === SEND_OK_END) answered.push(performance.now());
		},
	});
	try {
		const { modem, emulator } = session;
		const window = await withTimeout(
			new Promise<{ t1: number; s1: number; in1: number; t2: number; in2: number; first: number }>(
				(resolve, reject) => {
					let offset = 0;
					let t1 = -1,
						s1 = 0,
						in1 = 0,
						first = 0;
					modem.open({
						host: "127.0.0.1",
						port: peer.port,
						onWritable(this: Socket) {
							const now = performance.now(),
								sent = this.stats.sent;
							if (sent > 0 && t1 < 0) {
								t1 = now;
								s1 = sent;
								in1 = emulator.stats.bytesIn;
								first = answered.length; // transfers answered before the window
							}
							if (sent === size) {
								resolve({ t1, s1, in1, first, t2: now, in2: emulator.stats.bytesIn });
								return;
							}
							if (offset < size) offset += this.write(payload, offset, size);
						},
						onWarning: (error) => reject(error),
						onError: (error) => reject(error),
					});
				},
			),
			(size / ideal) * 4000 + 10_000,
			`send ${format} at ${baud}`,
		);
		// SEND OK means the emulator handed the bytes to its socket: wait for them to land.
		for (let i = 0; i < 200 && peer.received().length < size; i++) await new Promise((r) => setTimeout(r, 5));
		if (!peer.received().equals(payload))
			throw new Error(`send ${format} at ${baud}: the sink did not get the payload intact`);
		const windowBytes = size - window.s1,
			seconds = (window.t2 - window.t1) / 1000;
		const transfers = windowBytes / framing.payload;
		if (written.length !== read.length || read.length !== answered.length || answered.length * framing.payload !== size)
			throw new Error(
				`send ${format} at ${baud}: ${written.length} commands written, ${read.length} read, ${answered.length} answered`,
			);
		const periodMs = (seconds * 1000) / transfers;
		const msPerByte = 10_000 / baud;
		const wireMs = (framing.hostToModule + framing.moduleToHost) * msPerByte;
		// Transfer i's turnaround: module (read → SEND OK out, minus the answer's wire time) and host (SEND OK out → next command written).
		const late: number[] = [],
			module: number[] = [],
			host: number[] = [];
		for (let i = window.first; i < answered.length - 1; i++) {
			late.push(read[i] - written[i] - framing.hostToModule * msPerByte);
			module.push(answered[i] - read[i] - framing.moduleToHost * msPerByte);
			host.push(written[i + 1] - answered[i]);
		}
		const bytesPerSecond = windowBytes / seconds;
		return {
			direction: "send",
			format,
			baud,
			pacing,
			payloadBytes: size,
			windowBytes,
			windowSeconds: seconds,
			bytesPerSecond,
			idealBytesPerSecond: ideal,
			efficiency: bytesPerSecond / ideal,
			framing,
			lineBytesPerPayloadModel: framing.hostToModule / framing.payload,
			lineBytesPerPayloadMeasured: (window.in2 - window.in1) / windowBytes,
			transfers,
			periodMs,
			wireMs,
			turnaroundMs: periodMs - wireMs,
			inputLateMs: mean(late),
			moduleTurnaroundMs: mean(module),
			hostTurnaroundMs: mean(host),
		};
	} finally {
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
		const window = await withTimeout(
			new Promise<{ t1: number; r1: number; out1: number; t2: number; out2: number }>((resolve, reject) => {
				let total = 0;
				let t1 = -1,
					r1 = 0,
					out1 = 0;
				modem.open({
					host: "127.0.0.1",
					port: peer.port,
					mode: 1,
					onConnected() {
						peer.send(payload).catch(reject);
					},
					onReadable(this: Socket) {
						const now = performance.now();
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
			}),
			(size / ideal) * 4000 + 10_000,
			`receive ${format} at ${baud}`,
		);
		if (!Buffer.from(received).equals(Buffer.from(payload)))
			throw new Error(`receive ${format} at ${baud}: the payload did not arrive intact`);
		const windowBytes = size - window.r1,
			seconds = (window.t2 - window.t1) / 1000;
		const lineBytes = window.out2 - window.out1;
		// URCs in the window: the module → host bytes beyond the data, over one URC's framing.
		const perUrcFraming = framing.moduleToHost - (hex ? 2 : 1) * framing.payload;
		const transfers = (lineBytes - (hex ? 2 : 1) * windowBytes) / perUrcFraming;
		const periodMs = (seconds * 1000) / transfers;
		const wireMs = ((lineBytes / transfers) * 10 * 1000) / baud;
		const bytesPerSecond = windowBytes / seconds;
		return {
			direction: "receive",
			format,
			baud,
			pacing: "emulator",
			payloadBytes: size,
			windowBytes,
			windowSeconds: seconds,
			bytesPerSecond,
			idealBytesPerSecond: ideal,
			efficiency: bytesPerSecond / ideal,
			framing,
			lineBytesPerPayloadModel: framing.moduleToHost / framing.payload,
			lineBytesPerPayloadMeasured: lineBytes / windowBytes,
			transfers,
			periodMs,
			wireMs,
			turnaroundMs: periodMs - wireMs,
			inputLateMs: null,
			moduleTurnaroundMs: null,
			hostTurnaroundMs: null,
		};
	} finally {
		await session.close();
		await peer.close();
	}
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

function label(f: ThroughputFigures): string {
	return f.direction === "send"
		? `send ${f.format} (${f.format === "text" ? "QISEND" : "QISENDEX"} ${f.framing.payload})`
		: `receive ${f.format} (push ${f.framing.payload})`;
}

async function run(): Promise<SectionResult> {
	const all: ThroughputFigures[] = [];
	for (const baud of BAUDS) {
		all.push(await measureSend(baud, "text", "emulator"));
		all.push(await measureSend(baud, "binary", "emulator"));
		all.push(await measureReceive(baud, "text"));
		all.push(await measureReceive(baud, "hex"));
	}
	// Cross-check: the sends again with the module's answers paced by the bench
	// instead of the emulator's OutputPacer.
	for (const baud of DIAGNOSTIC_BAUDS) {
		all.push(await measureSend(baud, "text", "bench"));
		all.push(await measureSend(baud, "binary", "bench"));
	}
	const official = all.filter((f) => f.pacing === "emulator");
	const below = official.filter((f) => f.efficiency < GOAL);
	const ms = (x: number | null) => (x === null ? "-" : x.toFixed(2));
	const notes = [
		"ideal = baud/10 bytes/s x payload / UART bytes per transfer in the busier direction, from the formats:",
		...[...new Map(all.map((f) => [label(f), f])).values()].map(
			(f) =>
				`  ${label(f)}: ${f.framing.payload} payload bytes in ` +
				(f.direction === "send"
					? `${f.framing.hostToModule} bytes host -> module (and ${f.framing.moduleToHost} module -> host: OK, SEND OK)`
					: `${f.framing.moduleToHost} bytes module -> host`) +
				` = ${percent(f.framing.payload / Math.max(f.framing.hostToModule, f.framing.moduleToHost))} of the line`,
		),
		"steady state: timed from the first completed transfer to the last; each payload checked byte for byte at the far end",
		"line B/payload B: UART bytes per payload byte in the bottleneck direction, the format's / counted by the emulator",
		"turnaround: ms per transfer beyond the wire time of its bytes in both directions (the driver waits for SEND OK " +
			"before the next send, as the module requires; a push needs no answer); for sends, split into the module's " +
			"(emulator: command read -> SEND OK out), the host's (pipe + driver + app: SEND OK out -> next command written) " +
			'and the bench line\'s lateness ("late": the command reached the emulator after its last bit was due)',
		"pacing: the emulator paces its output (immediates for waits under 1.5 ms, timers beyond) but reads host bytes at " +
			'once, so the bench paces host -> module bytes itself (PacedLine: a timer, then setImmediate polling); "bench" ' +
			"rows pace module -> host bytes with a PacedLine too (a cross-check, not the target's figure)",
	];
	if (below.length > 0) {
		notes.push(
			`below ${GOAL * 100} %: ${below
				.map(
					(f) =>
						`${label(f)} at ${f.baud} (${percent(f.efficiency)}: ` +
						`${ms(f.turnaroundMs)} ms turnaround per ${fixed(f.periodMs)} ms transfer: module ${ms(f.moduleTurnaroundMs)}, ` +
						`host ${ms(f.hostTurnaroundMs)}, late ${ms(f.inputLateMs)})`,
				)
				.join("; ")}`,
		);
	}
	return {
		table: {
			columns: [
				"case",
				"baud",
				"pacing",
				"payload B",
				"B/s",
				"ideal B/s",
				"of ideal",
				"line B/payload B",
				"counted",
				"turnaround ms",
				"module",
				"host",
				"late",
			],
			rows: all.map((f) => [
				label(f),
				String(f.baud),
				f.pacing,
				String(f.payloadBytes),
				fixed(f.bytesPerSecond),
				fixed(f.idealBytesPerSecond),
				percent(f.efficiency),
				f.lineBytesPerPayloadModel.toFixed(4),
				f.lineBytesPerPayloadMeasured.toFixed(4),
				ms(f.turnaroundMs),
				ms(f.moduleTurnaroundMs),
				ms(f.hostTurnaroundMs),
				ms(f.inputLateMs),
			]),
		},
		notes,
		data: { cases: all, durationTargetSeconds: DURATION_S, goal: GOAL },
		targets: [
			{
				name: `end-to-end throughput >= ${GOAL * 100} % of the line-rate ideal (emulator pacing, TCP send and receive)`,
				value: official.map((f) => `${f.direction} ${f.format} @${f.baud} ${percent(f.efficiency)}`).join(", "),
				met: below.length === 0,
			},
		],
	};
}

export const e2eThroughput: Section = {
	key: "e2eThroughput",
	title: "4. End-to-end throughput through the emulator (% of the line-rate ideal, higher is better)",
	run,
};
