// The steady-state traffic of a busy socket, driven through the real Channel
// with a responder that plays the module from preallocated bytes:
//   +QIURC: "recv",0  ->  AT+QIRD=0,512  ->  +QIRD: 512 + 512 bytes + OK
//   AT+QISEND=0,512,<data>  ->  OK  ->  SEND OK
// Module output is fed in fixed-size chunks (like a UART FIFO) by offset, never
// as new views. Runtime-agnostic: the zero-allocation tests run it on V8 and
// inside XS, and the benchmarks time it.
import { ascii } from "../../firmware/at/ascii.js";
import { Channel, type ChannelEvents } from "../../firmware/at/channel.js";
import { type Command, CommandWriter, spec, THEN_SEND_RESULT } from "../../firmware/at/command.js";
import type { Line } from "../../firmware/at/line.js";
import * as K from "../../firmware/at/line-kind.js";
import { DROP_PAYLOAD, type PayloadSink } from "../../firmware/at/reader.js";
import type { Result } from "../../firmware/at/result.js";
import type { Clock, Transport } from "../../firmware/at/seams.js";
import { BC20_LINES } from "../../firmware/bc20/urcs.js";

const PAYLOAD = 512;

// A clock that never fires: the workload completes every command long before
// any deadline, so timers are only armed, never run.
class StillClock implements Clock {
	now(): number {
		return 0;
	}
	set(): unknown {
		return 1;
	}
	clear(): void {}
}

const QIRD_PREFIX = ascii("AT+QIRD=");
const QISEND_PREFIX = ascii("AT+QISEND=");
const QIRD_SPEC = spec("AT+QIRD", ascii("+QIRD:"), 300);
const QISEND_SPEC = spec("AT+QISEND", null, 300, THEN_SEND_RESULT, 5000);

class ReadCommand implements Command {
	readonly spec = QIRD_SPEC;
	readonly sink: Uint8Array;
	received = 0;
	checksum = 0;
	#owner: SteadyWorkload;
	constructor(owner: SteadyWorkload) {
		this.#owner = owner;
		this.sink = new Uint8Array(PAYLOAD);
	}
	render(out: CommandWriter): void {
		out.literal(QIRD_PREFIX).int(0).byte(44).int(PAYLOAD);
	}
	onPayloadStart(): void {
		this.received = 0;
	}
	onPayload(bytes: Uint8Array, start: number, end: number): void {
		const sink = this.sink;
		let at = this.received,
			sum = this.checksum;
		for (let i = start; i < end; i++) {
			sink[at++] = bytes[i];
			sum = (sum + bytes[i]) | 0;
		}
		this.received = at;
		this.checksum = sum;
	}
	onDone(result: Result): void {
		this.#owner.readDone(result.ok && this.received === PAYLOAD);
	}
}

class SendCommand implements Command {
	readonly spec = QISEND_SPEC;
	#owner: SteadyWorkload;
	#data: Uint8Array;
	constructor(owner: SteadyWorkload, data: Uint8Array) {
		this.#owner = owner;
		this.#data = data;
	}
	render(out: CommandWriter): void {
		out.literal(QISEND_PREFIX).int(0).byte(44).int(this.#data.length).byte(44).raw(this.#data, 0, this.#data.length);
	}
	onDone(result: Result): void {
		this.#owner.sendDone(result.ok);
	}
}

export class SteadyWorkload implements ChannelEvents, Transport {
	readonly channel: Channel;
	readonly chunkSize: number;
	// Module output scripts, built once.
	readonly #recvUrc: Uint8Array;
	readonly #qirdResponse: Uint8Array;
	readonly #sendOk: Uint8Array;
	readonly #read: ReadCommand;
	readonly #send: SendCommand;
	#reply: Uint8Array | null = null;
	#next: Command | null = null;
	bytesIn = 0;
	cycles = 0;
	errors = 0;

	constructor(chunkSize = 128) {
		this.chunkSize = chunkSize;
		this.channel = new Channel({ lines: BC20_LINES, transport: this, clock: new StillClock(), events: this });
		let payload = "";
		for (let i = 0; i < PAYLOAD; i++) {
			// Every byte value, plus the ones a line parser would trip on.
			const c = i % 64 === 0 ? "\r\nOK\r\n" : String.fromCharCode((i * 7) & 0xff);
			payload += c;
		}
		payload = payload.slice(0, PAYLOAD);
		this.#recvUrc = ascii('\r\n+QIURC: "recv",0\r\n');
		this.#qirdResponse = ascii(`\r\n+QIRD: ${PAYLOAD}\r\n${payload}\r\nOK\r\n`);
		this.#sendOk = ascii("\r\nOK\r\n\r\nSEND OK\r\n");
		this.#read = new ReadCommand(this);
		let text = "";
		for (let i = 0; i < PAYLOAD; i++) text += String.fromCharCode(33 + (i % 90));
		this.#send = new SendCommand(this, ascii(text));
	}

	// Transport: the module "answers" the command that was just written.
	write(bytes: Uint8Array, start: number, _end: number): void {
		// "AT+QIRD" vs "AT+QISEND": the 6th byte is 'R' or 'S'.
		this.#reply = bytes[start + 5] === 82 ? this.#qirdResponse : this.#sendOk;
	}

	// Runs whole cycles until at least `budget` bytes came from the module.
	run(budget: number): number {
		const start = this.bytesIn;
		while (this.bytesIn - start < budget) {
			this.#deliver(this.#recvUrc);
			while (this.#reply !== null) {
				const reply = this.#reply;
				this.#reply = null;
				this.#deliver(reply);
			}
			this.cycles++;
		}
		return this.bytesIn - start;
	}

	#deliver(bytes: Uint8Array): void {
		const n = bytes.length,
			step = this.chunkSize;
		for (let at = 0; at < n; at += step) this.channel.receive(bytes, at, at + step < n ? at + step : n);
		this.bytesIn += n;
	}

	readDone(ok: boolean): void {
		if (!ok) this.errors++;
		this.#submit(this.#send);
	}

	#submit(command: Command): void {
		this.#next = command;
		this.channel.kick();
	}

	sendDone(ok: boolean): void {
		if (!ok) this.errors++;
	}

	get checksum(): number {
		return this.#read.checksum;
	}

	// ChannelEvents
	nextCommand(): Command | null {
		const command = this.#next;
		this.#next = null;
		return command;
	}
	onUrc(line: Line): void {
		if (line.kind === K.URC_RECV) this.#submit(this.#read);
		else this.errors++;
	}
	onReboot(): void {
		this.errors++;
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
