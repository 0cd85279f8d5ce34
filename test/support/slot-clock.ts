// A clock for zero-allocation runs: timers in eight fixed slots, time moved
// by the caller, and run() firing what is due. It keeps the earliest due
// time, so a run() with nothing due costs next to nothing. Shared by the
// steady-traffic tests (V8 and XS) and the benchmarks that run in XS.
import type { Clock } from "../../firmware/at/seams.js";

export class SlotClock implements Clock {
	time = 0;
	#callbacks: ((() => void) | null)[] = [null, null, null, null, null, null, null, null];
	#at = [0, 0, 0, 0, 0, 0, 0, 0];
	#earliest = Infinity;
	now(): number {
		return this.time;
	}
	set(callback: () => void, ms: number): unknown {
		for (let i = 0; i < 8; i++) {
			if (this.#callbacks[i] === null) {
				this.#callbacks[i] = callback;
				const at = (this.#at[i] = this.time + ms);
				if (at < this.#earliest) this.#earliest = at;
				return i;
			}
		}
		throw new Error("out of timer slots");
	}
	clear(handle: unknown): void {
		this.#callbacks[handle as number] = null;
	}
	run(): void {
		if (this.#earliest > this.time) return;
		let earliest = Infinity;
		for (let i = 0; i < 8; i++) {
			const callback = this.#callbacks[i];
			if (callback === null) continue;
			if (this.#at[i] <= this.time) {
				this.#callbacks[i] = null;
				callback();
			} else if (this.#at[i] < earliest) earliest = this.#at[i];
		}
		// A callback may have set timers: the slots decide.
		for (let i = 0; i < 8; i++) if (this.#callbacks[i] !== null && this.#at[i] < earliest) earliest = this.#at[i];
		this.#earliest = earliest;
	}
}
