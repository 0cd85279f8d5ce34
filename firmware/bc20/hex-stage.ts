// Where the hex digits of the next AT+QISENDEX are made before the send is
// written: one place in the modem's arena, shared by the sockets (one send is
// prepared at a time; the digits leave when the command line is rendered).
// Made in steps a turn each (send-preparation.ts): encoding 512 bytes in the
// turn that writes the command cost XS about 24 000 operations, 8 ms at an
// assumed 3 M a second, while the UART's 128-byte FIFO fills in 2.8 ms at
// 460800 baud and nothing reads it.
import { HEX_DIGITS } from "../at/ascii.js";
import type { ByteRing } from "../at/byte-ring.js";

// Every byte's two digits as one 16-bit value, in the engine's byte order: a
// byte costs one table read and one store (two stores through two tables
// cost XS half as much again).
const HEX_PAIRS = hexPairs();

function hexPairs(): Uint16Array {
	const pairs = new Uint16Array(256),
		bytes = new Uint8Array(pairs.buffer);
	for (let b = 0; b < 256; b++) {
		bytes[2 * b] = HEX_DIGITS[b >> 4];
		bytes[2 * b + 1] = HEX_DIGITS[b & 15];
	}
	return pairs;
}

export class HexStage {
	// The digits: those of the send's byte k at [2k, 2k + 2).
	readonly bytes: Uint8Array;
	#pairs: Uint16Array;
	// Whose digits they are (a socket's send in preparation, or the command
	// that carries them until it is rendered), or null.
	#holder: object | null = null;
	// The bytes it encodes: those of #ring from offset #at on.
	#ring: ByteRing | null = null;
	#at = 0;

	// `bytes`: at an even offset of its buffer, two digits per byte of the longest send.
	constructor(bytes: Uint8Array) {
		if (bytes.byteOffset % 2 !== 0 || bytes.length % 2 !== 0)
			throw new RangeError("a hex stage starts at an even offset and holds whole digit pairs");
		this.bytes = bytes;
		this.#pairs = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
	}

	get holder(): object | null {
		return this.#holder;
	}

	// Takes the stage for `owner`, to encode `ring`'s bytes from offset `at`
	// (from its oldest) on; false while another holds it.
	claim(owner: object, ring: ByteRing, at: number): boolean {
		if (this.#holder !== null && this.#holder !== owner) return false;
		this.#holder = owner;
		this.#ring = ring;
		this.#at = at;
		return true;
	}

	// Gives the stage up, if `owner` held it; returns whether it did.
	release(owner: object): boolean {
		if (this.#holder !== owner) return false;
		this.#holder = null;
		return true;
	}

	// The digits `from` made pass to `to` (the command that will carry them).
	pass(from: object, to: object): void {
		if (this.#holder === from) this.#holder = to;
	}

	// The digits of the claimed bytes [from, to) into pairs [from, to), in
	// the ring's (at most two) contiguous runs, eight bytes a loop step (about
	// 22 XS operations a byte; one a step, 32).
	encode(from: number, to: number): void {
		const ring = this.#ring as ByteRing;
		const src = ring.bytes,
			capacity = ring.capacity,
			pairs = HEX_PAIRS,
			out = this.#pairs;
		let i = (ring.headIndex + this.#at + from) & (capacity - 1),
			k = from;
		while (k < to) {
			const stop = k + (capacity - i) < to ? k + (capacity - i) : to;
			for (; k + 8 <= stop; k += 8, i += 8) {
				out[k] = pairs[src[i]];
				out[k + 1] = pairs[src[i + 1]];
				out[k + 2] = pairs[src[i + 2]];
				out[k + 3] = pairs[src[i + 3]];
				out[k + 4] = pairs[src[i + 4]];
				out[k + 5] = pairs[src[i + 5]];
				out[k + 6] = pairs[src[i + 6]];
				out[k + 7] = pairs[src[i + 7]];
			}
			for (; k < stop; k++, i++) out[k] = pairs[src[i]];
			i = 0;
		}
	}
}
