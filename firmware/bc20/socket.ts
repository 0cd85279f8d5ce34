// The app's handle on one connection (made by BC20.open). It stays valid
// until the connection ends (onClose / onError); after that every operation
// throws E_STATE, even when its connectID has been reused by a new socket.
//
// Callbacks are called with `this` set to the socket, never from inside one of
// its methods, and must not throw.
import { BC20Error, E_ARGUMENT, E_STATE } from "./errors.js";
import { INITIAL, newStats, type SocketStats } from "./socket-constants.js";
import type { SocketCallbacksOf } from "./socket-link.js";
import type { Slot } from "./socket-slot.js";

// The application's callbacks (socket-link.ts), called with the socket as `this`.
export type SocketCallbacks = SocketCallbacksOf<Socket>;

export class Socket {
	readonly id: number;
	readonly type: "tcp" | "udp";
	readonly host: string;
	readonly port: number;
	readonly localPort: number;
	// Byte counts of this connection; kept after it ended. Read only.
	readonly stats: SocketStats = newStats();
	#slot: Slot;

	constructor(slot: Slot, type: "tcp" | "udp", host: string, port: number, localPort: number) {
		this.#slot = slot;
		this.id = slot.id;
		this.type = type;
		this.host = host;
		this.port = port;
		this.localPort = localPort;
	}

	// INITIAL (0, ended), OPENING (1), CONNECTED (2), CLOSING (3).
	get state(): number {
		return this.#slot.owner === this ? this.#slot.state : INITIAL;
	}

	// BUFFER_MODE (0) or PUSH_MODE (1).
	get mode(): number {
		return this.#live().mode;
	}

	// Received bytes ready to read (UDP: in complete datagrams).
	get readable(): number {
		return this.#slot.owner === this ? this.#slot.receiver.readable : 0;
	}

	// UDP: datagrams ready to read.
	get datagrams(): number {
		return this.#slot.owner === this ? this.#slot.receiver.rxLengths.count : 0;
	}

	// UDP: length of the next datagram, -1 when none.
	get nextDatagramLength(): number {
		return this.#slot.owner === this ? this.#slot.receiver.nextDatagram : -1;
	}

	// Bytes write() takes now (UDP: the largest datagram of any content that fits).
	get writable(): number {
		return this.#slot.owner === this ? this.#slot.writable : 0;
	}

	// Copies received bytes into into[start, end) and returns the count. UDP:
	// one whole datagram per call; throws E_ARGUMENT, taking nothing, when it
	// does not fit (see nextDatagramLength). Allowed until the socket ended.
	read(into: Uint8Array, start = 0, end = into.length): number {
		return this.#live().receiver.read(into, start, end);
	}

	// Queues bytes[start, end) for sending and returns how many were taken. TCP:
	// as many as fit (0 when the buffer is full: wait for onWritable). UDP: the
	// whole datagram or nothing (0). Throws E_STATE unless Connected.
	write(bytes: Uint8Array, start = 0, end = bytes.length): number {
		return this.#live().write(bytes, start, end);
	}

	// Sends what was written, closes (AT+QICLOSE) and drops unread data; then
	// onClose. A second call does nothing.
	close(): void {
		this.#live().close();
	}

	// AT+QISWTMD: BUFFER_MODE (0) or PUSH_MODE (1). Data already received is
	// still delivered: buffer mode is read out before switching to push.
	setMode(mode: number, callback?: (error: BC20Error | null) => void): void {
		const slot = this.#live();
		if (mode !== 0 && mode !== 1)
			throw new BC20Error(E_ARGUMENT, "mode must be 0 (buffer) or 1 (direct push)", "", this.id);
		slot.setMode(mode, callback);
	}

	#live(): Slot {
		if (this.#slot.owner !== this) throw new BC20Error(E_STATE, "the socket is closed", "", this.id);
		return this.#slot;
	}
}
