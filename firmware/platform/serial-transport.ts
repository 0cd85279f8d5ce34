// The BC20's UART on Moddable's ECMA-419 `embedded:io/serial`.
//
// Receive: the ESP32 driver has no software buffer, only the 128-byte FIFO, so
// every onReadable drains it completely with read(buffer) into one scratch
// buffer (read() would allocate) and hands the bytes to the modem at once.
// Transmit: write() throws when the TX FIFO cannot take everything, so outgoing
// bytes wait in a preallocated ring and are fed from onWritable. Serial.write
// takes a whole buffer, so pieces are written through fixed views of sizes
// 1, 2, 4 … 64 made once: any length is a sum of them, and no view is made per
// write.
import Serial from "embedded:io/serial";
import { ByteRing } from "../at/byte-ring.js";
import type { Transport } from "../at/seams.js";

export interface SerialTransportOptions {
	port: number; // UART number: 1 or 2 (UART 0 is the debugger link)
	receive: number; // GPIO receiving from the module's TXD
	transmit: number; // GPIO sending to the module's RXD
	baud: number;
	// Bytes waiting for the FIFO, power of two (default 2048), unless the
	// sink attached has an output ring of its own.
	txCapacity?: number;
}

export interface ByteSink {
	receive(chunk: Uint8Array, start: number, end: number): void;
	// Where the sink wants the FIFO read to (the modem's input buffer shares
	// one ArrayBuffer with its receive rings, so its copies are native).
	readonly inputBuffer?: Uint8Array;
	// Where the transport keeps the bytes it waits to write (the modem's lies
	// in the same ArrayBuffer as its command lines, so their copy is native).
	readonly outputRing?: ByteRing;
	// Where the bytes really go (the modem's channel), called directly: the
	// modem's own receive only forwards, and would add a frame to every turn.
	readonly receiver?: { receive(chunk: Uint8Array, start: number, end: number): void };
}

const SCRATCH = 128; // one FIFO's worth
const LARGEST_VIEW = 64;

export class SerialTransport implements Transport {
	#serial: Serial;
	#sink: ByteSink | null = null;
	#rx: Uint8Array = new Uint8Array(SCRATCH);
	#tx: ByteRing | null = null; // the sink's output ring, or made at the first write
	#txCapacity: number;
	#txScratch = new Uint8Array(LARGEST_VIEW);
	#views: Uint8Array[] = [];
	#writable = 0;
	overflows = 0;

	constructor(options: SerialTransportOptions) {
		this.#txCapacity = options.txCapacity ?? 2048;
		for (let size = 1; size <= LARGEST_VIEW; size <<= 1)
			this.#views.push(new Uint8Array(this.#txScratch.buffer, 0, size));
		this.#serial = new Serial({
			port: options.port,
			receive: options.receive,
			transmit: options.transmit,
			baud: options.baud,
			format: "buffer",
			// The drain is the callback itself: one frame less under every
			// receive turn (XS counts its stack in slots).
			onReadable: () => {
				const rx = this.#rx,
					serial = this.#serial;
				for (;;) {
					const n = serial.read(rx) as number | undefined;
					if (!n) return;
					this.#sink?.receive(rx, 0, n);
				}
			},
			onWritable: (count: number) => {
				this.#writable = count;
				this.#feed();
			},
		});
	}

	// Where received bytes go (the modem's receive).
	attach(sink: ByteSink): void {
		this.#sink = sink.receiver ?? sink;
		if (sink.inputBuffer !== undefined && sink.inputBuffer.length >= SCRATCH) this.#rx = sink.inputBuffer;
		if (sink.outputRing !== undefined && this.#tx === null) this.#tx = sink.outputRing;
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		const taken = (this.#tx ??= new ByteRing(this.#txCapacity)).push(bytes, start, end);
		// The ring holds more than any command line; running out means the
		// module stopped reading (flow stalled). Count it: the command's deadline
		// reports the failure.
		if (taken < end - start) this.overflows++;
		this.#feed();
	}

	close(): void {
		this.#serial.close();
	}

	#feed(): void {
		const tx = this.#tx,
			views = this.#views,
			scratch = this.#txScratch;
		if (tx === null) return;
		while (tx.count > 0 && this.#writable > 0) {
			let n = tx.count < this.#writable ? tx.count : this.#writable;
			if (n > LARGEST_VIEW) n = LARGEST_VIEW;
			// Largest power of two not above n.
			let k = 0;
			while (2 << k <= n) k++;
			const size = 1 << k;
			tx.copyOut(0, scratch, 0, size);
			this.#serial.write(views[k]);
			tx.discard(size);
			this.#writable -= size;
		}
	}
}
