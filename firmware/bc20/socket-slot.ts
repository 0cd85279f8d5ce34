// One connectID (0-4): its preallocated buffers and hot-path commands, and
// the state machine of the connection currently using it.
//
// States are the manual's: Initial, Opening, Connected, Closing. Closing
// covers every way out (the app's close, the peer's "closed", an open that
// failed, pdpdeact, a reboot); the slot returns to Initial, and the app hears
// onClose / onError, only once the module let go of the connectID and the app
// read the data already received (onError comes after the data, as ECMA-419
// sockets expect).
//
// Receive, buffer access mode: a "recv" URC means the module holds data and
// will not say so again until it is all read, so the slot reads (AT+QIRD,
// at most 512 bytes and never more than its ring can take) until +QIRD: 0.
// When the ring is full it stops reading: the module keeps the data
// (backpressure) and reading resumes when the app reads. Direct push mode:
// data arrives on its own; what does not fit cannot be refused, so it is
// counted and reported lost.
//
// UDP keeps datagram boundaries in a LengthQueue beside each ring. In buffer
// mode with showlength 1, a datagram is a module "node": +QIRD: <n>,<remaining>
// tells where it ends. Without showlength each +QIRD response is taken as one
// datagram (true for datagrams up to 512 bytes read with room for 512).
import type { ByteRing } from "../at/byte-ring.js";
import type { Command, CommandSpec } from "../at/command.js";
import { SEND_FAIL, SEND_OK } from "../at/line-kind.js";
import {
	DONE_CANCELLED, DONE_NOT_SENT, DONE_OK, DONE_REBOOT, DONE_SEND_FAIL, DONE_TIMEOUT, DONE_UNSENT, DONE_WITHDRAWN, type Result,
} from "../at/result.js";
import { MAX_READ, MAX_SEND_HEX, QIOPEN } from "./commands.js";
import type { Dispatcher, Worker } from "./dispatcher.js";
import {
	BC20Error, E_ARGUMENT, E_BUFFER_FULL, E_CANCELLED, E_DATA_LOST, E_PEER_CLOSED, E_REBOOTED, E_SEND_FAILED, E_SEND_UNKNOWN,
	E_STATE, E_TIMEOUT,
} from "./errors.js";
import { explain } from "./error-query.js";
import { LengthQueue } from "./length-queue.js";
import { ReadCommand } from "./read-command.js";
import { datagramProblem, planSend, SendCommand } from "./send-command.js";
import { CloseCommand, OpenCommand, SwitchCommand } from "./socket-control.js";
import {
	BUFFER_MODE, CLOSING, CONNECTED, DATAGRAMS, INITIAL, MAX_PUSH, newStats, OPENING, PUSH_MODE, READ_ATTEMPTS,
	type SocketStats, stateName,
} from "./socket-constants.js";
import type { Socket, SocketCallbacks } from "./socket.js";

const NO_CALLBACKS: SocketCallbacks = Object.freeze({});

// What a slot needs from its modem.
export interface SlotHost {
	readonly dispatcher: Dispatcher;
	readonly readSpec: CommandSpec;
	// Scratch for hex rendering, shared (one command renders at a time).
	readonly scratch: Uint8Array;
	readonly textSend: boolean;
	// Whether the module shows <remaining> (AT+QICFG="showlength",1).
	readonly showLength: boolean;
	// Where push data for a socket that is not open is counted.
	readonly dropped: { pushBytesDropped: number };
	// Whether a send that timed out still owes its SEND OK / SEND FAIL.
	owes(command: Command): boolean;
	// A command on a socket the driver holds open was refused: the module may
	// have rebooted without a RDY the driver saw.
	suspect(): void;
}

export class Slot implements Worker {
	readonly id: number;
	readonly rx: ByteRing;
	readonly tx: ByteRing;
	readonly rxLengths: LengthQueue;
	readonly txLengths: LengthQueue;
	stats: SocketStats;

	owner: Socket | null = null;
	state = INITIAL;
	mode = BUFFER_MODE;
	udp = false;
	callbacks: SocketCallbacks = NO_CALLBACKS;

	#host: SlotHost;
	#dispatcher: Dispatcher;
	#read: ReadCommand;
	#send: SendCommand;
	#close: CloseCommand;
	#open: OpenCommand | null = null; // to be issued
	#switch: SwitchCommand | null = null; // to be issued
	#switching = false; // a mode switch is waiting or on the wire
	#busy = false; // one of this slot's commands is on the wire
	#moduleOpen = false; // the module holds the connectID (QIOPEN's OK until CLOSE OK)
	#closePending = false;
	#appClosed = false;
	#closeFailed = false;
	#reports = 0; // error queries under way
	// Why the connection ends (0: it does not, or the app closed it).
	#reasonCode = 0;
	#reasonCommand = "";
	#reasonCme = 0;
	#reasonDetail = "";
	#lostAtEnd = 0; // received bytes the end made lost (-1: some, count unknown)
	#txDead = false; // the connection failed: nothing more is sent

