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
import type { HexStage } from "./hex-stage.js";
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
// parser may trim them at the ends (see send-preparation.ts). A table: a send tests every
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

// The offset of the first byte in ring[from, to) (offsets from its oldest)
// that may not go as text, or `to`: the ring's array read directly, in its (at
// most two) contiguous runs, eight bytes a test (a peek per byte costs a call
// per byte on XS; eight table reads and'ed cost 14 operations a byte, one a
// loop step 22).
export function textEnd(ring: ByteRing, from: number, to: number): number {
	const bytes = ring.bytes,
		capacity = ring.capacity,
		text = TEXT_BYTES;
	let i = (ring.headIndex + from) & (capacity - 1),
		left = to - from;
	while (left > 0) {
		const start = i,
			stop = i + left < capacity ? i + left : capacity;
		while (
			i + 8 <= stop &&
			(text[bytes[i]] &
				text[bytes[i + 1]] &
				text[bytes[i + 2]] &
				text[bytes[i + 3]] &
				text[bytes[i + 4]] &
				text[bytes[i + 5]] &
				text[bytes[i + 6]] &
				text[bytes[i + 7]]) ===
				1
		)
			i += 8;
		while (i < stop && text[bytes[i]] === 1) i++;
		left -= i - start;
		if (i < stop) break;
		i = 0;
	}
	return to - left;
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

export class SendCommand implements Command {
	spec: CommandSpec = QISEND;
	count = 0;
	hex = false;
	#transmitter: SendSource;
	#textStart: Uint8Array;
	#hexStart: Uint8Array;
	#stage: HexStage;

	// `stage`: where a send that goes as hex has its digits made beforehand.
	constructor(transmitter: SendSource, id: number, stage: HexStage) {
		this.#transmitter = transmitter;
		this.#stage = stage;
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
		// The digits were made beforehand (send-preparation.ts): one native
		// copy, and the stage is free for the next send.
		const stage = this.#stage;
		if (tx.count < count || stage.holder !== this) throw new RangeError("send not prepared");
		out.raw(stage.bytes, 0, 2 * count);
		stage.release(this);
	}

	onDone(result: Result): void {
		this.#transmitter.sent(result);
	}

	onLate(kind: number): void {
		this.#transmitter.sentLate(kind);
	}
}
