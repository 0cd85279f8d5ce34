// The engine's Clock on Moddable's `timer` and `time` modules.
//
// The channel sets the same bound callback over and over; creating a Timer
// each time would allocate a host object per command. Instead each callback
// gets one Timer for life: when it fires it unschedules itself (Timer.schedule
// with no interval keeps it allocated), and `set` reschedules it.
import Time from "time";
import Timer from "timer";
import type { Clock } from "../at/seams.js";

export class TimerClock implements Clock {
	#callbacks: (() => void)[] = [];
	#timers: Timer[] = [];

	now(): number {
		return Time.ticks; // monotonic milliseconds, unaffected by NTP setting the RTC
	}

	set(callback: () => void, ms: number): unknown {
		const index = this.#callbacks.indexOf(callback);
		if (index >= 0) {
			const timer = this.#timers[index];
			Timer.schedule(timer, ms);
			return timer;
		}
		const timer = Timer.set((id: Timer) => {
			Timer.schedule(id);
			callback();
		}, ms);
		this.#callbacks.push(callback);
		this.#timers.push(timer);
		return timer;
	}

	clear(handle: unknown): void {
		Timer.schedule(handle as Timer);
	}
}
