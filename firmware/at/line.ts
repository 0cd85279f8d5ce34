// A view of one complete line and accessors that parse fields straight from
// its bytes: either in place in the input chunk (the usual case: the line
// arrived whole) or in the reader's ring (it arrived in pieces). Byte k of the
// line is bytes[(start + k) & mask]; in a chunk the mask is all ones, in the
// ring it wraps, so both cases share one code path with plain indexing.
//
// One Line object exists per reader and is reused for every line, so it is
// valid only during the callback that receives it. Accessors that return
// numbers or copy into caller buffers allocate nothing; the ones returning
// strings (`text`, `fieldText`, `restText`) allocate and are meant for rare
// lines (addresses, error descriptions, traces), never for the data path.
import { COLON, COMMA, DIGIT_0, DIGIT_9, MINUS, PLUS, QUOTE, SPACE } from "./ascii.js";

const NO_WRAP = -1; // all bits set: (start + k) & NO_WRAP === start + k
// The line's head (see `head`) holds its first HEAD_EXACT bytes exactly and
// the low six bits of the next: a small integer (below 2 ** 30), so that
// neither engine boxes it (V8 would allocate for a larger one).
export const HEAD_EXACT = 3;
// Fields whose integer value is kept once parsed, and the mark of a field that is none.
const CACHED_FIELDS = 4;
const NOT_INT = -2147483648;

// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class Line {
	kind = 0;
	length = 0;
	// Bytes of raw payload announced by this line (a +QIRD or direct-push
	// header), 0 when none follows.
	payloadLength = 0;
	// What classifies the line in one lookup (prefix-table.ts), read with no
	// pass over the line: its first HEAD_EXACT bytes and the low six bits of
	// the fourth (0 for bytes a short line lacks). Lines of one head agree in
	// their first three bytes; the table compares the rest.
	head = 0;
	#bytes: Uint8Array = new Uint8Array(0);
	#start = 0;
	#mask = NO_WRAP;
	// Offset of the first parameter (after "+NAME: ", else 0), -1 until found:
	// most lines are classified and dropped without a field read.
	#paramsAt = -1;
	#fieldStart = 0;
	#fieldEnd = 0;
	// The last field located, so reading fields in order does not rescan the
	// line from its start for each one.
	#lastIndex = -1;
	#lastStart = 0;
	// Field k's integer (NOT_INT: not one), valid while bit k of #cached is set:
	// a line's numbers are read by the reader, then by their owner.
	// (A plain array: a line made while preloading could not write a typed one.)
	#ints: number[] = [0, 0, 0, 0];
	#cached = 0;

	// Points the view at a line; `mask` is the ring's, or -1 for a chunk.
	set(bytes: Uint8Array, start: number, length: number, mask: number): void {
		this.#bytes = bytes;
		this.#start = start;
		this.#mask = mask;
		this.length = length;
		this.kind = 0;
		this.payloadLength = 0;
		this.#paramsAt = -1;
		this.#lastIndex = -1;
		this.#cached = 0;
		let head = length > 0 ? bytes[start & mask] << 22 : 0;
		if (length > 1) head |= bytes[(start + 1) & mask] << 14;
		if (length > 2) head |= bytes[(start + 2) & mask] << 6;
		if (length > 3) head |= bytes[(start + 3) & mask] & 63;
		this.head = head;
	}

	// Points the view at a line in a chunk whose start the caller has matched
	// already (the reader's payload headers): `head` as set() would compute it,
	// the parameters after `colonEnd` (the offset past the name's colon), and
	// the integers of fields 0-2 its scan read (-1: left to int()). (The resets
	// are written out as in set(), and the integers taken here, not through
	// methods: a call costs XS about 40 operations, on the turns that are the
	// device path's longest.)
	setKnownHead(
		bytes: Uint8Array,
		start: number,
		length: number,
		head: number,
		colonEnd: number,
		int0: number,
		int1: number,
		int2: number,
	): void {
		this.#bytes = bytes;
		this.#start = start;
		this.#mask = NO_WRAP;
		this.length = length;
		this.kind = 0;
		this.payloadLength = 0;
		this.#lastIndex = -1;
		this.head = head;
		let at = colonEnd;
		while (at < length && bytes[start + at] === SPACE) at++;
		this.#paramsAt = at;
		const ints = this.#ints;
		let cached = 0;
		if (int0 >= 0) {
			ints[0] = int0;
			cached = 1;
		}
		if (int1 >= 0) {
			ints[1] = int1;
			cached |= 2;
		}
		if (int2 >= 0) {
			ints[2] = int2;
			cached |= 4;
		}
		this.#cached = cached;
	}

	// Finds where the parameters start.
	private findParams(): void {
		const bytes = this.#bytes,
			mask = this.#mask,
			start = this.#start,
			length = this.length;
		let at = 0;
		if (length > 0 && bytes[start & mask] === PLUS) {
			while (at < length && bytes[(start + at) & mask] !== COLON) at++;
			if (at < length) {
				at++;
				while (at < length && bytes[(start + at) & mask] === SPACE) at++;
			}
		}
		this.#paramsAt = at;
	}

	// Shortens the line (a view mode 1 header is cut before its data).
	truncate(length: number): void {
		if (length < this.length) this.length = length;
		if (this.#paramsAt > length) this.#paramsAt = length;
		this.#lastIndex = -1;
		this.#cached = 0;
	}

	byteAt(offset: number): number {
		return offset >= 0 && offset < this.length ? this.#bytes[(this.#start + offset) & this.#mask] : -1;
	}

	// Whether the bytes from `at` are `text` with at most `edits` of its bytes
	// dropped, changed or added on the line (whatever follows): a damaged line
	// that was that one. (A byte is added ahead of a line whose framing LF was
	// changed: "\r\nq+QIOPEN: 0,0" for "\r\n\r\n+QIOPEN: 0,0"; the reader
	// drops the CR.) The recursion is `edits` deep; damaged lines only.
	near(text: Uint8Array, at: number, edits: number, from = 0): boolean {
		let t = from;
		while (t < text.length && this.byteAt(at) === text[t]) {
			t++;
			at++;
		}
		if (t === text.length) return true;
		if (edits === 0) return false;
		return (
			this.near(text, at, edits - 1, t + 1) ||
			this.near(text, at + 1, edits - 1, t + 1) ||
			this.near(text, at + 1, edits - 1, t)
		);
	}

	// Whether this is the line `text` (and whatever follows it) damaged on
	// the line: up to two of its bytes dropped, changed or added (near()), or
	// its first piece, of two bytes or more, when a byte changed to an LF cut
	// it in two ("SEND" and "OK" for "SEND OK"; the second piece is the line
	// with its start dropped, and near() when its first byte or two were).
	isDamaged(text: Uint8Array): boolean {
		if (this.near(text, 0, 2)) return true;
		const n = this.length;
		if (n < 2 || n >= text.length) return false;
		for (let i = 0; i < n; i++) if (this.byteAt(i) !== text[i]) return false;
		return true;
	}

	startsWith(prefix: Uint8Array, at = 0): boolean {
		const n = prefix.length;
		if (at + n > this.length) return false;
		const bytes = this.#bytes,
			mask = this.#mask,
			start = this.#start + at;
		for (let i = 0; i < n; i++) if (bytes[(start + i) & mask] !== prefix[i]) return false;
		return true;
	}

	// Whether the line's bytes from offset `from` on start as prefix[from..] does
	// (its first `from` bytes are known to match already).
	matchesFrom(prefix: Uint8Array, from: number): boolean {
		const n = prefix.length;
		if (n > this.length) return false;
		const bytes = this.#bytes,
			mask = this.#mask,
			start = this.#start;
		for (let i = from; i < n; i++) if (bytes[(start + i) & mask] !== prefix[i]) return false;
		return true;
	}

	// Finds parameter `index` (0-based, comma separated, commas inside quotes
	// do not count); sets the raw bounds, quotes included.
	private locate(index: number): boolean {
		const bytes = this.#bytes,
			mask = this.#mask,
			base = this.#start,
			length = this.length;
		let at = this.#paramsAt;
		if (at < 0) {
			this.findParams();
			at = this.#paramsAt;
		}
		if (at >= length) return false;
		let field = 0,
			quoted = false,
			start = at;
		if (this.#lastIndex >= 0 && this.#lastIndex <= index) {
			field = this.#lastIndex;
			at = start = this.#lastStart; // a field starts outside quotes
		}
		for (; at < length; at++) {
			const c = bytes[(base + at) & mask];
			if (c === QUOTE) quoted = !quoted;
			else if (c === COMMA && !quoted) {
				if (field === index) break;
				field++;
				start = at + 1;
			}
		}
		if (field !== index) return false;
		this.#lastIndex = index;
		this.#lastStart = start;
		this.#fieldStart = start;
		this.#fieldEnd = at;
		return true;
	}

	// Field content bounds with surrounding quotes removed.
	private unquote(): void {
		if (
			this.#fieldEnd - this.#fieldStart >= 2 &&
			this.byteAt(this.#fieldStart) === QUOTE &&
			this.byteAt(this.#fieldEnd - 1) === QUOTE
		) {
			this.#fieldStart++;
			this.#fieldEnd--;
		}
	}

	hasField(index: number): boolean {
		return this.locate(index);
	}

	// Integer value of field `index`, or `fallback` when absent or not a number.
	int(index: number, fallback = -1): number {
		if (index < CACHED_FIELDS && ((this.#cached >> index) & 1) !== 0) {
			const value = this.#ints[index];
			return value === NOT_INT ? fallback : value;
		}
		// A tail call: XS runs it in this frame (the deepest receive turns end
		// in a header's numbers).
		return this.parseInt(index, fallback);
	}

	// Parses field `index`, keeps the value for the line, and returns it or `fallback`.
	private parseInt(index: number, fallback: number): number {
		const value = this.locate(index) ? this.digits() : NOT_INT;
		if (index < CACHED_FIELDS) {
			this.#ints[index] = value;
			this.#cached |= 1 << index;
		}
		return value === NOT_INT ? fallback : value;
	}

	// The integer in the field locate() found, or NOT_INT.
	private digits(): number {
		const bytes = this.#bytes,
			mask = this.#mask,
			base = this.#start;
		let at = this.#fieldStart,
			end = this.#fieldEnd;
		// Quotes around the number do not count (as unquote() does, without its calls).
		if (end - at >= 2 && bytes[(base + at) & mask] === QUOTE && bytes[(base + end - 1) & mask] === QUOTE) {
			at++;
			end--;
		}
		while (at < end && bytes[(base + at) & mask] === SPACE) at++;
		let sign = 1;
		if (at < end && bytes[(base + at) & mask] === MINUS) {
			sign = -1;
			at++;
		}
		if (at >= end) return NOT_INT;
		let value = 0;
		for (; at < end; at++) {
			const c = bytes[(base + at) & mask];
			if (c < DIGIT_0 || c > DIGIT_9) return NOT_INT;
			value = value * 10 + (c - DIGIT_0);
			if (value > 0x7fffffff) return NOT_INT;
		}
		return sign * value;
	}

	isQuoted(index: number): boolean {
		return this.locate(index) && this.byteAt(this.#fieldStart) === QUOTE;
	}

	// True when field `index`, quotes removed, equals `expected`.
	fieldEquals(index: number, expected: Uint8Array): boolean {
		if (!this.locate(index)) return false;
		this.unquote();
		const n = this.#fieldEnd - this.#fieldStart;
		if (n !== expected.length) return false;
		const bytes = this.#bytes,
			mask = this.#mask,
			base = this.#start + this.#fieldStart;
		for (let i = 0; i < n; i++) if (bytes[(base + i) & mask] !== expected[i]) return false;
		return true;
	}

	// Copies field `index` (quotes removed) into dst; returns the byte count, or
	// -1 when the field is absent. Copies at most what fits.
	copyField(index: number, dst: Uint8Array, dstStart = 0): number {
		if (!this.locate(index)) return -1;
		this.unquote();
		let n = this.#fieldEnd - this.#fieldStart;
		if (n > dst.length - dstStart) n = dst.length - dstStart;
		const bytes = this.#bytes,
			mask = this.#mask,
			base = this.#start + this.#fieldStart;
		for (let i = 0; i < n; i++) dst[dstStart + i] = bytes[(base + i) & mask];
		return n;
	}

	// Field `index` as a string, quotes removed ("" when absent). Allocates.
	fieldText(index: number): string {
		if (!this.locate(index)) return "";
		this.unquote();
		return this.slice(this.#fieldStart, this.#fieldEnd);
	}

	// Everything from field `index` to the end of the line (an error
	// description may contain commas). Allocates.
	restText(index: number): string {
		if (!this.locate(index)) return "";
		return this.slice(this.#fieldStart, this.length);
	}

	// The whole line as a string. Allocates.
	text(): string {
		return this.slice(0, this.length);
	}

	private slice(start: number, end: number): string {
		let s = "";
		for (let i = start; i < end; i++) s += String.fromCharCode(this.byteAt(i));
		return s;
	}
}
