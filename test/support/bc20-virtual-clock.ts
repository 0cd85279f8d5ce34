// A clock whose time moves only when a test says so, with a way to step from
// one timer to the next so that a fake module can answer in between.
import type { Clock } from "../../firmware/at/seams.js";

interface Timer {
	at: number;
	callback: () => void;
	id: number;
}

export class StepClock implements Clock {
	time = 0;
	#timers: Timer[] = [];
	#nextId = 1;

	now(): number {
		return this.time;
	}

	set(callback: () => void, ms: number): unknown {
		const timer = { at: this.time + Math.max(0, ms), callback, id: this.#nextId++ };
		this.#timers.push(timer);
		return timer.id;
	}

	clear(handle: unknown): void {
		const i = this.#timers.findIndex((t) => t.id === handle);
		if (i >= 0) this.#timers.splice(i, 1);
	}

	get pending(): number {
		return this.#timers.length;
	}

	// When the next timer is due, or Infinity.
	nextAt(): number {
		let at = Infinity;
		for (const t of this.#timers) if (t.at < at) at = t.at;
		return at;
	}

	// Fires the earliest timer due by `now`; false when none is.
	fireOne(): boolean {
		let next: Timer | null = null;
		for (const t of this.#timers) if (t.at <= this.time && (next === null || t.at < next.at)) next = t;
		if (next === null) return false;
		this.#timers.splice(this.#timers.indexOf(next), 1);
		next.callback();
		return true;
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
}
