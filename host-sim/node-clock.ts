// The engine's Clock on Node timers. The channel clears its timer whenever it
// goes idle, so a pending deadline keeps a process alive only while a command
// really waits for the module.
import type { Clock } from "../firmware/at/seams.js";

export class NodeClock implements Clock {
	#origin = performance.now();

	now(): number {
		return performance.now() - this.#origin;
	}

	set(callback: () => void, ms: number): unknown {
		return setTimeout(callback, ms);
	}

	clear(handle: unknown): void {
		clearTimeout(handle as ReturnType<typeof setTimeout>);
	}
}
