// A socket's next send, worked out in bounded steps: how many of its queued
// bytes may go as text (a table read per byte, see isTextByte) and, for a send
// that goes as hex, its digits (into the modem's hex stage). The transmitter
// runs a small step in the turn that asks for the send and the rest in turns
// of their own, so that no turn runs long while the UART's 128-byte FIFO
// fills: a 1024-byte text send scanned and written in one turn cost XS about
// 30 000 operations, 10 ms at an assumed 3 M a second, and the FIFO fills in
// 2.8 ms at 460800 baud. While a send is on the wire, the one after it is
// prepared ahead (from `base`, past the first one's bytes), so that a
// stream's sends still follow each other at once.
//
// Its helper methods are `private` (TypeScript's), not `#`: XS keeps a slot
// in every instance for each `#` method, and there is one of these per socket.
import type { ByteRing } from "../at/byte-ring.js";
import { MAX_SEND_HEX, MAX_SEND_TEXT } from "./commands.js";
import type { HexStage } from "./hex-stage.js";
import { textEnd } from "./send-command.js";

const SPACE = 32;

export class SendPreparation {
	#tx: ByteRing;
	#stage: HexStage;
	#base = 0; // where in the ring the send starts: after the send on the wire, if one is
	#scanned = 0; // bytes from there found to be text bytes
	#stopped = false; // the byte after them is not one: the run is as long as it gets
	#plan = 0; // 0 undecided; else the send's byte count, negative for hex
	#encoded = 0; // bytes of a hex send whose digits are in the stage

	constructor(tx: ByteRing, stage: HexStage) {
		this.#tx = tx;
		this.#stage = stage;
	}

	// A hex send waits for the stage, which another send holds: it is freed
	// when that send is written or ends, or its socket resets.
	get blocked(): boolean {
		const holder = this.#stage.holder;
		return this.#plan < 0 && this.#encoded < -this.#plan && holder !== null && holder !== this;
	}

	// Works on the send at most `budget` bytes (scanned or encoded) and
	// returns it once ready: its byte count, negative when it goes as hex
	// (AT+QISENDEX); else 0. `datagram` > 0: exactly that many bytes (UDP).
	// `allowText`: text may go as AT+QISEND.
	step(datagram: number, allowText: boolean, budget: number): number {
		if (this.#plan === 0) {
			// The scan, then the decision. (Here, not in a method of its own,
			// and the encoding a tail call: XS counts its stack in slots.)
			const tx = this.#tx,
				base = this.#base;
			const available = tx.count - base;
			const limit = !allowText
				? 0
				: datagram > 0
					? datagram <= MAX_SEND_TEXT
						? datagram
						: 0
					: available < MAX_SEND_TEXT
						? available
						: MAX_SEND_TEXT;
			const from = this.#scanned;
			if (!this.#stopped && from < limit) {
				const to = from + budget < limit ? from + budget : limit;
				const end = (this.#scanned = textEnd(tx, base + from, base + to) - base);
				this.#stopped = end < to;
				if (!this.#stopped && end < limit) return 0;
				budget -= end - from;
			}
			this.#plan = decide(textRun(tx, base, this.#scanned), available, datagram);
		}
		return this.#plan > 0 ? this.#plan : this.encode(budget);
	}

	// Encodes on the digits of a hex send; returns the send once all are
	// made, else 0. The stage is held from the first digits made on.
	private encode(budget: number): number {
		const count = -this.#plan,
			from = this.#encoded;
		if (from === count) return this.#plan;
		if (budget <= 0) return 0;
		const stage = this.#stage;
		if (!stage.claim(this, this.#tx, this.#base)) return 0;
		const to = from + budget < count ? from + budget : count;
		stage.encode(from, to);
		this.#encoded = to;
		return to === count ? this.#plan : 0;
	}

	// The send is issued as `command`: a hex send's digits pass to it (it
	// frees the stage once rendered). The next send is prepared from `base`:
	// past the issued one's bytes, or 0 (none is prepared ahead).
	issued(command: object, base: number): void {
		if (this.#encoded !== 0) this.#stage.pass(this, command);
		this.clear(base);
	}

	// The send on the wire left the ring with its `taken` bytes: one prepared
	// ahead of it now starts at the head. Returns whether the stage was given
	// up (a send prepared from elsewhere starts over).
	rebase(taken: number): boolean {
		if (this.#base === 0) return false;
		if (this.#base === taken) {
			this.#base = 0;
			return false;
		}
		return this.reset();
	}

	// Starts over at the ring's head: gives up the stage; returns whether it held it.
	reset(): boolean {
		const held = this.#encoded !== 0 && this.#stage.release(this);
		this.clear(0);
		return held;
	}

	private clear(base: number): void {
		this.#base = base;
		this.#scanned = 0;
		this.#stopped = false;
		this.#plan = 0;
		this.#encoded = 0;
	}
}

// The `scanned` bytes of `tx` from `base` (text bytes) as text may carry them: not
// starting or ending with a space (a parser may trim spaces at a line's ends).
function textRun(tx: ByteRing, base: number, scanned: number): number {
	// The ring's array read directly: no call under this frame.
	const bytes = tx.bytes,
		mask = tx.capacity - 1,
		head = tx.headIndex + base;
	let n = scanned;
	if (n === 0 || bytes[head & mask] === SPACE) return 0;
	while (n > 0 && bytes[(head + n - 1) & mask] === SPACE) n--;
	return n;
}

// All text, or a text run at least as long as a hex send could carry, goes
// as text; else as much as a hex send carries. A datagram is never split.
function decide(run: number, available: number, datagram: number): number {
	if (datagram > 0) return run === datagram ? datagram : -datagram;
	const limit = available < MAX_SEND_TEXT ? available : MAX_SEND_TEXT;
	if (run === limit || run >= MAX_SEND_HEX) return run;
	return -(available < MAX_SEND_HEX ? available : MAX_SEND_HEX);
}
