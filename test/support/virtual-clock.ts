// A clock whose time moves only when a test says so. No Node APIs: also used inside XS.
import type { Clock } from "../../firmware/at/seams.js";

interface Timer { at: number; callback: () => void; id: number }

export class VirtualClock implements Clock {
	time = 0;
	#timers: Timer[] = [];
	#nextId = 1;

	now(): number {
		return this.time;
	}

	set(callback: () => void, ms: number): unknown {
		const timer = { at: this.time + ms, callback, id: this.#nextId++ };
		this.#timers.push(timer);
		return timer.id;
	}

	clear(handle: unknown): void {
		this.#timers = this.#timers.filter((t) => t.id !== handle);
	}

	get pending(): number {
		return this.#timers.length;
	}

	// Moves time forward, firing due timers in order.
	advance(ms: number): void {
		const end = this.time + ms;
		for (;;) {
			let next: Timer | null = null;
			for (const t of this.#timers) if (t.at <= end && (next === null || t.at < next.at)) next = t;
			if (next === null) break;
			this.#timers = this.#timers.filter((t) => t !== next);
			if (next.at > this.time) this.time = next.at;
			next.callback();
		}
		this.time = end;
	}
}
