// AT+QISEND / AT+QISENDEX for one socket: one object per socket, reused for
// every send, rendering straight from the socket's transmit ring so that a
// send allocates nothing.
//
// Text or hex: AT+QISEND carries up to 1024 bytes on the command line as
// they are, AT+QISENDEX up to 512 as hex digits. Text is used only for bytes
// no AT parser can misread (see isTextByte); anything else goes as hex, which
// costs twice the UART time but cannot be misread.
import { COMMA } from "../at/ascii.js";
import type { ByteRing } from "../at/byte-ring.js";
import type { Command, CommandSpec, CommandWriter } from "../at/command.js";
import type { Result } from "../at/result.js";
import { MAX_SEND_HEX, MAX_SEND_TEXT, QISEND, QISEND_STARTS, QISENDEX, QISENDEX_STARTS } from "./commands.js";

// What a send reports to: the socket's transmitter (socket-transmitter.ts),
// seen through this shape so that neither module imports the other's.
export interface SendSource {
	// The transmit ring the send's bytes are taken from.
	readonly tx: ByteRing;
	sent(result: Result): void;
	sentLate(kind: number): void;
}

const SPACE = 32;

// The bytes AT+QISEND may carry unquoted (1): printable ASCII except '"'
// (the module strips quotes around the data), ',' (a parser splitting the line
// at commas would cut the data), ';' (chains commands) and '\' (escape
// introducer in V.250 strings). Spaces are allowed inside the data only, as a
// parser may trim them at the ends (see textRun). A table: a send tests every
// byte it carries, and a read of it costs XS a third of a call.
const TEXT_BYTES = textBytes();

function textBytes(): Uint8Array {
	const table = new Uint8Array(256);
	for (let b = 32; b <= 126; b++) table[b] = b === 34 || b === 44 || b === 59 || b === 92 ? 0 : 1;
	return table;
}

export function isTextByte(b: number): boolean {
	return TEXT_BYTES[b] === 1;
}

// Length of the longest prefix of ring[0, limit) that can go as text: text
// bytes only, not starting or ending with a space.
export function textRun(ring: ByteRing, limit: number): number {
	if (limit > ring.count) limit = ring.count;
	// The ring's array read directly (a peek per byte costs a call per byte on XS).
	const bytes = ring.bytes,
		head = ring.headIndex,
		mask = ring.capacity - 1;
	if (limit === 0 || bytes[head] === SPACE) return 0;
	// In the ring's (at most two) contiguous runs: no wrap arithmetic per byte.
	const text = TEXT_BYTES,
		capacity = ring.capacity,
		firstEnd = head + limit < capacity ? head + limit : capacity;
	let i = head;
	while (i < firstEnd && text[bytes[i]] === 1) i++;
	let n = i - head;
	if (i === capacity) {
		const rest = limit - n;
		let k = 0;
		while (k < rest && text[bytes[k]] === 1) k++;
		n += k;
	}
	while (n > 0 && bytes[(head + n - 1) & mask] === SPACE) n--;
	return n;
}

// Whether bytes[start, end) can go as text as a whole (a UDP datagram).
export function isText(bytes: Uint8Array, start: number, end: number): boolean {
	if (end <= start || bytes[start] === SPACE || bytes[end - 1] === SPACE) return false;
	const text = TEXT_BYTES;
	for (let i = start; i < end; i++) if (text[bytes[i]] !== 1) return false;
	return true;
}

// Why the module cannot take a datagram of bytes[start, end) in one send
// (a UDP datagram is never split), or "" when it can: AT+QISEND carries at
// most 1024 bytes, AT+QISENDEX 512, and only text may go as AT+QISEND.
export function datagramProblem(bytes: Uint8Array, start: number, end: number, allowText: boolean): string {
	const length = end - start;
	if (length === 0) return "an empty datagram cannot be sent";
	if (length > MAX_SEND_TEXT) return "a datagram is at most " + MAX_SEND_TEXT + " bytes, not " + length;
	if (length > MAX_SEND_HEX && !(allowText && isText(bytes, start, end)))
		return "a datagram with bytes that must go as hex is at most " + MAX_SEND_HEX + " bytes, not " + length;
	return "";
}

// How the next send from `ring` goes: returns the byte count, and the sign
// says the form (negative: hex). `datagram` > 0 forces exactly that many bytes.
export function planSend(ring: ByteRing, datagram: number, allowText: boolean): number {
	if (datagram > 0) {
		if (allowText && datagram <= MAX_SEND_TEXT && textRun(ring, datagram) === datagram) return datagram;
		return -datagram;
	}
	const available = ring.count;
	const limit = available < MAX_SEND_TEXT ? available : MAX_SEND_TEXT;
	const run = allowText ? textRun(ring, limit) : 0;
	// All text, or a text run at least as long as a hex send could carry.
	if (run === limit || run >= MAX_SEND_HEX) return run;
	return -(available < MAX_SEND_HEX ? available : MAX_SEND_HEX);
}

export class SendCommand implements Command {
	spec: CommandSpec = QISEND;
	count = 0;
	hex = false;
	#transmitter: SendSource;
	#textStart: Uint8Array;
	#hexStart: Uint8Array;

	constructor(transmitter: SendSource, id: number) {
		this.#transmitter = transmitter;
		this.#textStart = QISEND_STARTS[id];
		this.#hexStart = QISENDEX_STARTS[id];
	}

	prepare(count: number, hex: boolean): this {
		this.count = count;
		this.hex = hex;
		this.spec = hex ? QISENDEX : QISEND;
		return this;
	}

	render(out: CommandWriter): void {
		const count = this.count,
			tx = this.#transmitter.tx;
		out
			.literal(this.hex ? this.#hexStart : this.#textStart)
			.int(count)
			.byte(COMMA);
		if (!this.hex) {
			if (out.free < count) throw new RangeError("send longer than the command line");
			out.length += tx.copyOut(0, out.bytes, out.length, count);
			return;
		}
		// Hex straight from the ring's array, in its (at most two) runs: no copy first.
		if (tx.count < count) throw new RangeError("send longer than the bytes queued");
		const head = tx.headIndex,
			first = count < tx.capacity - head ? count : tx.capacity - head;
		out.hex(tx.bytes, head, head + first);
		if (count > first) out.hex(tx.bytes, 0, count - first);
	}

	onDone(result: Result): void {
		this.#transmitter.sent(result);
	}

	onLate(kind: number): void {
		this.#transmitter.sentLate(kind);
	}
}
