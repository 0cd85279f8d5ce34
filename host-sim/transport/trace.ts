// `bc20 --trace`: every byte that crosses a transport, as readable lines.
//
//     0.000 * open /dev/ttyUSB0 at 9600 baud
//     0.012 > AT+QIOPEN=1,0,"TCP","127.0.0.1",9000\r\n
//     0.045 < \r\nOK\r\n
//
// Seconds since traced() was called; "> " host → module, "< " module → host,
// "* " link events. A chunk is split after each LF so every AT line gets its
// own trace line. Tracing allocates freely: it is a debugging aid, off by default.
import { performance } from "node:perf_hooks";
import type { HostTransport, TransportError } from "./host-transport.js";

/** Wraps `transport` so every byte and link event is also reported to `write`, one line per call. */
export function traced(
	transport: HostTransport,
	write: (line: string) => void,
	now: () => number = () => performance.now(),
): HostTransport {
	return new TracedTransport(transport, write, now);
}

class TracedTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly #inner: HostTransport;
	readonly #write: (line: string) => void;
	readonly #now: () => number;
	readonly #start: number;

	constructor(inner: HostTransport, write: (line: string) => void, now: () => number) {
		this.#inner = inner;
		this.#write = write;
		this.#now = now;
		this.#start = now();
		inner.onData = (chunk) => {
			this.#bytes("< ", chunk, 0, chunk.length);
			this.onData?.(chunk);
		};
		inner.onClose = (error) => {
			this.#event(error ? `closed: ${error.message}` : "closed");
			this.onClose?.(error);
		};
	}

	get description(): string {
		return this.#inner.description;
	}

	async open(): Promise<void> {
		try {
			await this.#inner.open();
		} catch (error) {
			this.#event(`open failed: ${error instanceof Error ? error.message : String(error)}`);
			throw error;
		}
		this.#event(`open ${this.#inner.description}`);
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		this.#bytes("> ", bytes, start, end);
		this.#inner.write(bytes, start, end);
	}

	close(): Promise<void> {
		return this.#inner.close();
	}

	#stamp(): string {
		return ((this.#now() - this.#start) / 1000).toFixed(3).padStart(8);
	}

	#event(text: string): void {
		this.#write(`${this.#stamp()} * ${text}`);
	}

	#bytes(direction: string, bytes: Uint8Array, start: number, end: number): void {
		const prefix = `${this.#stamp()} ${direction}`;
		let text = "";
		for (let i = start; i < end; i++) {
			text += escapeByte(bytes[i]);
			if (bytes[i] === 0x0a && i + 1 < end) {
				this.#write(prefix + text);
				text = "";
			}
		}
		if (text !== "") this.#write(prefix + text);
	}
}

const HEX = "0123456789ABCDEF";

// Printable ASCII stays itself, a backslash is doubled (so "\r" in the trace
// always means the byte 0x0D), CR and LF read as \r and \n, the rest as \xNN.
function escapeByte(byte: number): string {
	if (byte === 0x0d) return "\\r";
	if (byte === 0x0a) return "\\n";
	if (byte === 0x5c) return "\\\\";
	if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte);
	return `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
}
