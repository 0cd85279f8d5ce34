// The simplest owner a Channel can have, for tests and benchmarks that drive
// the channel on its own: a bounded FIFO it takes commands from.
import type { Channel } from "../../firmware/at/channel.js";
import type { Command } from "../../firmware/at/command.js";

export class CommandQueue {
	channel: Channel | null = null;
	readonly size: number;
	#items: (Command | null)[];
	#head = 0;
	#count = 0;

	constructor(size = 8) {
		this.size = size;
		this.#items = new Array(size).fill(null);
	}

	get count(): number {
		return this.#count;
	}

	// Queues `command` and tells the channel; throws, queueing nothing, when full.
	submit(command: Command): void {
		if (this.#count === this.size)
			throw new Error(`command queue full (${this.size} waiting): ${command.spec.name} not sent`);
		this.#items[(this.#head + this.#count) % this.size] = command;
		this.#count++;
		this.channel?.kick();
	}

	// ChannelEvents.nextCommand.
	nextCommand(): Command | null {
		if (this.#count === 0) return null;
		const command = this.#items[this.#head] as Command;
		this.#items[this.#head] = null;
		this.#head = (this.#head + 1) % this.size;
		this.#count--;
		return command;
	}
}
