// The path the device runs, end to end in one engine: modem.receive(chunk)
// (through modem.receiver, as the serial adapter feeds it) ->
// reader -> socket ring -> the application's read(buffer), in 128-byte
// chunks (one ESP32 UART FIFO), beside the floor: the cheapest
// zero-allocation loop that does the unavoidable work on the same stream
// (native set of the chunk into a scratch, native indexOf for each LF of the
// lines, a native copy of payload bytes out, a table read per hex digit).
//
//   buffer-text  +QIURC: "recv",0,512 -> AT+QIRD=0,512 -> +QIRD: 512,0,<512 bytes> OK -> +QIRD: 0
//   buffer-hex   the same with hex receive (1024 digits a read)
//   push-text    +QIURC: "recv",1,512,<512 bytes> (direct push)
//   push-hex     the same in hex
//   line-mix     the app writes a report (AT+QISEND: OK, +CSCON, SEND OK), URCs
//
// The module's output is prebuilt and cut into chunk views once; a chunk
// that answers a command is fed only once that command was written (a chunk
// never runs past such a point), as on the wire. The driver reads into the
// modem's input buffer (where a UART adapter would read), and the app reads
// into the modem's read buffer: both copies are native then.
//
// Runtime-agnostic (no Node APIs): bench/device-cost.ts bundles it into XS.
import { ascii, HEX_VALUE } from "../firmware/at/ascii.js";
import type { ByteRing } from "../firmware/at/byte-ring.js";
import type { Transport } from "../firmware/at/seams.js";
import { BC20 } from "../firmware/bc20/modem.js";
import type { Socket } from "../firmware/bc20/socket.js";
import { FakeModule } from "../test/support/bc20-fake-module.js";
import { expectBringUp, OK } from "../test/support/bc20-harness.js";
import { prng } from "../test/support/bytes.js";
import { VirtualClock } from "../test/support/virtual-clock.js";

export const CHUNK = 128;
const PAYLOAD = 512;
const STREAM_BYTES = 32 * 1024;
const LF = 10;

export interface DeviceWorkload {
	name: string;
	hex: boolean;
	mode: number; // socket access mode: 0 buffer, 1 direct push
	payload: boolean; // a payload workload (the 2x-floor target applies)
}

export const DEVICE_WORKLOADS: readonly DeviceWorkload[] = [
	{ name: "buffer-text", hex: false, mode: 0, payload: true },
	{ name: "buffer-hex", hex: true, mode: 0, payload: true },
	{ name: "push-text", hex: false, mode: 1, payload: true },
	{ name: "push-hex", hex: true, mode: 1, payload: true },
	{ name: "line-mix", hex: false, mode: 1, payload: false },
];

// Once set up, takes what the driver writes as the serial adapter does (into
// the modem's output ring, here emptied at once, as if the FIFO took it all)
// and counts the command lines.
class CountingTransport implements Transport {
	fake: FakeModule | null = null;
	output: ByteRing | null = null;
	commands = 0;
	write(data: Uint8Array, start: number, end: number): void {
		if (this.fake !== null) return this.fake.write(data, start, end);
		const output = this.output as ByteRing;
		output.push(data, start, end);
		output.discard(output.count);
		if (data[end - 1] === 13) this.commands++;
	}
}

// The module's output as bytes, with the points where it waits for a command
// (gates: the command count it needs) and where the app writes a report.
class Script {
	readonly out: number[] = [];
	readonly gates: number[] = []; // [offset, commands needed] pairs
	readonly writes: number[] = []; // offsets where the app writes first
	commands = 0;
	text(text: string): void {
		for (let i = 0; i < text.length; i++) this.out.push(text.charCodeAt(i) & 0xff);
	}
	bytes(data: Uint8Array): void {
		for (let i = 0; i < data.length; i++) this.out.push(data[i]);
	}
	// What follows answers the next command.
	gate(): void {
		this.gates.push(this.out.length, ++this.commands);
	}
	appWrites(): void {
		this.writes.push(this.out.length);
	}
}

const HOSTILE = ascii('\r\nOK\r\n+QIURC: "recv",0,512\r\nSEND OK\r\n\x00\xff');
const HEX = ascii("0123456789ABCDEF");
const REPORT = ascii("t=21.5;h=40;p=1013;v=3.3");