	// Receive.
	#needRead = false;
	#readFailures = 0;
	#fullReported = false;
	#moduleHolds = 0; // bytes known to wait in the module, -1 unknown
	#readActual = 0;
	#readStored = 0;
	#readLost = 0;
	#readBad = 0;
	#readDamaged = 0; // the length a damaged +QIRD header announced
	#nodeLeft = 0; // UDP: bytes of the current node still in the module
	#discarding = false; // UDP: the current node is larger than the ring
	#partial = 0; // UDP: bytes of an incomplete datagram at the ring's tail
	#completed = 0; // UDP: datagrams completed since the app was last told
	#pushDrop = false;
	#pushStored = 0;
	#pushLost = 0;
	#runReported = false; // the last payload run's damage was reported
	#rxBroken = false; // TCP: the stream has a gap of unknown size; nothing after it is delivered
	// Direct-push runs the app has not heard of yet (flushPushed).
	#pushed = false;
	#pushedStored = 0;

	// Transmit.
	#txOffset = 0; // stream offset of the oldest byte in tx
	#inflight = 0;
	#lateOffset = 0;
	#lateCount = 0;

	constructor(id: number, rx: ByteRing, tx: ByteRing, host: SlotHost) {
		// Made here, not in the field initializers: XS holds a slot per private
		// field while those run, under whatever they call.
		this.rxLengths = new LengthQueue(DATAGRAMS);
		this.txLengths = new LengthQueue(DATAGRAMS);
		this.stats = newStats();
		this.id = id;
		this.rx = rx;
		this.tx = tx;
		this.#host = host;
		this.#dispatcher = host.dispatcher;
		this.#read = new ReadCommand(this, host.readSpec);
		this.#send = new SendCommand(this, host.scratch);
		this.#close = new CloseCommand(this);
	}

	// ---- lifetime ----

	begin(owner: Socket, callbacks: SocketCallbacks, udp: boolean, host: string, port: number, localPort: number,
		mode: number): void {
		// Nothing of an earlier connection on this connectID stays.
		this.#reset();
		this.owner = owner;
		this.callbacks = callbacks;
		this.udp = udp;
		this.mode = mode;
		this.state = OPENING;
		this.stats = owner.stats;
		this.#open = new OpenCommand(this, udp, host, port, localPort, mode);
		// The caller (the modem's open) pumps the dispatcher.
	}

	get moduleOpen(): boolean {
		return this.#moduleOpen;
	}

	// Bytes the app can read (UDP: in complete datagrams).
	get readable(): number {
		return this.rx.count - this.#partial;
	}

