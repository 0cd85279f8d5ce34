// The one test clock: time moves only when a test says so, and timers fire
// one by one (fireOne, advance: a fake module can answer in between) or all
// that are due (run). Timers live in slots made once, growing only when more
// are set at once than ever before, so setting, clearing and firing allocate
// nothing: the zero-allocation runs (V8 and XS) and the benchmarks use the
// same clock as the step-by-step tests.
import type { Clock } from "../../firmware/at/seams.js";

// Timers set at once, at most (the driver keeps a handful).
const MAX_SLOTS = 256;

export class VirtualClock implements Clock {
	time = 0;
	#callbacks: ((() => void) | null)[] = [];
	#at: number[] = [];
	// The handle of each slot's timer (0: free); handles are never reused,
	// so clearing a timer that already fired clears nothing else.
	#ids: number[] = [];
	#nextId = 1;
	// No timer is due before this (run's fast path).
	#earliest = Infinity;

	constructor(slots = 8) {
		for (let i = 0; i < slots; i++) this.#grow();
	}

	now(): number {
		return this.time;
	}

	set(callback: () => void, ms: number): unknown {
		let i = this.#ids.indexOf(0);
		if (i < 0) i = this.#grow();
		const at = this.time + (ms > 0 ? ms : 0);
		// The slot is in the handle's low bits, so that clear() finds it at once.
		const id = this.#nextId++ * MAX_SLOTS + i;
		this.#callbacks[i] = callback;
		this.#at[i] = at;
		this.#ids[i] = id;
		if (at < this.#earliest) this.#earliest = at;
		return id;
	}

	clear(handle: unknown): void {
		const i = (handle as number) % MAX_SLOTS;
		if (this.#ids[i] !== handle) return;
		this.#callbacks[i] = null;
		this.#ids[i] = 0;
	}

	get pending(): number {
		let n = 0;
		for (let i = 0; i < this.#ids.length; i++) if (this.#ids[i] !== 0) n++;
		return n;
	}

	// When the next timer is due, or Infinity.
	nextAt(): number {
		let at = Infinity;
		for (let i = 0; i < this.#ids.length; i++) if (this.#ids[i] !== 0 && this.#at[i] < at) at = this.#at[i];
		return at;
	}

	// Fires the earliest timer due by now (of equal times, the first set);
	// false when none is.
	fireOne(): boolean {
		const ids = this.#ids,
			at = this.#at;
		let best = -1;
		for (let i = 0; i < ids.length; i++) {
			if (ids[i] === 0 || at[i] > this.time) continue;
			if (best < 0 || at[i] < at[best] || (at[i] === at[best] && ids[i] < ids[best])) best = i;
		}
		if (best < 0) return false;
		const callback = this.#callbacks[best] as () => void;
		this.#callbacks[best] = null;
		ids[best] = 0;
		callback();
		return true;
	}

	// Fires every timer due by now, in order, with those they set that are due too.
	run(): void {
		if (this.#earliest > this.time) return;
		while (this.fireOne());
		this.#earliest = this.nextAt();
	}

	// Moves time forward by `ms`, firing the timers that fall due, in order.
	advance(ms: number): void {
		const end = this.time + ms;
		for (let at = this.nextAt(); at <= end; at = this.nextAt()) {
			this.moveTo(at);
			this.fireOne();
		}
		this.moveTo(end);
	}

	// Moves to `at` (never backwards) without firing anything.
	moveTo(at: number): void {
		if (at > this.time) this.time = at;
	}

	#grow(): number {
		if (this.#ids.length === MAX_SLOTS) throw new Error(`VirtualClock: more than ${MAX_SLOTS} timers at once`);
		this.#callbacks.push(null);
		this.#at.push(0);
		return this.#ids.push(0) - 1;
	}
}
