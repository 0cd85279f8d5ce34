// The engine's Clock on Moddable's `timer` and `time` modules.
//
// The channel sets the same bound callback over and over; creating a Timer
// each time would allocate a host object per command. Instead each callback
// gets one Timer for life: when it fires it unschedules itself (Timer.schedule
// with no interval keeps it allocated), and `set` reschedules it.
//
// Every schedule carries a nonzero repeat interval: Moddable frees a timer
// whose repeat interval is 0 when its callback returns (modules/base/timer:
// xs_timer_callback, modTimersExecute), even one the callback just
// rescheduled. Without it, a callback that re-arms itself while firing (the
// channel's deadline does) would lose that deadline and the next set() would
// throw "invalid timer". The repeat never runs: the callback unschedules the
// timer first thing.
import Time from "time";
import Timer from "timer";
import type { Clock } from "../at/seams.js";

const KEEP = 0x3fffffff; // ms: a repeat interval that only keeps the timer allocated

export class TimerClock implements Clock {
	#callbacks: (() => void)[] = [];
	#timers: Timer[] = [];

	now(): number {
		return Time.ticks; // monotonic milliseconds, unaffected by NTP setting the RTC
	}

	set(callback: () => void, ms: number): unknown {
		const index = this.#callbacks.indexOf(callback);
		if (index < 0) return this.#create(callback, ms);
		const timer = this.#timers[index];
		Timer.schedule(timer, ms, KEEP);
		return timer;
	}

	// A callback's first set. Apart from set: the closure would make set's
	// frame, under which every later set calls Timer.schedule, larger.
	#create(callback: () => void, ms: number): Timer {
		const timer = Timer.set(
			(id: Timer) => {
				Timer.schedule(id);
				return callback(); // a tail call: the callback runs in this frame
			},
			ms,
			KEEP,
		);
		this.#callbacks.push(callback);
		this.#timers.push(timer);
		return timer;
	}

	clear(handle: unknown): void {
		Timer.schedule(handle as Timer);
	}
}
