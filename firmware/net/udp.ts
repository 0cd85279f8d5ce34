// An ECMA-419 UDP socket over BC20 UDP connections, shaped for Moddable's
// SNTP and DNS-style clients (`socket: {io: UDP, modem}`): write(buffer,
// address, port) sends one datagram, read() returns one datagram as an
// ArrayBuffer carrying .address and .port, onReadable(datagrams).
//
// A BC20 UDP socket is bound to one remote address at AT+QIOPEN, so this class
// keeps one module socket per peer it writes to (at most `peers`, default 2:
// the module has five for everything). Datagrams written while a peer's socket
// is still opening wait in a small queue and go to the module socket, in
// order, as its transmit buffer takes them. write() checks a datagram against
// the module's limits in every state and throws, sending nothing, when it
// cannot be taken: a datagram write() took is sent or counted in `unsent`,
// never dropped silently.
//
// Lost datagrams do not end the socket: a datagram protocol tolerates loss,
// and Moddable's SNTP and DNS clients retry on their own timers, while
// onError is fatal to them. A loss is counted instead (`unsent` for datagrams
// written, `lost` for loss the module reported on receive) and its BC20Error
// kept in `lastWarning`.
//
// Callbacks come from a fresh turn of the modem's clock (notifier.ts), never
// from inside the modem's receive turn. A peer's module socket is opened from
// that turn too, not inside write(): what the application's write() sets in
// motion stays shallow. A peer whose socket cannot be opened (every
// connectID taken) counts its datagrams in `unsent` and ends with onError.
import type { BC20 } from "../bc20/modem.js";
import { MAX_SEND_HEX } from "../bc20/commands.js";
import { BC20Error, E_ARGUMENT, E_BUFFER_FULL, E_DATA_LOST } from "../bc20/errors.js";
import { datagramProblem } from "../bc20/send-command.js";
import { CONNECTED, OPENING, PUSH_MODE } from "../bc20/socket-constants.js";
import type { Socket } from "../bc20/socket.js";
import { byteView, later } from "./bytes.js";
import { Notifier } from "./notifier.js";

export interface UDPOptions {
	modem: BC20;
	port?: number; // local port (0 or absent: chosen by the module)
	format?: "buffer";
	onReadable?: (this: any, datagrams: number) => void;
	onWritable?: (this: any, count: number) => void;
	onError?: (this: any) => void;
	target?: unknown;
	peers?: number;
	queued?: number; // datagrams waiting per peer for its module socket (default 4)
	mode?: number; // BC20 access mode, default 1 (direct push)
}

export interface Datagram extends ArrayBuffer {
	address: string;
	port: number;
}

class Peer {
	socket: Socket | null; // null until the notifier turn opens it
	// Datagrams write() took that the module socket has not: it is opening,
	// or its transmit buffer was full. Copies, oldest first.
	waiting: Uint8Array[] = [];
	// Stream offset of the last send warning counted: a send that timed out
	// and then failed is one datagram, reported twice.
	reported = -1;
	constructor(
		readonly address: string,
		readonly port: number,
	) {
		this.socket = null;
	}
}

export class UDP {
	#modem: BC20;
	#options: UDPOptions;
	#peers: Peer[] = [];
	#error: BC20Error | null = null;
	#warning: BC20Error | null = null;
	#unsent = 0;
	#lost = 0;
	#closed = false;
	#notifier: Notifier;
	#readable = false; // onReadable is due
	#writable = -1; // onWritable is due with this count (-1: not due)
	#failed = false; // onError is due
	[key: string]: unknown;

