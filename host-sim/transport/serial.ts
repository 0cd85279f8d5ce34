// A real serial port (USB-UART adapter wired to the BC20) through `serialport`.
import type { SerialPortStream } from "@serialport/stream";
import { SerialPort } from "serialport";
import { notOpen, TransportError, type HostTransport } from "./host-transport.js";

export interface SerialOptions {
	readonly path: string;
	readonly baud: number;
}

type State = "closed" | "opening" | "open" | "closing";

export class SerialTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly description: string;
	readonly path: string;
	readonly baud: number;
	readonly #port: SerialPortStream;
	#state: State = "closed";
	// Writes handed to the stream and not yet on the port: close() and tests
	// wait for them, so nothing written before close() is cut off.
	#pendingWrites = 0;
	#allWritten: Promise<void> | null = null;
	#resolveAllWritten: (() => void) | null = null;

	// `port` lets the mock-binding transport reuse all of this over another binding.
	constructor(options: SerialOptions, port?: SerialPortStream) {
		this.path = options.path;
		this.baud = options.baud;
		this.description = `${options.path} at ${options.baud} baud`;
		this.#port = port ?? new SerialPort({ path: options.path, baudRate: options.baud, autoOpen: false });
		this.#port.on("data", (chunk: Buffer) => {
			if (this.#state === "open") this.onData?.(chunk);
		});
		// Emitted after our own close() too; only a close we did not ask for is news.
		this.#port.on("close", (error: Error | null) => {
			if (error) this.#lost(new TransportError(`${this.path} was disconnected`, { cause: error }));
		});
		// Without a listener an 'error' event would crash the process.
		this.#port.on("error", (error: Error) => {
			this.#lost(new TransportError(`${this.path}: ${error.message}`, { cause: error }));
		});
	}

	async open(): Promise<void> {
		if (this.#state !== "closed") throw new TransportError(`${this.description} is already open`);
		this.#state = "opening";
		try {
			await new Promise<void>((resolve, reject) => this.#port.open((error) => (error ? reject(error) : resolve())));
		} catch (error) {
			this.#state = "closed";
			throw serialOpenError(this.path, this.baud, error);
		}
		this.#state = "open";
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		if (this.#state !== "open") throw notOpen(this.description);
		this.#pendingWrites++;
		this.#port.write(Buffer.copyBytesFrom(bytes, start, end - start), this.#written);
	}

	async close(): Promise<void> {
		if (this.#state !== "open") return;
		this.#state = "closing";
		await this.writesDone();
		// A port that vanished meanwhile answers "Port is not open": closed either way.
		await new Promise<void>((resolve) => this.#port.close(() => resolve()));
		this.#state = "closed";
		this.onClose?.(null);
	}

	/** Resolves once every write so far has reached the port (or failed). */
	protected writesDone(): Promise<void> {
		if (this.#pendingWrites === 0) return Promise.resolve();
		this.#allWritten ??= new Promise((resolve) => (this.#resolveAllWritten = resolve));
		return this.#allWritten;
	}

	// One bound callback for every write, so a write allocates no closure.
	readonly #written = (): void => {
		if (--this.#pendingWrites > 0) return;
		this.#resolveAllWritten?.();
		this.#allWritten = null;
		this.#resolveAllWritten = null;
	};

	#lost(error: TransportError): void {
		if (this.#state !== "open") return;
		this.#state = "closed";
		if (this.#port.isOpen) this.#port.close();
		this.onClose?.(error);
	}
}

// Turns the binding's strerror-based text ("Error: No such file or directory,
// cannot open /dev/ttyUSB9") into one sentence a user can act on.
export function serialOpenError(path: string, baud: number, error: unknown): TransportError {
	const detail = error instanceof Error ? error.message : String(error);
	const options = { cause: error };
	if (/No such file|File not found|cannot find the file/i.test(detail)) {
		return new TransportError(`no such port ${path}`, options);
	}
	if (/Permission denied|Access denied|Access is denied/i.test(detail)) {
		return new TransportError(
			`permission denied opening ${path} (on Linux, add your user to the dialout group)`,
			options,
		);
	}
	if (/lock|busy|Resource temporarily unavailable/i.test(detail)) {
		return new TransportError(`${path} is in use by another program`, options);
	}
	if (/Inappropriate ioctl|Is a directory|Not a directory|Not a typewriter/i.test(detail)) {
		return new TransportError(`${path} is not a serial port`, options);
	}
	if (/baud rate/i.test(detail)) {
		return new TransportError(`${path} does not support ${baud} baud`, options);
	}
	const reason = detail.replace(/^Error:? /, "").replace(/,? cannot open .*$/i, "");
	return new TransportError(`cannot open ${path}: ${reason}`, options);
}
