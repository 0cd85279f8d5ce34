// A socket's send side: the transmit ring (and datagram lengths beside it for
// UDP), the next AT+QISEND / AT+QISENDEX cut from it (worked out in bounded
// steps, send-preparation.ts), and the accounting of every written byte:
// sent, failed, or of unknown fate (statistics and warnings name their
// stream offsets).
//
// Its helper methods are `private` (TypeScript's), not `#`: XS keeps a slot
// in every instance for each `#` method, and there is one of these per socket.
import type { ByteRing } from "../at/byte-ring.js";
import type { Command } from "../at/command.js";
import { SEND_FAIL, SEND_OK } from "../at/line-kind.js";
import {
	DONE_CANCELLED,
	DONE_OK,
	DONE_REBOOT,
	DONE_SEND_FAIL,
	DONE_TIMEOUT,
	DONE_UNSENT,
	DONE_WITHDRAWN,
	type Result,
} from "../at/result.js";
import { MAX_SEND_HEX } from "./commands.js";
import { BC20Error, E_ARGUMENT, E_SEND_FAILED, E_SEND_UNKNOWN, E_TIMEOUT } from "./errors.js";
import { LengthQueue } from "./length-queue.js";
import type { HexStage } from "./hex-stage.js";
import { datagramProblem, SendCommand } from "./send-command.js";
import { SendPreparation } from "./send-preparation.js";
import { DATAGRAMS } from "./socket-constants.js";
import type { SocketLink } from "./socket-link.js";

// Bytes of a send's preparation (scanned for text or encoded as hex, 14 and
// 22 XS operations each) done in the turn that first asks for the send, and
// in each turn of its own after.
const INLINE_STEP = 128;
const PREPARE_STEP = 256;

// What a transmitter needs from its modem.
export interface TransmitterHost {
	readonly textSend: boolean;
	// Where a hex send's digits are made (one for all sockets).
	readonly hexStage: HexStage;
	// Whether a send that timed out still owes its SEND OK / SEND FAIL.
	owes(command: Command): boolean;
}

export class Transmitter {
	readonly tx: ByteRing;
	readonly txLengths: LengthQueue;

	#link: SocketLink;
	#host: TransmitterHost;
	#send: SendCommand;
	#preparation: SendPreparation;
	#preparing = false; // the next send needs turns of its own (settle)
	// The next send waits for a turn of the dispatcher's: the receive turn that
	// brought its predecessor's SEND OK does not write it too.
	#afterAnswer = false;
	#offset = 0; // stream offset of the oldest byte in tx
	#inflight = 0;
	#lateOffset = 0;
	#lateCount = 0;

	constructor(link: SocketLink, tx: ByteRing, host: TransmitterHost) {
		this.#link = link;
		this.tx = tx;
		// Made here, not in a field initializer: XS holds a slot per private
		// field while those run, under whatever they call.
		this.txLengths = new LengthQueue(DATAGRAMS);
		this.#host = host;
		this.#send = new SendCommand(this, link.id, host.hexStage);
		this.#preparation = new SendPreparation(tx, host.hexStage);
	}

