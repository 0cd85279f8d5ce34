/**
 * URCs between the lines of a response, as a real module sends them when an
 * event (data from the network, a registration update) happens while it is
 * answering. Only true events are used: an asynchronous URC the module was
 * about to send is, by a seeded coin, held back for a few milliseconds and
 * goes inside the next response (or out on its own when none comes), in the
 * order it was produced; and, while the host has asked for +CEREG reports,
 * a response may carry a re-report of the current registration (a tracking
 * area update says the same thing again). Nothing is invented: no data, no
 * state the module is not in.
 */
import type { PowerCycle } from "./power-cycle.js";
import { SeededRandom } from "./seeded-random.js";

/** How long a held URC waits for a response to ride in before it goes out alone. */
const HOLD_MS = 50;

export class UrcInterleaver {
	private readonly random: SeededRandom;
	private readonly held: Buffer[] = [];
	private timer: NodeJS.Timeout | undefined;

	/**
	 * `rate`: the chance, per URC and per response, that it is interleaved.
	 * `release` sends held URCs on their own (after HOLD_MS).
	 */
	constructor(
		private readonly rate: number,
		seed: number,
		private readonly release: (bytes: Buffer) => void,
	) {
		this.random = new SeededRandom(seed);
	}

	get enabled(): boolean {
		return this.rate > 0;
	}

	/** Takes a URC the module is about to send; true when it was held back (then it must not be sent now). */
	offer(bytes: Buffer, cycle: PowerCycle): boolean {
		if (!this.enabled) return false;
		// Once one is held, the ones after it queue behind it: order is kept.
		if (this.held.length === 0 && this.random.next() >= this.rate) return false;
		this.held.push(bytes);
		this.timer ??= cycle.after(HOLD_MS, () => {
			this.timer = undefined;
			for (const urc of this.held.splice(0)) this.release(urc);
		});
		return true;
	}

	/**
	 * What goes between the lines of the response being sent: the held URCs,
	 * else (by the coin) `reReport` when there is one. `position` is where
	 * among the information parts (Response.toBytes).
	 */
	forResponse(cycle: PowerCycle, reReport: () => Buffer | undefined): { urcs: Buffer[]; position: number } {
		if (!this.enabled) return { urcs: [], position: 1 };
		const position = 1 + Math.floor(this.random.next() * 3);
		if (this.held.length > 0) {
			cycle.cancel(this.timer);
			this.timer = undefined;
			return { urcs: this.held.splice(0), position };
		}
		const extra = this.random.next() < this.rate ? reReport() : undefined;
		return { urcs: extra === undefined ? [] : [extra], position };
	}

	/** A reboot: what was held is gone with the old firmware. */
	reset(): void {
		this.held.length = 0;
		this.timer = undefined;
	}
}
