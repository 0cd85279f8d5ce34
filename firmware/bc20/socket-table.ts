// The table of sockets (connectIDs 0-4) and the one arena their receive rings
// share with the UART input scratch.
//
// One ArrayBuffer holds the input scratch first, then every socket's receive
// ring. A transport that reads the UART into `input` (modem.inputBuffer)
// hands the driver bytes that already sit in the arena, so text payload goes
// from there into a socket's ring as one native copyWithin per run (two at
// the ring's wrap), with no view made per call. Bytes from anywhere else
// still work, copied by a loop.
import { ByteRing } from "../at/byte-ring.js";
import { Slot, type SlotHost } from "./socket-slot.js";

// The UART input scratch: two of the ESP32's 128-byte FIFOs.
export const INPUT_BYTES = 256;

export class SocketTable {
	readonly slots: Slot[] = [];
	// Where a transport may read the module's bytes into before receive().
	readonly input: Uint8Array;

	constructor(count: number, rxSize: number, txSize: number, host: SlotHost) {
		const arena = new Uint8Array(INPUT_BYTES + count * rxSize);
		this.input = arena.subarray(0, INPUT_BYTES);
		for (let id = 0; id < count; id++) {
			const rx = new ByteRing(rxSize, arena, INPUT_BYTES + id * rxSize);
			this.slots.push(new Slot(id, rx, new ByteRing(txSize), host));
		}
	}
}
