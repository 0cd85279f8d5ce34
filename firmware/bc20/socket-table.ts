// The table of sockets (connectIDs 0-4) and the one arena their receive rings
// share with the UART input scratch and a read buffer for the application.
//
// One ArrayBuffer holds the input scratch, the read buffer, then every
// socket's receive ring. A transport that reads the UART into `input`
// (modem.inputBuffer) hands the driver bytes that already sit in the arena,
// so text payload goes from there into a socket's ring as one native
// copyWithin per run (two at the ring's wrap), with no view made per call; an
// application that reads into `readBuffer` (modem.readBuffer) gets its bytes
// the same way. Bytes from or to anywhere else still work, copied by a loop
// (XS interprets about 25 operations per byte of it).
import { ByteRing } from "../at/byte-ring.js";
import { Slot, type SlotHost } from "./socket-slot.js";

// The UART input scratch: two of the ESP32's 128-byte FIFOs.
export const INPUT_BYTES = 256;
// The application's read buffer: a +QIRD read or a TCP segment's worth.
export const READ_BYTES = 1536;

export class SocketTable {
	readonly slots: Slot[] = [];
	// Where a transport may read the module's bytes into before receive().
	readonly input: Uint8Array;
	// Where an application may read a socket's bytes into.
	readonly readBuffer: Uint8Array;

	constructor(count: number, rxSize: number, txSize: number, host: SlotHost) {
		const rings = INPUT_BYTES + READ_BYTES;
		const arena = new Uint8Array(rings + count * rxSize);
		this.input = arena.subarray(0, INPUT_BYTES);
		this.readBuffer = arena.subarray(INPUT_BYTES, rings);
		for (let id = 0; id < count; id++) {
			const rx = new ByteRing(rxSize, arena, rings + id * rxSize);
			this.slots.push(new Slot(id, rx, new ByteRing(txSize), host));
		}
	}
}