	// Bytes write() takes now, the connection allowing (UDP: the largest
	// datagram of any content that fits).
	get room(): number {
		if (!this.#link.udp) return this.tx.free;
		if (this.txLengths.full) return 0;
		return this.tx.free < MAX_SEND_HEX ? this.tx.free : MAX_SEND_HEX;
	}

	// Written bytes wait to be sent.
	get pending(): boolean {
		return this.#link.udp ? this.txLengths.count > 0 : this.tx.count > 0;
	}

	// Written bytes not sent.
	get unsent(): number {
		return this.tx.count;
	}

	// The stream offset of the oldest byte not sent.
	get offset(): number {
		return this.#offset;
	}

	reset(): void {
		this.startOver();
		this.tx.discard(this.tx.count);
		this.txLengths.clear();
		this.#offset = 0;
		this.#inflight = 0;
		this.#lateCount = 0;
	}

	// The module rebooted: no send of this socket is on the wire any more,
	// and none is prepared.
	rebooted(): void {
		this.#inflight = 0;
		this.startOver();
	}

	// Takes bytes[start, end) (checked by the caller): TCP as many as fit, UDP
	// the whole datagram or nothing.
	write(bytes: Uint8Array, start: number, end: number): number {
		const link = this.#link;
		const length = end - start;
		let n: number;
		if (link.udp) {
			const problem = datagramProblem(bytes, start, end, this.#host.textSend);
			if (problem !== "") throw new BC20Error(E_ARGUMENT, problem, "", link.id);
			if (length > this.tx.free || this.txLengths.full) return 0;
			this.tx.push(bytes, start, end);
			this.txLengths.push(length);
			n = length;
		} else n = this.tx.push(bytes, start, end);
		link.stats.written += n;
		if (n > 0) link.dispatcher.pump();
		return n;
	}

	// Not while the module may still answer an earlier send of this socket: it
	// would refuse this one (manual 4.1.2) and the late line could be taken for it.
	get allowed(): boolean {
		return !this.#host.owes(this.#send);
	}

	// The next send once it is ready, else null. The turn that first asks
	// does at most INLINE_STEP bytes of its preparation (a report goes at
	// once); the rest is done by settle(), from turns of the dispatcher's, and
	// the send is rendered in a turn that prepared nothing.
	nextSend(): Command | null {
		if (this.#afterAnswer) return null;
		const plan = this.#preparation.step(
			this.#link.udp ? this.txLengths.peek() : 0,
			this.#host.textSend,
			this.#preparing ? 0 : INLINE_STEP,
		);
		if (plan === 0) return this.notReady();
		return this.issue(plan);
	}

	// The send goes. The next one (TCP: the bytes after it) is prepared ahead
	// while this one is on the wire, so that a stream's sends follow each
	// other at once. (A datagram's length is known only once the one before
	// it is done.)
	private issue(plan: number): Command {
		const count = plan < 0 ? -plan : plan;
		this.#inflight = count;
		const send = this.#send.prepare(count, plan < 0);
		const ahead = !this.#link.udp && this.tx.count > count;
		this.#preparation.issued(send, ahead ? count : 0);
		this.#preparing = ahead;
		if (ahead) this.#link.dispatcher.turnWanted = true;
		return send;
	}

	// A turn of the dispatcher's: a step of the next send's preparation. The
	// dispatcher then serves the wire, and nextSend takes the send if ready;
	// while a send is on the wire, the steps go on in turns of their own.
	settle(): void {
		this.#afterAnswer = false;
		if (!this.#preparing) return;
		const preparation = this.#preparation;
		if (preparation.step(this.#link.udp ? this.txLengths.peek() : 0, this.#host.textSend, PREPARE_STEP) !== 0) {
			this.#preparing = false;
			return;
		}
		this.#preparing = !preparation.blocked;
		if (this.#preparing) this.#link.dispatcher.soon();
	}

	// More steps want turns of their own, unless the preparation waits for the
	// stage's holder, which frees it when its send is written or ends, or in
	// its socket's reset (the wire is served then).
	private notReady(): null {
		this.#preparing = !this.#preparation.blocked;
		if (this.#preparing) this.#link.dispatcher.turnWanted = true;
		return null;
	}

	// The preparation starts over (a send withdrawn, the connection failed,
	// a reset): the hex stage is given up, and a socket waiting for it is
	// served. (A send the channel holds frees it when rendered or ended.)
	startOver(): void {
		this.#preparing = false;
		this.#afterAnswer = false;
		if (this.#preparation.reset()) this.#link.dispatcher.pump();
	}

	sent(result: Result): void {
		const link = this.#link;
		// A hex send never rendered (withdrawn, cancelled) still holds its digits.
		if (this.#send.hex) this.#host.hexStage.release(this.#send);
		link.idle();
		const status = result.status;
		if (status === DONE_WITHDRAWN) {
			// Never written: the bytes stay in tx for a later send, prepared anew.
			this.#inflight = 0;
			this.startOver();
			return;
		}
		if (status === DONE_REBOOT && this.#inflight > 0) {
			const n = this.take();
			link.stats.unknown += n;
			link.warn(E_SEND_UNKNOWN, "the module rebooted during the send", this.#offset - n, n, 0);
		}
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			this.startOver();
			return;
		}
		const n = this.take(),
			offset = this.#offset - n;
		if (status === DONE_OK) link.stats.sent += n;
		else if (status === DONE_SEND_FAIL) {
			link.stats.failed += n;
			link.warn(E_SEND_FAILED, "", offset, n, 0);
		} else if (status === DONE_UNSENT) {
			// Never written: the module was silent.
			link.stats.failed += n;
			link.warn(E_TIMEOUT, "not sent: the module did not answer", offset, n, 0);
		} else if (status === DONE_TIMEOUT) {
			link.stats.unknown += n;
			this.#lateOffset = offset;
			this.#lateCount = n;
			link.warn(E_SEND_UNKNOWN, "no SEND OK / SEND FAIL in time", offset, n, 0);
		} else {
			link.stats.failed += n;
			link.explainWarning(result, this.#send.spec.name, offset, n);
		}
		// More to send (prepared ahead, most of it): written from a turn of its
		// own, not from this one, which took the module's answer (a long send's
		// rendering and that turn together would run past the FIFO's time).
		if (!link.udp && this.tx.count > 0) {
			this.#afterAnswer = true;
			link.dispatcher.soon();
		}
		link.tellWritable();
	}

	// The bytes of the send that ended leave the ring; returns their count.
	private take(): number {
		const n = this.#inflight;
		this.#inflight = 0;
		this.tx.discard(n);
		this.#offset += n;
		if (this.#link.udp) this.txLengths.shift();
		// A send prepared ahead of this one now starts at the head.
		if (this.#preparation.rebase(n)) this.#link.dispatcher.pump();
		return n;
	}

	// SEND OK / SEND FAIL for a send that had timed out.
	sentLate(kind: number): void {
		const n = this.#lateCount;
		if (n === 0 || (kind !== SEND_OK && kind !== SEND_FAIL)) return;
		this.#lateCount = 0;
		const link = this.#link;
		link.stats.unknown -= n;
		if (kind === SEND_OK) link.stats.sent += n;
		else {
			link.stats.failed += n;
			link.warn(E_SEND_FAILED, "SEND FAIL came after the send had timed out", this.#lateOffset, n, 0);
		}
	}
}
