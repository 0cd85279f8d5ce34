// nc's progress on a terminal: the bytes each way (sent: confirmed by the
// module's SEND OK) and the rate of each over the last interval, as pv and
// rsync show theirs.
import type { StatusLine } from "./status-line.js";

function size(bytes: number): string {
	if (bytes < 10000) return `${bytes} B`;
	if (bytes < 10000000) return `${(bytes / 1000).toFixed(1)} kB`;
	return `${(bytes / 1000000).toFixed(1)} MB`;
}

export class TransferProgress {
	#status: StatusLine;
	#now: () => number;
	#at: number;
	#sent = 0;
	#received = 0;

	constructor(status: StatusLine, now: () => number) {
		this.#status = status;
		this.#now = now;
		this.#at = now();
	}

	// The totals so far; the rates are taken since the previous call.
	show(sent: number, received: number): void {
		const now = this.#now();
		const seconds = Math.max(0.001, (now - this.#at) / 1000);
		const up = (sent - this.#sent) / seconds,
			down = (received - this.#received) / seconds;
		this.#at = now;
		this.#sent = sent;
		this.#received = received;
		this.#status.show(
			`bc20 nc: sent ${size(sent)} (${size(Math.round(up))}/s), received ${size(received)} (${size(Math.round(down))}/s)`,
		);
	}

	done(): void {
		this.#status.clear();
	}
}