	get writable(): number {
		if (this.state !== CONNECTED || this.#appClosed) return 0;
		if (!this.udp) return this.tx.free;
		if (this.txLengths.full) return 0;
		return this.tx.free < MAX_SEND_HEX ? this.tx.free : MAX_SEND_HEX;
	}

	// ---- Worker ----

	next(): Command | null {
		if (this.#busy || this.state === INITIAL) return null;
		const command = this.#choose();
		if (command !== null) this.#busy = true;
		return command;
	}

	#choose(): Command | null {
		if (this.#open !== null) {
			const open = this.#open;
			this.#open = null;
			return open;
		}
		if (!this.#moduleOpen) return null;
		const sending = !this.#txDead && (this.udp ? this.txLengths.count > 0 : this.tx.count > 0);
		if (this.#appClosed) {
			// Data written before close() still goes out, then the socket closes.
			if (sending) return this.#sendAllowed() ? this.#prepareSend() : null;
			return this.#closePending ? this.#close : null;
		}
		const draining = this.#needRead && this.mode === BUFFER_MODE;
		if (draining) {
			const length = this.#readLength();
			if (length > 0) {
				this.#read.length = length;
				return this.#read;
			}
		}
		// Switching away from buffer mode waits until the module's buffer is read.
		if (this.#switch !== null && !draining) {
			const command = this.#switch;
			this.#switch = null;
			return command;
		}
		if (this.state === CONNECTED && sending && this.#sendAllowed()) return this.#prepareSend();
		if (this.#closePending && !draining) return this.#close;
		return null;
	}

	// Runs from a fresh turn: ends the connection once nothing holds it.
	settle(): void {
		if (this.state === INITIAL || this.state === CONNECTED || this.state === OPENING) return;
		if (this.#busy || this.#moduleOpen || this.#open !== null || this.#reports > 0) return;
		if (!this.#appClosed && this.readable > 0) return; // the app reads first
		this.#release();
	}

	// Drops the connection without a word (the modem was closed).
	abandon(): void {
		if (this.state === INITIAL) return;
		this.#dropSwitch(E_CANCELLED);
		this.state = INITIAL;
		this.owner = null;
		this.callbacks = NO_CALLBACKS;
		this.#reset();
	}

	#release(): void {
		this.#dropSwitch(E_CANCELLED);
		const owner = this.owner as Socket, callbacks = this.callbacks;
		let error: BC20Error | null = null;
		if (!this.#appClosed || this.#closeFailed) error = this.#endError();
		this.stats.failed += this.tx.count;
		this.state = INITIAL;
		this.owner = null;
		this.callbacks = NO_CALLBACKS;
		this.#reset();
		if (error === null) callbacks.onClose?.call(owner);
		else callbacks.onError?.call(owner, error);
	}

	// Why the connection ended, with what it cost: received bytes lost, and
	// written bytes never sent (their stream offsets).
	#endError(): BC20Error {
		let detail = this.#reasonDetail;
		const lost = this.#lostAtEnd, unsent = this.tx.count;
		if (lost !== 0) detail = join(detail, lost > 0 ? lost + " received bytes lost" : "received bytes lost (count unknown)");
		if (unsent > 0) detail = join(detail, unsent + " written bytes not sent");
		const error = new BC20Error(this.#reasonCode === 0 ? E_STATE : this.#reasonCode, detail, this.#reasonCommand,
			this.id);
		error.cme = this.#reasonCme;
		error.lost = lost;
		if (unsent > 0) {
			error.offset = this.#txOffset;
			error.count = unsent;
		}
		return error;
	}

	#reset(): void {
		this.rx.discard(this.rx.count);
		this.tx.discard(this.tx.count);
		this.rxLengths.clear();
		this.txLengths.clear();
		this.#open = null;
		this.#switch = null;
		this.#switching = false;
		this.#busy = false;
		this.#moduleOpen = false;
		this.#closePending = false;
		this.#appClosed = false;
		this.#closeFailed = false;
		this.#reports = 0;
		this.#reasonCode = 0;
		this.#reasonCommand = "";
		this.#reasonCme = 0;
		this.#reasonDetail = "";
		this.#lostAtEnd = 0;
		this.#txDead = false;
		this.#needRead = false;
		this.#readFailures = 0;
		this.#fullReported = false;
		this.#moduleHolds = 0;
		this.#nodeLeft = 0;
		this.#discarding = false;
		this.#partial = 0;
		this.#completed = 0;
		this.#pushDrop = false;
		this.#pushStored = 0;
		this.#pushLost = 0;
		this.#runReported = false;
		this.#rxBroken = false;
		this.#pushed = false;
		this.#pushedStored = 0;
		this.#txOffset = 0;
		this.#inflight = 0;
		this.#lateCount = 0;
	}

	// The connection is ending for `code` (first reason wins). In buffer mode
	// the module's buffer is read before the close.
	#fail(code: number): void {
		if (this.state === INITIAL || this.#appClosed) return;
		if (this.#reasonCode === 0) this.#reasonCode = code;
		this.#txDead = true;
		if (this.state === CONNECTED) this.state = CLOSING;
		else if (this.state === OPENING && this.#open !== null) {
			this.#open = null; // never sent
			this.state = CLOSING;
		}
		if (this.#moduleOpen) {
			this.#closePending = true;
			if (this.mode === BUFFER_MODE) this.#needRead = true;
		}
		this.#dispatcher.pump();
		this.#dispatcher.soon();
	}

	// ---- events from the modem ----

	// +QIURC: "recv",<id>[,<n>] in buffer access mode (`length` -1 when not shown).
	notice(length: number): void {
		if (this.state === INITIAL) return;
		if (this.mode !== BUFFER_MODE) {
			// A socket in direct push mode gets no notices: this was a push header
			// whose length was damaged (too large to be one) or whose data was cut
			// from it, or payload taken for lines after a run was cut off.
			if (length > 0 && !this.#switching) this.#gap(length > MAX_PUSH
				? "a pushed header announced " + length + " bytes, more than a push carries (" + MAX_PUSH + "): it was damaged"
				: "a pushed header came without its data (damaged, or payload taken for a line)");
			return;
		}
		if (!this.#needRead) this.#moduleHolds = 0;
		if (this.#moduleHolds >= 0) this.#moduleHolds = length >= 0 ? this.#moduleHolds + length : -1;
		this.#needRead = true;
		this.#readFailures = 0;
		this.#dispatcher.pump();
	}

	// +QIURC: "recv",<id>,"buff full": the module has no room left for this socket.
	bufferFull(): void {
		if (this.state === INITIAL) return;
		if (this.mode === BUFFER_MODE) {
			this.#needRead = true;
			if (this.#moduleHolds === 0) this.#moduleHolds = -1;
			this.#readFailures = 0;
		}
		if (!this.#fullReported && !this.#appClosed) {
			this.#fullReported = true;
			this.#warn(E_BUFFER_FULL, this.rx.free === 0
				? "this socket's receive buffer is full too: read it so the driver can drain the module"
				: "draining it", -1, 0);
		}
		this.#dispatcher.pump();
	}

	// +QIURC: "closed",<id>.
	peerClosed(): void {
		this.#fail(E_PEER_CLOSED);
	}

	// +QIURC: "pdpdeact": the data connection is gone.
	pdpDeactivated(): void {
		this.#fail(570);
	}

	// The module rebooted: it holds no socket any more, and what it buffered is gone.
	rebooted(): void {
		if (this.state === INITIAL) return;
		// What the module held is known only as a lower bound (no notice comes
		// for data that arrives while it holds some): the count is unknown.
		let lost = this.#needRead && this.mode === BUFFER_MODE ? -1 : 0;
		if (this.#partial > 0 && lost >= 0) lost += this.#partial;
		this.#txDead = true;
		this.#moduleOpen = false;
		this.#busy = false;
		this.#open = null;
		this.#dropSwitch(E_REBOOTED);
		this.#closePending = false;
		this.#needRead = false;
		this.#nodeLeft = 0;
		this.#inflight = 0;
		if (!this.#appClosed) {
			if (this.#reasonCode === 0 || this.#reasonCode === E_PEER_CLOSED || this.#reasonCode === 570) {
				this.#reasonCode = E_REBOOTED;
				this.#reasonCommand = "";
				this.#reasonDetail = "";
			}
			this.#lostAtEnd = lost;
		}
		this.state = CLOSING;
		this.#dispatcher.soon();
	}

	// The module no longer lists this connectID (AT+QISTATE?): the connection
	// is gone without a "closed" URC the driver saw; nothing is left to close.
	goneFromModule(): void {
		if (this.state === INITIAL) return;
		this.#moduleOpen = false;
		this.#closePending = false;
		if (this.#reasonCode === 0) this.#reasonDetail = "the module no longer lists this socket (AT+QISTATE?)";
		this.#fail(567);
		this.#dispatcher.soon();
	}

	readsWith(command: unknown): boolean {
		return command === this.#read;
	}

	// The last payload run was not followed by its CR LF (see the reader):
	// its `atStake` bytes may be wrong, or (-1) its header's length was
	// damaged and bytes of unknown number were lost.
	payloadDamaged(atStake: number): void {
		if (this.state === INITIAL || this.#appClosed) return;
		if (atStake < 0) {
			this.#gap("a payload header's length was damaged on the line");
			return;
		}
		if (this.#runReported) return; // its bad hex digits already put it all at stake
		this.stats.lost += atStake;
		const error = this.#warning(E_DATA_LOST, atStake + " bytes just delivered may be wrong: a byte of them was dropped on the line",
			-1, 0);
		error.lost = atStake;
		this.callbacks.onWarning?.call(this.owner as Socket, error);
	}

	// A line that may have been a pushed header (and its data) was damaged.
	pushMayBeLost(): void {
		if (this.mode === PUSH_MODE && this.state === CONNECTED && !this.#switching)
			this.#gap("a line that may have been pushed data was damaged");
	}

	// Received bytes of unknown number are lost. A TCP stream cannot go on
	// past such a gap: it ends there (what came before is still read). A UDP
	// socket loses datagrams, not its framing.
	#gap(detail: string): void {
		if (this.state === INITIAL || this.#appClosed || this.#rxBroken) return;
		const error = this.#warning(E_DATA_LOST, detail + ": received bytes lost (count unknown)" +
			(this.udp ? "" : "; the stream ends here"), -1, 0);
		error.lost = -1;
		this.callbacks.onWarning?.call(this.owner as Socket, error);
		if (this.udp) return;
		this.#rxBroken = true;
		this.#lostAtEnd = -1;
		if (this.#reasonCode === 0) this.#reasonDetail = detail;
		this.#fail(E_DATA_LOST);
		// The module's buffer is not read any more: what it holds lies beyond the gap.
		this.#needRead = false;
	}

	// ---- direct push ----

	pushStart(length: number): void {
		this.#pushStored = 0;
		this.#pushLost = 0;
		this.#runReported = false;
		this.#pushDrop = this.#rxBroken || (this.udp && (length > this.rx.free || this.rxLengths.full));
	}

	pushData(bytes: Uint8Array, start: number, end: number): void {
		const n = end - start;
		if (this.state === INITIAL || this.#appClosed) {
			// Not open (any more): not this socket's, nor the next one's.
			this.#host.dropped.pushBytesDropped += n;
			return;
		}
		if (this.#pushDrop) {
			this.#pushLost += n;
			return;
		}
		const kept = this.rx.push(bytes, start, end);
		this.#pushStored += kept;
		this.#pushLost += n - kept;
	}

	// The run is accounted for now; the app hears of it when the modem's
	// receive turn ends (flushPushed), not from inside the reader. A run that
	// lost bytes is told at once, after the runs before it: what the ring holds
	// when the loss is reported all came before the gap.
	pushEnd(missing: number, badDigits: number): void {
		if (this.state === INITIAL || this.#appClosed) {
			this.#host.dropped.pushBytesDropped += missing;
			return;
		}
		const stored = this.#pushStored;
		if (this.udp && stored > 0) this.#completeDatagram(stored);
		this.stats.received += stored;
		const lost = this.#pushLost + missing;
		if (lost > 0 || badDigits > 0) {
			this.flushPushed();
			this.#delivered(stored, lost, badDigits, missing);
			return;
		}
		this.#pushedStored += stored;
		this.#pushed = true;
	}

	// Tells the app of the direct-push runs since the last call.
	flushPushed(): void {
		if (!this.#pushed) return;
		this.#pushed = false;
		const stored = this.#pushedStored;
		this.#pushedStored = 0;
		if (this.state !== INITIAL && !this.#appClosed) this.#delivered(stored, 0, 0, 0);
	}

	// ---- buffer mode reads (ReadCommand) ----

	// How much a read may ask for now (ReadCommand.render checks again).
	readRoom(): number {
		return this.#readLength();
	}

	#readLength(): number {
		const free = this.rx.free;
		let n: number;
		if (this.udp) {
			if (this.#discarding) n = this.#nodeLeft;
			else if (this.#nodeLeft > 0) n = this.#nodeLeft < free ? this.#nodeLeft : free;
			// A new datagram: wait for room for a whole read, so that without
			// showlength a datagram is not cut in two.
			else n = this.rxLengths.full || free < MAX_READ ? 0 : free;
		}
		// TCP: no dribbling reads; wait for room for a useful amount.
		else n = free >= (this.rx.capacity >> 2) || free >= MAX_READ ? free : 0;
		return n < MAX_READ ? n : MAX_READ;
	}

	readHeader(actual: number, remaining: number): void {
		this.#readActual = actual;
		this.#readStored = 0;
		this.#readLost = 0;
		this.#readBad = 0;
		this.#runReported = false;
		if (actual > this.#read.length) {
			// More than was asked for: the header's digits were damaged, no
			// payload was taken, and what the module sent (at most what was
			// asked) was taken for lines.
			this.#readActual = -1;
			this.#readLost = this.#read.length;
			this.#readDamaged = actual;
			return;
		}
		if (actual <= 0 || !this.udp) return;
		const shown = remaining >= 0 && this.#host.showLength;
		if (this.#nodeLeft === 0) {
			this.#partial = 0;
			const total = shown ? actual + remaining : actual;
			this.#discarding = total > this.rx.capacity;
		}
		this.#nodeLeft = shown ? remaining : 0;
	}

	// A payload whose header this read did not see (it timed out, and the data
	// came late) is still data, in order.
	readStart(length: number): void {
		if (this.#readActual !== length) this.readHeader(length, -1);
	}

	readData(bytes: Uint8Array, start: number, end: number): void {
		const n = end - start;
		if (this.state === INITIAL || this.#appClosed) return; // the app closed: nobody reads it
		if (this.#discarding || this.#rxBroken) {
			this.#readLost += n;
			return;
		}
		const kept = this.rx.push(bytes, start, end);
		this.#readStored += kept;
		this.#readLost += n - kept;
		this.stats.received += kept;
		if (this.udp) this.#partial += kept;
	}

	readEnd(missing: number, badDigits: number): void {
		this.#readLost += missing;
		this.#readBad += badDigits;
		if (this.udp && (this.#nodeLeft === 0 || missing > 0)) {
			if (!this.#discarding && this.#partial > 0) this.#completeDatagram(this.#partial);
			this.#partial = 0;
			this.#nodeLeft = 0;
			this.#discarding = false;
		}
		this.#readActual = -1;
	}

	readDone(result: Result): void {
		this.#busy = false;
		const status = result.status;
		// Never written (no room by then, or the module was silent): nothing
		// came; the read goes again when there is room and the wire is free.
		if (status === DONE_NOT_SENT || status === DONE_UNSENT) {
			this.#readActual = -1;
			return;
		}
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			const stored = this.#readStored, lost = this.#readLost, bad = this.#readBad;
			this.#readStored = this.#readLost = this.#readBad = 0;
			this.#readActual = -1;
			if (status === DONE_REBOOT && this.state !== INITIAL && !this.#appClosed) this.#delivered(stored, lost, bad, 0);
			return;
		}
		const stored = this.#readStored, bad = this.#readBad, damaged = this.#readDamaged;
		let lost = this.#readLost;
		// A read that completed must have delivered what its header announced
		// (one that timed out may still get its payload, late).
		if (status === DONE_OK && this.#readActual > stored + lost) lost = this.#readActual - stored;
		this.#readStored = this.#readLost = this.#readBad = this.#readDamaged = 0;
		if (damaged > 0 && this.state !== INITIAL && !this.#appClosed) {
			this.stats.lost += lost;
			const error = this.#warning(E_DATA_LOST, "a +QIRD header announced " + damaged + " bytes, more than the " + lost +
				" asked: it was damaged, and up to " + lost + " bytes were lost", -1, 0);
			error.lost = lost;
			this.callbacks.onWarning?.call(this.owner as Socket, error);
			lost = 0;
		}
		if (status === DONE_OK) {
			this.#readFailures = 0;
			if (this.#readActual === 0) {
				// +QIRD: 0: the module's buffer is empty.
				this.#needRead = false;
				this.#moduleHolds = 0;
				this.#fullReported = false;
			}
			else if (this.#moduleHolds > 0) {
				const left = this.#moduleHolds - stored - lost;
				this.#moduleHolds = left > 0 ? left : 0;
			}
		}
		else if (status === DONE_TIMEOUT) {
			if (++this.#readFailures >= READ_ATTEMPTS) {
				this.#needRead = false;
				this.#warn(E_TIMEOUT, "AT+QIRD timed out " + READ_ATTEMPTS + " times: reading stops until the next \"recv\"",
					-1, 0);
			}
		}
		else {
			// The module refuses to read (socket gone, or in direct push mode).
			this.#needRead = false;
			this.#explainWarning(result, "AT+QIRD", -1, 0);
		}
		this.#readActual = -1;
		if (this.state !== INITIAL && !this.#appClosed) this.#delivered(stored, lost, bad, 0);
		if (this.state === CLOSING) this.#dispatcher.soon();
	}

	#delivered(stored: number, lost: number, badDigits: number, missing: number): void {
		if (lost > 0 || badDigits > 0) {
			let detail = "";
			if (lost > 0) detail = lost + " bytes did not fit or never came";
			if (missing > 0) detail = join(detail, missing + " of them were cut off (the module stalled)");
			if (badDigits > 0) {
				// A digit that is not hex may be a damaged one, or the first after a
				// dropped one (every later byte of the run is shifted): all the
				// run's bytes are at stake.
				detail = join(detail, badDigits + " hex digits were not hex: the " + stored +
					" bytes delivered from this run may be wrong");
				lost += stored;
				this.#runReported = true;
			}
			this.stats.lost += lost;
			const error = this.#warning(E_DATA_LOST, detail, -1, 0);
			error.lost = lost;
			this.callbacks.onWarning?.call(this.owner as Socket, error);
		}
		const news = this.udp ? this.#completed : stored;
		this.#completed = 0;
		if (news > 0 && this.state !== INITIAL)
			this.callbacks.onReadable?.call(this.owner as Socket, this.readable, this.rxLengths.count);
	}

	#completeDatagram(length: number): void {
		this.rxLengths.push(length);
		this.#completed++;
	}

	// ---- sends (SendCommand) ----

	// Not while the module may still answer an earlier send of this socket: it
	// would refuse this one (manual 4.1.2) and the late line could be taken for it.
	#sendAllowed(): boolean {
		return !this.#host.owes(this.#send);
	}

	#prepareSend(): Command {
		const plan = planSend(this.tx, this.udp ? this.txLengths.peek() : 0, this.#host.textSend);
		const hex = plan < 0;
		this.#inflight = hex ? -plan : plan;
		return this.#send.prepare(this.#inflight, hex);
	}

	sent(result: Result): void {
		this.#busy = false;
		const status = result.status;
		if (status === DONE_WITHDRAWN) {
			// Never written: the bytes stay in tx for a later send.
			this.#inflight = 0;
			return;
		}
		if (status === DONE_REBOOT && this.#inflight > 0) {
			const n = this.#inflight, offset = this.#txOffset;
			this.#inflight = 0;
			this.tx.discard(n);
			this.#txOffset += n;
			if (this.udp) this.txLengths.shift();
			this.stats.unknown += n;
			this.#warn(E_SEND_UNKNOWN, "the module rebooted during the send", offset, n);
		}
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			return;
		}
		const n = this.#inflight, offset = this.#txOffset;
		this.#inflight = 0;
		this.tx.discard(n);
		this.#txOffset += n;
		if (this.udp) this.txLengths.shift();
		if (status === DONE_OK) this.stats.sent += n;
		else if (status === DONE_SEND_FAIL) {
			this.stats.failed += n;
			this.#warn(E_SEND_FAILED, "", offset, n);
		}
		else if (status === DONE_UNSENT) {
			// Never written: the module was silent.
			this.stats.failed += n;
			this.#warn(E_TIMEOUT, "not sent: the module did not answer", offset, n);
		}
		else if (status === DONE_TIMEOUT) {
			this.stats.unknown += n;
			this.#lateOffset = offset;
			this.#lateCount = n;
			this.#warn(E_SEND_UNKNOWN, "no SEND OK / SEND FAIL in time", offset, n);
		}
		else {
			this.stats.failed += n;
			this.#explainWarning(result, this.#send.spec.name, offset, n);
		}
		if (this.state === CONNECTED && !this.#appClosed) this.callbacks.onWritable?.call(this.owner as Socket, this.writable);
	}

	// SEND OK / SEND FAIL for a send that had timed out.
	sentLate(kind: number): void {
		const n = this.#lateCount;
		if (n === 0 || (kind !== SEND_OK && kind !== SEND_FAIL)) return;
		this.#lateCount = 0;
		this.stats.unknown -= n;
		if (kind === SEND_OK) this.stats.sent += n;
		else {
			this.stats.failed += n;
			this.#warn(E_SEND_FAILED, "SEND FAIL came after the send had timed out", this.#lateOffset, n);
		}
	}

	// ---- open, close, switch ----

	opened(result: Result, code: number): void {
		this.#busy = false;
		const status = result.status;
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			return;
		}
		if (status === DONE_OK && code === 0) {
			this.#moduleOpen = true;
			if (this.#appClosed || this.#reasonCode !== 0) {
				this.#closePending = true;
				this.state = CLOSING;
			}
			else {
				this.state = CONNECTED;
				const owner = this.owner as Socket;
				this.callbacks.onConnected?.call(owner);
				if (this.state === CONNECTED) this.callbacks.onWritable?.call(owner, this.writable);
			}
		}
		else {
			this.state = CLOSING;
			if (status === DONE_OK || status === DONE_TIMEOUT) {
				// "If connection failed, the host must execute AT+QICLOSE" (and after a
				// timeout the module may hold the connectID).
				this.#moduleOpen = true;
				this.#closePending = true;
				if (this.#reasonCode === 0) {
					if (status === DONE_OK) this.#reasonCode = code;
					else {
						this.#reasonCode = E_TIMEOUT;
						this.#reasonDetail = "no +QIOPEN within " + QIOPEN.thenTimeoutMs + " ms";
					}
					this.#reasonCommand = "AT+QIOPEN";
				}
			}
			else this.#explainEnd(result, "AT+QIOPEN");
			this.#dispatcher.soon();
		}
	}

	closed(result: Result): void {
		this.#busy = false;
		const status = result.status;
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			return;
		}
		this.#closePending = false;
		this.#moduleOpen = false;
		if (status !== DONE_OK) {
			// The connectID is given up either way; an app's close that failed
			// is reported as an error.
			if (this.#appClosed) this.#closeFailed = true;
			if (this.#appClosed || this.#reasonCode === 0) this.#explainEnd(result, "AT+QICLOSE");
		}
		this.#dispatcher.soon();
	}

	switched(command: SwitchCommand, result: Result): void {
		this.#busy = false;
		this.#switching = false;
		const status = result.status;
		if (status === DONE_OK) {
			this.mode = command.mode;
			// Data that came while switching to buffer mode raised no URC the
			// driver could tell apart: read once to be sure.
			if (command.mode === BUFFER_MODE && this.#moduleOpen) this.#needRead = true;
			command.callback?.(null);
		}
		else if (status === DONE_REBOOT || status === DONE_CANCELLED) command.callback?.(new BC20Error(
			status === DONE_REBOOT ? E_REBOOTED : E_STATE, "", command.spec.name, this.id));
		else {
			this.#reports++;
			explain(this.#dispatcher, result, command.spec.name, this.id, (error) => {
				this.#reports--;
				command.callback?.(error);
				this.#dispatcher.soon();
			});
		}
	}

	// ---- app operations (through Socket) ----

	read(into: Uint8Array, start: number, end: number): number {
		if (!(into instanceof Uint8Array)) throw new BC20Error(E_ARGUMENT, "into must be a Uint8Array", "", this.id);
		if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > into.length)
			throw new BC20Error(E_ARGUMENT, "start/end out of range", "", this.id);
		let n: number;
		if (this.udp) {
			n = this.rxLengths.peek();
			if (n < 0) return 0;
			if (n > end - start)
				throw new BC20Error(E_ARGUMENT, "the next datagram has " + n + " bytes; the buffer holds " + (end - start), "",
					this.id);
			this.rx.copyOut(0, into, start, n);
			this.rx.discard(n);
			this.rxLengths.shift();
		}
		else {
			n = this.rx.copyOut(0, into, start, end - start);
			this.rx.discard(n);
		}
		if (n > 0) {
			if (this.#needRead) this.#dispatcher.pump();
			if (this.state === CLOSING) this.#dispatcher.soon();
		}
		return n;
	}

	// The length of the next datagram (UDP), -1 when none.
	get nextDatagram(): number {
		return this.rxLengths.peek();
	}

	write(bytes: Uint8Array, start: number, end: number): number {
		if (this.state !== CONNECTED || this.#appClosed)
			throw new BC20Error(E_STATE, "cannot write while " + stateName(this.state, this.#appClosed), "", this.id);
		if (!(bytes instanceof Uint8Array)) throw new BC20Error(E_ARGUMENT, "bytes must be a Uint8Array", "", this.id);
		if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length)
			throw new BC20Error(E_ARGUMENT, "start/end out of range", "", this.id);
		const length = end - start;
		let n: number;
		if (this.udp) {
			const problem = datagramProblem(bytes, start, end, this.#host.textSend);
			if (problem !== "") throw new BC20Error(E_ARGUMENT, problem, "", this.id);
			if (length > this.tx.free || this.txLengths.full) return 0;
			this.tx.push(bytes, start, end);
			this.txLengths.push(length);
			n = length;
		}
		else n = this.tx.push(bytes, start, end);
		this.stats.written += n;
		if (n > 0) this.#dispatcher.pump();
		return n;
	}

	close(): void {
		if (this.#appClosed) return;
		this.#appClosed = true;
		this.#reasonCode = 0;
		this.#lostAtEnd = 0;
		// What the app did not read is dropped: it asked to close.
		this.rx.discard(this.rx.count);
		this.rxLengths.clear();
		this.#partial = 0;
		this.#needRead = false;
		if (this.state === OPENING && this.#open !== null) this.#open = null; // never sent
		else if (this.#moduleOpen) this.#closePending = true;
		if (this.state !== OPENING || !this.#busy) this.state = CLOSING;
		this.#dispatcher.pump();
		this.#dispatcher.soon();
	}

	setMode(mode: number, callback: ((error: BC20Error | null) => void) | undefined): void {
		if (this.state !== CONNECTED || this.#appClosed || this.#switching)
			throw new BC20Error(E_STATE, this.#switching ? "a mode switch is already waiting"
				: "cannot switch mode while " + stateName(this.state, this.#appClosed), "AT+QISWTMD", this.id);
		this.#switch = new SwitchCommand(this, mode, callback);
		this.#switching = true;
		this.#dispatcher.pump();
	}

	// ---- helpers ----

	// A mode switch that will never be issued: its callback hears why.
	#dropSwitch(code: number): void {
		const command = this.#switch;
		if (command === null) return;
		this.#switch = null;
		this.#switching = false;
		command.callback?.(new BC20Error(code, "", command.spec.name, this.id));
	}

	#warning(code: number, detail: string, offset: number, count: number): BC20Error {
		const error = new BC20Error(code, detail, "", this.id);
		error.offset = offset;
		error.count = count;
		return error;
	}

	#warn(code: number, detail: string, offset: number, count: number): void {
		if (this.state === INITIAL) return;
		this.callbacks.onWarning?.call(this.owner as Socket, this.#warning(code, detail, offset, count));
	}

	// A warning for a command that failed, explained by AT+QIGETERROR if need be.
	#explainWarning(result: Result, command: string, offset: number, count: number): void {
		this.#reports++;
		explain(this.#dispatcher, result, command, this.id, (error) => {
			this.#reports--;
			if (count > 0) {
				error.offset = offset;
				error.count = count;
			}
			// The module says it does not know this socket: has it rebooted?
			if (this.state === CONNECTED && this.#moduleOpen && (error.code === 552 || error.code === 567 || error.code === 572))
				this.#host.suspect();
			if (this.state !== INITIAL) this.callbacks.onWarning?.call(this.owner as Socket, error);
			this.#dispatcher.soon();
		});
	}

	// The reason the connection ends, explained by AT+QIGETERROR if need be.
	#explainEnd(result: Result, command: string): void {
		this.#reports++;
		explain(this.#dispatcher, result, command, this.id, (error) => {
			this.#reports--;
			this.#reasonCode = error.code;
			this.#reasonCommand = command;
			this.#reasonCme = error.cme;
			this.#reasonDetail = "";
			this.#dispatcher.soon();
		});
	}
}

function join(a: string, b: string): string {
	return a === "" ? b : a + "; " + b;
}
