// The byte ingress: turns the module's output into classified lines and raw
// payload runs, whatever the chunking of the input.
//
// Line mode collects one line in the ring and classifies it at its LF against
// the constant prefix tables. A header that announces a payload (+QIRD: n, or a
// direct-push +QIURC: "recv",id,n) switches to payload mode, which hands out
// exactly n bytes (2n hex digits, decoded, in hex receive format) straight from
// the input chunk, never scanning them for CR, LF or "OK".
//
// Nothing here allocates after construction. `receive` never throws on any
// input and consumes at least one byte per step, so it cannot spin.
import { COMMA, CR, hexValue, LF } from "./ascii.js";
import { ByteRing } from "./byte-ring.js";
import { Line } from "./line.js";
import * as K from "./line-kind.js";
import { FINAL_RESULTS, type Prefix, QIRD_HEADER, RECV_URC, URCS } from "./prefix-table.js";

// Where a payload run came from.
export const PAYLOAD_READ = 0; // the data of a +QIRD response (the command in flight owns it)
export const PAYLOAD_PUSH = 1; // a direct-push "recv" URC for connectID `source`

export interface ReaderEvents {
	// Every non-blank line. `line` is valid only during the call.
	onLine(line: Line): void;
	// Whether socket `connectId` is in direct-push mode: decides if a
	// `+QIURC: "recv",id,n` line (view mode 0) is followed by n payload bytes.
	isDirectPush(connectId: number): boolean;
	// A payload run starts: `length` bytes for connectID `connectId`
	// (-1 for a +QIRD response, which names no socket).
	onPayloadStart(connectId: number, length: number): void;
	// Payload bytes bytes[start, end): copy them now, the array is reused.
	onPayload(bytes: Uint8Array, start: number, end: number): void;
	// The run ended; `missing` bytes never came (aborted), `badDigits` hex
	// digits were not hex (decoded as 0).
	onPayloadEnd(missing: number, badDigits: number): void;
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
const HEX_SCRATCH = 64;

export class Reader {
	readonly ring: ByteRing;
	readonly line: Line;
	readonly stats: ReaderStats = {
		lines: 0, noiseBytes: 0, linesDiscarded: 0, bytesDiscarded: 0,
		payloadBytes: 0, payloadsAborted: 0, hexErrors: 0,
	};
	// Receive-side settings of the module (AT+QICFG), kept in step by the owner.
	viewMode = 0;
	showLength = false;
	hexReceive = false;
	// Response prefix of the command in flight, or null.
	armed: Uint8Array | null = null;

	#events: ReaderEvents;
	#mode = LINE_MODE;
	#discarding = false;
	#commas = 0;
	#remaining = 0; // payload bytes, or hex digits in hex mode
	#hexHigh = -1;
	#badDigits = 0;
	#hexRun = false; // this run is hex (fixed at its start)
	#scratch = new Uint8Array(HEX_SCRATCH);
	#scratchCount = 0;

	constructor(events: ReaderEvents, capacity = 256) {
		this.#events = events;
		this.ring = new ByteRing(capacity);
		this.line = new Line(this.ring);
	}

	get inPayload(): boolean {
		return this.#mode === PAYLOAD_MODE;
	}

