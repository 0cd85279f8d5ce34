// A view of the line currently held in the reader's ring: its kind and
// accessors that parse fields straight from the ring's bytes.
//
// One Line object exists per reader and is reused for every line, so it is
// valid only during the callback that receives it. Accessors that return
// numbers or copy into caller buffers allocate nothing; the ones returning
// strings (`text`, `fieldText`) allocate and are meant for rare lines
// (addresses, error descriptions, traces), never for the data path.
import { COLON, COMMA, DIGIT_0, DIGIT_9, MINUS, PLUS, QUOTE, SPACE } from "./ascii.js";
import type { ByteRing } from "./byte-ring.js";

export class Line {
	kind = 0;
	length = 0;
	// Offset of the first parameter: after "+NAME: ", else 0.
	paramsAt = 0;
	// Bytes of raw payload announced by this line (a +QIRD or direct-push
	// header), 0 when none follows.
	payloadLength = 0;
	#ring: ByteRing;
	#fieldStart = 0;
	#fieldEnd = 0;

	constructor(ring: ByteRing) {
		this.#ring = ring;
	}

	// Called by the reader once the line is complete in the ring.
	reset(length: number): void {
		this.length = length;
		this.kind = 0;
		this.payloadLength = 0;
		this.paramsAt = 0;
		if (length > 0 && this.byteAt(0) === PLUS) {
			const colon = this.#ring.indexOf(COLON, 1, length);
			if (colon < 0) this.paramsAt = length;
			else {
				let at = colon + 1;
				while (at < length && this.byteAt(at) === SPACE) at++;
				this.paramsAt = at;
			}
		}
	}

	byteAt(offset: number): number {
		return offset < this.length ? this.#ring.peek(offset) : -1;
	}

	startsWith(bytes: Uint8Array, at = 0): boolean {
		const n = bytes.length;
		if (at + n > this.length) return false;
		const ring = this.#ring;
		for (let i = 0; i < n; i++) if (ring.peek(at + i) !== bytes[i]) return false;
		return true;
	}

	equals(bytes: Uint8Array): boolean {
		return this.length === bytes.length && this.startsWith(bytes, 0);
	}

	// Finds parameter `index` (0-based, comma separated, commas inside quotes
	// do not count); sets the raw bounds, quotes included.
	#locate(index: number): boolean {
		const ring = this.#ring, length = this.length;
		let at = this.paramsAt;
		if (at >= length) return false;
		let field = 0, quoted = false, start = at;
		for (; at < length; at++) {
			const c = ring.peek(at);
			if (c === QUOTE) quoted = !quoted;
			else if (c === COMMA && !quoted) {
				if (field === index) break;
				field++;
				start = at + 1;
			}
		}
		if (field !== index) return false;
		this.#fieldStart = start;
		this.#fieldEnd = at;
		return true;
	}

	// Field content bounds with surrounding quotes removed.
	#unquote(): void {
		const ring = this.#ring;
		if (this.#fieldEnd - this.#fieldStart >= 2 && ring.peek(this.#fieldStart) === QUOTE &&
			ring.peek(this.#fieldEnd - 1) === QUOTE) {
			this.#fieldStart++;
			this.#fieldEnd--;
		}
	}

	hasField(index: number): boolean {
		return this.#locate(index);
	}

	// Integer value of field `index`, or `fallback` when absent or not a number.
	int(index: number, fallback = -1): number {
		if (!this.#locate(index)) return fallback;
		this.#unquote();
		const ring = this.#ring;
		let at = this.#fieldStart;
		const end = this.#fieldEnd;
		while (at < end && ring.peek(at) === SPACE) at++;
		let sign = 1;
		if (at < end && ring.peek(at) === MINUS) {
			sign = -1;
			at++;
		}
		if (at >= end) return fallback;
		let value = 0;
		for (; at < end; at++) {
			const c = ring.peek(at);
			if (c < DIGIT_0 || c > DIGIT_9) return fallback;
			value = value * 10 + (c - DIGIT_0);
			if (value > 0x7fffffff) return fallback;
		}
		return sign * value;
	}

	isQuoted(index: number): boolean {
		return this.#locate(index) && this.#ring.peek(this.#fieldStart) === QUOTE;
	}

	// True when field `index`, quotes removed, equals `bytes`.
	fieldEquals(index: number, bytes: Uint8Array): boolean {
		if (!this.#locate(index)) return false;
		this.#unquote();
		const n = this.#fieldEnd - this.#fieldStart;
		if (n !== bytes.length) return false;
		for (let i = 0; i < n; i++) if (this.#ring.peek(this.#fieldStart + i) !== bytes[i]) return false;
		return true;
	}

	// Copies field `index` (quotes removed) into dst; returns the byte count, or
	// -1 when the field is absent. Copies at most what fits.
	copyField(index: number, dst: Uint8Array, dstStart = 0): number {
		if (!this.#locate(index)) return -1;
		this.#unquote();
		return this.#ring.copyOut(this.#fieldStart, dst, dstStart, this.#fieldEnd - this.#fieldStart);
	}

	// Field `index` as a string, quotes removed ("" when absent). Allocates.
	fieldText(index: number): string {
		if (!this.#locate(index)) return "";
		this.#unquote();
		return this.#slice(this.#fieldStart, this.#fieldEnd);
	}

	// Everything from field `index` to the end of the line (an error
	// description may contain commas). Allocates.
	restText(index: number): string {
		if (!this.#locate(index)) return "";
		return this.#slice(this.#fieldStart, this.length);
	}

	// The whole line as a string. Allocates.
	text(): string {
		return this.#slice(0, this.length);
	}

	#slice(start: number, end: number): string {
		let s = "";
		for (let i = start; i < end; i++) s += String.fromCharCode(this.#ring.peek(i));
		return s;
	}
}
