/**
 * What lives only while the module stays powered: timers and in-flight
 * operations (socket opens, DNS, NTP, ping). A reboot or close ends the cycle;
 * callbacks that arrive afterwards must not reach the host, so every late
 * callback goes through `guard` and every timer through `after`.
 */
export class PowerCycle {
	private readonly abort = new AbortController();
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly immediates = new Set<NodeJS.Immediate>();

	get alive(): boolean {
		return !this.abort.signal.aborted;
	}

	/** Aborted when the cycle ends: long operations listen to it to release their sockets. */
	get signal(): AbortSignal {
		return this.abort.signal;
	}

	after(ms: number, action: () => void): NodeJS.Timeout {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (this.alive) action();
		}, ms);
		this.timers.add(timer);
		return timer;
	}

	cancel(timer: NodeJS.Timeout | undefined): void {
		if (timer === undefined) return;
		clearTimeout(timer);
		this.timers.delete(timer);
	}

	/** Runs `action` after the current output is queued: for URCs that must follow a command's final result. */
	soon(action: () => void): void {
		const immediate = setImmediate(() => {
			this.immediates.delete(immediate);
			if (this.alive) action();
		});
		this.immediates.add(immediate);
	}

	/** Wraps a callback so it does nothing once the cycle has ended. */
	guard<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
		return (...args: A) => {
			if (this.alive) callback(...args);
		};
	}

	end(): void {
		this.abort.abort();
		for (const timer of this.timers) clearTimeout(timer);
		for (const immediate of this.immediates) clearImmediate(immediate);
		this.timers.clear();
		this.immediates.clear();
	}
}
