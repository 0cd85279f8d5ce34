// An ECMA-419 TCP socket over a BC20 connection, shaped so that Moddable's
// HTTP, MQTT and WebSocket clients use it unchanged (`socket: {io: TCP, modem}`):
// `address` or `host`, the first onWritable means connected, onReadable(count),
// read() / read(n) / read(buffer), `format` "buffer" or "number", write()
// returning the writable count and throwing (writing nothing) when the bytes do
// not fit, onError() only once received data has been read.
import type { BC20 } from "../bc20/modem.js";
import type { BC20Error } from "../bc20/errors.js";
import { PUSH_MODE } from "../bc20/socket-slot.js";
import type { Socket } from "../bc20/socket.js";
import { byteView } from "./bytes.js";

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
	// BC20 access mode: 1 direct push (default: data arrives with no command
	// round trip), 0 buffer (the module holds data until read: backpressure).
	mode?: number;
}

export class TCP {
	#socket: Socket;
	#format: "buffer" | "number";
	#one = new Uint8Array(1);
	#error: BC20Error | null = null;
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
		const { onReadable, onWritable, onError } = options;
		this.#socket = modem.open({
			type: "tcp",
			host,
			port: options.port,
			mode: options.mode ?? PUSH_MODE,
			onReadable(bytes) {
				onReadable?.call(self, bytes);
			},
			onWritable(bytes) {
				onWritable?.call(self, bytes);
			},
			onError(error) {
				self.#error = error;
				onError?.call(self);
			},
		});
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

	// Bytes waiting to be read.
	get readable(): number {
		return this.#socket.readable;
	}

	read(count?: number | ArrayBufferLike | ArrayBufferView): number | ArrayBuffer | undefined {
		const socket = this.#socket;
		if (this.#format === "number") {
			if (count !== undefined) throw new TypeError("TCP: read() takes no argument in number format");
			return socket.read(this.#one, 0, 1) === 1 ? this.#one[0] : undefined;
		}
		if (typeof count === "object") {
			const into = byteView(count);
			return socket.read(into, 0, into.length);
		}
		const available = socket.readable;
		if (available === 0) return undefined;
		// Written to narrow the same with and without strictNullChecks (mcconfig compiles without).
		const n = typeof count === "number" && count < available ? count : available;
		const result = new ArrayBuffer(n);
		socket.read(new Uint8Array(result), 0, n);
		return result;
	}

	write(data: number | ArrayBufferLike | ArrayBufferView): number {
		const socket = this.#socket;
		let bytes: Uint8Array;
		if (typeof data === "number") {
			this.#one[0] = data;
			bytes = this.#one;
		}
		else bytes = byteView(data);
		if (bytes.length > socket.writable) throw new Error("TCP: output full: " + bytes.length + " bytes do not fit in " + socket.writable);
		socket.write(bytes, 0, bytes.length);
		return socket.writable;
	}

	close(): void {
		if (this.#socket.state !== 0) this.#socket.close();
	}
}
