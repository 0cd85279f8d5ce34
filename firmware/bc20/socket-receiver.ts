// A socket's receive side: its ring, the datagram lengths beside it, the
// buffer-mode drain (AT+QIRD) and the direct-push intake, both feeding the
// ring through one payload sink, and the accounting of every byte that did
// not make it there.
//
// Buffer access mode: a "recv" URC means the module holds data and will not
// say so again until it is all read, so the receiver reads (AT+QIRD, at most
// 512 bytes and never more than its ring can take) until +QIRD: 0. When the
// ring is full it stops reading: the module keeps the data (backpressure) and
// reading resumes when the app reads. Direct push mode: data arrives on its
// own; what does not fit cannot be refused, so it is counted and reported lost.
//
// UDP keeps datagram boundaries in a LengthQueue beside the ring. In buffer
// mode with showlength 1, a datagram is a module "node": +QIRD: <n>,<remaining>
// tells where it ends. Without showlength each +QIRD response is taken as one
// datagram (true for datagrams up to 512 bytes read with room for 512).
//
// Its helper methods are `private` (TypeScript's), not `#`: XS keeps a slot
// in every instance for each `#` method, and there is one of these per socket.
import type { ByteRing } from "../at/byte-ring.js";
import type { Command, CommandSpec } from "../at/command.js";
import type { PayloadSink } from "../at/reader.js";
import {
	DONE_CANCELLED,
	DONE_NOT_SENT,
	DONE_OK,
	DONE_REBOOT,
	DONE_TIMEOUT,
	DONE_UNSENT,
	type Result,
} from "../at/result.js";
import { MAX_READ } from "./commands.js";
import { BC20Error, E_ARGUMENT, E_BUFFER_FULL, E_DATA_LOST, E_TIMEOUT } from "./errors.js";
import { LengthQueue } from "./length-queue.js";
import { ReadCommand } from "./read-command.js";
import {
	BUFFER_MODE,
	CLOSING,
	DATAGRAMS,
	INITIAL,
	MAX_PUSH,
	OPENING,
	PUSH_MODE,
	READ_ATTEMPTS,
} from "./socket-constants.js";
import type { SocketLink } from "./socket-link.js";

// What a receiver needs from its modem.
export interface ReceiverHost {
	readonly readSpec: CommandSpec;
	// Whether the module shows <remaining> (AT+QICFG="showlength",1).
	readonly showLength: boolean;
	// Where push data for a socket that is not open is counted.
	readonly dropped: { pushBytesDropped: number };
	// The push run that just ended lost bytes: `receiver`.tellRunLoss() is to
	// be called once the reader returned, before it takes another byte.
	runLost(receiver: Receiver): void;
}

export class Receiver implements PayloadSink {
	readonly rx: ByteRing;
	readonly rxLengths: LengthQueue;
	// The module holds data for this socket: read it (buffer mode).
	needRead = false;

	// The intake's fields first (each payload piece reads them): XS finds a
	// private field by walking the instance's list of them in declaration order.
	#link: SocketLink;
	#pushDrop = false;
	#pushStored = 0;
	#pushLost = 0;
	#readStored = 0;
	#readLost = 0;
	#partial = 0; // UDP: bytes of an incomplete datagram at the ring's tail
	#broken = false; // TCP: the stream has a gap; nothing after it is delivered
	// Direct-push runs the app has not heard of yet (flushPushed).
	#pushed = false;
	#pushedStored = 0;
	#host: ReceiverHost;
	#read: ReadCommand;
	#readFailures = 0;
	#fullReported = false;
	#moduleHolds = 0; // bytes known to wait in the module, -1 unknown
	#readActual = 0;
	#readBad = 0;
	#readMissing = 0; // bytes the read's run announced that never came
	#readDamaged = 0; // the length a damaged +QIRD header announced
	#nodeLeft = 0; // UDP: bytes of the current node still in the module
	#discarding = false; // UDP: the current node is larger than the ring
	#completed = 0; // UDP: datagrams completed since the app was last told
	#runReported = false; // the last payload run's damage was reported
	#runStored = 0; // bytes the last payload run stored (delivered, or about to be)
	// What the last pushed run missed and had wrong, for tellRunLoss().
	#runMissing = 0;
	#runBad = 0;