function payload(random: () => number, hex: boolean): Uint8Array {
	const data = new Uint8Array(PAYLOAD);
	for (let i = 0; i < PAYLOAD; i++) data[i] = i % 128 < HOSTILE.length ? HOSTILE[i % 128] : Math.floor(random() * 256);
	if (!hex) return data;
	const digits = new Uint8Array(PAYLOAD * 2);
	for (let i = 0; i < PAYLOAD; i++) {
		digits[2 * i] = HEX[data[i] >> 4];
		digits[2 * i + 1] = HEX[data[i] & 15];
	}
	return digits;
}

function script(w: DeviceWorkload, socketId: number): Script {
	const s = new Script(),
		random = prng(20);
	for (let i = 0; s.out.length < STREAM_BYTES; i++) {
		if (w.name === "line-mix") {
			s.appWrites();
			s.gate();
			s.text(OK + "\r\n+CSCON: 1\r\n\r\nSEND OK\r\n");
			s.text(`\r\n+CEREG: ${i % 2 === 0 ? 1 : 5}\r\n\r\n+CSCON: 0\r\n`);
		} else if (w.mode === 0) {
			s.text(`\r\n+QIURC: "recv",${socketId},${PAYLOAD}\r\n`);
			s.gate();
			s.text(`\r\n+QIRD: ${PAYLOAD},0,`);
			s.bytes(payload(random, w.hex));
			s.text("\r\n" + OK);
			s.gate();
			s.text("\r\n+QIRD: 0\r\n" + OK);
		} else {
			s.text(`\r\n+QIURC: "recv",${socketId},${PAYLOAD},`);
			s.bytes(payload(random, w.hex));
			s.text("\r\n");
		}
	}
	return s;
}

// The stream cut into chunk views once: at most CHUNK bytes, never across a gate.
function cut(s: Script): { stream: Uint8Array; chunks: Uint8Array[]; need: number[]; write: boolean[] } {
	const stream = new Uint8Array(s.out);
	const chunks: Uint8Array[] = [],
		need: number[] = [],
		write: boolean[] = [];
	let g = 0,
		w = 0,
		commands = 0;
	for (let at = 0; at < stream.length;) {
		let end = Math.min(at + CHUNK, stream.length);
		while (g < s.gates.length && s.gates[g] <= at) ((commands = s.gates[g + 1]), (g += 2));
		if (g < s.gates.length && s.gates[g] < end) end = s.gates[g];
		let writes = false;
		while (w < s.writes.length && s.writes[w] <= at) ((writes = true), w++);
		if (w < s.writes.length && s.writes[w] < end) end = s.writes[w];
		chunks.push(stream.subarray(at, end));
		need.push(commands);
		write.push(writes);
		at = end;
	}
	return { stream, chunks, need, write };
}

export interface DeviceRun {
	bytes: number;
	read: number; // payload bytes the app read
	errors: number;
}

// The project's device path for one workload.
export class DevicePath {
	readonly workload: DeviceWorkload;
	errors = 0;
	read = 0;
	#clock = new VirtualClock();
	#transport = new CountingTransport();
	// What the serial adapter feeds (firmware/platform/serial-transport.ts): modem.receiver.
	#receiver: { receive(chunk: Uint8Array, start: number, end: number): void };
	#socket: Socket;
	#input: Uint8Array;
	#chunks: Uint8Array[];
	#need: number[];
	#write: boolean[];
	#at = 0;
	#commandsBase = 0; // commands written before the stream started (per pass)
	#before = -1; // the chunk whose turns before() ran

