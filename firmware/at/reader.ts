// The byte ingress: turns the module's output into classified lines and raw
// payload runs, whatever the chunking of the input.
//
// Line mode finds line ends with the native Uint8Array indexOf. A line that
// arrived whole is classified where it sits in the input chunk; only the
// unfinished tail of a chunk is copied, into the ring, to be completed by the
// next chunk. Lines are classified against the constant prefix tables. A
// header that announces a payload (+QIRD: n, or a direct-push
// +QIURC: "recv",id,n) switches to payload mode, which hands out exactly n
// bytes (2n hex digits, decoded, in hex receive format) straight from the
// input chunk, never scanning them for CR, LF or "OK".
//
// Nothing here allocates after construction. `receive` never throws on any
// input and consumes at least one byte per step, so it cannot spin.
import { COLON, COMMA, CR, HEX_VALUE, LF } from "./ascii.js";
import { ByteRing } from "./byte-ring.js";
import { Line } from "./line.js";
import * as K from "./line-kind.js";
import { type LineTable, QIRD_HEADER, RECV_URC } from "./prefix-table.js";

// Where a payload run's bytes go: chosen by the owner when the run starts,
// then handed each piece directly, with no frame of the owner's between.
export interface PayloadSink {
	// Payload bytes bytes[start, end): copy them now, the array is reused.
	onPayload(bytes: Uint8Array, start: number, end: number): void;
}

// A run nobody takes: its bytes are dropped (the owner counted them at its start).
export const DROP_PAYLOAD: PayloadSink = Object.freeze({ onPayload(): void {} });

export interface ReaderEvents {
	// Every non-blank line. `line` is valid during the call and, when the
	// owner paused the reader in it, until receive() is called again.
	onLine(line: Line): void;
	// Whether socket `connectId` is in direct-push mode: decides if a
	// `+QIURC: "recv",id,n` line (view mode 0) is followed by n payload bytes.
	isDirectPush(connectId: number): boolean;
	// A payload run starts: `length` bytes for connectID `connectId`
	// (-1 for a +QIRD response, which names no socket). Returns where its bytes go.
	onPayloadStart(connectId: number, length: number): PayloadSink;
	// The run ended; `missing` bytes never came (aborted), `badDigits` hex
	// digits were not hex (decoded as 0).
	onPayloadEnd(missing: number, badDigits: number): void;
	// The bytes after a complete payload run were not the CR LF the module
	// puts there. `atStake`: the run's length when the damage stays inside it
	// (an LF came first: the run was one byte short and took the CR, so a byte
	// of it was dropped on the line); -1 when the header's length itself was
	// damaged, so bytes of unknown number were taken for a line or as payload.
	onPayloadDamaged?(atStake: number): void;
	// A line longer than the ring was dropped. The module's own lines are
	// short: it was payload whose header was damaged (data lost).
	onLineDropped?(): void;
}

export interface ReaderStats {
	lines: number;
	noiseBytes: number; // NUL bytes dropped in line mode
	linesDiscarded: number; // lines longer than the ring
	bytesDiscarded: number;
	payloadBytes: number;
	payloadsAborted: number;
	hexErrors: number;
}

const LINE_MODE = 0;
const PAYLOAD_MODE = 1;
const HEX_SCRATCH = 256; // the default
// The most payload one header can announce: +QIRD reads at most 512 bytes, and
// the module pushes at most a TCP segment (an Ethernet MSS; a UDP datagram is
// no larger on NB-IoT). A larger count is a damaged header: taking it would
// swallow the following lines as data. The line goes up as it is, so that its
// owner reports the bytes at stake.
export const MAX_READ_PAYLOAD = 512;
export const MAX_PUSH_PAYLOAD = 1460;
const NO_WRAP = -1;
// What the reader expects after a payload run.
const NO_TRAILER = 0;
const TRAILER_CR = 1;
const TRAILER_LF = 2;
const TRAILER_NEXT = 3; // the CR that starts the next line
// The longest view mode 1 header up to its data's comma:
// +QIURC: "recv",4,1460, is 23 bytes.
const MAX_HEADER = 32;
// The heads of the two payload headers, as Line.set computes them.
const QIRD_HEAD = headOf(QIRD_HEADER);
const QIURC_HEAD = headOf(RECV_URC);
const QIRD_WORDS = wordsAfter2(QIRD_HEADER);
const RECV_WORDS = wordsAfter2(RECV_URC);

// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class Reader {
	readonly ring: ByteRing;
	// Made in the constructor, not in field initializers: XS holds a slot per
	// private field while those run, under whatever they call.
	readonly line: Line;
	readonly stats: ReaderStats;
	// Receive-side settings of the module (AT+QICFG), kept in step by the owner.
	viewMode = 0;
	showLength = false;
	receiveHex = false;
	// Response prefix of the command in flight, or null.
	armed: Uint8Array | null = null;

	// In about the order a receive turn reads them: XS finds a private field
	// by walking the instance's list of them in declaration order.
	#paused = false;
	#mode = LINE_MODE;
	#remaining = 0; // payload bytes, or hex digits in hex mode
	#lastRaw = -1; // the last byte (or hex digit) a run took
	#hexRun = false; // this run is hex (fixed at its start)
	#sink: PayloadSink = DROP_PAYLOAD; // the current run's
	#scratchCount = 0;
	#trailer = NO_TRAILER; // after a payload run: the CR LF the module puts there
	#discarding = false;
	#events: ReaderEvents;
	#table: LineTable;
	#hexHigh = -1;
	#badDigits = 0;
	#scratch: Uint8Array;
	#runLength = 0; // bytes the last run announced

	// `table`: the final results and URCs lines are classified by.
	// `hexScratch`: where hex is decoded (a view of the arena its owners'
	// rings live in makes their copies native).
	constructor(events: ReaderEvents, table: LineTable, capacity = 256, hexScratch?: Uint8Array) {
		this.#events = events;
		this.#table = table;
		this.ring = new ByteRing(capacity);
		this.line = new Line();
		this.#scratch = hexScratch ?? new Uint8Array(HEX_SCRATCH);
		this.stats = {
			lines: 0,
			noiseBytes: 0,
			linesDiscarded: 0,
			bytesDiscarded: 0,
			payloadBytes: 0,
			payloadsAborted: 0,
			hexErrors: 0,
		};
	}

	get inPayload(): boolean {
		return this.#mode === PAYLOAD_MODE;
	}

	// Payload bytes are still due, the CR LF the module puts right after a
	// run, or the end of a kept line: the owner calls stalled() when the
	// line goes quiet meanwhile.
	get awaitsBytes(): boolean {
		return this.#mode === PAYLOAD_MODE || this.#trailer === TRAILER_CR || this.ring.count !== 0;
	}

	// The line went quiet while awaitsBytes. A run still taking bytes is cut
	// short (abortPayload). A run whose CR LF never came took them: two of its
	// bytes were dropped on the line (or the CR LF was), and nothing after it
	// can tell, so its bytes are at stake now. A kept line lost its LF, or
	// its CR LF, on the line (the module sends a line at once and ends it CR
	// LF), and nothing came after it to end it: it is whole (a +QIOPEN: 0,0
	// waited a minute; a "recv" notice left its socket's data unread).
	stalled(): void {
		if (this.#mode === PAYLOAD_MODE) {
			this.abortPayload();
			return;
		}
		if (this.#trailer === TRAILER_CR) {
			this.#trailer = NO_TRAILER;
			this.#events.onPayloadDamaged?.(this.#runLength);
			return;
		}
		const ring = this.ring;
		if (ring.count === 0) return;
		this.completeLine(ring.bytes, ring.headIndex, ring.headIndex + ring.count, ring.capacity - 1);
		ring.discard(ring.count);
	}

	// Payload bytes still expected by the current run.
	get payloadRemaining(): number {
		if (this.#mode !== PAYLOAD_MODE) return 0;
		return this.#hexRun ? Math.floor((this.#remaining + (this.#hexHigh >= 0 ? 1 : 0)) / 2) : this.#remaining;
	}

	// Asks receive() to return after the line, the run's end or the damaged
	// run being handed up: the owner handles it from its own frame (the
	// channel does for every line without payload, a damaged run, a pushed run
	// that lost bytes), then feeds the rest.
	pause(): void {
		this.#paused = true;
	}

	// Feeds bytes chunk[start, end) from the module; returns where it stopped:
	// `end`, or where it was when pause() was called (after a line, a run, or
	// at the byte that showed a run damaged).
	receive(chunk: Uint8Array, start = 0, end = chunk.length): number {
		const ring = this.ring;
		let i = start;
		this.#paused = false;
		while (i < end) {
			if (this.#paused) break;
			if (this.#mode === PAYLOAD_MODE) {
				i = this.payload(chunk, i, end);
				continue;
			}
			if (this.#trailer !== NO_TRAILER) {
				i = this.checkTrailer(chunk, i, end);
				// (A damaged run is told before the bytes after it are taken.)
				if (this.#paused) continue;
			}
			// (inlineHeader() leaves the ring as it found it unless it took a header.)
			const kept = ring.count;
			// The module frames every line "\r\n...\r\n": the blank line before
			// each, half of all lines, is no event, and is passed without a search.
			// The line after it is taken in the same pass, unless a trailer check
			// waits for its first byte.
			if (kept === 0 && chunk[i] === CR && i + 1 < end && chunk[i + 1] === LF && !this.#discarding) {
				i += 2;
				if (this.#trailer !== NO_TRAILER) continue;
				if (i === end) break;
			}
			// A view mode 1 header ends at a comma, with its payload behind it on
			// the same line: look for that comma first, so that the search for
			// the line's LF never runs over payload bytes.
			if (this.viewMode === 1 && !this.#discarding) {
				// (The comma, or the LF of a line wholeHeader() handed up.) A line
				// that starts here is a header only if it starts "+QIRD:" or
				// "+QIURC:" ("+Q", then R or U): others pass without a call.
				const fourth = chunk[i + 3];
				const comma =
					kept !== 0
						? this.inlineHeader(chunk, i, end)
						: chunk[i] === 43 /* + */ && chunk[i + 1] === 81 /* Q */ && (fourth === 82 /* R */ || fourth === 85) /* U */
							? this.wholeHeader(chunk, i, end)
							: -1;
				if (comma >= 0) {
					i = comma + 1;
					continue;
				}
			}
			let lf = chunk.indexOf(LF, i);
			if (lf >= end) lf = -1;
			if (this.#discarding) {
				// Inside a line too long to keep: skip to its end.
				const stop = lf < 0 ? end : lf + 1;
				this.stats.bytesDiscarded += stop - i;
				i = stop;
				if (lf >= 0) this.#discarding = false;
				continue;
			}
			if (lf < 0) {
				// An unfinished line: keep it for the next chunk.
				if (ring.free < end - i) this.tooLong(end - i);
				else ring.push(chunk, i, end);
				i = end;
				continue;
			}
			if (kept === 0) {
				// The usual case: the line arrived whole. A blank one is no event.
				if (lf - i > 1 || (lf - i === 1 && chunk[i] !== CR)) {
					if (lf - i > ring.capacity) this.tooLong(lf - i);
					else this.completeLine(chunk, i, lf, NO_WRAP);
				}
			} else {
				if (ring.free < lf - i) this.tooLong(lf - i);
				else {
					ring.push(chunk, i, lf);
					this.completeLine(ring.bytes, ring.headIndex, ring.headIndex + ring.count, ring.capacity - 1);
				}
				ring.discard(ring.count);
			}
			// A line too long to keep ended at this LF: it is already dropped.
			this.#discarding = false;
			i = lf + 1;
		}
		this.#paused = false;
		if (this.#scratchCount > 0) this.flushHex();
		return i;
	}

	// Ends a payload run early (its bytes stopped coming: a stalled or rebooted
	// module); returns the payload bytes that never came.
	abortPayload(): number {
		if (this.#mode !== PAYLOAD_MODE) return 0;
		const missing = this.payloadRemaining;
		this.stats.payloadsAborted++;
		this.endPayload(missing);
		return missing;
	}

	// Back to a clean line mode (after a module reboot).
	reset(): void {
		if (this.#mode === PAYLOAD_MODE) this.abortPayload();
		this.ring.discard(this.ring.count);
		this.#discarding = false;
		this.armed = null;
	}

	// A complete run is followed by CR LF, and the module's next line starts
	// with a CR (it frames every line "\r\n...\r\n"). An LF first, with a CR
	// as the run's last byte, means the run was one byte short (a byte of it
	// dropped on the line, the CR taken instead); a CR LF then no CR, two bytes
	// short (it took the CR LF): either way its bytes are at stake, the framing
	// is not. Anything else means the header's length was damaged: bytes of
	// unknown number were taken as payload or are about to be taken for lines.
	// (A damaged length that lands on a CR LF CR of the data by chance goes
	// unseen: about 1 in 16 million for random data.) Returns where the loop
	// goes on: past the CR LF when the next line's CR is in the chunk too (the
	// usual case, told in one call), else at chunk[i].
	private checkTrailer(chunk: Uint8Array, i: number, end: number): number {
		const expected = this.#trailer;
		this.#trailer = NO_TRAILER;
		const c = chunk[i];
		if (expected === TRAILER_NEXT) {
			if (c !== CR) this.#events.onPayloadDamaged?.(this.#runLength);
		} else if (expected === TRAILER_LF) {
			if (c !== LF) this.#events.onPayloadDamaged?.(-1);
			else this.#trailer = TRAILER_NEXT;
		} else if (c === CR) {
			if (i + 1 === end) this.#trailer = TRAILER_LF;
			else if (chunk[i + 1] !== LF) this.#events.onPayloadDamaged?.(-1);
			else if (i + 2 < end && chunk[i + 2] === CR) return i + 2;
			else this.#trailer = TRAILER_NEXT;
		} else this.#events.onPayloadDamaged?.(c === LF && this.#lastRaw === CR ? this.#runLength : -1);
		return i;
	}

	// A line longer than any the module sends: drop it whole (what is kept of
	// it and `more` bytes) and resync at the next LF.
	private tooLong(more: number): void {
		this.stats.linesDiscarded++;
		this.stats.bytesDiscarded += this.ring.count + more;
		this.ring.discard(this.ring.count);
		this.#discarding = true;
		this.#events.onLineDropped?.();
	}

	// A complete line in bytes[start, end) under `mask`: skip the CR and NUL
	// bytes before it and the CRs after it; blank lines are not events.
	private completeLine(bytes: Uint8Array, start: number, end: number, mask: number): void {
		while (start < end) {
			const c = bytes[start & mask];
			if (c === CR) start++;
			else if (c === 0) {
				this.stats.noiseBytes++;
				start++;
			} else break;
		}
		while (end > start && bytes[(end - 1) & mask] === CR) end--;
		if (end > start) {
			this.line.set(bytes, start, end - start, mask);
			return this.emit(false);
		}
	}

	// View mode 1 puts the payload after a comma on the header line itself:
	// "+QIRD: n[,remain],<data>" and "+QIURC: "recv",id,n,<data>". If the line
	// begun in the ring and continued in chunk[i, end) is such a header and its
	// completing comma lies in the chunk, emits the header, starts the payload
	// and returns that comma's index; else -1. (A line that starts in the chunk
	// is judged by wholeHeader().)
	private inlineHeader(chunk: Uint8Array, i: number, end: number): number {
		const ring = this.ring;
		const kept = ring.count;
		// The line's first byte decides: only "+QIRD:" and "+QIURC:" qualify.
		if (ring.peek(0) !== 43 /* + */) return -1;
		let needed: number;
		if (this.startsLine(QIRD_HEADER, chunk, i, end)) needed = this.showLength ? 2 : 1;
		else if (this.startsLine(RECV_URC, chunk, i, end)) needed = 3;
		else return -1;
		let commas = 0;
		for (let k = 0; k < kept; k++) if (ring.peek(k) === COMMA) commas++;
		// Enough commas already kept: this line was judged not a header before.
		if (commas >= needed) return -1;
		// A header is short: its commas lie within MAX_HEADER bytes of the
		// line's start, so the search never runs far into what follows.
		// One bounded pass (a native indexOf would scan on past the chunk's end),
		// and the commas must belong to this line: no LF before them.
		const limit = i + MAX_HEADER - kept < end ? i + MAX_HEADER - kept : end;
		let at = i;
		for (; at < limit; at++) {
			const c = chunk[at];
			if (c === COMMA) {
				if (++commas === needed) break;
			} else if (c === LF) return -1;
		}
		if (at >= limit) return -1;
		// The header is ring + chunk[i, at): check its length field is a count.
		const ringFree = ring.free;
		if (ringFree < at - i) return -1; // not a header the module sends
		ring.push(chunk, i, at);
		const line = this.line;
		line.set(ring.bytes, ring.headIndex, ring.count, ring.capacity - 1);
		const announced = needed === 3 ? line.int(2) : line.int(0);
		if (announced <= 0 || announced > (needed === 3 ? MAX_PUSH_PAYLOAD : MAX_READ_PAYLOAD)) {
			// Not a header after all (e.g. "+QIRD: (0-4),(1-512)"): undo and let
			// line mode carry on.
			ring.dropNewest(at - i);
			return -1;
		}
		this.emit(true);
		ring.discard(ring.count);
		return at;
	}

	// inlineHeader() for a line that starts at chunk[i] (nothing kept, the usual
	// case): the header is judged where it sits, without the ring, in one
	// bounded pass that also reads its numbers. A line of the same start that
	// ends (LF) before its data's comma, such as a buffer-mode "recv" notice or
	// "+QIRD: 0", is handed up from here too, its numbers known: the index
	// returned is then its LF.
	private wholeHeader(chunk: Uint8Array, i: number, end: number): number {
		// (The caller saw "+Q" and an R or U at its fourth byte.)
		if (i + 7 > end) return -1;
		let needed: number, prefixLength: number;
		// "+QIRD:" and "+QIURC:" differ at their fourth byte.
		const fourth = chunk[i + 3];
		if (fourth === 82 /* R */ && startsAt(chunk, i, end, QIRD_HEADER, QIRD_WORDS)) {
			needed = this.showLength ? 2 : 1;
			prefixLength = QIRD_HEADER.length;
		} else if (fourth === 85 /* U */ && startsAt(chunk, i, end, RECV_URC, RECV_WORDS)) {
			needed = 3;
			prefixLength = RECV_URC.length;
		} else return -1;
		// A header's commas lie within MAX_HEADER bytes, before any LF (a native
		// indexOf would scan on past the chunk's end, and XS meters it per byte).
		// The numbers of fields 0-2 are read on the way (-1: not a plain number,
		// left to Line.int); fields are numbered as Line numbers them ("recv" is
		// field 0 of a notice).
		const limit = i + MAX_HEADER < end ? i + MAX_HEADER : end;
		let at = i + prefixLength,
			field = 0,
			value = 0,
			digits = 0,
			clean = needed !== 3,
			cr = false,
			quoted = false,
			v0 = -1,
			v1 = -1,
			v2 = -1;
		for (; at < limit; at++) {
			const c = chunk[at];
			if (c >= 48 && c <= 57) {
				value = value * 10 + c - 48;
				digits++;
				// Only CRs may follow a number: the line's end trims them.
				if (cr) clean = false;
			} else if (c === COMMA) {
				// (A CR inside the line is a byte of its field: no number then.)
				if (clean && !cr && !quoted && digits > 0 && digits < 10) {
					if (field === 0) v0 = value;
					else if (field === 1) v1 = value;
					else v2 = value;
				}
				if (++field === needed) break;
				value = digits = 0;
				clean = true;
				cr = false;
			} else if (c === LF) {
				if (at - i > this.ring.capacity) return -1;
				if (clean && !quoted && digits > 0 && digits < 10 && field < 3) {
					if (field === 0) v0 = value;
					else if (field === 1) v1 = value;
					else v2 = value;
				}
				return this.knownLine(chunk, i, at, needed === 3, v0, v1, v2);
			} else if (c === CR) cr = true;
			else if (c === 34 /* " */) {
				// Line numbers fields outside quotes only: leave them all to it.
				v0 = v1 = v2 = -1;
				quoted = true;
				clean = false;
			} else if (c !== 32 /* space */ || digits > 0 || cr) clean = false;
		}
		if (at >= limit) return -1;
		// As when the header is built in the ring: one it cannot hold is not a header.
		if (at - i > this.ring.capacity) return -1;
		const line = this.line;
		this.setHeader(chunk, i, at, needed === 3, v0, v1, v2);
		// (The number the scan read, else Line's reading of the field.)
		const announced = needed === 3 ? (v2 >= 0 ? v2 : line.int(2)) : v0 >= 0 ? v0 : line.int(0);
		if (announced <= 0 || announced > (needed === 3 ? MAX_PUSH_PAYLOAD : MAX_READ_PAYLOAD)) return -1;
		this.emit(true, this.knownKind(needed === 3));
		return at;
	}

	// Points the line at chunk[i, end), a "+QIRD:" or (`recv`) '+QIURC: "recv"'
	// line, with the numbers wholeHeader() read.
	private setHeader(
		chunk: Uint8Array,
		i: number,
		end: number,
		recv: boolean,
		v0: number,
		v1: number,
		v2: number,
	): void {
		this.line.setKnownHead(
			chunk,
			i,
			end - i,
			recv ? QIURC_HEAD.head : QIRD_HEAD.head,
			recv ? QIURC_HEAD.length : QIRD_HEAD.length,
			v0,
			v1,
			v2,
		);
	}

	// A line wholeHeader() read to its LF at chunk[lf] (no header: its data's
	// comma never came): handed up as completeLine() would, its numbers known.
	private knownLine(
		chunk: Uint8Array,
		i: number,
		lf: number,
		recv: boolean,
		v0: number,
		v1: number,
		v2: number,
	): number {
		let end = lf;
		while (end > i && chunk[end - 1] === CR) end--;
		this.setHeader(chunk, i, end, recv, v0, v1, v2);
		this.emit(false, this.knownKind(recv));
		return lf;
	}

	// The kind of a line wholeHeader() matched, when its prefix alone tells:
	// a "recv" notice or header, or the answer of the +QIRD on the wire; else
	// -1 (classified as any line).
	private knownKind(recv: boolean): number {
		const armed = this.armed;
		if (recv) return armed === null ? K.URC_RECV : -1;
		return armed === QIRD_HEADER ? K.RESPONSE : -1;
	}

	// Whether the line made of the ring's bytes and chunk[i, end) starts with `prefix`.
	private startsLine(prefix: Uint8Array, chunk: Uint8Array, i: number, end: number): boolean {
		const ring = this.ring,
			kept = ring.count;
		for (let k = 0; k < prefix.length; k++) {
			const c = k < kept ? ring.peek(k) : i + k - kept < end ? chunk[i + k - kept] : -1;
			if (c !== prefix[k]) return false;
		}
		return true;
	}

	// Classifies the line in this.line, hands it up, and starts the payload
	// it announces. `inline`: a view mode 1 header cut at the comma before its data.
	private emit(inline: boolean, kind = -1): void {
		const line = this.line;
		if (kind < 0) {
			// Classified here, not in a method of its own: a call per line.
			const armed = this.armed;
			if (armed !== null && line.startsWith(armed)) kind = K.RESPONSE;
			else {
				kind = this.#table.kindOf(line);
				if (kind < 0) {
					const first = line.byteAt(0),
						second = line.byteAt(1);
					if ((first === 65 || first === 97) && (second === 84 || second === 116)) kind = K.ECHO;
					else kind = first === 43 /* + */ ? K.URC_OTHER : K.NOISE;
				}
			}
		}
		line.kind = kind;
		let connectId = -1;
		if (kind === K.RESPONSE || kind === K.URC_QIURC_OTHER || kind === K.URC_OTHER) {
			// (The answer of an armed +QIRD starts with "+QIRD:" by definition.)
			if (
				(kind === K.RESPONSE && this.armed === QIRD_HEADER) ||
				(line.head === QIRD_HEAD.head && line.startsWith(QIRD_HEADER))
			) {
				const n = line.int(0, 0);
				if (n > 0 && n <= MAX_READ_PAYLOAD) line.payloadLength = n;
			}
		} else if (kind === K.URC_RECV) {
			const id = line.int(1);
			const n = line.int(2, 0);
			// At a line end in view mode 1, "recv",id,n is a buffer-mode notice
			// (a pushed one would have had its data after a third comma).
			if (
				id >= 0 &&
				n > 0 &&
				n <= MAX_PUSH_PAYLOAD &&
				(inline || (this.viewMode === 0 && this.#events.isDirectPush(id)))
			) {
				line.payloadLength = n;
				connectId = id;
			}
		}
		this.stats.lines++;
		this.#events.onLine(line);
		const length = line.payloadLength;
		if (length === 0) return;
		// A tail call: the owner's handlers of the run's start sit under the
		// small frame of startRun(), not under this one.
		return this.startRun(connectId, length);
	}

	private startRun(connectId: number, length: number): void {
		this.#mode = PAYLOAD_MODE;
		this.#hexRun = this.receiveHex;
		this.#remaining = this.#hexRun ? length * 2 : length;
		this.#hexHigh = -1;
		this.#badDigits = 0;
		this.#runLength = length;
		this.#sink = this.#events.onPayloadStart(connectId, length);
	}

	private payload(chunk: Uint8Array, i: number, end: number): number {
		let n = end - i;
		if (n > this.#remaining) n = this.#remaining;
		this.#lastRaw = chunk[i + n - 1];
		if (!this.#hexRun) {
			this.#sink.onPayload(chunk, i, i + n);
			this.stats.payloadBytes += n;
		} else {
			// One pass, a digit pair a loop step, as many pairs as the scratch
			// takes without a check per pair (a digit a step, with a check of
			// each, cost XS about 53 operations a digit; this, about 35); the
			// state lives in locals and goes back to the fields once.
			const scratch = this.#scratch,
				size = scratch.length,
				values = HEX_VALUE,
				stop = i + n;
			let high = this.#hexHigh,
				count = this.#scratchCount,
				bad = 0,
				k = i;
			if (high >= 0) {
				// The pair's high digit came at the end of the last chunk.
				let v = values[chunk[k++]];
				if (v < 0) {
					v = 0;
					bad++;
				}
				scratch[count++] = (high << 4) | v;
				high = -1;
				if (count === size) {
					this.#scratchCount = count;
					this.flushHex();
					count = 0;
				}
			}
			const pairsEnd = stop - ((stop - k) & 1);
			while (k < pairsEnd) {
				const from = count,
					at = k,
					end = k + 2 * (size - count) < pairsEnd ? k + 2 * (size - count) : pairsEnd;
				let seen = 0;
				for (; k < end; k += 2) {
					const hi = values[chunk[k]],
						lo = values[chunk[k + 1]];
					seen |= hi | lo;
					scratch[count++] = (hi << 4) | lo;
				}
				// A digit that was not hex (-1 in the table): those pairs again.
				if (seen < 0) bad += decodeEachDigit(chunk, at, scratch, from, count);
				if (count === size) {
					this.#scratchCount = count;
					this.flushHex();
					count = 0;
				}
			}
			if (k < stop) {
				// A pair's high digit at the chunk's end: its low one comes next.
				high = values[chunk[k]];
				if (high < 0) {
					high = 0;
					bad++;
				}
			}
			this.#hexHigh = high;
			this.#scratchCount = count;
			if (bad > 0) {
				this.#badDigits += bad;
				this.stats.hexErrors += bad;
			}
		}
		this.#remaining -= n;
		if (this.#remaining === 0) this.endPayload(0);
		return i + n;
	}

	private flushHex(): void {
		const n = this.#scratchCount;
		this.#scratchCount = 0;
		this.stats.payloadBytes += n;
		this.#sink.onPayload(this.#scratch, 0, n);
	}

	private endPayload(missing: number): void {
		if (this.#scratchCount > 0) this.flushHex();
		this.#mode = LINE_MODE;
		this.#trailer = missing === 0 ? TRAILER_CR : NO_TRAILER;
		this.#remaining = 0;
		this.#hexHigh = -1;
		return this.#events.onPayloadEnd(missing, this.#badDigits);
	}
}

// Decodes the digit pairs of chunk from `at` into scratch[from, to) one
// digit at a time, a digit that is not hex as 0; returns how many were not.
function decodeEachDigit(chunk: Uint8Array, at: number, scratch: Uint8Array, from: number, to: number): number {
	let bad = 0;
	for (let c = from; c < to; c++, at += 2) {
		let hi = HEX_VALUE[chunk[at]],
			lo = HEX_VALUE[chunk[at + 1]];
		if (hi < 0) {
			hi = 0;
			bad++;
		}
		if (lo < 0) {
			lo = 0;
			bad++;
		}
		scratch[c] = (hi << 4) | lo;
	}
	return bad;
}

// Whether chunk[i, end) starts with `prefix`, whose first two bytes the
// caller has matched: the rest is compared four bytes at a time (`words`,
// wordsAfter2(prefix)), a third of what a loop per byte costs XS.
function startsAt(chunk: Uint8Array, i: number, end: number, prefix: Uint8Array, words: Int32Array): boolean {
	if (i + prefix.length > end) return false;
	for (let k = 0, at = i + 2; k < words.length; k++, at += 4)
		if (((chunk[at] << 24) | (chunk[at + 1] << 16) | (chunk[at + 2] << 8) | chunk[at + 3]) !== words[k]) return false;
	return true;
}

// prefix[2...] as big-endian 32-bit words; its length less two must be a multiple of four.
function wordsAfter2(prefix: Uint8Array): Int32Array {
	if ((prefix.length - 2) % 4 !== 0) throw new Error("a word prefix is 2 + 4k bytes long");
	const words = new Int32Array((prefix.length - 2) / 4);
	for (let k = 0; k < words.length; k++) {
		const at = 2 + 4 * k;
		words[k] = (prefix[at] << 24) | (prefix[at + 1] << 16) | (prefix[at + 2] << 8) | prefix[at + 3];
	}
	return words;
}

// Line.head of a line that starts with `prefix`, and the offset past its name's colon.
function headOf(prefix: Uint8Array): { readonly head: number; readonly length: number } {
	const probe = new Line();
	probe.set(prefix, 0, prefix.length, NO_WRAP);
	return Object.freeze({ head: probe.head, length: prefix.indexOf(COLON) + 1 });
}