	constructor(link: SocketLink, rx: ByteRing, host: ReceiverHost) {
		this.#link = link;
		this.rx = rx;
		// Made here, not in a field initializer: XS holds a slot per private
		// field while those run, under whatever they call.
		this.rxLengths = new LengthQueue(DATAGRAMS);
		this.#host = host;
		this.#read = new ReadCommand(this, link.id, host.readSpec);
	}

	// Bytes the app can read (UDP: in complete datagrams).
	get readable(): number {
		return this.rx.count - this.#partial;
	}

	// The length of the next datagram (UDP), -1 when none.
	get nextDatagram(): number {
		return this.rxLengths.peek();
	}

	// Reading the module's buffer is what the socket does next (buffer mode).
	// Past a gap it is not read: what it holds lies beyond the gap.
	get draining(): boolean {
		return this.needRead && !this.#broken && this.#link.mode === BUFFER_MODE;
	}

	// The read to issue now, or null (no room for one worth the wire).
	nextRead(): Command | null {
		const length = this.readLength();
		if (length <= 0) return null;
		this.#read.length = length;
		return this.#read;
	}

	// Nothing of an earlier connection on this connectID stays.
	reset(): void {
		this.rx.discard(this.rx.count);
		this.rxLengths.clear();
		this.needRead = false;
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
		this.#broken = false;
		this.#pushed = false;
		this.#pushedStored = 0;
		this.#readActual = -1;
		this.#readStored = this.#readLost = this.#readBad = this.#readDamaged = this.#readMissing = 0;
	}

	// The app closed: what it did not read is dropped, and nothing more is read.
	dropUnread(): void {
		this.rx.discard(this.rx.count);
		this.rxLengths.clear();
		this.#partial = 0;
		this.needRead = false;
	}

