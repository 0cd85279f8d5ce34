// The table of sockets (connectIDs 0-4), each with its receive and transmit
// rings from the modem's arena (arena.ts).
import type { Arena } from "./arena.js";
import { Slot, type SlotHost } from "./socket-slot.js";

export class SocketTable {
	readonly slots: Slot[] = [];

	constructor(arena: Arena, host: SlotHost) {
		for (let id = 0; id < arena.rx.length; id++) this.slots.push(new Slot(id, arena.rx[id], arena.tx[id], host));
	}
}
