// The benchmark workloads: module output prebuilt as byte streams, fed in
// 128-byte chunks (one UART FIFO's worth) by offset, through the project's
// engine on one side and the naive baseline on the other.
//
//   buffer-read   +QIURC: "recv",id -> AT+QIRD=id,512 -> +QIRD: 512, 512 bytes, OK
//   direct-push   +QIURC: "recv",id,512 followed by 512 bytes (view mode 0)
//   line-mix      two AT+QISEND (OK, a +CSCON URC, SEND OK), AT+QISTATE=0,1
//                 (three +QISTATE lines, OK), +CEREG and +CSCON URCs
//   report-loop   the device path's line-mix (bench/device-path.ts): one
//                 AT+QISEND (OK, +CSCON, SEND OK), then +CEREG and +CSCON URCs
//
// Each side has a driver that plays the host: it issues the command the
// stream answers next (through the real Channel on the project side), takes
// payload bytes the way a socket must (the project copies them out of the
// reused chunk; the naive parser hands over a new array), and reads the fields
// an application would (socket ids and states, URC values). Both sides tally
// the same events, so one run can prove they did the same work.
//
// Runtime-agnostic (no Node APIs): the benchmark bundles this file into XS.
import { ascii } from "../firmware/at/ascii.js";
import { Channel, type ChannelEvents } from "../firmware/at/channel.js";
import { type Command, type CommandWriter, spec, THEN_SEND_RESULT } from "../firmware/at/command.js";
import type { Line } from "../firmware/at/line.js";
import * as K from "../firmware/at/line-kind.js";
import { DROP_PAYLOAD, type PayloadSink, Reader, type ReaderEvents } from "../firmware/at/reader.js";
import type { Result } from "../firmware/at/result.js";
import type { Clock, Transport } from "../firmware/at/seams.js";
import { prng } from "../test/support/bytes.js";
import { type Latin1Codec, NaiveParser, type NaiveEvents, portableLatin1 } from "./naive-parser.js";
import * as U from "../firmware/bc20/urcs.js";
import { BC20_LINES } from "../firmware/bc20/urcs.js";

export const CHUNK = 128;
const PAYLOAD = 512;
// Streams hold whole cycles and at least this many bytes; drivers loop over them.
const STREAM_BYTES = 32 * 1024;
const COMMA = 44;

// ---- the streams ----

// Payload bytes: random values, with the sequences a line parser would trip
// on planted every 128 bytes. Data, never lines.
const HOSTILE = ascii('\r\nOK\r\n+QIURC: "recv",0,512\r\nSEND OK\r\n\x00\xff');

// A stream, and the offsets where the module waits for the host's next
// command before it goes on (its answer follows). Chunks never run past one:
// the project's channel writes a command when the turn that took the line
// asking for it ends, as on the wire.
export type Stream = Uint8Array & { readonly gates: Int32Array };

class StreamWriter {
	readonly out: number[] = [];
	readonly gates: number[] = [];
	// What follows answers a command.
	gate(): void {
		this.gates.push(this.out.length);
	}
	text(text: string): void {
		for (let i = 0; i < text.length; i++) this.out.push(text.charCodeAt(i) & 0xff);
	}
	payload(random: () => number, n: number): void {
		for (let i = 0; i < n; i++) this.out.push(i % 128 < HOSTILE.length ? HOSTILE[i % 128] : Math.floor(random() * 256));
	}
}

function build(cycle: (out: StreamWriter, index: number, random: () => number) => void): Stream {
	const out = new StreamWriter(),
		random = prng(20);
	for (let i = 0; out.out.length < STREAM_BYTES; i++) cycle(out, i, random);
	return Object.assign(new Uint8Array(out.out), { gates: new Int32Array(out.gates) });
}

function bufferReadStream(): Stream {
	return build((out, i, random) => {
		out.text(`\r\n+QIURC: "recv",${i % 5}\r\n`);
		out.gate();
		out.text(`\r\n+QIRD: ${PAYLOAD}\r\n`);
		out.payload(random, PAYLOAD);
		out.text("\r\nOK\r\n");
	});
}

function directPushStream(): Stream {
	return build((out, i, random) => {
		out.text(`\r\n+QIURC: "recv",${i % 5},${PAYLOAD}\r\n`);
		out.payload(random, PAYLOAD);
		out.text("\r\n");
	});
}

// The commands the line-mix drivers issue, in this order, forever.
const SEND_DATA = ascii("t=21.5;h=40;p=1013;v=3.3"); // a sensor report
const MIX_SEQUENCE = [0, 1, -1]; // QISEND on socket 0, on socket 1, then QISTATE (-1)