	// Payload bytes still expected by the current run.
	get payloadRemaining(): number {
		if (this.#mode !== PAYLOAD_MODE) return 0;
		return this.#hexRun ? (this.#remaining + (this.#hexHigh >= 0 ? 1 : 0)) >> 1 : this.#remaining;
	}

	// Feeds bytes chunk[start, end) from the module.
	receive(chunk: Uint8Array, start = 0, end = chunk.length): void {
		const ring = this.ring;
		let i = start;
		while (i < end) {
			if (this.#mode === PAYLOAD_MODE) {
				i = this.#payload(chunk, i, end);
				continue;
			}
			const c = chunk[i++];
			if (c === LF) {
				this.#endLine();
				continue;
			}
			if (this.#discarding) {
				this.stats.bytesDiscarded++;
				continue;
			}
			if (c === CR && ring.count === 0) continue; // the CR of a "\r\n" before a line
			if (c === 0) {
				this.stats.noiseBytes++;
				continue;
			}
			if (!ring.pushByte(c)) {
				// Longer than any line the module sends: drop it whole and resync
				// at the next LF.
				this.stats.linesDiscarded++;
				this.stats.bytesDiscarded += ring.count + 1;
				ring.discard(ring.count);
				this.#discarding = true;
				this.#commas = 0;
				continue;
			}
			if (c === COMMA) {
				this.#commas++;
				if (this.viewMode === 1) this.#inlineHeader();
			}
		}
		if (this.#scratchCount > 0) this.#flushHex();
	}

	// Ends a payload run early (its bytes stopped coming: a stalled or rebooted
	// module); returns the payload bytes that never came.
	abortPayload(): number {
		if (this.#mode !== PAYLOAD_MODE) return 0;
		const missing = this.payloadRemaining;
		this.stats.payloadsAborted++;
		this.#endPayload(missing);
		return missing;
	}

	// Back to a clean line mode (after a module reboot).
	reset(): void {
		if (this.#mode === PAYLOAD_MODE) this.abortPayload();
		this.ring.discard(this.ring.count);
		this.#discarding = false;
		this.#commas = 0;
		this.armed = null;
	}

	#endLine(): void {
		const ring = this.ring;
		if (this.#discarding) {
			this.#discarding = false;
			this.#commas = 0;
			return;
		}
		let length = ring.count;
		while (length > 0 && ring.peek(length - 1) === CR) length--;
		if (length > 0) this.#emit(length, false);
		ring.discard(ring.count);
		this.#commas = 0;
	}

	// View mode 1 puts the payload after a comma on the header line itself:
	// "+QIRD: n[,remain],<data>" and "+QIURC: "recv",id,n,<data>". The comma
	// that completes the header starts the payload.
	#inlineHeader(): void {
		const line = this.line, ring = this.ring;
		if (this.#commas === (this.showLength ? 2 : 1) && ring.peek(0) === QIRD_HEADER[0]) {
			line.reset(ring.count - 1);
			if (!line.startsWith(QIRD_HEADER) || line.int(0) <= 0) return;
		}
		else if (this.#commas === 3 && ring.peek(0) === RECV_URC[0]) {
			line.reset(ring.count - 1);
			if (!line.startsWith(RECV_URC) || line.int(2) <= 0) return;
		}
		else return;
		this.#emit(ring.count - 1, true);
		ring.discard(ring.count);
		this.#commas = 0;
	}

	// `inline`: the line is a view mode 1 header cut at the comma before its data.
	#emit(length: number, inline: boolean): void {
		const line = this.line;
		line.reset(length);
		line.kind = this.#classify();
		let connectId = -1;
		if (line.kind === K.RESPONSE || line.kind === K.URC_QIURC_OTHER || line.kind === K.URC_OTHER) {
			if (line.startsWith(QIRD_HEADER)) {
				const n = line.int(0, 0);
				if (n > 0) line.payloadLength = n;
			}
		}
		else if (line.kind === K.URC_RECV) {
			const id = line.int(1);
			const n = line.int(2, 0);
			// At a line end in view mode 1, "recv",id,n is a buffer-mode notice
			// (a pushed one would have had its data after a third comma).
			if (id >= 0 && n > 0 && (inline || (this.viewMode === 0 && this.#events.isDirectPush(id)))) {
				line.payloadLength = n;
				connectId = id;
			}
		}
		this.stats.lines++;
		this.#events.onLine(line);
		if (line.payloadLength > 0) this.#startPayload(connectId, line.payloadLength);
	}

	#classify(): number {
		const line = this.line;
		const armed = this.armed;
		if (armed !== null && line.startsWith(armed)) return K.RESPONSE;
		const first = line.byteAt(0);
		let kind = match(line, first, FINAL_RESULTS);
		if (kind !== 0) return kind;
		kind = match(line, first, URCS);
		if (kind !== 0) return kind;
		if ((first === 65 || first === 97) && (line.byteAt(1) === 84 || line.byteAt(1) === 116)) return K.ECHO;
		if (first === 43 /* + */) return K.URC_OTHER;
		return K.NOISE;
	}

	#startPayload(connectId: number, length: number): void {
		this.#mode = PAYLOAD_MODE;
		this.#hexRun = this.hexReceive;
		this.#remaining = this.#hexRun ? length * 2 : length;
		this.#hexHigh = -1;
		this.#badDigits = 0;
		this.#events.onPayloadStart(connectId, length);
	}

	#payload(chunk: Uint8Array, i: number, end: number): number {
		let n = end - i;
		if (n > this.#remaining) n = this.#remaining;
		if (!this.#hexRun) {
			this.#events.onPayload(chunk, i, i + n);
			this.stats.payloadBytes += n;
		}
		else {
			const scratch = this.#scratch;
			for (let k = i; k < i + n; k++) {
				let v = hexValue(chunk[k]);
				if (v < 0) {
					v = 0;
					this.#badDigits++;
					this.stats.hexErrors++;
				}
				if (this.#hexHigh < 0) this.#hexHigh = v;
				else {
					scratch[this.#scratchCount++] = (this.#hexHigh << 4) | v;
					this.#hexHigh = -1;
					if (this.#scratchCount === HEX_SCRATCH) this.#flushHex();
				}
			}
		}
		this.#remaining -= n;
		if (this.#remaining === 0) this.#endPayload(0);
		return i + n;
	}

	#flushHex(): void {
		const n = this.#scratchCount;
		this.#scratchCount = 0;
		this.stats.payloadBytes += n;
		this.#events.onPayload(this.#scratch, 0, n);
	}

	#endPayload(missing: number): void {
		if (this.#scratchCount > 0) this.#flushHex();
		this.#mode = LINE_MODE;
		this.#remaining = 0;
		this.#hexHigh = -1;
		this.#events.onPayloadEnd(missing, this.#badDigits);
	}
}

function match(line: Line, first: number, table: readonly Prefix[]): number {
	for (let i = 0; i < table.length; i++) {
		const p = table[i];
		if (p.bytes[0] !== first) continue;
		if (p.exact ? line.equals(p.bytes) : line.startsWith(p.bytes)) return p.kind;
	}
	return 0;
}