	// The module rebooted and lost what it buffered; returns the received bytes
	// that loss cost (-1: some, count unknown). What the module held is known
	// only as a lower bound (no notice comes for data that arrives while it
	// holds some): the count is unknown.
	rebooted(): number {
		let lost = this.draining ? -1 : 0;
		if (this.#partial > 0 && lost >= 0) lost += this.#partial;
		this.needRead = false;
		this.#nodeLeft = 0;
		return lost;
	}

	// ---- notices from the modem ----

	// +QIURC: "recv",<id>[,<n>] in buffer access mode (`length` -1 when not shown).
	// Returns whether it was a pushed header, damaged (its data, if any, may
	// follow as lines).
	notice(length: number): boolean {
		const link = this.#link;
		if (link.state === INITIAL) return false;
		if (link.mode !== BUFFER_MODE) {
			// A socket in direct push mode gets no notices: this was a push header
			// whose length was damaged (too large to be one, or not a number: its
			// CR LF lost, the data ran into it) or whose data was cut from it, or
			// payload taken for lines after a run was cut off. (While a switch to
			// push mode is under way it may be a notice of buffer mode.)
			if (link.switching) return false;
			this.gap(
				length > MAX_PUSH
					? "a pushed header announced " +
							length +
							" bytes, more than a push carries (" +
							MAX_PUSH +
							"): it was damaged"
					: "a pushed header came without its data (damaged, or payload taken for a line)",
			);
			return true;
		}
		if (!this.needRead) this.#moduleHolds = 0;
		if (this.#moduleHolds >= 0) this.#moduleHolds = length >= 0 ? this.#moduleHolds + length : -1;
		this.needRead = true;
		this.#readFailures = 0;
		link.dispatcher.pump();
		return false;
	}

	// +QIURC: "recv",<id>,"buff full": the module has no room left for this socket.
	bufferFull(): void {
		const link = this.#link;
		if (link.state === INITIAL) return;
		if (link.mode === BUFFER_MODE) {
			this.needRead = true;
			if (this.#moduleHolds === 0) this.#moduleHolds = -1;
			this.#readFailures = 0;
		}
		if (!this.#fullReported && !link.appClosed) {
			this.#fullReported = true;
			link.warn(
				E_BUFFER_FULL,
				this.rx.free === 0
					? "this socket's receive buffer is full too: read it so the driver can drain the module"
					: "draining it",
				-1,
				0,
				0,
			);
		}
		link.dispatcher.pump();
	}

	// The last payload run was not followed by its CR LF (see the reader):
	// its `atStake` bytes may be wrong, or (-1) its header's length was
	// damaged and bytes of unknown number were lost.
	payloadDamaged(atStake: number): void {
		// After a gap nothing is delivered, and before the socket is open nothing
		// is stored (pushes are dropped and counted): there is nothing at stake.
		if (!this.open || this.#broken) return;
		if (atStake < 0) {
			// The run taken under the damaged length was delivered: it may hold
			// bytes that were no data, or miss some, so its bytes are at stake too.
			this.deliveredAtStake(this.#runStored, "their header's length was damaged on the line");
			this.gap("a payload header's length was damaged on the line");
			return;
		}
		this.deliveredAtStake(atStake, "a byte of them was dropped on the line");
	}

	// `count` bytes of the last run, delivered, may be wrong (once per run:
	// its bad hex digits may have put it all at stake already).
	private deliveredAtStake(count: number, reason: string): void {
		if (this.#runReported || count <= 0) return;
		this.#runReported = true;
		const link = this.#link;
		link.stats.lost += count;
		link.warn(E_DATA_LOST, count + " bytes just delivered may be wrong: " + reason, -1, 0, count);
	}

	// A line that may have been a pushed header (and its data) was damaged:
	// a gap for every socket that takes pushed data (one closing after a
	// failed open too: the failure may have been a damaged +QIOPEN line).
	// Returns whether data may be pushed to this socket (so the damaged line
	// may have been its header, and the lines after it its data).
	pushMayBeLost(): boolean {
		if (!this.takesPushes) return false;
		if (!this.#link.switching) this.gap("a line that may have been pushed data was damaged");
		return true;
	}

	// Whether data may be pushed to this socket (direct push mode, open).
	get takesPushes(): boolean {
		return this.#link.mode === PUSH_MODE && this.open;
	}

	// Received bytes of unknown number are lost. A UDP socket loses
	// datagrams, not its framing; a TCP stream ends at the gap.
	private gap(detail: string): void {
		const link = this.#link;
		if (!this.open || this.#broken) return;
		link.warn(
			E_DATA_LOST,
			detail + ": received bytes lost (count unknown)" + (link.udp ? "" : "; the stream ends here"),
			-1,
			0,
			-1,
		);
		if (!link.udp) return this.endStream(detail);
	}

	// TCP: bytes that never reached the ring leave a hole in the stream, and
	// every later byte would sit at the wrong place: it ends at the gap. What
	// came before is still read; nothing after it is delivered, and the
	// module's buffer is not read any more.
	private endStream(detail: string): void {
		this.#broken = true;
		this.needRead = false;
		return this.#link.streamBroken(detail);
	}

	// ---- direct push ----

	// Pushed data belongs to this socket: the module reported it open
	// (+QIOPEN: <id>,0) and the application has not closed it.
	private get open(): boolean {
		const state = this.#link.state;
		return state !== INITIAL && state !== OPENING && !this.#link.appClosed;
	}

	pushStart(length: number): void {
		this.#pushStored = 0;
		this.#pushLost = 0;
		this.#runReported = false;
		this.#runStored = 0;
		this.#pushDrop = this.#broken || (this.#link.udp && (length > this.rx.free || this.rxLengths.full));
	}

	// The direct-push intake: the reader's sink for a run pushed to this socket.
	// (Called for every chunk of a run: `open` and the store into the ring are
	// written out, a call each less; readData() stores the same way.)
	onPayload(bytes: Uint8Array, start: number, end: number): void {
		const n = end - start,
			link = this.#link,
			state = link.state;
		if (state === INITIAL || state === OPENING || link.appClosed) {
			// Not open (yet, or any more): not this socket's, nor the next one's.
			this.#host.dropped.pushBytesDropped += n;
			return;
		}
		if (this.#pushDrop) {
			this.#pushLost += n;
			return;
		}
		const kept = this.rx.push(bytes, start, end);
		link.stats.received += kept;
		if (link.udp) this.#partial += kept;
		this.#pushStored += kept;
		this.#pushLost += n - kept;
	}

	// The run is accounted for now; the app hears of it when the modem's
	// receive turn ends (flushPushed), not from inside the reader. A run that
	// lost bytes is told (tellRunLoss, through the host) once the reader
	// returned and before it takes another byte, after the runs before it:
	// what the ring holds when the loss is reported all came before the gap.
	pushEnd(missing: number, badDigits: number): void {
		const link = this.#link;
		if (!this.open) {
			this.#host.dropped.pushBytesDropped += missing;
			return;
		}
		const stored = this.#pushStored;
		this.#runStored = stored;
		if (link.udp && stored > 0) {
			this.#partial -= stored;
			this.completeDatagram(stored);
		}
		// Past a gap every run is dropped: the gap's warning told of it.
		if (this.#broken) return;
		const lost = this.#pushLost + missing;
		if (lost > 0 || badDigits > 0) {
			this.#runMissing = missing;
			this.#runBad = badDigits;
			return this.#host.runLost(this);
		}
		this.#pushedStored += stored;
		this.#pushed = true;
	}

	// Tells the app of the run pushEnd() found short of bytes.
	tellRunLoss(): void {
		this.flushPushed();
		// (#pushLost holds until the next run starts.)
		this.delivered(this.#runStored, this.#pushLost + this.#runMissing, this.#runBad, this.#runMissing);
	}

	// Tells the app of the direct-push runs since the last call.
	flushPushed(): void {
		if (!this.#pushed) return;
		this.#pushed = false;
		const stored = this.#pushedStored;
		this.#pushedStored = 0;
		if (this.#link.state !== INITIAL && !this.#link.appClosed) this.delivered(stored, 0, 0, 0);
	}

	// ---- buffer mode reads (ReadCommand) ----

	// How much a read may ask for now (ReadCommand.render checks again).
	readRoom(): number {
		return this.readLength();
	}

	private readLength(): number {
		const free = this.rx.free;
		let n: number;
		if (this.#link.udp) {
			if (this.#discarding) n = this.#nodeLeft;
			else if (this.#nodeLeft > 0) n = this.#nodeLeft < free ? this.#nodeLeft : free;
			// A new datagram: wait for room for a whole read, so that without
			// showlength a datagram is not cut in two.
			else n = this.rxLengths.full || free < MAX_READ ? 0 : free;
		}
		// TCP: no dribbling reads; wait for room for a useful amount.
		else n = free >= this.rx.capacity >> 2 || free >= MAX_READ ? free : 0;
		return n < MAX_READ ? n : MAX_READ;
	}

	// Returns whether the header is damaged (it announces more than was asked).
	readHeader(actual: number, remaining: number): boolean {
		this.#readActual = actual;
		this.#readStored = 0;
		this.#readLost = 0;
		this.#readBad = 0;
		this.#readDamaged = 0;
		this.#runReported = false;
		this.#runStored = 0;
		if (actual > this.#read.length) {
			// More than was asked for: the header's digits were damaged, no
			// payload was taken, and what the module sent (at most what was
			// asked) was taken for lines.
			this.#readActual = -1;
			this.#readLost = this.#read.length;
			this.#readDamaged = actual;
			return true;
		}
		if (actual <= 0 || !this.#link.udp) return false;
		const shown = remaining >= 0 && this.#host.showLength;
		if (this.#nodeLeft === 0) {
			this.#partial = 0;
			const total = shown ? actual + remaining : actual;
			this.#discarding = total > this.rx.capacity;
		}
		this.#nodeLeft = shown ? remaining : 0;
		return false;
	}

	// A payload whose header this read did not see (it timed out, and the data
	// came late) is still data, in order.
	readStart(length: number): void {
		if (this.#readActual !== length) this.readHeader(length, -1);
	}

	readData(bytes: Uint8Array, start: number, end: number): void {
		const n = end - start;
		const link = this.#link;
		if (link.state === INITIAL || link.appClosed) return; // the app closed: nobody reads it
		if (this.#discarding || this.#broken) {
			this.#readLost += n;
			return;
		}
		const kept = this.rx.push(bytes, start, end);
		link.stats.received += kept;
		if (link.udp) this.#partial += kept;
		this.#readStored += kept;
		this.#readLost += n - kept;
	}

	readEnd(missing: number, badDigits: number): void {
		this.#runStored = this.#readStored;
		this.#readLost += missing;
		this.#readMissing += missing;
		this.#readBad += badDigits;
		if (this.#link.udp && (this.#nodeLeft === 0 || missing > 0)) {
			if (!this.#discarding && this.#partial > 0) this.completeDatagram(this.#partial);
			this.#partial = 0;
			this.#nodeLeft = 0;
			this.#discarding = false;
		}
		this.#readActual = -1;
	}

	readDone(result: Result, answerDamaged: boolean): void {
		const link = this.#link;
		link.idle();
		const status = result.status;
		// Never written (no room by then, or the module was silent): nothing
		// came; the read goes again when there is room and the wire is free.
		if (status === DONE_NOT_SENT || status === DONE_UNSENT) {
			this.#readActual = -1;
			return;
		}
		if (status === DONE_REBOOT || status === DONE_CANCELLED) {
			const stored = this.#readStored,
				lost = this.#readLost,
				bad = this.#readBad,
				missing = this.#readMissing;
			this.#readStored = this.#readLost = this.#readBad = this.#readDamaged = this.#readMissing = 0;
			this.#readActual = -1;
			if (status === DONE_REBOOT && link.state !== INITIAL && !link.appClosed)
				this.delivered(stored, lost, bad, missing);
			return;
		}
		const stored = this.#readStored,
			bad = this.#readBad,
			damaged = this.#readDamaged,
			missing = this.#readMissing;
		let lost = this.#readLost;
		// A read that completed must have delivered what its header announced
		// (one that timed out may still get its payload, late).
		if (status === DONE_OK && this.#readActual > stored + lost) lost = this.#readActual - stored;
		this.#readStored = this.#readLost = this.#readBad = this.#readDamaged = this.#readMissing = 0;
		if (damaged > 0 && link.state !== INITIAL && !link.appClosed && !this.#broken) {
			link.stats.lost += lost;
			const detail =
				"a +QIRD header announced " +
				damaged +
				" bytes, more than the " +
				lost +
				" asked: it was damaged, and up to " +
				lost +
				" bytes were lost";
			link.warn(E_DATA_LOST, link.udp ? detail : detail + "; the stream ends here", -1, 0, lost);
			if (!link.udp) this.endStream(detail);
			lost = 0;
		}
		if (status === DONE_OK) {
			this.#readFailures = 0;
			if (this.#readActual === 0) {
				// +QIRD: 0: the module's buffer is empty.
				this.needRead = false;
				this.#moduleHolds = 0;
				this.#fullReported = false;
			} else if (this.#moduleHolds > 0) {
				const left = this.#moduleHolds - stored - lost;
				this.#moduleHolds = left > 0 ? left : 0;
			}
		} else if (status === DONE_TIMEOUT && answerDamaged) {
			// The module answered, on a line that damaged its answer: the data
			// past what was stored was taken for lines, how much is unknown (a
			// header that announced too much was counted above, and a run cut
			// short counts its own bytes below). Not a silent module: its
			// attempts are not counted.
			if (damaged === 0 && missing === 0 && link.state !== INITIAL && !link.appClosed) {
				// What it stored came under that damaged answer: at stake too.
				this.deliveredAtStake(stored, "their +QIRD answer was damaged on the line");
				this.gap("a +QIRD answer was damaged on the line");
			}
		} else if (status === DONE_TIMEOUT) {
			if (++this.#readFailures >= READ_ATTEMPTS) {
				this.needRead = false;
				link.warn(
					E_TIMEOUT,
					this.#host.readSpec.name + " timed out " + READ_ATTEMPTS + ' times: reading stops until the next "recv"',
					-1,
					0,
					0,
				);
			}
		} else {
			// The module refuses to read (socket gone, or in direct push mode).
			this.needRead = false;
			link.explainWarning(result, this.#host.readSpec.name, -1, 0);
		}
		this.#readActual = -1;
		if (link.state !== INITIAL && !link.appClosed) this.delivered(stored, lost, bad, missing);
		if (link.state === CLOSING) link.dispatcher.soon();
	}

	// Tells the app of a run's `stored` bytes, after a warning for what the
	// run lost or may have damaged.
	private delivered(stored: number, lost: number, badDigits: number, missing: number): void {
		const link = this.#link;
		// Past a gap nothing is stored, and what is dropped there is not counted:
		// the gap's warning told of it.
		if ((lost > 0 || badDigits > 0) && !this.#broken) {
			// Bytes that never reached the ring are a gap in a TCP stream; bad hex
			// digits leave the run's bytes at their place (possibly wrong).
			const gap = lost > 0 && !link.udp;
			let detail = "";
			if (lost > 0) detail = lost + " bytes did not fit or never came";
			if (missing > 0) {
				detail = join(detail, missing + " of them never came (the line went quiet)");
				// A byte dropped among those delivered cuts a run short the same
				// way: they are at stake too (once per run).
				if (badDigits === 0 && stored > 0 && !this.#runReported) {
					detail = join(detail, "the " + stored + " bytes delivered from this run may be wrong");
					lost += stored;
					this.#runReported = true;
				}
			}
			if (badDigits > 0) {
				// A digit that is not hex may be a damaged one, or the first after a
				// dropped one (every later byte of the run is shifted): all the
				// run's bytes are at stake.
				detail = join(
					detail,
					badDigits + " hex digits were not hex: the " + stored + " bytes delivered from this run may be wrong",
				);
				lost += stored;
				this.#runReported = true;
			}
			link.stats.lost += lost;
			link.warn(E_DATA_LOST, gap ? detail + "; the stream ends here" : detail, -1, 0, lost);
			if (gap) this.endStream(detail);
		}
		const news = link.udp ? this.#completed : stored;
		this.#completed = 0;
		if (news > 0) link.tellReadable();
	}

	private completeDatagram(length: number): void {
		this.rxLengths.push(length);
		this.#completed++;
	}

	// ---- the application reads ----

	read(into: Uint8Array, start: number, end: number): number {
		const link = this.#link;
		if (!(into instanceof Uint8Array)) throw new BC20Error(E_ARGUMENT, "into must be a Uint8Array", "", link.id);
		if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > into.length)
			throw new BC20Error(E_ARGUMENT, "start/end out of range", "", link.id);
		let n: number;
		if (link.udp) {
			n = this.rxLengths.peek();
			if (n < 0) return 0;
			if (n > end - start)
				throw new BC20Error(
					E_ARGUMENT,
					"the next datagram has " + n + " bytes; the buffer holds " + (end - start),
					"",
					link.id,
				);
			this.rx.copyOut(0, into, start, n);
			this.rx.discard(n);
			this.rxLengths.shift();
		} else {
			// (An app reads until it gets 0: that last call is made cheap.)
			if (this.rx.count === 0) return 0;
			n = this.rx.copyOut(0, into, start, end - start);
			this.rx.discard(n);
		}
		if (n > 0) {
			if (this.needRead) link.dispatcher.pump();
			if (link.state === CLOSING) link.dispatcher.soon();
		}
		return n;
	}
}

function join(a: string, b: string): string {
	return a === "" ? b : a + "; " + b;
}