function lineMixStream(): Stream {
	return build((out, i) => {
		out.gate();
		out.text("\r\nOK\r\n\r\n+CSCON: 1\r\n\r\nSEND OK\r\n");
		out.gate();
		out.text("\r\nOK\r\n\r\nSEND OK\r\n");
		out.gate();
		for (let id = 0; id < 3; id++)
			out.text(
				`\r\n+QISTATE: ${id},"TCP","127.0.0.1",${8060 + id},${4000 + ((i + id) % 1000)},${(i + id) % 5},1,${id & 1}`,
			);
		out.text("\r\n\r\nOK\r\n");
		out.text(`\r\n+CEREG: ${i % 2 === 0 ? 1 : 5}\r\n\r\n+CSCON: 0\r\n`);
	});
}

// The device path's line-mix stream (bench/device-path.ts), byte for byte:
// the naive parser measured on the stream the device path runs.
const REPORT_SEQUENCE = [0]; // QISEND on socket 0, again and again

function reportLoopStream(): Stream {
	return build((out, i) => {
		out.gate();
		out.text("\r\nOK\r\n\r\n+CSCON: 1\r\n\r\nSEND OK\r\n");
		out.text(`\r\n+CEREG: ${i % 2 === 0 ? 1 : 5}\r\n\r\n+CSCON: 0\r\n`);
	});
}

// ---- what both sides count ----

// Order-sensitive hashes of the events, so that "same counts" means "same
// events in the same order". Hashing payload bytes costs as much as reading
// them, so it runs only when `verify` is set (the timed runs count bytes only).
export class Tally {
	verify = false;
	lines = 0;
	kinds = 0; // kind and announced payload length of every line
	fields = 0; // field values the driver read
	payloadBytes = 0;
	payloadHash = 0;
	errors = 0;

	line(kind: number, payloadLength: number): void {
		this.lines++;
		this.kinds = (this.kinds * 31 + kind * 4099 + payloadLength) | 0;
	}

	field(value: number): void {
		this.fields = (this.fields * 31 + value) | 0;
	}

	payload(bytes: Uint8Array, start: number, end: number): void {
		this.payloadBytes += end - start;
		if (!this.verify) return;
		let hash = this.payloadHash;
		for (let i = start; i < end; i++) hash = (hash * 31 + bytes[i]) | 0;
		this.payloadHash = hash;
	}
}

export interface Summary {
	lines: number;
	kinds: number;
	fields: number;
	payloadBytes: number;
	payloadHash: number;
	errors: number;
}

// Feeds a stream in CHUNK-byte pieces, looping over it; the position carries
// over between runs.
export abstract class Driver {
	readonly tally = new Tally();
	readonly stream: Stream;
	#at = 0;
	#gate = 0; // the next gate's index

	constructor(stream: Stream) {
		this.stream = stream;
	}

	abstract feed(bytes: Uint8Array, start: number, end: number): void;

	// Feeds whole chunks until at least `budget` bytes went in; returns how many.
	run(budget: number): number {
		const stream = this.stream,
			n = stream.length,
			gates = stream.gates;
		let at = this.#at,
			moved = 0,
			gate = this.#gate;
		while (moved < budget) {
			let end = at + CHUNK < n ? at + CHUNK : n;
			while (gate < gates.length && gates[gate] <= at) gate++;
			if (gate < gates.length && gates[gate] < end) end = gates[gate];
			this.feed(stream, at, end);
			moved += end - at;
			at = end;
			if (at === n) at = gate = 0;
		}
		this.#at = at;
		this.#gate = gate;
		return moved;
	}

	summary(): Summary {
		const t = this.tally;
		return {
			lines: t.lines,
			kinds: t.kinds,
			fields: t.fields,
			payloadBytes: t.payloadBytes,
			payloadHash: t.payloadHash,
			errors: t.errors,
		};
	}
}

// ---- the project side ----

// Every command completes long before a deadline: deadline timers are armed, never run.
class StillClock implements Clock {
	// Time stands still; a callback set for "now" (a turn of its own: the
	// channel writes a command submitted outside a turn from one) runs before
	// the next chunk. Deadlines never come. One slot per such callback.
	#due: ((() => void) | null)[] = [null, null, null, null];
	now(): number {
		return 0;
	}
	set(callback: () => void, ms: number): unknown {
		if (ms > 0) return -1;
		for (let i = 0; i < 4; i++) {
			if (this.#due[i] === null) {
				this.#due[i] = callback;
				return i;
			}
		}
		throw new Error("StillClock: out of slots");
	}
	clear(handle: unknown): void {
		if ((handle as number) >= 0) this.#due[handle as number] = null;
	}
	runDue(): void {
		for (let i = 0; i < 4; i++) {
			const callback = this.#due[i];
			if (callback !== null) {
				this.#due[i] = null;
				callback();
			}
		}
	}
}

