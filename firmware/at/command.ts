// What the channel needs to know about a command: a constant spec (its table
// row) and a per-use object that renders the command line and receives what
// comes back. Hot-path users (reads, sends) keep one command object per socket
// and reuse it, so issuing a command allocates nothing.
import { EQUALS, QUESTION } from "./ascii.js";
import type { Line } from "./line.js";
import type { Result } from "./result.js";

// What ends a command after its OK.
export const THEN_NOTHING = 0;
export const THEN_SEND_RESULT = 1; // SEND OK | SEND FAIL
export const THEN_CLOSE_OK = 2; // CLOSE OK
export const THEN_URC = 3; // a URC the command recognises (+QIOPEN, +QPING, +QNTP, dnsgip)

export interface CommandSpec {
	// For errors and traces, e.g. "AT+QISEND".
	readonly name: string;
	// Prefix of its response lines (armed only while it is on the wire), or null.
	readonly response: Uint8Array | null;
	// Deadline for OK / ERROR, from the moment the line is written.
	readonly timeoutMs: number;
	readonly then: number;
	// Deadline for the second stage, from the OK.
	readonly thenTimeoutMs: number;
	// Keep the text of response lines in result.lines (allocates: not for the data path).
	readonly collect: boolean;
}

export interface Command {
	readonly spec: CommandSpec;
	// Writes the command line, from "AT" up to but without the final CR.
	render(out: CommandWriter): void;
	// A response line (kind RESPONSE) while the command is on the wire.
	onResponse?(line: Line): void;
	// A URC, or a line of noise (perhaps a URC damaged past recognition),
	// during the second stage of a THEN_URC command: return URC_NOT_MINE,
	// URC_TAKEN, or URC_COMPLETES.
	onUrc?(line: Line): number;
	// Raw payload of a +QIRD response to this command.
	onPayloadStart?(length: number): void;
	onPayload?(bytes: Uint8Array, start: number, end: number): void;
	onPayloadEnd?(missing: number, badDigits: number): void;
	// See ReaderEvents.onPayloadDamaged.
	onPayloadDamaged?(atStake: number): void;
	// Whether a final result of `kind` (line-kind.ts) is its answer. False
	// when its answer was damaged on the line (a +QIRD header lost, or whose
	// length cannot be right): what looks like its final result may be its
	// data, so the channel takes none, and the command ends at its deadline.
	acceptsFinal?(kind: number): boolean;
	// A line nobody takes (noise, a +NAME: line of no known kind) came while
	// this command awaits its answer: its data, perhaps, taken for lines.
	onStrayLine?(line: Line): void;
	// The final result, exactly once. `result` is reused: read it during the call.
	onDone(result: Result): void;
	// A final line (SEND OK, SEND FAIL, CLOSE OK, OK, ERROR) that arrived after
	// this command had timed out, so the owner can learn what really happened.
	onLate?(kind: number): void;
}

export const URC_NOT_MINE = 0;
export const URC_TAKEN = 1;
export const URC_COMPLETES = 2;

export function spec(
	name: string,
	response: Uint8Array | null,
	timeoutMs: number,
	then = THEN_NOTHING,
	thenTimeoutMs = 0,
	collect = false,
): CommandSpec {
	return Object.freeze({ name, response, timeoutMs, then, thenTimeoutMs, collect });
}

// Builds one command line in a preallocated buffer.
// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class CommandWriter {
	readonly bytes: Uint8Array;
	length = 0;
	#whole: Uint8Array; // all of bytes' buffer, for copies within it

	// `bytes`: where lines are rendered; its length is the longest line.
	constructor(bytes: Uint8Array) {
		this.bytes = bytes;
		this.#whole = new Uint8Array(bytes.buffer);
	}

	get free(): number {
		return this.bytes.length - this.length;
	}

	reset(): void {
		this.length = 0;
	}

	private room(n: number): void {
		if (this.length + n > this.bytes.length)
			throw new RangeError(`command line longer than ${this.bytes.length} bytes`);
	}

	byte(value: number): this {
		this.room(1);
		this.bytes[this.length++] = value;
		return this;
	}

	// ASCII text. XS boxes a string for every charCodeAt call, so this
	// allocates there: hot-path commands write `literal` bytes made once.
	text(text: string): this {
		this.room(text.length);
		for (let i = 0; i < text.length; i++) this.bytes[this.length++] = text.charCodeAt(i) & 0xff;
		return this;
	}

	// A command's name from its spec ("AT+QNTP"): the text is stated once, in
	// the command table. `assign` adds "=" for parameters, `query` adds "?".
	name(spec: CommandSpec): this {
		return this.text(spec.name);
	}

	assign(spec: CommandSpec): this {
		return this.text(spec.name).byte(EQUALS);
	}

	query(spec: CommandSpec): this {
		return this.text(spec.name).byte(QUESTION);
	}

	// A non-negative integer in decimal. Hot lines (QIRD, QISEND headers)
	// carry small numbers: 32-bit integer division, no Math call per digit.
	int(value: number): this {
		if ((value | 0) !== value) return this.bigInt(value);
		if (value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
		let digits = 1;
		for (let v = value; v >= 10; v = (v / 10) | 0) digits++;
		this.room(digits);
		const bytes = this.bytes;
		let at = this.length + digits;
		this.length = at;
		let v = value;
		do {
			const q = (v / 10) | 0;
			bytes[--at] = 48 + v - q * 10;
			v = q;
		} while (v > 0);
		return this;
	}

	private bigInt(value: number): this {
		if (!(value >= 0) || value !== Math.floor(value)) throw new RangeError(`not a non-negative integer: ${value}`);
		let digits = 1;
		for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
		this.room(digits);
		let at = this.length + digits;
		this.length = at;
		let v = value;
		do {
			this.bytes[--at] = 48 + (v % 10);
			v = Math.floor(v / 10);
		} while (v > 0);
		return this;
	}

	// Constant bytes, e.g. a command prefix turned into bytes at load time.
	literal(bytes: Uint8Array): this {
		this.room(bytes.length);
		// A whole array copies natively, with no view made.
		this.bytes.set(bytes, this.length);
		this.length += bytes.length;
		return this;
	}

	// src[start, end): one native copy when src shares the buffer the line
	// is rendered in (the modem's arena), with no view made.
	raw(src: Uint8Array, start: number, end: number): this {
		if (start === 0 && end === src.length) return this.literal(src);
		this.room(end - start);
		const bytes = this.bytes;
		let at = this.length;
		if (src.buffer === bytes.buffer) {
			const whole = this.#whole;
			whole.copyWithin(bytes.byteOffset + at, src.byteOffset + start, src.byteOffset + end);
			at += end - start;
		} else for (let i = start; i < end; i++) bytes[at++] = src[i];
		this.length = at;
		return this;
	}
}