	constructor(name: string) {
		const w = (this.workload = DEVICE_WORKLOADS.find((x) => x.name === name) as DeviceWorkload);
		if (w === undefined) throw new Error(`no device workload ${name}`);
		const fake = new FakeModule();
		this.#transport.fake = fake;
		const modem = new BC20({ transport: this.#transport, clock: this.#clock, receiveHex: w.hex });
		fake.connect((chunk, start, end) => modem.receive(chunk, start, end));
		expectBringUp(fake, { hex: w.hex ? 1 : 0, view: 1, show: 1 });
		modem.start({ onReady() {}, onError() {} });
		this.#spin(fake);
		fake.expect(`AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,${w.mode}`, OK + "\r\n+QIOPEN: 0,0\r\n");
		// The app reads into the modem's read buffer, as a device app should.
		const self = this,
			into = modem.readBuffer;
		this.#socket = modem.open({
			host: "127.0.0.1",
			port: 9000,
			mode: w.mode,
			onReadable() {
				for (let n = this.read(into); n > 0; n = this.read(into)) self.read += n;
			},
			onWarning() {
				self.errors++;
			},
			onError() {
				self.errors++;
			},
		});
		this.#spin(fake);
		if (this.#socket.state !== 2 || fake.unexpected.length > 0) throw new Error(`device path ${name}: setup failed`);
		this.#transport.fake = null;
		this.#transport.output = modem.outputRing;
		const { chunks, need, write } = cut(script(w, this.#socket.id));
		this.#chunks = chunks;
		this.#need = need;
		this.#write = write;
		this.#input = modem.inputBuffer;
		this.#receiver = modem.receiver;
	}

	#spin(fake: FakeModule): void {
		for (let i = 0; i < 100; i++) {
			fake.pump();
			this.#clock.run();
		}
	}

	// The turns before the next chunk: the app writes its report (line-mix),
	// and the deferred turns run (commands written at the end of a turn). On
	// the device these are turns of their own (the app's callback, a timer),
	// apart from the UART's. Runs once per chunk.
	before(): void {
		const i = this.#at;
		if (this.#before === i) return;
		this.#before = i;
		if (this.#write[i] && this.#socket.write(REPORT) !== REPORT.length) this.errors++;
		this.#clock.run();
		if (this.#transport.commands - this.#commandsBase < this.#need[i]) {
			this.#clock.run();
			if (this.#transport.commands - this.#commandsBase < this.#need[i]) this.errors++;
		}
	}

	// The receive turn of one chunk, as the UART's onReadable would hand it
	// (after before()); returns its length.
	receive(): number {
		const i = this.#at,
			chunk = this.#chunks[i];
		const input = this.#input,
			n = chunk.length;
		input.set(chunk); // the UART read (native on the device)
		this.#receiver.receive(input, 0, n);
		this.#before = -1;
		if (++this.#at === this.#chunks.length) {
			this.#at = 0;
			this.#commandsBase = this.#transport.commands;
		}
		return n;
	}

	// One chunk and the turns before it; returns its length.
	step(): number {
		this.before();
		return this.receive();
	}

	// Whole chunks until at least `budget` bytes went in.
	run(budget: number): number {
		let moved = 0;
		while (moved < budget) moved += this.step();
		return moved;
	}

	// A send, turn by turn, on a path of its own (its commands are not the
	// stream's): the app's write(), then the timer turns that prepare the
	// AT+QISEND or AT+QISENDEX, render it and write it, one per sendTurn()
	// (false when none was due); then the module's answer.
	sendWrite(data: Uint8Array): number {
		return this.#socket.write(data);
	}

	// Command lines written so far.
	get commands(): number {
		return this.#transport.commands;
	}

	sendTurn(): boolean {
		return this.#clock.fireOne();
	}

	// The module's answer to the send on the wire, in two receive turns, as
	// on the wire: OK once it took the data (sendAccepted), SEND OK once the
	// network took it (sendOk); each returns the command lines written so far
	// (a send prepared ahead goes in SEND OK's).
	sendAccepted(): number {
		return this.#feed(SEND_ACCEPTED);
	}

	sendOk(): number {
		return this.#feed(SEND_OK_LINE);
	}

	#feed(bytes: Uint8Array): number {
		const input = this.#input;
		input.set(bytes);
		this.#receiver.receive(input, 0, bytes.length);
		return this.#transport.commands;
	}

	sendAnswered(): boolean {
		this.sendAccepted();
		this.sendOk();
		this.#clock.run();
		return this.#socket.writable > 0;
	}
}

const SEND_ACCEPTED = ascii("\r\nOK\r\n");
const SEND_OK_LINE = ascii("\r\nSEND OK\r\n");

// What a send carries: text (AT+QISEND, up to 1024 bytes) or bytes that must
// go as hex (AT+QISENDEX, up to 512).
export function sendData(text: boolean, length: number): Uint8Array {
	const data = new Uint8Array(length);
	for (let i = 0; i < length; i++) data[i] = text ? 65 + (i % 26) : (i * 7) & 255;
	return data;
}

// The floor on the same chunks: per chunk a native set into a scratch; per
// line a native indexOf for its LF, and a line left unfinished at the chunk's
// end scanned once, backwards (a forward indexOf would run on past the chunk,
// and XS meters it per byte); per payload run a native copy out of the
// scratch (text) or a table read per digit (hex). The runs' places and their
// LF counts are known in advance: deciding them is the work the floor leaves out.
export class Floor {
	read = 0;
	#arena = new Uint8Array(CHUNK + 1024);
	#chunks: Uint8Array[];
	// Per chunk: [start, end, kind, LFs] quadruples, kind 0 lines, 1 text payload, 2 hex payload.
	#runs: Int32Array[];
	#at = 0;
	#high = -1;

	constructor(name: string) {
		const w = DEVICE_WORKLOADS.find((x) => x.name === name) as DeviceWorkload;
		const s = script(w, 0);
		const { stream, chunks } = cut(s);
		this.#chunks = chunks;
		// Which stream bytes are payload: every PAYLOAD (x2 in hex) bytes after a header's last comma.
		const isPayload = new Uint8Array(stream.length);
		const length = w.hex ? PAYLOAD * 2 : PAYLOAD;
		if (w.name !== "line-mix") {
			const header = ascii(w.mode === 0 ? `+QIRD: ${PAYLOAD},0,` : `+QIURC: "recv",0,${PAYLOAD},`);
			for (let i = stream.indexOf(header[0]); i >= 0; i = stream.indexOf(header[0], i + 1)) {
				let k = 0;
				while (k < header.length && stream[i + k] === header[k]) k++;
				if (k === header.length) {
					isPayload.fill(1, i + k, i + k + length);
					i += k + length - 1;
				}
			}
		}
		let offset = 0;
		this.#runs = chunks.map((chunk) => {
			const runs: number[] = [];
			for (let i = 0; i < chunk.length;) {
				const kind = isPayload[offset + i] ? (w.hex ? 2 : 1) : 0;
				let j = i + 1;
				while (j < chunk.length && (isPayload[offset + j] ? (w.hex ? 2 : 1) : 0) === kind) j++;
				let lfs = 0;
				if (kind === 0) for (let k = i; k < j; k++) if (chunk[k] === LF) lfs++;
				runs.push(i, j, kind, lfs);
				i = j;
			}
			offset += chunk.length;
			return new Int32Array(runs);
		});
	}

	step(): number {
		const i = this.#at,
			chunk = this.#chunks[i],
			runs = this.#runs[i],
			arena = this.#arena;
		arena.set(chunk);
		for (let r = 0; r < runs.length; r += 4) {
			const start = runs[r],
				end = runs[r + 1],
				kind = runs[r + 2];
			if (kind === 0) {
				let at = start - 1;
				for (let k = runs[r + 3]; k > 0; k--) at = arena.indexOf(LF, at + 1);
				if (at < end - 1) arena.lastIndexOf(LF, end - 1);
			} else if (kind === 1) {
				arena.copyWithin(CHUNK, start, end);
				this.read += end - start;
			} else {
				let high = this.#high,
					out = CHUNK;
				for (let k = start; k < end; k++) {
					const v = HEX_VALUE[arena[k]];
					if (high < 0) high = v;
					else {
						arena[out++] = (high << 4) | v;
						high = -1;
					}
				}
				this.#high = high;
				this.read += out - CHUNK;
			}
		}
		if (++this.#at === this.#chunks.length) this.#at = 0;
		return chunk.length;
	}

	run(budget: number): number {
		let moved = 0;
		while (moved < budget) moved += this.step();
		return moved;
	}
}

// The naive parser's drivers, in the same bundle (two bundles evaluated as
// scripts would share, and overwrite, each other's top-level names).
export { createDriver as createNaive } from "./workloads.js";

export function createDevice(name: string, side: "project" | "floor"): DevicePath | Floor {
	return side === "project" ? new DevicePath(name) : new Floor(name);
}
