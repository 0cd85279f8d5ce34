// A stand-in for Moddable's Linux `embedded:io/serial`
// (modules/io/serial/lin/serial.c), for firmware/platform/linux-serial-transport.ts:
// - constructor: `device` and `baud` (no pins), `format` "buffer" by default
//   ("number" is unimplemented there); the write watch is armed at once when
//   onWritable is given, so the first onWritable(1024) comes in a later turn.
// - read([count]): undefined when the kernel holds nothing; otherwise a new
//   ArrayBuffer with min(count, available) bytes, everything without a count.
//   There is no read(buffer): an object argument converts to the count 0.
// - write(buffer): an ArrayBuffer only (a view throws TypeError, as
//   xsToArrayBuffer does), at most 1024 bytes, and "would overflow" while an
//   earlier write still waits in the driver. What the kernel does not take
//   waits in the driver's 1024-byte buffer; once it is all out, onWritable(1024).
// - the kernel's receive buffer keeps what arrives until read; onReadable is
//   level-triggered (G_IO_IN): called in every turn while bytes wait.
// No Node APIs, so the same code runs inside XS.

export const WRITE_BUFFER_SIZE = 1024; // serial.c kWriteBufferSize

export interface FakeLinuxSerialOptions {
	device: string;
	baud: number;
	format?: string;
	onReadable?: (this: FakeLinuxSerial, count: number) => void;
	onWritable?: (this: FakeLinuxSerial, count: number) => void;
	port?: number;
	receive?: number;
	transmit?: number;
}

export class FakeLinuxSerial {
	// The instance the code under test constructed last (a test reads it).
	static last: FakeLinuxSerial | null = null;

	readonly options: FakeLinuxSerialOptions;
	readonly device: string;
	readonly baud: number;
	closed = false;

	// The kernel's receive buffer (bytes from the module, not yet read).
	readonly rx: Uint8Array;
	rxHead = 0;
	rxCount = 0;
	// Room the kernel's transmit side has now (the test sets and refills it).
	room = 4096;
	// What the kernel took, in order: the other end of the line.
	readonly wire: Uint8Array;
	wireCount = 0;
	// The driver's own buffer for what the kernel did not take (writeCount).
	pending = 0;

	reads = 0;
	// ArrayBuffers read() made: each one is an allocation of the driver.
	readBuffers = 0;
	writes = 0;
	wouldOverflow = 0;
	notArrayBuffer = 0;
	// The ArrayBuffers write() received, by identity: a new one is a buffer made for that write.
	readonly writeBuffers: unknown[] = [];
	// A read's turn sees bytes arrive meanwhile (the line keeps going).
	duringRead: ((serial: FakeLinuxSerial) => void) | null = null;

	readonly #writeViews: Uint8Array[] = [];
	#writeWatch = false;
	#pendingBytes = new Uint8Array(WRITE_BUFFER_SIZE);
	#pendingStart = 0;

	constructor(options: FakeLinuxSerialOptions, capacity = 1 << 20) {
		if (typeof options.device !== "string") throw new TypeError("device path required");
		if (options.format === "number") throw new Error("unimplemented format");
		this.options = options;
		this.device = options.device;
		this.baud = options.baud;
		this.rx = new Uint8Array(capacity);
		this.wire = new Uint8Array(capacity);
		if (options.onWritable) this.#writeWatch = true;
		FakeLinuxSerial.last = this;
	}

	// ---- the embedded:io/serial API ----

	read(count?: unknown): ArrayBuffer | undefined {
		if (this.closed) throw new Error("closed");
		this.duringRead?.(this);
		this.reads++;
		const available = this.rxCount;
		if (available === 0) return undefined;
		let n = available;
		if (count !== undefined) {
			const asked = Math.trunc(Number(count)) || 0;
			if (asked < n) n = asked < 0 ? 0 : asked;
		}
		const result = new ArrayBuffer(n);
		const bytes = new Uint8Array(result);
		for (let i = 0; i < n; i++) bytes[i] = this.rx[(this.rxHead + i) % this.rx.length];
		this.rxHead = (this.rxHead + n) % this.rx.length;
		this.rxCount -= n;
		this.readBuffers++;
		return result;
	}

	write(buffer: unknown): void {
		if (this.closed) throw new Error("closed");
		if (!(buffer instanceof ArrayBuffer)) {
			this.notArrayBuffer++;
			throw new TypeError("this is no ArrayBuffer instance");
		}
		const length = buffer.byteLength;
		if (length === 0) return;
		if (length > WRITE_BUFFER_SIZE || this.pending > 0) {
			this.wouldOverflow++;
			throw new Error("would overflow");
		}
		this.writes++;
		let index = this.writeBuffers.indexOf(buffer);
		if (index < 0) {
			index = this.writeBuffers.push(buffer) - 1;
			this.#writeViews.push(new Uint8Array(buffer)); // once per buffer: the fake itself allocates nothing per write
		}
		const bytes = this.#writeViews[index];
		const taken = length < this.room ? length : this.room;
		for (let i = 0; i < taken; i++) this.wire[this.wireCount++] = bytes[i];
		this.room -= taken;
		for (let i = taken; i < length; i++) this.#pendingBytes[i - taken] = bytes[i];
		this.pending = length - taken;
		this.#pendingStart = 0;
		if (this.pending > 0 || this.options.onWritable) this.#writeWatch = true;
	}

	close(): void {
		this.closed = true;
	}

	// ---- the test's side ----

	// Bytes from the module reach the kernel's buffer.
	arrive(bytes: Uint8Array, start: number, end: number): void {
		for (let i = start; i < end; i++) {
			this.rx[(this.rxHead + this.rxCount) % this.rx.length] = bytes[i];
			this.rxCount++;
		}
	}

	// One main-loop iteration: G_IO_IN (onReadable while bytes wait), then
	// G_IO_OUT (the driver flushes its buffer; once empty, onWritable(1024)).
	// Returns whether a callback ran.
	deliver(): boolean {
		let ran = false;
		if (this.rxCount > 0 && this.options.onReadable && !this.closed) {
			this.options.onReadable.call(this, this.rxCount);
			ran = true;
		}
		if (this.#writeWatch && this.room > 0 && !this.closed) {
			if (this.pending > 0) {
				const n = this.pending < this.room ? this.pending : this.room;
				for (let i = 0; i < n; i++) this.wire[this.wireCount++] = this.#pendingBytes[this.#pendingStart + i];
				this.#pendingStart += n;
				this.pending -= n;
				this.room -= n;
			}
			if (this.pending === 0) {
				this.#writeWatch = false;
				if (this.options.onWritable) {
					this.options.onWritable.call(this, WRITE_BUFFER_SIZE);
					ran = true;
				}
			}
		}
		return ran;
	}

	get writeWatch(): boolean {
		return this.#writeWatch;
	}
}
