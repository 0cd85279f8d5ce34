// The wait for the network on a terminal (bc20 nc, ping, dns, ntp): what the
// module says of its registration, attach and address, and the seconds
// waited, refreshed each second from the first. Fed the driver's trace lines: the answers to
// its own AT+CEREG?, AT+CGATT? and AT+CGPADDR polls, and +CEREG URCs.
import type { StatusLine } from "./status-line.js";

// <stat> of +CEREG (3GPP TS 27.007), by value.
export const REGISTRATION: readonly string[] = [
	"not registered, not searching",
	"registered (home)",
	"searching",
	"registration denied",
	"unknown",
	"registered (roaming)",
];

export class AttachProgress {
	#status: StatusLine;
	#now: () => number;
	#started: number;
	#what = "waiting for the module";

	constructor(status: StatusLine, now: () => number) {
		this.#status = status;
		this.#now = now;
		this.#started = now();
	}

	// One line from the module.
	line(text: string): void {
		const cereg = /^\+CEREG: (?:\d+,)?(\d+)/.exec(text);
		if (cereg) this.#what = `${REGISTRATION[Number(cereg[1])] ?? "stat " + cereg[1]} (+CEREG stat ${cereg[1]})`;
		else if (text === "+CGATT: 0") this.#what = "registered, not attached yet";
		else if (text === "+CGATT: 1") this.#what = "attached, waiting for an address";
		else return;
		this.render();
	}

	// Nothing in the first second: a module already attached shows no flicker.
	render(): void {
		if (this.#now() - this.#started < 1000) return;
		this.#status.show(
			`bc20: waiting for the network: ${this.#what}, ${Math.floor((this.#now() - this.#started) / 1000)} s`,
		);
	}

	done(): void {
		this.#status.clear();
	}
}
