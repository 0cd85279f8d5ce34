// One ArrayBuffer for every buffer the module's bytes pass through, so that
// each copy between two of them is one native copyWithin (two at a ring's
// wrap), with no view made per call: XS interprets about 25 operations per
// byte of a copy loop, and a long turn is one in which the UART's 128-byte
// FIFO is not read.
//
//   input       where a transport reads the UART into (modem.inputBuffer)
//   readBuffer  where an application may read a socket's bytes into
//   command     where command lines are rendered: a send's bytes come from
//               its socket's transmit ring
//   output      the ring a transport may adopt for the bytes it waits to write
//   rx, tx      each socket's receive and transmit rings
//   hexStage    where the hex digits of the next AT+QISENDEX are made
//               (hex-stage.ts); after the rings, so at an even offset
//   hexScratch  where received hex is decoded before it goes to a socket
import { ByteRing } from "../at/byte-ring.js";

// The UART input scratch: two of the ESP32's 128-byte FIFOs.
export const INPUT_BYTES = 256;
// The application's read buffer: a +QIRD read or a TCP segment's worth.
export const READ_BYTES = 1536;
// Received hex decoded at a time.
export const HEX_SCRATCH_BYTES = 256;

export interface ArenaSizes {
	sockets: number;
	rxSize: number; // each a power of two
	txSize: number;
	commandCapacity: number; // the longest command line
	outputSize: number; // a power of two
	hexStageSize: number; // even
}

export class Arena {
	readonly input: Uint8Array;
	readonly readBuffer: Uint8Array;
	readonly command: Uint8Array;
	readonly hexStage: Uint8Array;
	readonly hexScratch: Uint8Array;
	readonly output: ByteRing;
	readonly rx: ByteRing[] = [];
	readonly tx: ByteRing[] = [];

	constructor(sizes: ArenaSizes) {
		const { sockets, rxSize, txSize, commandCapacity, outputSize, hexStageSize } = sizes;
		let at = 0;
		const rings = sockets * (rxSize + txSize) + outputSize;
		const arena = new Uint8Array(rings + hexStageSize + HEX_SCRATCH_BYTES + INPUT_BYTES + READ_BYTES + commandCapacity);
		for (let id = 0; id < sockets; id++) {
			this.rx.push(new ByteRing(rxSize, arena, at));
			at += rxSize;
			this.tx.push(new ByteRing(txSize, arena, at));
			at += txSize;
		}
		this.output = new ByteRing(outputSize, arena, at);
		at += outputSize;
		this.hexStage = arena.subarray(at, at + hexStageSize);
		at += hexStageSize;
		this.hexScratch = arena.subarray(at, at + HEX_SCRATCH_BYTES);
		at += HEX_SCRATCH_BYTES;
		this.input = arena.subarray(at, at + INPUT_BYTES);
		at += INPUT_BYTES;
		this.readBuffer = arena.subarray(at, at + READ_BYTES);
		at += READ_BYTES;
		this.command = arena.subarray(at, at + commandCapacity);
	}
}
