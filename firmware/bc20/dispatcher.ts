// Decides which command goes to the module next: the channel asks for it
// (nextCommand) whenever the wire is free; pump() tells the channel there is
// something.
//
// Why not queue everything in the channel: AT+QIGETERROR reports the error of
// the last TCP/IP command, so after an ERROR it must be the very next command;
// bring-up steps must not wait behind a queue of reads; and socket traffic
// (reads, sends, closes) must never be refused for a full queue. So there are
// three sources: an urgent FIFO (error queries, bring-up steps), a bounded
// FIFO of the caller's one-off operations (ping, DNS, NTP, QICFG, QISTATE, raw
// commands), and the sockets, asked in turn for their next command (open,
// read, send, switch, close). The one-off FIFO and the sockets alternate so
// that neither starves the other.
import type { Channel } from "../at/channel.js";
import type { Command } from "../at/command.js";
import type { Clock } from "../at/seams.js";
import { BC20Error, E_QUEUE_FULL } from "./errors.js";

// Something that issues commands of its own (a socket slot).
export interface Worker {
	// Its next command, or null; called only when the wire is free.
	next(): Command | null;
	// Runs deferred work (callbacks that must not run inside the caller's method).
	settle(): void;
}

const URGENT_SIZE = 4;

// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class Dispatcher {
	readonly channel: Channel;
	#clock: Clock;
	#workers: readonly Worker[] = [];
	#turn = 0;
	#coldTurn = true;

	#urgent: (Command | null)[] = new Array(URGENT_SIZE).fill(null);
	#urgentHead = 0;
	#urgentCount = 0;
	#cold: (Command | null)[];
	#coldHead = 0;
	#coldCount = 0;

	// A worker asks for a turn of its own (its settle() runs from it).
	turnWanted = false;
	#held = false;
	#tick: unknown = null;
	#onTick: () => void;

	constructor(channel: Channel, clock: Clock, queueSize: number) {
		this.channel = channel;
		this.#clock = clock;
		this.#cold = new Array(queueSize + 1).fill(null);
		this.#onTick = () => this.ticked();
	}

	setWorkers(workers: readonly Worker[]): void {
		this.#workers = workers;
	}

	// Caller operations waiting (not counting the one on the wire).
	get queued(): number {
		return this.#coldCount;
	}

	// Queues a caller's operation; throws, queueing nothing, when the queue is full.
	enqueue(command: Command): void {
		// `queueSize` wait behind the command on the wire; with the wire free,
		// the first queued is on its way to it.
		const size = this.#cold.length,
			limit = this.channel.busy ? size - 1 : size;
		if (this.#coldCount >= limit)
			throw new BC20Error(E_QUEUE_FULL, limit + " operations already waiting", command.spec.name);
		this.#cold[(this.#coldHead + this.#coldCount) % size] = command;
		this.#coldCount++;
		this.pump();
	}

	// Puts a command first in line.
	urgent(command: Command): void {
		if (this.#urgentCount === URGENT_SIZE) throw new Error("urgent command queue overflow");
		this.#urgent[(this.#urgentHead + this.#urgentCount) % URGENT_SIZE] = command;
		this.#urgentCount++;
		this.pump();
	}

	// Puts `command` in the place of `queued` in the urgent queue, if `queued`
	// still waits there; false if it does not (it went on the wire).
	replaceUrgent(queued: Command, command: Command): boolean {
		for (let k = 0; k < this.#urgentCount; k++) {
			const at = (this.#urgentHead + k) % URGENT_SIZE;
			if (this.#urgent[at] !== queued) continue;
			this.#urgent[at] = command;
			return true;
		}
		return false;
	}

	// While held nothing is written.
	hold(): void {
		this.#held = true;
	}

	release(): void {
		this.#held = false;
		this.pump();
	}

	// Runs the workers' deferred work and pumps, from a fresh turn of the clock.
	soon(): void {
		if (this.#tick === null) this.#tick = this.#clock.set(this.#onTick, 0);
	}

	// Something may be ready for the wire.
	pump(): void {
		this.channel.kick();
	}

	// The channel's ChannelEvents.nextCommand: the next command, or null.
	nextCommand(): Command | null {
		return this.#held ? null : this.pick();
	}

	// Removes and returns every queued command (urgent first), for a shutdown.
	takeAll(into: Command[]): Command[] {
		while (this.#urgentCount > 0) into.push(this.takeUrgent());
		while (this.#coldCount > 0) into.push(this.takeCold());
		return into;
	}

	stop(): void {
		this.hold();
		if (this.#tick !== null) this.#clock.clear(this.#tick);
		this.#tick = null;
	}

	private ticked(): void {
		this.#tick = null;
		const workers = this.#workers;
		for (let i = 0; i < workers.length; i++) workers[i].settle();
		this.pump();
	}

	private pick(): Command | null {
		if (this.#urgentCount > 0) return this.takeUrgent();
		if (this.#coldTurn && this.#coldCount > 0) {
			this.#coldTurn = false;
			return this.takeCold();
		}
		const workers = this.#workers,
			n = workers.length;
		for (let i = 0; i < n; i++) {
			const at = (this.#turn + i) % n;
			const command = workers[at].next();
			if (command !== null) {
				this.#turn = (at + 1) % n;
				this.#coldTurn = true;
				if (this.turnWanted) this.turnGiven();
				return command;
			}
		}
		if (this.turnWanted) this.turnGiven();
		return this.#coldCount > 0 ? this.takeCold() : null;
	}

	// A worker asked for a turn of its own on the way: set from here, not
	// from under its frames (XS counts its stack in slots).
	private turnGiven(): void {
		this.turnWanted = false;
		this.soon();
	}

	private takeUrgent(): Command {
		const command = this.#urgent[this.#urgentHead] as Command;
		this.#urgent[this.#urgentHead] = null;
		this.#urgentHead = (this.#urgentHead + 1) % URGENT_SIZE;
		this.#urgentCount--;
		return command;
	}

	private takeCold(): Command {
		const command = this.#cold[this.#coldHead] as Command;
		this.#cold[this.#coldHead] = null;
		this.#coldHead = (this.#coldHead + 1) % this.#cold.length;
		this.#coldCount--;
		return command;
	}
}
