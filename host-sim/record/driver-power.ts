// The module's power state as the driver can know it, for a recording of a
// session with a real module: the module says when it sleeps only if asked
// (AT+QATSLEEP / AT+QNBIOTEVENT reports), and wakes when the host pulses
// PSM_EINT or writes to it. An emulated module reports its own state instead
// (BC20Emulator's "power" event): see recorder.ts.
import type { PowerState } from "./format.js";

export class DriverPower {
	#state: PowerState = "awake";
	#tell: (state: PowerState) => void;

	constructor(tell: (state: PowerState) => void) {
		this.#tell = tell;
	}

	// A command the module will answer: it is awake (a sleeping module woke at
	// its first byte, a pulse woke it from PSM).
	command(): void {
		this.#set("awake");
	}

	wakePulse(): void {
		this.#set("awake");
	}

	urc(line: string): void {
		if (line.startsWith("+QATSLEEP")) this.#set("light-sleep");
		else if (line.startsWith("+QATWAKEUP")) this.#set("awake");
		else if (line.startsWith("+QNBIOTEVENT:")) {
			if (line.includes("ENTER PSM")) this.#set("psm");
			else if (line.includes("EXIT PSM")) this.#set("awake");
		}
	}

	#set(state: PowerState): void {
		if (state === this.#state) return;
		this.#state = state;
		this.#tell(state);
	}
}
