// An ECMA-419 TCP socket over a BC20 connection, shaped so that Moddable's
// HTTP, MQTT and WebSocket clients use it unchanged (`socket: {io: TCP, modem}`):
// `address` or `host`, the first onWritable means connected, onReadable(count),
// read() / read(n) / read(buffer), `format` "buffer" or "number", write()
// returning the writable count and throwing (writing nothing) when the bytes do
// not fit, onError() only once received data has been read.
//
// A byte stream with a gap is broken: those clients parse what they read and
// cannot see a hole in it. So a send that failed or whose outcome is unknown
// (SEND FAIL, no answer in time) and received bytes lost (direct push with a
// full receive buffer, data damaged on the line) end the socket: the bytes
// received before the gap can still be read, nothing after it is delivered or
// written, and then onError() comes with the modem's warning in lastError
// (code, offset and count of the bytes not sent, or `lost`).
//
// Callbacks come from a fresh turn of the modem's clock (notifier.ts), never
// from inside the modem's receive turn.
//
// read() follows Moddable's own TCP socket (modules/io/socket/lwip/tcp.c):
// undefined when nothing is buffered, whatever the form; read() takes all
// that is buffered; read(n) and read(buffer) take exactly n (the buffer's
// length) bytes and throw, taking nothing, when fewer are buffered or n is
// not positive; read(buffer) returns the count.
//
// Instances take expando properties, `readable` and `writable` included:
// Moddable's TLS wrapper (tlssocket.js) assigns both on the socket it wraps.
// An assignment makes an own property that shadows the getter, as on
// Moddable's own socket, which has no such property.
import type { BC20 } from "../bc20/modem.js";
import { E_DATA_LOST, type BC20Error } from "../bc20/errors.js";
import { BUFFER_MODE } from "../bc20/socket-constants.js";
import type { Socket } from "../bc20/socket.js";
import { checkHost, checkInt } from "../bc20/validate.js";
import { byteView, later } from "./bytes.js";
import { Notifier } from "./notifier.js";

export interface TCPOptions {
	modem: BC20;
	address?: string;
	host?: string;
	port: number;
	format?: "buffer" | "number";
	onReadable?: (this: any, count: number) => void;
	onWritable?: (this: any, count: number) => void;
	onError?: (this: any) => void;
	target?: unknown;
	// BC20 access mode: 0 buffer (default: the module holds what the socket's
	// receive buffer cannot take until the app reads, so a slow reader loses
	// nothing), 1 direct push (no command round trip per read, but data that
	// does not fit is lost and ends the stream).
	mode?: number;
}

export class TCP {
	#socket: Socket | null = null; // opened from the first notifier turn
	#open: (() => void) | null;
	#format: "buffer" | "number";
	#one = new Uint8Array(1);
	#error: BC20Error | null = null;
	#onError: ((this: any) => void) | undefined;
	// -1 while the stream is whole. Once it has a gap: the received bytes from
	// before the gap still unread; when they are all read the socket ends.
	#intact = -1;
	#ended = false; // onError came, or the app closed
	#notifier: Notifier;
	#readable = false; // onReadable is due
	#writable = -1; // onWritable is due with this count (-1: not due)
	#failed = false; // onError is due
	[key: string]: unknown; // instances accept extra properties (TLS wrappers add some)

