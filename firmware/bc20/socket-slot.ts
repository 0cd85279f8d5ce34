// One connectID (0-4): the state machine of the connection currently using
// it, with its receive side (socket-receiver.ts) and its send side
// (socket-transmitter.ts) as parts.
//
// States are the manual's: Initial, Opening, Connected, Closing. Closing
// covers every way out (the app's close, the peer's "closed", an open that
// failed, pdpdeact, a reboot); the slot returns to Initial, and the app hears
// onClose / onError, only once the module let go of the connectID and the app
// read the data already received (onError comes after the data, as ECMA-419
// sockets expect).
//
// Its helper methods are `private` (TypeScript's), not `#`: XS keeps a slot
// in every instance for each `#` method, and there is one of these per socket.
import type { ByteRing } from "../at/byte-ring.js";
import type { Command } from "../at/command.js";
import {
	DONE_CANCELLED,
	DONE_CME_ERROR,
	DONE_ERROR,
	DONE_OK,
	DONE_REBOOT,
	DONE_TIMEOUT,
	type Result,
} from "../at/result.js";
import { QICLOSE, QIOPEN, QISWTMD } from "./commands.js";
import type { Dispatcher, Worker } from "./dispatcher.js";
import {
	BC20Error,
	E_ARGUMENT,
	E_CANCELLED,
	E_DATA_LOST,
	E_PEER_CLOSED,
	E_REBOOTED,
	E_STATE,
	E_TIMEOUT,
	resultCode,
	resultDetail,
} from "./errors.js";
import { explain } from "./error-query.js";
import {
	BUFFER_MODE,
	CLOSING,
	CONNECTED,
	INITIAL,
	newStats,
	OPENING,
	type SocketStats,
	stateName,
} from "./socket-constants.js";
import { CloseCommand, OpenCommand, SwitchCommand } from "./socket-control.js";
import type { SocketCallbacksOf, SocketHandle, SocketLink } from "./socket-link.js";
import { Receiver, type ReceiverHost } from "./socket-receiver.js";
import { Transmitter, type TransmitterHost } from "./socket-transmitter.js";

const NO_CALLBACKS: SocketCallbacksOf<SocketHandle> = Object.freeze({});

// What a slot needs from its modem.
export interface SlotHost extends ReceiverHost, TransmitterHost {
	readonly dispatcher: Dispatcher;
	// A command on a socket the driver holds open was refused: the module may
	// have rebooted without a RDY the driver saw.
	suspect(): void;
}

export class Slot implements Worker, SocketLink {
	readonly id: number;
	readonly dispatcher: Dispatcher;
	readonly receiver: Receiver;
	readonly transmitter: Transmitter;
	stats: SocketStats;

	owner: SocketHandle | null = null;
	state = INITIAL;
	mode = BUFFER_MODE;
	udp = false;
	callbacks: SocketCallbacksOf<SocketHandle> = NO_CALLBACKS;
	// The application closed the socket (a field, not a getter: the receive
	// path reads it for every payload run).
	appClosed = false;

	#host: SlotHost;
	#close: CloseCommand;
	#open: OpenCommand | null = null; // to be issued
	#switch: SwitchCommand | null = null; // to be issued
	#switching = false; // a mode switch is waiting or on the wire
	#busy = false; // one of this slot's commands is on the wire
	#moduleOpen = false; // the module holds the connectID (QIOPEN's OK until CLOSE OK)
	#closePending = false;
	#closeFailed = false;
	#reports = 0; // error queries under way
	// Why the connection ends (0: it does not, or the app closed it).
	#reasonCode = 0;
	#reasonCommand = "";
	#reasonCme = 0;
	#reasonDetail = "";
	#lostAtEnd = 0; // received bytes the end made lost (-1: some, count unknown)
	#txDead = false; // the connection failed: nothing more is sent

	constructor(id: number, rx: ByteRing, tx: ByteRing, host: SlotHost) {
		// Made here, not in the field initializers: XS holds a slot per private
		// field while those run, under whatever they call.
		this.stats = newStats();
		this.id = id;
		this.#host = host;
		this.dispatcher = host.dispatcher;
		this.receiver = new Receiver(this, rx, host);
		this.transmitter = new Transmitter(this, tx, host);
		this.#close = new CloseCommand(this);
	}

	// ---- lifetime ----

