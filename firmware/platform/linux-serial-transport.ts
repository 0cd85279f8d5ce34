// The BC20's UART on Moddable's Linux `embedded:io/serial`
// (modules/io/serial/lin/serial.c): a tty path instead of pins, for a BC20 on
// a USB serial adapter, or the emulator behind a pty.
//
// Receive: that driver has no read(buffer): read() returns a new ArrayBuffer
// holding everything the kernel has buffered. Each received chunk therefore
// costs an ArrayBuffer and a Uint8Array over it, the one allocation this
// platform imposes (the kernel's buffer makes fewer, larger chunks than the
// ESP32's FIFO). Every onReadable drains what is there.
// Transmit: write() takes a whole ArrayBuffer (not a view) of at most 1024
// bytes, and throws while an earlier write still waits in the driver; the
// driver calls onWritable once each write has left. So outgoing bytes wait in
// a preallocated ring and go out one piece per onWritable, through buffers of
// sizes 1, 2, 4 … 512 made once: any length is a sum of them, and nothing is
// allocated per write.
import Serial from "embedded:io/serial";
import { ByteRing } from "../at/byte-ring.js";
import type { Transport } from "../at/seams.js";
import type { ByteSink } from "./serial-transport.js";

export interface LinuxSerialTransportOptions {
	device: string; // the tty: /dev/ttyUSB0, or the pty socat made for the emulator
	baud: number;
	// Bytes waiting for the driver, power of two (default 2048), unless the
	// sink attached has an output ring of its own.
	txCapacity?: number;
}

// The Linux driver's shape; @moddable/typings describe only the pin form.
interface LinuxSerial {
	read(): ArrayBuffer | undefined;
	write(bytes: ArrayBuffer): void;
	close(): void;
}
type LinuxSerialClass = new (options: {
	device: string;
	baud: number;
	format: "buffer";
	onReadable: (count: number) => void;
	onWritable: (count: number) => void;
}) => LinuxSerial;

const LARGEST_PIECE = 512;

export class LinuxSerialTransport implements Transport {
	#serial: LinuxSerial;
	#sink: ByteSink | null = null;
	#tx: ByteRing | null = null; // the sink's output ring, or made at the first write
	#txCapacity: number;
	#pieces: ArrayBuffer[] = [];
	#views: Uint8Array[] = [];
	// True between an onWritable and the next write: the driver takes a write.
	#writable = false;
	overflows = 0;

	constructor(options: LinuxSerialTransportOptions) {
		this.#txCapacity = options.txCapacity ?? 2048;
		for (let size = 1; size <= LARGEST_PIECE; size <<= 1) {
			const piece = new ArrayBuffer(size);
			this.#pieces.push(piece);
			this.#views.push(new Uint8Array(piece));
		}
		this.#serial = new (Serial as unknown as LinuxSerialClass)({
			device: options.device,
			baud: options.baud,
			format: "buffer",
			onReadable: () => this.#drain(),
			onWritable: () => {
				this.#writable = true;
				this.#feed();
			},
		});
	}

	// Where received bytes go (the modem's receive).
	attach(sink: ByteSink): void {
		this.#sink = sink;
		if (sink.outputRing !== undefined && this.#tx === null) this.#tx = sink.outputRing;
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		const taken = (this.#tx ??= new ByteRing(this.#txCapacity)).push(bytes, start, end);
		// As on the ESP32: running out means the tty stopped taking bytes.
		if (taken < end - start) this.overflows++;
		this.#feed();
	}

	close(): void {
		this.#serial.close();
	}

	#drain(): void {
		const serial = this.#serial;
		for (;;) {
			const chunk = serial.read();
			if (chunk === undefined) return;
			this.#sink?.receive(new Uint8Array(chunk), 0, chunk.byteLength);
		}
	}

	#feed(): void {
		const tx = this.#tx;
		if (!this.#writable || tx === null || tx.count === 0) return;
		const n = tx.count < LARGEST_PIECE ? tx.count : LARGEST_PIECE;
		// Largest power of two not above n.
		let k = 0;
		while (2 << k <= n) k++;
		const size = 1 << k;
		tx.copyOut(0, this.#views[k], 0, size);
		this.#writable = false;
		this.#serial.write(this.#pieces[k]);
		tx.discard(size);
	}
}