const QIRD_PREFIX = ascii("AT+QIRD=");
const QISEND_PREFIX = ascii("AT+QISEND=");
const QISTATE_LINE = ascii("AT+QISTATE=0,1");
const QIRD_SPEC = spec("AT+QIRD", ascii("+QIRD:"), 300);
const QISEND_SPEC = spec("AT+QISEND", null, 300, THEN_SEND_RESULT, 5000);
const QISTATE_SPEC = spec("AT+QISTATE", ascii("+QISTATE:"), 300);

// Where a socket keeps received bytes: the reader's chunk is reused, so they
// must be copied out during the call.
function copyIn(dst: Uint8Array, at: number, src: Uint8Array, start: number, end: number): number {
	for (let i = start; i < end; i++) dst[at++] = src[i];
	return at;
}

// Shared by the Channel-driven drivers: a silent transport and the events
// that only count.
abstract class ChannelDriver extends Driver implements ChannelEvents, Transport {
	readonly channel: Channel;
	written = 0;
	#next: Command | null = null;
	#clock = new StillClock();

	constructor(stream: Stream) {
		super(stream);
		this.channel = new Channel({ lines: BC20_LINES, transport: this, clock: this.#clock, events: this });
	}

	// The channel takes it when the wire is free.
	submit(command: Command): void {
		this.#next = command;
		this.channel.kick();
	}

	nextCommand(): Command | null {
		const command = this.#next;
		this.#next = null;
		return command;
	}

	feed(bytes: Uint8Array, start: number, end: number): void {
		this.#clock.runDue();
		this.channel.receive(bytes, start, end);
	}

	write(_bytes: Uint8Array, start: number, end: number): void {
		this.written += end - start;
	}

	onTraceLine(line: Line): void {
		this.tally.line(line.kind, line.payloadLength);
	}

	abstract onUrc(line: Line): void;
	onReboot(): void {
		this.tally.errors++;
	}
	onRebooted(): void {}
	isDirectPush(): boolean {
		return false;
	}
	onPushStart(): PayloadSink {
		return DROP_PAYLOAD;
	}
	onPushEnd(): void {}
	onPushLoss(): void {}
}

class ReadCommand implements Command {
	readonly spec = QIRD_SPEC;
	readonly rx = new Uint8Array(PAYLOAD);
	connectId = 0;
	#received = 0;
	#owner: Driver;
	constructor(owner: Driver) {
		this.#owner = owner;
	}
	render(out: CommandWriter): void {
		out.literal(QIRD_PREFIX).int(this.connectId).byte(COMMA).int(PAYLOAD);
	}
	onPayloadStart(): void {
		this.#received = 0;
	}
	onPayload(bytes: Uint8Array, start: number, end: number): void {
		this.#received = copyIn(this.rx, this.#received, bytes, start, end);
		this.#owner.tally.payload(bytes, start, end);
	}
	onDone(result: Result): void {
		if (!result.ok || this.#received !== PAYLOAD) this.#owner.tally.errors++;
	}
}

class ProjectBufferRead extends ChannelDriver {
	readonly #read = new ReadCommand(this);

	onUrc(line: Line): void {
		if (line.kind !== K.URC_RECV) {
			this.tally.errors++;
			return;
		}
		const id = line.int(1);
		this.tally.field(id);
		this.#read.connectId = id;
		this.submit(this.#read);
	}
}

class SendCommand implements Command {
	readonly spec = QISEND_SPEC;
	#owner: ProjectLineMix;
	#connectId: number;
	constructor(owner: ProjectLineMix, connectId: number) {
		this.#owner = owner;
		this.#connectId = connectId;
	}
	render(out: CommandWriter): void {
		out
			.literal(QISEND_PREFIX)
			.int(this.#connectId)
			.byte(COMMA)
			.int(SEND_DATA.length)
			.byte(COMMA)
			.raw(SEND_DATA, 0, SEND_DATA.length);
	}
	onDone(result: Result): void {
		this.#owner.done(result.ok);
	}
}

class StateCommand implements Command {
	readonly spec = QISTATE_SPEC;
	#owner: ProjectLineMix;
	constructor(owner: ProjectLineMix) {
		this.#owner = owner;
	}
	render(out: CommandWriter): void {
		out.literal(QISTATE_LINE);
	}
	onResponse(line: Line): void {
		this.#owner.tally.field(line.int(0)); // connectID
		this.#owner.tally.field(line.int(5)); // socket_state
	}
	onDone(result: Result): void {
		this.#owner.done(result.ok);
	}
}

class ProjectLineMix extends ChannelDriver {
	readonly #commands: Command[];
	#step = 0;

	constructor(stream: Stream, sequence: readonly number[] = MIX_SEQUENCE) {
		super(stream);
		this.#commands = sequence.map((id) => (id >= 0 ? new SendCommand(this, id) : new StateCommand(this)));
		this.submit(this.#commands[0]);
	}

	done(ok: boolean): void {
		if (!ok) this.tally.errors++;
		this.#step = (this.#step + 1) % this.#commands.length;
		this.submit(this.#commands[this.#step]);
	}

	onUrc(line: Line): void {
		if (line.kind === U.URC_CSCON || line.kind === U.URC_CEREG) this.tally.field(line.int(0));
		else this.tally.errors++;
	}
}

// Direct push needs no command: the Reader alone.
class ProjectDirectPush extends Driver implements ReaderEvents {
	readonly reader: Reader;
	readonly rx = new Uint8Array(PAYLOAD);
	#expected = 0;
	#received = 0;

	constructor(stream: Stream) {
		super(stream);
		this.reader = new Reader(this, BC20_LINES);
	}

	feed(bytes: Uint8Array, start: number, end: number): void {
		this.reader.receive(bytes, start, end);
	}

	onLine(line: Line): void {
		this.tally.line(line.kind, line.payloadLength);
	}
	isDirectPush(): boolean {
		return true;
	}
	onPayloadStart(connectId: number, length: number): PayloadSink {
		this.tally.field(connectId);
		this.#expected = length;
		this.#received = 0;
		return this;
	}
	onPayload(bytes: Uint8Array, start: number, end: number): void {
		this.#received = copyIn(this.rx, this.#received, bytes, start, end);
		this.tally.payload(bytes, start, end);
	}
	onPayloadEnd(missing: number, badDigits: number): void {
		if (missing !== 0 || badDigits !== 0 || this.#received !== this.#expected) this.tally.errors++;
	}
}

// ---- the naive side ----

// What the typical host code around such a parser does: write command text,
// remember what it waits for, split fields out of response lines.
abstract class NaiveDriver extends Driver implements NaiveEvents {
	readonly parser: NaiveParser;
	written = 0;
	// The last payload handed over (a socket would queue it for the application).
	received: Uint8Array | null = null;

	constructor(stream: Stream, codec: Latin1Codec) {
		super(stream);
		this.parser = new NaiveParser(this, codec);
	}

	feed(bytes: Uint8Array, start: number, end: number): void {
		this.parser.receive(bytes, start, end);
	}

	write(text: string): void {
		this.written += text.length;
	}

	abstract onLine(kind: number, line: string, payloadLength: number): void;
	isDirectPush(): boolean {
		return false;
	}
	onPayload(_id: number, data: Uint8Array): void {
		this.received = data;
		this.tally.payload(data, 0, data.length);
		if (data.length !== PAYLOAD) this.tally.errors++;
	}
}

class NaiveBufferRead extends NaiveDriver {
	#reading = false;

	onLine(kind: number, line: string, payloadLength: number): void {
		this.tally.line(kind, payloadLength);
		if (kind === K.URC_RECV) {
			const id = Number(line.split(",")[1]);
			this.tally.field(id);
			this.write(`AT+QIRD=${id},${PAYLOAD}\r`);
			this.parser.expect = "+QIRD:";
			this.#reading = true;
		} else if (kind === K.OK && this.#reading) {
			this.#reading = false;
			this.parser.expect = null;
		} else if (kind !== K.RESPONSE) this.tally.errors++;
	}
}

class NaiveDirectPush extends NaiveDriver {
	onLine(kind: number, _line: string, payloadLength: number): void {
		this.tally.line(kind, payloadLength);
	}
	override isDirectPush(): boolean {
		return true;
	}
	override onPayload(id: number, data: Uint8Array): void {
		this.tally.field(id);
		super.onPayload(id, data);
	}
}

const SEND_TEXT = String.fromCharCode.apply(null, SEND_DATA as unknown as number[]);

class NaiveLineMix extends NaiveDriver {
	readonly #sequence: readonly number[];
	#step = 0;
	#sent = false; // OK came for a QISEND: SEND OK is next

	constructor(stream: Stream, codec: Latin1Codec, sequence: readonly number[] = MIX_SEQUENCE) {
		super(stream, codec);
		this.#sequence = sequence;
		this.#issue();
	}

	#issue(): void {
		const id = this.#sequence[this.#step];
		if (id >= 0) {
			this.write(`AT+QISEND=${id},${SEND_TEXT.length},${SEND_TEXT}\r`);
			this.parser.expect = null;
		} else {
			this.write("AT+QISTATE=0,1\r");
			this.parser.expect = "+QISTATE:";
		}
	}

	#next(): void {
		this.#step = (this.#step + 1) % this.#sequence.length;
		this.#issue();
	}

	onLine(kind: number, line: string, payloadLength: number): void {
		this.tally.line(kind, payloadLength);
		switch (kind) {
			case K.RESPONSE: {
				const fields = line.slice(line.indexOf(":") + 1).split(",");
				this.tally.field(Number(fields[0]));
				this.tally.field(Number(fields[5]));
				break;
			}
			case K.OK:
				if (this.#sequence[this.#step] >= 0) this.#sent = true;
				else this.#next();
				break;
			case K.SEND_OK:
				if (!this.#sent) this.tally.errors++;
				this.#sent = false;
				this.#next();
				break;
			case U.URC_CSCON:
			case U.URC_CEREG:
				this.tally.field(Number(line.slice(line.indexOf(":") + 1)));
				break;
			default:
				this.tally.errors++;
		}
	}
}

// ---- the catalogue ----

export interface Workload {
	name: string;
	description: string;
	stream(): Stream;
	project(stream: Stream): Driver;
	naive(stream: Stream, codec: Latin1Codec): Driver;
}

export const WORKLOADS: readonly Workload[] = [
	{
		name: "buffer-read",
		description: `+QIURC "recv" -> AT+QIRD -> +QIRD: ${PAYLOAD} + ${PAYLOAD} bytes + OK (Channel)`,
		stream: bufferReadStream,
		project: (stream) => new ProjectBufferRead(stream),
		naive: (stream, codec) => new NaiveBufferRead(stream, codec),
	},
	{
		name: "direct-push",
		description: `+QIURC: "recv",id,${PAYLOAD} + ${PAYLOAD} bytes (Reader)`,
		stream: directPushStream,
		project: (stream) => new ProjectDirectPush(stream),
		naive: (stream, codec) => new NaiveDirectPush(stream, codec),
	},
	{
		name: "line-mix",
		description: "QISEND OK/SEND OK, QISTATE lines, CSCON/CEREG URCs (Channel)",
		stream: lineMixStream,
		project: (stream) => new ProjectLineMix(stream),
		naive: (stream, codec) => new NaiveLineMix(stream, codec),
	},
	{
		name: "report-loop",
		description: "the device path's line-mix: QISEND OK/SEND OK with +CSCON, then CEREG/CSCON URCs (Channel)",
		stream: reportLoopStream,
		project: (stream) => new ProjectLineMix(stream, REPORT_SEQUENCE),
		naive: (stream, codec) => new NaiveLineMix(stream, codec, REPORT_SEQUENCE),
	},
];

export type Side = "project" | "naive";

function workload(name: string): Workload {
	for (const w of WORKLOADS) if (w.name === name) return w;
	throw new Error(`no workload named ${name}`);
}

export function createDriver(name: string, side: Side, codec: Latin1Codec = portableLatin1): Driver {
	const w = workload(name);
	return side === "project" ? w.project(w.stream()) : w.naive(w.stream(), codec);
}

export interface Comparison {
	match: boolean;
	bytes: number;
	project: Summary;
	naive: Summary;
}

// Runs both sides over `passes` whole passes of the stream (so both stop at a
// cycle boundary, where every event has been emitted) with payload hashing on.
export function compareSides(name: string, passes = 2, codec: Latin1Codec = portableLatin1): Comparison {
	const project = createDriver(name, "project"),
		naive = createDriver(name, "naive", codec);
	project.tally.verify = naive.tally.verify = true;
	const bytes = project.run(passes * project.stream.length);
	naive.run(passes * naive.stream.length);
	const p = project.summary(),
		n = naive.summary();
	const match =
		p.errors === 0 &&
		n.errors === 0 &&
		p.lines === n.lines &&
		p.kinds === n.kinds &&
		p.fields === n.fields &&
		p.payloadBytes === n.payloadBytes &&
		p.payloadHash === n.payloadHash;
	return { match, bytes, project: p, naive: n };
}