	begin(
		owner: SocketHandle,
		callbacks: SocketCallbacksOf<SocketHandle>,
		udp: boolean,
		host: string,
		port: number,
		localPort: number,
		mode: number,
	): void {
		// Nothing of an earlier connection on this connectID stays.
		this.reset();
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

	get switching(): boolean {
		return this.#switching;
	}

	get writable(): number {
		if (this.state !== CONNECTED || this.appClosed) return 0;
		return this.transmitter.room;
	}

	// ---- Worker ----

	next(): Command | null {
		if (this.#busy || this.state === INITIAL) return null;
		const command = this.choose();
		if (command !== null) this.#busy = true;
		return command;
	}

	private choose(): Command | null {
		if (this.#open !== null) {
			const open = this.#open;
			this.#open = null;
			return open;
		}
		if (!this.#moduleOpen) return null;
		const transmitter = this.transmitter;
		const sending = !this.#txDead && transmitter.pending;
		if (this.appClosed) {
			// Data written before close() still goes out, then the socket closes.
			if (sending) return transmitter.allowed ? transmitter.nextSend() : null;
			return this.#closePending ? this.#close : null;
		}
		const draining = this.receiver.draining;
		if (draining) {
			const read = this.receiver.nextRead();
			if (read !== null) return read;
		}
		// Switching away from buffer mode waits until the module's buffer is read.
		if (this.#switch !== null && !draining) {
			const command = this.#switch;
			this.#switch = null;
			return command;
		}
		if (this.state === CONNECTED && sending && transmitter.allowed) return transmitter.nextSend();
		if (this.#closePending && !draining) return this.#close;
		return null;
	}

	// Runs from a fresh turn: a step of the next send's preparation; ends the
	// connection once nothing holds it.
	settle(): void {
		this.transmitter.settle();
		if (this.state === INITIAL || this.state === CONNECTED || this.state === OPENING) return;
		if (this.#busy || this.#moduleOpen || this.#open !== null || this.#reports > 0) return;
		if (!this.appClosed && this.receiver.readable > 0) return; // the app reads first
		this.release();
	}

	// Drops the connection without a word (the modem was closed).
	abandon(): void {
		if (this.state === INITIAL) return;
		this.dropSwitch(E_CANCELLED);
		this.state = INITIAL;
		this.owner = null;
		this.callbacks = NO_CALLBACKS;
		this.reset();
	}

	private release(): void {
		this.dropSwitch(E_CANCELLED);
		const owner = this.owner as SocketHandle,
			callbacks = this.callbacks;
		let error: BC20Error | null = null;
		if (!this.appClosed || this.#closeFailed) error = this.endError();
		this.stats.failed += this.transmitter.unsent;
		this.state = INITIAL;
		this.owner = null;
		this.callbacks = NO_CALLBACKS;
		this.reset();
		if (error === null) callbacks.onClose?.call(owner);
		else callbacks.onError?.call(owner, error);
	}

	// Why the connection ended, with what it cost: received bytes lost, and
	// written bytes never sent (their stream offsets).
	private endError(): BC20Error {
		let detail = this.#reasonDetail;
		const lost = this.#lostAtEnd,
			unsent = this.transmitter.unsent;
		if (lost !== 0)
			detail = join(detail, lost > 0 ? lost + " received bytes lost" : "received bytes lost (count unknown)");
		if (unsent > 0) detail = join(detail, unsent + " written bytes not sent");
		const error = new BC20Error(
			this.#reasonCode === 0 ? E_STATE : this.#reasonCode,
			detail,
			this.#reasonCommand,
			this.id,
		);
		error.cme = this.#reasonCme;
		error.lost = lost;
		if (unsent > 0) {
			error.offset = this.transmitter.offset;
			error.count = unsent;
		}
		return error;
	}

	private reset(): void {
		this.receiver.reset();
		this.transmitter.reset();
		this.#open = null;
		this.#switch = null;
		this.#switching = false;
		this.#busy = false;
		this.#moduleOpen = false;
		this.#closePending = false;
		this.appClosed = false;
		this.#closeFailed = false;
		this.#reports = 0;
		this.#reasonCode = 0;
		this.#reasonCommand = "";
		this.#reasonCme = 0;
		this.#reasonDetail = "";
		this.#lostAtEnd = 0;
		this.#txDead = false;
	}

	// The connection is ending for `code` (first reason wins). In buffer mode
	// the module's buffer is read before the close. After the app's close()
	// nobody hears why, but what it wrote is not sent into a closed socket.
	private fail(code: number): void {
		if (this.state === INITIAL) return;
		this.#txDead = true;
		this.transmitter.startOver();
		if (this.appClosed) return;
		if (this.#reasonCode === 0) this.#reasonCode = code;
		if (this.state === CONNECTED) this.state = CLOSING;
		else if (this.state === OPENING && this.#open !== null) {
			this.#open = null; // never sent
			this.state = CLOSING;
		}
		if (this.#moduleOpen) {
			this.#closePending = true;
			if (this.mode === BUFFER_MODE) this.receiver.needRead = true;
		}
		this.dispatcher.pump();
		this.dispatcher.soon();
	}

	// ---- events from the modem ----

	// +QIURC: "closed",<id>.
	peerClosed(): void {
		this.fail(E_PEER_CLOSED);
	}

	// +QIURC: "pdpdeact": the data connection is gone.
	pdpDeactivated(): void {
		this.fail(570);
	}

	// The module rebooted: it holds no socket any more, and what it buffered is gone.
	rebooted(): void {
		if (this.state === INITIAL) return;
		const lost = this.receiver.rebooted();
		this.transmitter.rebooted();
		this.#txDead = true;
		this.#moduleOpen = false;
		this.#busy = false;
		this.#open = null;
		this.dropSwitch(E_REBOOTED);
		this.#closePending = false;
		if (!this.appClosed) {
			// A gap the reboot's stall cut is the reboot's too.
			const code = this.#reasonCode;
			if (code === 0 || code === E_PEER_CLOSED || code === 570 || code === E_DATA_LOST) {
				this.#reasonCode = E_REBOOTED;
				this.#reasonCommand = "";
				this.#reasonDetail = "";
			}
			// A gap's "count unknown" stays.
			if (this.#lostAtEnd === 0) this.#lostAtEnd = lost;
		}
		this.state = CLOSING;
		this.dispatcher.soon();
	}

	// The module no longer lists this connectID (AT+QISTATE?): the connection
	// is gone without a "closed" URC the driver saw; nothing is left to close.
	goneFromModule(): void {
		if (this.state === INITIAL) return;
		this.#moduleOpen = false;
		this.#closePending = false;
		if (this.#reasonCode === 0) this.#reasonDetail = "the module no longer lists this socket (AT+QISTATE?)";
		this.fail(567);
		this.dispatcher.soon();
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
			if (this.appClosed || this.#reasonCode !== 0) {
				this.#closePending = true;
				this.state = CLOSING;
			} else {
				this.state = CONNECTED;
				const owner = this.owner as SocketHandle;
				this.callbacks.onConnected?.call(owner);
				if (this.state === CONNECTED) this.callbacks.onWritable?.call(owner, this.writable);
			}
		} else {
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
					this.#reasonCommand = QIOPEN.name;
				}
			} else this.explainEnd(result, QIOPEN.name);
			this.dispatcher.soon();
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
			if (this.appClosed) this.#closeFailed = true;
			if (this.appClosed || this.#reasonCode === 0) this.explainEnd(result, QICLOSE.name);
		}
		this.dispatcher.soon();
	}

	switched(command: SwitchCommand, result: Result): void {
		this.#busy = false;
		this.#switching = false;
		const status = result.status;
		if (status === DONE_OK) {
			this.mode = command.mode;
			// Data that came while switching to buffer mode raised no URC the
			// driver could tell apart: read once to be sure.
			if (command.mode === BUFFER_MODE && this.#moduleOpen) this.receiver.needRead = true;
			command.callback?.(null);
		} else if (status === DONE_REBOOT || status === DONE_CANCELLED)
			command.callback?.(new BC20Error(status === DONE_REBOOT ? E_REBOOTED : E_STATE, "", command.spec.name, this.id));
		else {
			this.#reports++;
			explain(this.dispatcher, result, command.spec.name, this.id, (error) => {
				this.#reports--;
				command.callback?.(error);
				this.dispatcher.soon();
			});
		}
	}

	// ---- app operations (through Socket) ----

	write(bytes: Uint8Array, start: number, end: number): number {
		if (this.state !== CONNECTED || this.appClosed)
			throw new BC20Error(E_STATE, "cannot write while " + stateName(this.state, this.appClosed), "", this.id);
		if (!(bytes instanceof Uint8Array)) throw new BC20Error(E_ARGUMENT, "bytes must be a Uint8Array", "", this.id);
		if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length)
			throw new BC20Error(E_ARGUMENT, "start/end out of range", "", this.id);
		return this.transmitter.write(bytes, start, end);
	}

	close(): void {
		if (this.appClosed) return;
		this.appClosed = true;
		this.#reasonCode = 0;
		this.#lostAtEnd = 0;
		// What the app did not read is dropped: it asked to close.
		this.receiver.dropUnread();
		if (this.state === OPENING && this.#open !== null)
			this.#open = null; // never sent
		else if (this.#moduleOpen) this.#closePending = true;
		if (this.state !== OPENING || !this.#busy) this.state = CLOSING;
		this.dispatcher.pump();
		this.dispatcher.soon();
	}

	setMode(mode: number, callback: ((error: BC20Error | null) => void) | undefined): void {
		if (this.state !== CONNECTED || this.appClosed || this.#switching)
			throw new BC20Error(
				E_STATE,
				this.#switching
					? "a mode switch is already waiting"
					: "cannot switch mode while " + stateName(this.state, this.appClosed),
				QISWTMD.name,
				this.id,
			);
		this.#switch = new SwitchCommand(this, mode, callback);
		this.#switching = true;
		this.dispatcher.pump();
	}

	// ---- helpers ----

	// A mode switch that will never be issued: its callback hears why.
	private dropSwitch(code: number): void {
		const command = this.#switch;
		if (command === null) return;
		this.#switch = null;
		this.#switching = false;
		command.callback?.(new BC20Error(code, "", command.spec.name, this.id));
	}

	// ---- SocketLink ----

	idle(): void {
		this.#busy = false;
	}

	warn(code: number, detail: string, offset: number, count: number, lost: number): void {
		if (this.state === INITIAL) return;
		const error = new BC20Error(code, detail, "", this.id);
		error.offset = offset;
		error.count = count;
		error.lost = lost;
		return this.callbacks.onWarning?.call(this.owner as SocketHandle, error);
	}

	streamBroken(detail: string): void {
		// Whatever the peer sent after the gap is not delivered: its count is unknown.
		this.#lostAtEnd = -1;
		// The app's stream ends at the gap, even if the peer had closed before
		// the driver read that far: not a clean end.
		if (this.#reasonCode === E_PEER_CLOSED) this.#reasonCode = 0;
		if (this.#reasonCode === 0) this.#reasonDetail = detail;
		return this.fail(E_DATA_LOST);
	}

	tellReadable(): void {
		if (this.state !== INITIAL)
			this.callbacks.onReadable?.call(
				this.owner as SocketHandle,
				this.receiver.readable,
				this.receiver.rxLengths.count,
			);
	}

	tellWritable(): void {
		if (this.state === CONNECTED && !this.appClosed)
			this.callbacks.onWritable?.call(this.owner as SocketHandle, this.writable);
	}

	// A warning for a command that failed, explained by AT+QIGETERROR if need be.
	explainWarning(result: Result, command: string, offset: number, count: number): void {
		this.#reports++;
		explain(this.dispatcher, result, command, this.id, (error) => {
			this.#reports--;
			if (count > 0) {
				error.offset = offset;
				error.count = count;
			}
			// The module says it does not know this socket: has it rebooted?
			if (
				this.state === CONNECTED &&
				this.#moduleOpen &&
				(error.code === 552 || error.code === 567 || error.code === 572)
			)
				this.#host.suspect();
			if (this.state !== INITIAL) this.callbacks.onWarning?.call(this.owner as SocketHandle, error);
			this.dispatcher.soon();
		});
	}

	// The reason the connection ends, explained by AT+QIGETERROR if need be.
	// Any other end than a plain ERROR is known from its status: its code and
	// detail are kept, and the app's error made when the connection is
	// released, from a turn of its own (an error made here, under the timer's
	// turn that told an open failed unwritten, took the device's stack peak
	// from 235 slots to 247).
	private explainEnd(result: Result, command: string): void {
		const status = result.status;
		if (status !== DONE_ERROR) {
			this.#reasonCode = resultCode(status);
			this.#reasonCommand = command;
			this.#reasonCme = status === DONE_CME_ERROR ? result.code : 0;
			this.#reasonDetail = resultDetail(status, result.code);
			return this.dispatcher.soon();
		}
		this.#reports++;
		explain(this.dispatcher, result, command, this.id, (error) => {
			this.#reports--;
			this.#reasonCode = error.code;
			this.#reasonCommand = command;
			this.#reasonCme = error.cme;
			this.#reasonDetail = "";
			this.dispatcher.soon();
		});
	}
}

function join(a: string, b: string): string {
	return a === "" ? b : a + "; " + b;
}