	constructor(options: UDPOptions) {
		if (!options.modem) throw new TypeError("UDP: options.modem (a BC20) is required");
		if (options.format !== undefined && options.format !== "buffer")
			throw new RangeError("UDP: only the buffer format exists");
		this.#modem = options.modem;
		this.#options = options;
		if (options.target !== undefined) this.target = options.target;
		this.#notifier = new Notifier(options.modem.clock, () => {
			if (this.#closed) return;
			for (const peer of this.#peers) if (peer.socket === null) this.#open(peer);
			if (this.#writable >= 0) {
				const count = this.#writable;
				this.#writable = -1;
				options.onWritable?.call(this, count);
			}
			if (this.#readable) {
				this.#readable = false;
				const datagrams = this.#datagrams();
				if (datagrams > 0) options.onReadable?.call(this, datagrams);
			}
			if (this.#failed) {
				this.#failed = false;
				options.onError?.call(this);
			}
		});
		later(() => {
			if (!this.#closed) options.onWritable?.call(this, this.#room());
		});
	}

	// Why a peer's socket failed (after onError), or null.
	get lastError(): BC20Error | null {
		return this.#error;
	}

	// The last loss or trouble the modem reported that did not end the socket, or null.
	get lastWarning(): BC20Error | null {
		return this.#warning;
	}

	// Datagrams write() took that the module reported not sent (SEND FAIL) or
	// of unknown outcome (no answer in time), or that could not be sent at all.
	get unsent(): number {
		return this.#unsent;
	}

	// Reports of received datagrams lost (too big for the receive buffer, or
	// dropped by the module when its buffer was full): each is one datagram or
	// more, as the module cannot always say how many.
	get lost(): number {
		return this.#lost;
	}

	get format(): "buffer" {
		return "buffer";
	}

	// Datagrams waiting to be read, over every peer.
	get readable(): number {
		return this.#datagrams();
	}

	// An assignment (as Moddable's modules make on a socket) becomes an own property.
	set readable(value: unknown) {
		Object.defineProperty(this, "readable", { value, writable: true, enumerable: true, configurable: true });
	}

	// Sends one datagram, or throws and sends nothing. Returns the largest
	// datagram of any content the next write to this peer takes (0: wait for onWritable).
	write(data: ArrayBufferLike | ArrayBufferView, address: string, port: number): number {
		if (this.#closed) throw new Error("UDP: closed");
		const bytes = byteView(data);
		const length = bytes.length;
		// The module's limits (AT+QISEND, AT+QISENDEX), checked before anything
		// is queued: a queued datagram is handed over later, from a callback,
		// where refusing it could no longer reach the caller.
		const problem = datagramProblem(bytes, 0, length, true);
		if (problem !== "") throw new RangeError("UDP: " + problem);
		let peer = this.#peers.find((p) => p.address === address && p.port === port);
		if (peer === undefined) peer = this.#addPeer(address, port);
		const socket = peer.socket,
			waiting = peer.waiting,
			state = socket === null ? OPENING : socket.state;
		if (socket !== null && state === CONNECTED && waiting.length === 0) {
			if (socket.write(bytes, 0, length) === 0)
				throw new Error(`UDP: output full: a ${length}-byte datagram does not fit (${socket.writable} free)`);
			return socket.writable;
		}
		if (state !== OPENING && state !== CONNECTED) throw new Error(`UDP: the socket to ${address}:${port} is closing`);
		const limit = this.#options.queued ?? 4;
		if (waiting.length >= limit)
			throw new Error(`UDP: output full: ${waiting.length} datagrams wait for the socket to ${address}:${port}`);
		waiting.push(bytes.slice());
		return waiting.length < limit ? MAX_SEND_HEX : 0;
	}

	read(): Datagram | undefined {
		for (const peer of this.#peers) {
			const socket = peer.socket;
			if (socket === null) continue;
			const length = socket.nextDatagramLength;
			if (length < 0) continue;
			const buffer = new ArrayBuffer(length) as Datagram;
			socket.read(new Uint8Array(buffer), 0, length);
			buffer.address = peer.address;
			buffer.port = peer.port;
			return buffer;
		}
		return undefined;
	}

	close(): void {
		this.#closed = true;
		for (const peer of this.#peers) if (peer.socket !== null && peer.socket.state !== 0) peer.socket.close();
		this.#peers.length = 0;
	}

	#datagrams(): number {
		let n = 0;
		for (const peer of this.#peers) n += peer.socket?.datagrams ?? 0;
		return n;
	}

	#room(): number {
		let room = 0;
		for (const peer of this.#peers)
			if (peer.socket !== null && peer.socket.writable > room) room = peer.socket.writable;
		return room || MAX_SEND_HEX;
	}

	// Hands waiting datagrams to the module socket, oldest first, while its
	// transmit buffer takes them; the rest wait for the next onWritable.
	#feed(peer: Peer): void {
		const socket = peer.socket as Socket,
			waiting = peer.waiting;
		while (waiting.length > 0 && socket.state === CONNECTED) {
			const bytes = waiting[0];
			let refused: BC20Error | null = null;
			try {
				if (socket.write(bytes, 0, bytes.length) > 0) {
					waiting.shift();
					continue;
				}
			} catch (error) {
				refused = error as BC20Error;
			}
			const stats = socket.stats;
			if (refused === null && stats.written > stats.sent + stats.failed + stats.unknown) return;
			// Refused with nothing of ours in the module socket: the modem's setup
			// (textSend false, or a transmit buffer smaller than the datagram)
			// never takes it, which write() could not know before the socket opened.
			waiting.shift();
			this.#unsent++;
			this.#warning =
				refused ??
				new BC20Error(E_ARGUMENT, `a ${bytes.length}-byte datagram is larger than the transmit buffer`, "", socket.id);
		}
	}

	#addPeer(address: string, port: number): Peer {
		const limit = this.#options.peers ?? 2;
		if (this.#peers.length >= limit)
			throw new Error(`UDP: already talking to ${limit} peers (options.peers); ${address}:${port} not opened`);
		const peer = new Peer(address, port);
		this.#peers.push(peer);
		this.#notifier.request();
		return peer;
	}

	// From the notifier's turn: the peer's module socket.
	#open(peer: Peer): void {
		const self = this,
			options = this.#options;
		try {
			peer.socket = this.#modem.open({
				type: "udp",
				host: peer.address,
				port: peer.port,
				localPort: options.port ?? 0,
				mode: options.mode ?? PUSH_MODE,
				onReadable() {
					if (self.#closed) return;
					self.#readable = true;
					self.#notifier.request();
				},
				onWritable() {
					if (self.#closed) return;
					self.#feed(peer);
					if (peer.waiting.length === 0) {
						self.#writable = this.writable;
						self.#notifier.request();
					}
				},
				onWarning(error) {
					self.#warning = error;
					if (error.count > 0) {
						if (error.offset !== peer.reported) {
							peer.reported = error.offset;
							self.#unsent++;
						}
					} else if (error.lost !== 0 || error.code === E_DATA_LOST || error.code === E_BUFFER_FULL) self.#lost++;
				},
				onError(error) {
					self.#drop(peer, error);
				},
			});
		} catch (error) {
			// E.g. every connectID taken.
			this.#drop(peer, error as BC20Error);
		}
	}

	// The peer's socket failed or could not open: its waiting datagrams were
	// not sent (those already in the module socket are in the error's count).
	#drop(peer: Peer, error: BC20Error): void {
		this.#error = error;
		this.#unsent += peer.waiting.length;
		peer.waiting.length = 0;
		const at = this.#peers.indexOf(peer);
		if (at >= 0) this.#peers.splice(at, 1);
		if (!this.#closed) {
			this.#failed = true;
			this.#notifier.request();
		}
	}
}
