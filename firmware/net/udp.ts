// An ECMA-419 UDP socket over BC20 UDP connections, shaped for Moddable's
// SNTP and DNS-style clients (`socket: {io: UDP, modem}`): write(buffer,
// address, port) sends one datagram, read() returns one datagram as an
// ArrayBuffer carrying .address and .port, onReadable(datagrams).
//
// A BC20 UDP socket is bound to one remote address at AT+QIOPEN, so this class
// keeps one module socket per peer it writes to (at most `peers`, default 2:
// the module has five for everything). Datagrams written while a peer's socket
// is still opening wait in a small queue; when it is full, write throws and
// sends nothing.
import type { BC20 } from "../bc20/modem.js";
import type { BC20Error } from "../bc20/errors.js";
import { PUSH_MODE } from "../bc20/socket-slot.js";
import type { Socket } from "../bc20/socket.js";
import { byteView, later } from "./bytes.js";

export interface UDPOptions {
	modem: BC20;
	port?: number; // local port (0 or absent: chosen by the module)
	format?: "buffer";
	onReadable?: (this: any, datagrams: number) => void;
	onWritable?: (this: any, count: number) => void;
	onError?: (this: any) => void;
	target?: unknown;
	peers?: number;
	queued?: number; // datagrams waiting per opening peer (default 4)
	mode?: number; // BC20 access mode, default 1 (direct push)
}

export interface Datagram extends ArrayBuffer {
	address: string;
	port: number;
}

class Peer {
	socket: Socket;
	connected = false;
	waiting: Uint8Array[] = [];
	constructor(readonly address: string, readonly port: number, socket: Socket) {
		this.socket = socket;
	}
}

export class UDP {
	#modem: BC20;
	#options: UDPOptions;
	#peers: Peer[] = [];
	#error: BC20Error | null = null;
	#closed = false;
	[key: string]: unknown;

	constructor(options: UDPOptions) {
		if (!options.modem) throw new TypeError("UDP: options.modem (a BC20) is required");
		if (options.format !== undefined && options.format !== "buffer") throw new RangeError("UDP: only the buffer format exists");
		this.#modem = options.modem;
		this.#options = options;
		if (options.target !== undefined) this.target = options.target;
		later(() => {
			if (!this.#closed) options.onWritable?.call(this, this.#room());
		});
	}

	get lastError(): BC20Error | null {
		return this.#error;
	}

	get format(): "buffer" {
		return "buffer";
	}

	// Datagrams waiting to be read, over every peer.
	get readable(): number {
		let n = 0;
		for (const peer of this.#peers) n += peer.socket.datagrams;
		return n;
	}

	write(data: ArrayBufferLike | ArrayBufferView, address: string, port: number): void {
		if (this.#closed) throw new Error("UDP: closed");
		const bytes = byteView(data);
		let peer = this.#peers.find((p) => p.address === address && p.port === port);
		if (peer === undefined) peer = this.#open(address, port);
		if (!peer.connected) {
			if (peer.waiting.length >= (this.#options.queued ?? 4))
				throw new Error(`UDP: ${address}:${port} is still opening and ${peer.waiting.length} datagrams wait`);
			peer.waiting.push(bytes.slice());
			return;
		}
		if (peer.socket.write(bytes, 0, bytes.length) === 0)
			throw new Error(`UDP: output full: a ${bytes.length}-byte datagram does not fit (${peer.socket.writable} free)`);
	}

	read(): Datagram | undefined {
		for (const peer of this.#peers) {
			const length = peer.socket.nextDatagramLength;
			if (length < 0) continue;
			const buffer = new ArrayBuffer(length) as Datagram;
			peer.socket.read(new Uint8Array(buffer), 0, length);
			buffer.address = peer.address;
			buffer.port = peer.port;
			return buffer;
		}
		return undefined;
	}

	close(): void {
		this.#closed = true;
		for (const peer of this.#peers) if (peer.socket.state !== 0) peer.socket.close();
		this.#peers.length = 0;
	}

	#room(): number {
		let room = 0;
		for (const peer of this.#peers) if (peer.connected && peer.socket.writable > room) room = peer.socket.writable;
		return room || 512;
	}

	#open(address: string, port: number): Peer {
		const limit = this.#options.peers ?? 2;
		if (this.#peers.length >= limit)
			throw new Error(`UDP: already talking to ${limit} peers (options.peers); ${address}:${port} not opened`);
		const self = this, options = this.#options;
		let peer!: Peer;
		const socket = this.#modem.open({
			type: "udp",
			host: address,
			port,
			localPort: options.port ?? 0,
			mode: options.mode ?? PUSH_MODE,
			onConnected() {
				peer.connected = true;
				for (const bytes of peer.waiting.splice(0)) peer.socket.write(bytes, 0, bytes.length);
			},
			onReadable() {
				if (!self.#closed) options.onReadable?.call(self, self.readable);
			},
			onWritable(bytes) {
				if (!self.#closed) options.onWritable?.call(self, bytes);
			},
			onError(error) {
				self.#error = error;
				const at = self.#peers.indexOf(peer);
				if (at >= 0) self.#peers.splice(at, 1);
				if (!self.#closed) options.onError?.call(self);
			},
		});
		peer = new Peer(address, port, socket);
		this.#peers.push(peer);
		return peer;
	}
}
