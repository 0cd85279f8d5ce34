// `bc20 --trace`: every byte that crosses a transport, as readable lines.
//
//     0.000 * open /dev/ttyUSB0 at 9600 baud
//     0.012 > AT+QIOPEN=1,0,"TCP","127.0.0.1",9000\r\n
//     0.045 < \r\nOK\r\n
//
// Seconds since traced() was called; "> " host → module, "< " module → host,
// "* " link events. Each trace line is one whole line of the wire, up to and
// including its end (LF from the module, CR from the host), however the
// bytes were chunked, stamped with the time of
// its first byte. Bytes with no LF after them (the "> " prompt, a payload run
// that ends without one) are shown once the other side speaks, a link event
// comes, or nothing followed for IDLE_MS. Payload runs are shown escaped like
// everything else. Tracing allocates freely: it is a debugging aid, off by default.
import { performance } from "node:perf_hooks";
import type { HostTransport, TransportError } from "./host-transport.js";

const IDLE_MS = 100;

/** Wraps `transport` so every byte and link event is also reported to `write`, one line per call. */
export function traced(
	transport: HostTransport,
	write: (line: string) => void,
	now: () => number = () => performance.now(),
): HostTransport {
	return new TracedTransport(transport, write, now);
}

// The bytes of one direction not yet shown: a line still open.
class Partial {
	text = "";
	stamp = "";
	// The host's line ended with CR: shown at the next byte, with it if it is LF.
	cr = false;
}

class TracedTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly #inner: HostTransport;
	readonly #write: (line: string) => void;
	readonly #now: () => number;
	readonly #start: number;
	readonly #out = new Partial();
	readonly #in = new Partial();
	#idle: ReturnType<typeof setTimeout> | undefined;

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
		this.#flush();
		clearTimeout(this.#idle);
		return this.#inner.close();
	}

	#stamp(): string {
		return ((this.#now() - this.#start) / 1000).toFixed(3).padStart(8);
	}

	#event(text: string): void {
		this.#flush();
		this.#write(`${this.#stamp()} * ${text}`);
	}

	#bytes(direction: string, bytes: Uint8Array, start: number, end: number): void {
		const own = direction === "> " ? this.#out : this.#in;
		// The other side speaks: its open line is complete as far as it goes.
		this.#show(direction === "> " ? "< " : "> ", own === this.#out ? this.#in : this.#out);
		for (let i = start; i < end; i++) {
			const byte = bytes[i];
			if (own.cr && byte !== 0x0a) this.#show(direction, own);
			if (own.text === "") own.stamp = this.#stamp();
			own.text += escapeByte(byte);
			// The module ends its lines with LF, the host its commands with CR (or CR LF).
			if (byte === 0x0a) this.#show(direction, own);
			else if (byte === 0x0d && own === this.#out) own.cr = true;
		}
		clearTimeout(this.#idle);
		if (own.text !== "") this.#idle = setTimeout(() => this.#flush(), IDLE_MS);
	}

	#flush(): void {
		this.#show("> ", this.#out);
		this.#show("< ", this.#in);
	}

	#show(direction: string, partial: Partial): void {
		if (partial.text === "") return;
		this.#write(`${partial.stamp} ${direction}${partial.text}`);
		partial.text = "";
		partial.cr = false;
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
