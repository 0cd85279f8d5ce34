// The engine's Clock on Node timers. The channel clears its timer whenever it
// goes idle, so a pending deadline keeps a process alive only while a command
// really waits for the module.
import type { Clock } from "../firmware/at/seams.js";

export class NodeClock implements Clock {
	#origin = performance.now();

	now(): number {
		return performance.now() - this.#origin;
	}

	// A turn of its own at once (0 ms) is an immediate: Node runs a 0 ms
	// timeout a millisecond later at the soonest, where Moddable runs it on
	// the next pass of its loop. (The driver asks for such turns between the
	// steps of a long send and to write the next send after SEND OK.)
	set(callback: () => void, ms: number): unknown {
		return ms > 0 ? setTimeout(callback, ms) : new Soon(callback);
	}

	clear(handle: unknown): void {
		if (handle instanceof Soon) handle.cancel();
		else clearTimeout(handle as ReturnType<typeof setTimeout>);
	}
}

class Soon {
	#immediate: ReturnType<typeof setImmediate>;
	constructor(callback: () => void) {
		this.#immediate = setImmediate(callback);
	}
	cancel(): void {
		clearImmediate(this.#immediate);
	}
}