	constructor(options: TCPOptions) {
		const modem = options.modem;
		if (!modem) throw new TypeError("TCP: options.modem (a BC20) is required");
		const host = options.address ?? options.host;
		if (typeof host !== "string") throw new TypeError("TCP: address or host is required");
		this.format = options.format ?? "buffer";
		this.#format = this.format as "buffer" | "number";
		if (options.target !== undefined) this.target = options.target;
		const self = this;
		const { onReadable, onWritable } = options;
		this.#onError = options.onError;
		// Room first (the first onWritable means connected), then data, then the end.
		this.#notifier = new Notifier(modem.clock, () => {
			const open = this.#open;
			if (open !== null) {
				this.#open = null;
				if (!this.#ended) open();
			}
			if (this.#writable >= 0) {
				const count = this.#writable;
				this.#writable = -1;
				if (this.#intact < 0 && !this.#ended) onWritable?.call(this, count);
			}
			if (this.#readable) {
				this.#readable = false;
				const count = this.#available();
				if (!this.#ended && count > 0) onReadable?.call(this, count);
			}
			if (this.#failed) {
				this.#failed = false;
				this.#onError?.call(this);
			}
		});
		// The module socket is opened from the first notifier turn, not inside
		// the constructor: whatever the application was doing stays shallow.
		// Arguments are checked now, so a bad one still throws here.
		checkHost(host);
		checkInt(options.port, 1, 65535, "port");
		const mode = options.mode ?? BUFFER_MODE;
		this.#open = () => {
			try {
				this.#socket = modem.open({
					type: "tcp",
					host,
					port: options.port,
					mode,
					onReadable() {
						if (self.#ended) return;
						self.#readable = true;
						self.#notifier.request();
					},
					onWritable(count) {
						if (self.#intact >= 0 || self.#ended) return;
						self.#writable = count;
						self.#notifier.request();
					},
					onWarning(error) {
						if (self.#intact >= 0 || self.#ended) return;
						// "buff full" (the module keeps the data) and a read retried miss no byte.
						if (error.count === 0 && error.lost === 0 && error.code !== E_DATA_LOST) return;
						self.#error = error;
						// The modem warns before it announces the bytes it stored with the
						// loss: what is buffered now all came before the gap.
						self.#intact = this.readable; // the modem socket's count
						if (self.#intact === 0) self.#end();
					},
					onError(error) {
						if (self.#ended) return;
						self.#ended = true;
						if (self.#error === null) self.#error = error; // a gap came first: it is why
						self.#failed = true;
						self.#notifier.request();
					},
				});
			} catch (error) {
				// Not ready, or every connectID taken: the connection failed.
				this.#error = error as BC20Error;
				this.#ended = true;
				this.#onError?.call(this);
			}
		};
		this.#notifier.request();
	}

	// Why the socket failed (after onError), or null.
	get lastError(): BC20Error | null {
		return this.#error;
	}

	get format(): "buffer" | "number" {
		return this.#format;
	}

	set format(value: "buffer" | "number") {
		if (value !== "buffer" && value !== "number") throw new RangeError(`TCP: invalid format ${String(value)}`);
		this.#format = value;
	}

	// Bytes waiting to be read (up to the gap, if the stream has one).
	get readable(): number {
		return this.#available();
	}

	// An assignment (Moddable's TLS wrapper makes one) becomes an own property.
	set readable(value: unknown) {
		Object.defineProperty(this, "readable", { value, writable: true, enumerable: true, configurable: true });
	}

	read(count?: number | ArrayBufferLike | ArrayBufferView): number | ArrayBuffer | undefined {
		const available = this.#available();
		if (available === 0) return undefined;
		if (this.#format === "number") {
			if (count !== undefined) throw new TypeError("TCP: read() takes no argument in number format");
			this.#take(this.#one, 1);
			return this.#one[0];
		}
		if (typeof count === "object") {
			const into = byteView(count);
			const n = into.length;
			if (n <= 0 || n > available)
				throw new Error("TCP: invalid read: " + n + " bytes asked, " + available + " buffered");
			return this.#take(into, n);
		}
		// Written to narrow the same with and without strictNullChecks (mcconfig compiles without).
		const n = typeof count === "number" ? count : available;
		if (!(n > 0 && n <= available))
			throw new Error("TCP: invalid read: " + n + " bytes asked, " + available + " buffered");
		const result = new ArrayBuffer(n);
		this.#take(new Uint8Array(result), n);
		return result;
	}

	write(data: number | ArrayBufferLike | ArrayBufferView): number {
		const socket = this.#socket;
		if (socket === null) throw new Error("TCP: not connected yet (wait for onWritable)");
		if (this.#intact >= 0) throw new Error("TCP: the stream has a gap (see lastError): nothing more is sent");
		let bytes: Uint8Array;
		if (typeof data === "number") {
			this.#one[0] = data;
			bytes = this.#one;
		} else bytes = byteView(data);
		if (bytes.length > socket.writable)
			throw new Error("TCP: output full: " + bytes.length + " bytes do not fit in " + socket.writable);
		socket.write(bytes, 0, bytes.length);
		return socket.writable;
	}

	close(): void {
		this.#ended = true;
		const socket = this.#socket;
		if (socket !== null && socket.state !== 0) socket.close();
	}

	#available(): number {
		const intact = this.#intact;
		if (intact >= 0) return intact;
		return this.#socket === null ? 0 : this.#socket.readable;
	}

	// Reads into into[0, max), not past the gap if the stream has one.
	#take(into: Uint8Array, max: number): number {
		const intact = this.#intact;
		const socket = this.#socket as Socket;
		if (intact < 0) return socket.read(into, 0, max);
		if (intact === 0) return 0;
		const n = socket.read(into, 0, max < intact ? max : intact);
		this.#intact = intact - n;
		if (n === intact) this.#end();
		return n;
	}

	// A broken stream whose bytes from before the gap were read ends: the
	// module socket closes (what came after the gap is dropped) and onError
	// comes, from a fresh turn as no callback runs inside a method.
	#end(): void {
		later(() => {
			if (this.#ended) return;
			this.#ended = true;
			const socket = this.#socket;
			if (socket !== null && socket.state !== 0) socket.close();
			this.#onError?.call(this);
		});
	}
}
