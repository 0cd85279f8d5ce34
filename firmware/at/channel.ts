// The response digester and the one scheduler of the wire: one command on
// the wire at a time, a deadline per stage, URCs routed wherever they fall,
// and a resync after a timeout or a reboot so that a late answer is never
// taken for the next command's.
//
// The channel keeps no queue: when the wire is free it asks its owner for the
// next command (ChannelEvents.nextCommand). Turns are shallow: the reader
// stops after every line without payload, which the channel then handles
// from receive's own frame; a command's completion is handed to it (onDone)
// from there too, before the reader resumes; and whatever onDone starts goes
// on the wire when that turn ends, never from inside the callback. So no
// synchronous chain runs from a serial callback through a completion into the
// application and back to the wire.
//
// Resync (resync.ts): after a timeout, or a reboot with a command on the wire,
// the next command is preceded by a probe; output before the probe's response
// line belongs to the past (a late +QIRD payload still reaches the command
// that asked for it). A late second-stage line (SEND OK, SEND FAIL, CLOSE OK)
// is expected once and consumed as late, with the timed-out command told what
// it was.
import {
	type Command,
	CommandWriter,
	THEN_CLOSE_OK,
	THEN_NOTHING,
	THEN_SEND_RESULT,
	THEN_URC,
	URC_COMPLETES,
	URC_NOT_MINE,
} from "./command.js";
import type { Line } from "./line.js";
import * as K from "./line-kind.js";
import { FINAL_RESULTS, type LineTable, type Prefix } from "./prefix-table.js";
import { DROP_PAYLOAD, MAX_PUSH_PAYLOAD, type PayloadSink, Reader, type ReaderEvents } from "./reader.js";
import { Resync } from "./resync.js";
import {
	DONE_CME_ERROR,
	DONE_ERROR,
	DONE_NOT_SENT,
	DONE_OK,
	DONE_REBOOT,
	DONE_SEND_FAIL,
	DONE_TIMEOUT,
	DONE_UNSENT,
	DONE_WITHDRAWN,
	NO_LINES,
	Result,
} from "./result.js";
import type { Clock, Transport } from "./seams.js";

// What the channel hands up to its owner (the modem).
export interface ChannelEvents {
	// The next command to write, or null. Asked only when the wire is free;
	// a command taken is written (or failed, never dropped).
	nextCommand(): Command | null;
	// Every URC that no command in flight took.
	onUrc(line: Line): void;
	// The module printed RDY: it rebooted. Called at once, while the RDY line
	// is handed up: the owner sets aside what it had queued (those commands
	// date from before the reboot) and calls nothing of the application.
	onReboot(): void;
	// Then, from the top of the turn, after the command the reboot cut (if any)
	// was told: the owner fails what it set aside and recovers.
	onRebooted(): void;
	// See ReaderEvents: direct-push data for a socket.
	isDirectPush(connectId: number): boolean;
	// Returns where the run's bytes go (ReaderEvents.onPayloadStart).
	onPushStart(connectId: number, length: number): PayloadSink;
	onPushEnd(missing: number, badDigits: number): void;
	// Tells the run the owner found short of bytes in onPushEnd (it called
	// holdPushLoss()), once the reader returned.
	onPushLoss(): void;
	// See ReaderEvents.onPayloadDamaged, for a run pushed to socket `connectId`
	// (a +QIRD's run is its command's: Command.onPayloadDamaged).
	onPushDamaged?(connectId: number, atStake: number): void;
	onLineDropped?(): void;
	// An echo of a command or a noise line (optional): no command or URC takes it.
	onEchoOrNoise?(line: Line): void;
	// Every line, for traces (optional).
	onTraceLine?(line: Line): void;
	// The bytes of a receive turn were all handled: the owner tells the
	// application what they brought, from this shallow point (optional).
	onTurnEnd?(): void;
	// Observers (optional): a command line went on the wire (bytes[start, end),
	// the wake CR before it included), and the command on the wire ended with
	// `status` (see result.ts) after `elapsedMs`.
	onWritten?(bytes: Uint8Array, start: number, end: number): void;
	onEnded?(status: number, code: number, elapsedMs: number): void;
}

export interface ChannelOptions {
	transport: Transport;
	clock: Clock;
	events: ChannelEvents;
	// The final results and URCs lines are classified by (firmware/bc20/urcs.ts: BC20_LINES).
	lines: LineTable;
	lineCapacity?: number; // longest line kept, a power of two (default 256)
	commandCapacity?: number; // longest command line (default 1152: QISENDEX with 512 bytes)
	// Where command lines are rendered (its length is the capacity): a view of
	// an arena that holds the rings a command copies from makes those copies native.
	commandBuffer?: Uint8Array;
	// Where received hex is decoded before it goes to its owner (256 bytes
	// by default): in that arena, its copies into a socket's ring are native.
	hexScratch?: Uint8Array;
	baud?: number; // to add the line's transmission time to each deadline (default 115200)
	graceMs?: number; // added to every deadline for a slow host or module (default 200)
	stallMs?: number; // a payload run with no byte for this long is cut off (default 250)
	// After this long with no byte either way, a command is preceded by a lone
	// CR: a module in light sleep loses the first byte it receives (it only
	// wakes the UART), and an awake one ignores an empty line (default 100; 0: never).
	wakeAfterIdleMs?: number;
}

export interface ChannelStats {
	commands: number;
	timeouts: number;
	lateFinals: number; // finals that belonged to a timed-out command
	strayFinals: number; // finals with no command to give them to
	finalsInDamagedAnswers: number; // finals that may be data (Command.acceptsFinal said no, or distrustFinals)
	echoes: number;
	noiseLines: number;
	payloadBytesLost: number; // payload bytes nobody could take or that never came
	reboots: number;
	probes: number;
}

// The second-stage lines, as the table of final results has them.
const textOf = (kind: number): Uint8Array => (FINAL_RESULTS.find((row) => row.kind === kind) as Prefix).bytes;
const SEND_OK_TEXT = textOf(K.SEND_OK);
const SEND_FAIL_TEXT = textOf(K.SEND_FAIL);
const CLOSE_OK_TEXT = textOf(K.CLOSE_OK);

// The most bytes of a push (its data and a header) that may follow damage
// to its header as lines.
const PUSH_WINDOW_BYTES = MAX_PUSH_PAYLOAD + 32;

// The second stage a final result of `kind` ends (THEN_NOTHING: none).
function secondStageOf(kind: number): number {
	return kind === K.SEND_OK || kind === K.SEND_FAIL
		? THEN_SEND_RESULT
		: kind === K.CLOSE_OK
			? THEN_CLOSE_OK
			: THEN_NOTHING;
}

// How long after finding a deadline passed it is judged (see #overdue).
const OVERDUE_CONFIRM_MS = 1;

const STAGE_IDLE = 0;
const STAGE_RESPONSE = 1; // written, waiting for OK / ERROR
const STAGE_THEN = 2; // OK seen, waiting for SEND OK / CLOSE OK / a URC
// What the reader stopped after, for receive to hand on from its own frame.
const HELD_NOTHING = 0;
const HELD_LINE = 1; // a line without payload (onLine)
const HELD_DAMAGE = 2; // a run not followed by its CR LF (onPayloadDamaged)
const HELD_PUSH_LOSS = 3; // a pushed run that lost bytes (onPushEnd)

// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class Channel implements ReaderEvents {
	readonly reader: Reader;
	// Made in the constructor, not in field initializers: XS holds a slot per
	// private field while those run, under whatever they call.
	readonly stats: ChannelStats;

	// The fields a receive turn reads come first, about in the order it reads
	// them: XS finds a private field by walking the instance's list of them in
	// declaration order (a loop step that reads the fortieth took 2.4 times
	// as long as one that reads the first).
	#lastTrafficAt = -Infinity;
	#lastByteAt = 0;
	#clock: Clock;
	// Bytes received before the current chunk, and in all; up to which count
	// final results may be pushed data taken for lines (distrustFinals), or -1.
	#chunkAt = 0;
	#received = 0;
	#distrustUntil = -1;
	// A deadline found passed is judged at the next firing, OVERDUE_CONFIRM_MS
	// later: after a host stall (the process not scheduled, a long collection)
	// timers run before the input that waited meanwhile is read (libuv's timer
	// phase comes before its I/O poll), and that input may be what the deadline
	// waits for. Bytes received clear it.
	#overdue = false;
	#resync: Resync;
	// Inside a turn (receive, a timer, kick): the wire is served when it ends.
	#inTurn = false;
	// What the reader stopped after, that receive hands on (HELD_*), and the
	// bytes at stake of a damaged run.
	#held = HELD_NOTHING;
	#heldAtStake = 0;
	// A command that ended and has not yet been told (its result is in #result),
	// and one that never left #waiting (in #waitingResult).
	#ended: Command | null = null;
	#endedWaiting: Command | null = null;
	#rebootToTell = false;
	// One timer serves the command deadline, the payload stall check and the
	// wait before a probe.
	#timer: unknown = null;
	#timerAt = 0;
	#stallMs: number;
	#events: ChannelEvents;
	// Nothing happened since the owner last had no command (no completion, no
	// kick, no timer, no end of a read's payload): a turn that only moved payload
	// bytes, or brought lines that changed nothing for the wire, does not ask
	// again. Asking means asking every socket.
	#quiet = false;
	// A command taken from the owner that waits for the probe before it.
	#waiting: Command | null = null;
	#current: Command | null = null;
	#stage = STAGE_IDLE;

	// Payload routing.
	#payloadTo: Command | null = null;
	#payloadPush = false;
	#pushId = -1;

	#transport: Transport;
	#writer: CommandWriter;
	#result: Result;
	#waitingResult: Result;
	#deadline = 0;
	#startedAt = 0;
	#lines: string[] | readonly string[] = NO_LINES;

	// Resync state.
	#late: Command | null = null; // the last command that timed out or was cut by a reboot
	// A reboot cut `#cutByReboot` in its first stage: its answer may still come
	// until #cutAnswerBy (its deadline), and nothing is written meanwhile.
	#cutByReboot: Command | null = null;
	#cutAnswerBy = 0;
	#lateThen = 0; // a second-stage line still owed by it (SEND/CLOSE), else 0
	#lateUntil = 0;

	#onTimer: () => void;
	#kicked = false;
	#onKick: () => void;
	#msPerByte: number;
	#graceMs: number;
	#wakeAfterIdleMs: number;

	constructor(options: ChannelOptions) {
		this.#transport = options.transport;
		this.#clock = options.clock;
		this.#events = options.events;
		this.stats = {
			commands: 0,
			timeouts: 0,
			lateFinals: 0,
			strayFinals: 0,
			finalsInDamagedAnswers: 0,
			echoes: 0,
			noiseLines: 0,
			payloadBytesLost: 0,
			reboots: 0,
			probes: 0,
		};
		this.#result = new Result();
		this.#waitingResult = new Result();
		this.#resync = new Resync();
		this.#writer = new CommandWriter(options.commandBuffer ?? new Uint8Array(options.commandCapacity ?? 1152));
		this.reader = new Reader(this, options.lines, options.lineCapacity ?? 256, options.hexScratch);
		this.#msPerByte = 10000 / (options.baud ?? 115200);
		this.#graceMs = options.graceMs ?? 200;
		this.#stallMs = options.stallMs ?? 250;
		this.#wakeAfterIdleMs = options.wakeAfterIdleMs ?? 100;
		this.#onTimer = () => this.timerFired();
		this.#onKick = () => {
			this.#kicked = false;
			if (this.#inTurn) return;
			this.#inTurn = true;
			try {
				this.serveWire();
			} finally {
				this.#inTurn = false;
			}
		};
	}

	get busy(): boolean {
		return this.#current !== null;
	}

	// The command on the wire, if any.
	get current(): Command | null {
		return this.#current;
	}

	// Whether `command` (a reused command object) still owes its second-stage
	// line (SEND OK / SEND FAIL / CLOSE OK) after a timeout: the module refuses
	// another send on that socket until it came (manual 4.1.2), so its owner
	// waits. The channel serves the wire again when the line comes or the wait ends.
	owes(command: Command): boolean {
		return this.#lateThen !== 0 && this.#late === command && this.#clock.now() <= this.#lateUntil;
	}

	// The owner has a command for the wire: written when the current turn
	// ends, or from a turn of its own on the clock, never from inside the
	// caller (who may be deep in the application: XS counts its stack in slots).
	kick(): void {
		this.#quiet = false;
		if (this.#inTurn || this.#kicked) return;
		this.#kicked = true;
		this.#clock.set(this.#onKick, 0);
	}

	// Bytes from the module.
	receive(chunk: Uint8Array, start = 0, end = chunk.length): void {
		if (end > start) {
			this.#lastTrafficAt = this.#lastByteAt = this.#clock.now();
			this.#chunkAt = this.#received;
			this.#received += end - start;
			if (this.#distrustUntil >= 0 && this.#chunkAt >= this.#distrustUntil) this.#distrustUntil = -1;
			this.#overdue = false;
		}
		// A transport may hand bytes back from inside write(): that nested
		// receive is part of the turn that wrote.
		const outer = !this.#inTurn;
		this.#inTurn = true;
		try {
			let i = start;
			do {
				i = this.reader.receive(chunk, i, end);
				// (HELD_* as numbers here: each constant read costs this frame a
				// stack slot, and every handler runs on top of it.)
				if (this.#held !== 0 /* HELD_NOTHING */) {
					if (this.#held === 1 /* HELD_LINE */) {
						this.#held = 0;
						this.line(this.reader.line);
					} else this.tellHeldPayload();
				}
				// The usual end of a line, one command completed, is told from
				// here rather than through tell(): a frame less under the owner's
				// handling (the next command, the application's callback).
				const ended = this.#ended;
				if (this.#endedWaiting !== null || this.#rebootToTell) this.tell();
				else if (ended !== null) {
					this.#ended = null;
					ended.onDone(this.#result);
				}
			} while (i < end);
			if (this.reader.awaitsBytes || this.#distrustUntil >= 0) this.arm(this.#lastByteAt + this.#stallMs);
			if (outer) {
				this.#events.onTurnEnd?.();
				// A quiet turn (payload, or lines that changed nothing) has nothing for the wire.
				if (!this.#quiet || this.#waiting !== null) this.serveWire();
			}
		} finally {
			if (outer) this.#inTurn = false;
		}
	}

	// Fails the command on the wire and the one waiting for a probe (the
	// owner shuts down, or learned of a reboot another way).
	cancelAll(status: number): void {
		this.#quiet = false;
		const outer = !this.#inTurn;
		this.#inTurn = true;
		try {
			if (this.#current !== null) {
				this.disarm();
				this.end(status, 0);
			}
			this.failWaiting(status);
			this.tell();
			if (outer) this.serveWire();
		} finally {
			if (outer) this.#inTurn = false;
		}
	}

	// ---- ReaderEvents ----

	// A call that ends a function is written `return f()`: XS makes such a
	// call in strict code a tail call, which reuses the caller's frame (XS
	// counts its stack in slots; README, Performance, section 6).

	// A line without payload is handled once the reader returned (it stops
	// after the line), from receive's own frame: the reader's frames, as deep
	// as they are, never sit under a command's handlers, a completion or a URC's
	// route into the sockets. A payload header is handled at once: its run
	// starts right after it.
	onLine(line: Line): void {
		if (line.payloadLength > 0) return this.line(line);
		this.#held = HELD_LINE;
		this.reader.pause();
	}

	isDirectPush(connectId: number): boolean {
		return this.#events.isDirectPush(connectId);
	}

	onPayloadStart(connectId: number, length: number): PayloadSink {
		if (connectId >= 0) {
			this.#payloadPush = true;
			this.#pushId = connectId;
			return this.#events.onPushStart(connectId, length);
		}
		this.#payloadPush = false;
		const current = this.#current;
		const owner =
			current !== null && this.#stage === STAGE_RESPONSE && current.onPayload
				? current
				: this.#late !== null && this.#late.onPayload
					? this.#late
					: null;
		this.#payloadTo = owner;
		if (owner === null) {
			this.stats.payloadBytesLost += length;
			return DROP_PAYLOAD;
		}
		owner.onPayloadStart?.(length);
		// (Chosen above for having onPayload.)
		return owner as PayloadSink;
	}

	// The run that just ended was not followed by its CR LF. The routing of
	// that run is still in place (the next run's start replaces it), so its
	// owner is told, once the reader returned: the warning it gives may reach
	// the application, which must not run on top of the reader's frames.
	onPayloadDamaged(atStake: number): void {
		this.#held = HELD_DAMAGE;
		this.#heldAtStake = atStake;
		this.reader.pause();
	}

	onLineDropped(): void {
		this.#events.onLineDropped?.();
	}

	// A pushed run's end changes nothing for the wire by itself (what it
	// makes a socket do, it kicks for): the turn stays quiet.
	onPayloadEnd(missing: number, badDigits: number): void {
		this.stats.payloadBytesLost += missing;
		if (this.#payloadPush) return this.#events.onPushEnd(missing, badDigits);
		this.#quiet = false;
		this.#payloadTo?.onPayloadEnd?.(missing, badDigits);
	}

	// The pushed run that just ended lost bytes (called from inside
	// onPushEnd): it is told, as a damaged run is, through onPushLoss once the
	// reader returned, before any byte after it is taken.
	holdPushLoss(): void {
		this.#held = HELD_PUSH_LOSS;
		this.reader.pause();
	}

	// ---- internals ----

	// What the reader stopped after, other than a line (HELD_DAMAGE, HELD_PUSH_LOSS).
	private tellHeldPayload(): void {
		const held = this.#held;
		this.#held = HELD_NOTHING;
		if (held === HELD_PUSH_LOSS) return this.#events.onPushLoss();
		const atStake = this.#heldAtStake;
		if (this.#payloadPush) {
			this.distrustFinals();
			return this.#events.onPushDamaged?.(this.#pushId, atStake);
		}
		this.#payloadTo?.onPayloadDamaged?.(atStake);
	}

	// A line alone does not end the quiet: what it changes for the wire ends
	// it (a completion, a kick from a socket it concerns, an owed line come).
	private line(line: Line): void {
		this.#events.onTraceLine?.(line);
		const kind = line.kind;
		if (kind === K.ECHO) {
			this.stats.echoes++;
			return this.#events.onEchoOrNoise?.(line);
		}
		if (kind === K.NOISE) {
			this.stats.noiseLines++;
			this.stray(line);
			return this.#events.onEchoOrNoise?.(line);
		}
		if (kind === K.URC_RDY) {
			this.rebooted();
			return this.#events.onUrc(line);
		}
		const current = this.#current;
		// A final result (line-kind.ts; a range test, not a call per line).
		if (kind >= K.OK && kind <= K.CLOSE_OK) return this.final(line, kind, current);
		if (kind === K.RESPONSE) {
			if (current !== null && this.#stage === STAGE_RESPONSE) {
				current.onResponse?.(line);
				if (current.spec.collect) (this.#lines as string[]).push(line.text());
			}
			return;
		}
		if (current !== null && this.#stage === STAGE_THEN && current.spec.then === THEN_URC && current.onUrc) {
			const taken = current.onUrc(line);
			if (taken === URC_COMPLETES) {
				this.end(DONE_OK, 0);
				return;
			}
			if (taken !== URC_NOT_MINE) return;
		}
		// A +QIRD header that no QIRD on the wire armed (its command timed out):
		// its payload is still routed to the late command below.
		if (line.payloadLength > 0 && (kind === K.URC_OTHER || kind === K.URC_QIURC_OTHER)) return;
		// A late answer of a resync probe that went unanswered: the past.
		if (kind === K.URC_OTHER && this.#resync.owed !== 0 && this.#resync.settles(line)) return;
		if (kind === K.URC_OTHER || kind === K.URC_QIURC_OTHER) this.stray(line);
		return this.#events.onUrc(line);
	}

	// Pushed data may be coming as lines (its header was damaged on the line):
	// until the largest push's bytes have come after this chunk, or the line
	// was quiet for the stall time (the module sends a push's data at once),
	// no final result in a chunk that started before is taken for the answer
	// of a command, nor for a line a timed-out one owes (see distrusted()). A
	// command awaiting its answer meanwhile ends at its deadline, and the line
	// is probed as after any timeout: never two commands on the wire, whatever
	// the data holds. Bytes, not time: a host that lags gets a push's bytes
	// late and at once, and its clock cannot say when the module sent them;
	// and quiet is judged on the timer, after the I/O a late turn had pending
	// (see #overdue). (Hex data holds no CR or LF: it cannot pass for a line.)
	distrustFinals(): void {
		if (this.reader.receiveHex) return;
		this.#distrustUntil = this.#received + PUSH_WINDOW_BYTES;
		this.arm(this.#lastByteAt + this.#stallMs);
	}

	// A line nobody takes came: the command awaiting its answer is told.
	// A URC awaited in a second stage may come as noise (its colon lost): the
	// command is offered it too. One up to two bytes away from the
	// second-stage line a command awaits, or its first piece (Line.isDamaged),
	// is that line, damaged: a send's fate
	// is unknown now (it was SEND OK or SEND FAIL), a close is done (only
	// CLOSE OK comes), rather than after the 10 s their deadline allows and
	// the wait for the line they would then owe; an owed line come damaged
	// holds its socket no longer.
	private stray(line: Line): void {
		const current = this.#current;
		if (current !== null && this.#stage === STAGE_RESPONSE) return current.onStrayLine?.(line);
		const then = current !== null && this.#stage === STAGE_THEN ? current.spec.then : THEN_NOTHING;
		if (then === THEN_URC) {
			if (line.kind === K.NOISE && current?.onUrc?.(line) === URC_COMPLETES) this.end(DONE_OK, 0);
			return;
		}
		if (then === THEN_NOTHING && this.#lateThen === 0) return;
		const near =
			line.isDamaged(SEND_OK_TEXT) || line.isDamaged(SEND_FAIL_TEXT)
				? THEN_SEND_RESULT
				: line.isDamaged(CLOSE_OK_TEXT)
					? THEN_CLOSE_OK
					: THEN_NOTHING;
		if (near !== THEN_NOTHING) this.secondStageUnsure(near, near === THEN_CLOSE_OK ? DONE_OK : DONE_TIMEOUT);
	}

	private final(line: Line, kind: number, current: Command | null): void {
		if (this.#chunkAt < this.#distrustUntil) return this.distrusted(kind);
		// A socket that waits for an owed line may go once it came or never will.
		if (this.#lateThen !== 0) this.#quiet = false;
		// An owed line that has not come within another second-stage deadline never will.
		if (this.#lateThen !== 0 && this.#clock.now() > this.#lateUntil) this.#lateThen = 0;
		// A second-stage line owed by a timed-out command is consumed as late.
		if (this.#lateThen !== 0 && secondStageOf(kind) === this.#lateThen) {
			this.#lateThen = 0;
			return this.pastFinal(this.#late, kind);
		}
		if (current === null) {
			const cut = this.#cutByReboot;
			if (cut !== null && kind <= K.CME_ERROR && this.#clock.now() <= this.#cutAnswerBy) {
				// OK, ERROR or +CME ERROR: the answer of the command a reboot cut;
				// the probe may go now.
				this.#cutByReboot = null;
				this.#quiet = false;
				return this.pastFinal(cut === this.#late ? cut : null, kind);
			}
			this.stats.strayFinals++;
			return;
		}
		const probe = this.#resync.probe;
		if (this.#stage === STAGE_RESPONSE) {
			// Never two commands on the wire: the module's own final result of a
			// damaged answer cannot be told from its data.
			if (current.acceptsFinal !== undefined && !current.acceptsFinal(kind)) {
				this.stats.finalsInDamagedAnswers++;
				return;
			}
			if (kind === K.OK) {
				if (current === probe && !probe.seen) {
					// Output of the past, not the probe's answer. A late OK of a
					// two-stage command means its SEND OK / SEND FAIL / CLOSE OK may
					// still come: it is owed, so it will not be taken for a later
					// command's.
					return this.pastFinal(this.#late, kind);
				}
				const then = current.spec.then;
				if (then === THEN_NOTHING) this.end(DONE_OK, 0);
				else {
					// The module took a new command of the same socket (the same
					// command object): the line the timed-out one owed is not coming
					// (manual 4.1.2: a QISEND while SEND OK is pending gets ERROR).
					if (this.#lateThen === then && current === this.#late) this.#lateThen = 0;
					this.#stage = STAGE_THEN;
					this.reader.armed = null;
					this.#deadline = this.#clock.now() + current.spec.thenTimeoutMs + this.#graceMs;
					this.arm(this.#deadline);
				}
				return;
			}
			if (kind === K.ERROR || kind === K.CME_ERROR) {
				if (current === probe && !probe.seen) return this.pastFinal(this.#late, kind);
				this.end(kind === K.ERROR ? DONE_ERROR : DONE_CME_ERROR, kind === K.CME_ERROR ? line.int(0, 0) : 0);
				return;
			}
			// Its second-stage line before any OK: the module sends it only after
			// its OK, which was lost on the line. It ends the command as it would
			// have (a send's SEND OK, a close's CLOSE OK), not its deadline.
			if (current.spec.then !== THEN_NOTHING && secondStageOf(kind) === current.spec.then) {
				this.end(kind === K.SEND_FAIL ? DONE_SEND_FAIL : DONE_OK, 0);
				return;
			}
		} else if (this.#stage === STAGE_THEN) {
			const then = current.spec.then;
			if (then === THEN_SEND_RESULT && (kind === K.SEND_OK || kind === K.SEND_FAIL)) {
				this.end(kind === K.SEND_OK ? DONE_OK : DONE_SEND_FAIL, 0);
				return;
			}
			if (then === THEN_CLOSE_OK && kind === K.CLOSE_OK) {
				this.end(DONE_OK, 0);
				return;
			}
		}
		this.stats.strayFinals++;
	}

	// A final result that may be pushed data (distrustFinals). An OK, ERROR
	// or +CME ERROR is ignored: the command awaiting its answer ends at its
	// deadline. A second-stage line (the module already took the command) may
	// be the module's own or the data's: the command's fate stays unknown,
	// and it ends now rather than after the whole second-stage deadline, as
	// does the wait for a line a timed-out command owes.
	private distrusted(kind: number): void {
		this.stats.finalsInDamagedAnswers++;
		const then = secondStageOf(kind);
		if (then !== THEN_NOTHING) this.secondStageUnsure(then, DONE_TIMEOUT);
	}

	// A second-stage line of `then`'s came that cannot be taken as it stands
	// (damaged, or perhaps data): the command awaiting it ends with `status`;
	// a timed-out command's owed line is awaited no longer.
	private secondStageUnsure(then: number, status: number): void {
		const current = this.#current;
		if (current !== null && this.#stage === STAGE_THEN && current.spec.then === then) return this.end(status, 0);
		if (this.#lateThen === then) {
			this.#lateThen = 0;
			this.#quiet = false;
		}
	}

	// A final result of the past: `late`'s (null: no command's the caller
	// knows), told to it. After its OK, a two-stage command's second line is owed.
	private pastFinal(late: Command | null, kind: number): void {
		this.stats.lateFinals++;
		if (late === null) return;
		if (kind === K.OK) this.owe(late);
		return late.onLate?.(kind);
	}

	// Writes commands while the wire is free: the one waiting for a probe, or
	// the owner's next; a probe first when the line is out of step.
	private serveWire(): void {
		for (;;) {
			this.tell();
			if (this.#current !== null) return;
			let command = this.#waiting;
			if (command !== null && this.#resync.synced && this.owes(command)) {
				// Taken before the probe showed that its socket's earlier send still
				// owes its SEND OK: it goes back to its owner, unwritten.
				this.failWaiting(DONE_WITHDRAWN);
				continue;
			}
			command ??= this.#quiet ? null : this.#events.nextCommand();
			if (command === null) {
				this.#quiet = true;
				// Idle: no deadline to watch (a payload stall check, the end of
				// an owed line's wait and the quiet that ends a distrust keep the timer).
				if (this.#lateThen !== 0) this.arm(this.#lateUntil + 1);
				if (this.#distrustUntil >= 0) this.arm(this.#lastByteAt + this.#stallMs);
				else if (this.#lateThen === 0 && !this.reader.awaitsBytes) this.disarm();
				return;
			}
			const resync = this.#resync;
			const now = this.#clock.now();
			if (!resync.synced) {
				// The command waits for a probe; a silent module is probed again
				// only after it spoke or a backoff passed.
				this.#waiting = command;
				let at = resync.waitUntil(now, this.#late?.spec.response ?? null, this.#received);
				// Never two commands on the wire: a command a reboot cut is answered
				// as usual when the banner crossed it, or after the banner when it
				// came during the boot.
				if (this.#cutByReboot !== null) {
					if (this.#cutAnswerBy < now) this.#cutByReboot = null;
					else if (this.#cutAnswerBy + 1 > at) at = this.#cutAnswerBy + 1;
				}
				if (at > now) {
					this.arm(at);
					return;
				}
				command = resync.prepare(this.#late?.spec.response ?? null);
				this.stats.probes++;
			} else this.#waiting = null;
			const writer = this.#writer;
			writer.reset();
			try {
				if (this.#wakeAfterIdleMs > 0 && now - this.#lastTrafficAt >= this.#wakeAfterIdleMs) writer.byte(13);
				command.render(writer);
				writer.byte(13);
			} catch {
				// A command that cannot be rendered never reaches the wire.
				this.#current = command;
				this.#stage = STAGE_RESPONSE;
				this.end(DONE_NOT_SENT, 0);
				continue;
			}
			this.#current = command;
			this.#stage = STAGE_RESPONSE;
			this.#lines = command.spec.collect ? [] : NO_LINES;
			this.reader.armed = command.spec.response;
			this.stats.commands++;
			this.#lastTrafficAt = now;
			this.#startedAt = now;
			this.#deadline = now + command.spec.timeoutMs + this.#graceMs + Math.ceil(writer.length * this.#msPerByte);
			this.arm(this.#deadline);
			this.#events.onWritten?.(writer.bytes, 0, writer.length);
			this.#transport.write(writer.bytes, 0, writer.length);
		}
	}

	// The command on the wire ended with `status`: it is told at the top of
	// the turn (tell()), and the reader stops after this line until then.
	private end(status: number, code: number): void {
		this.#quiet = false;
		const command = this.#current as Command;
		this.#events.onEnded?.(status, code, this.#clock.now() - this.#startedAt);
		this.#current = null;
		this.#stage = STAGE_IDLE;
		this.reader.armed = null;
		const resync = this.#resync;
		if (command === resync.probe) {
			if (status === DONE_OK || status === DONE_ERROR || status === DONE_CME_ERROR) {
				resync.answered();
				// Forget the timed-out command unless it still owes a line.
				if (this.#lateThen === 0) this.#late = null;
				return;
			}
			resync.unanswered(this.#clock.now(), status === DONE_TIMEOUT, this.#received);
			// The module is silent: the command that waited for this probe was
			// never written.
			if (status === DONE_TIMEOUT) this.failWaiting(DONE_UNSENT);
			return;
		}
		if (this.#ended !== null || this.#endedWaiting !== null) this.tell(); // never two ended at once
		const elapsed = this.#clock.now() - this.#startedAt;
		this.#result.set(status, code, this.#lines, elapsed);
		this.#lines = NO_LINES;
		this.#ended = command;
		this.reader.pause();
	}

	// Tells the commands that ended (from the top of a turn).
	private tell(): void {
		const command = this.#ended;
		if (command !== null) {
			this.#ended = null;
			command.onDone(this.#result);
		}
		const waiting = this.#endedWaiting;
		if (waiting !== null) {
			this.#endedWaiting = null;
			waiting.onDone(this.#waitingResult);
		}
		if (this.#rebootToTell) {
			this.#rebootToTell = false;
			this.#events.onRebooted();
		}
	}

	// The command waiting for a probe will not be written: it ends with `status`.
	private failWaiting(status: number): void {
		const command = this.#waiting;
		if (command === null) return;
		this.#waiting = null;
		this.#waitingResult.set(status, 0, NO_LINES, 0);
		this.#endedWaiting = command;
		this.reader.pause();
	}

	// RDY. The command on the wire is late, not gone: a module answers a
	// command that came during its boot after the banner, and one whose banner
	// crossed the command on the line answers it as usual. It fails with
	// DONE_REBOOT and, unless it had already answered OK, the next command is
	// preceded by a probe, written once its answer came or its deadline passed.
	// A module that rebooted owes no second-stage line.
	private rebooted(): void {
		this.#quiet = false;
		this.stats.reboots++;
		this.#lateThen = 0;
		// What the module sends now is no push of before its reboot.
		this.#distrustUntil = -1;
		this.#cutByReboot = null;
		const current = this.#current;
		if (current !== null) {
			if (this.#stage === STAGE_RESPONSE) {
				this.#resync.synced = false;
				this.#cutByReboot = current;
				this.#cutAnswerBy = this.#deadline;
			}
			if (current !== this.#resync.probe) this.#late = current;
			this.disarm();
			this.end(DONE_REBOOT, 0);
		} else this.reader.armed = null;
		// It was taken before the reboot and never written.
		this.failWaiting(DONE_REBOOT);
		this.#events.onReboot();
		this.#rebootToTell = true;
		this.reader.pause();
	}

	private arm(at: number): void {
		if (this.#timer !== null) {
			if (this.#timerAt <= at) return;
			this.#clock.clear(this.#timer);
		}
		this.#timerAt = at;
		const ms = at - this.#clock.now();
		this.#timer = this.#clock.set(this.#onTimer, ms > 0 ? ms : 0);
	}

	private disarm(): void {
		if (this.#timer !== null) this.#clock.clear(this.#timer);
		this.#timer = null;
	}

	private timerFired(): void {
		this.#timer = null;
		this.#quiet = false;
		const outer = !this.#inTurn;
		this.#inTurn = true;
		try {
			const now = this.#clock.now();
			if (this.#lateThen !== 0 && now > this.#lateUntil) this.#lateThen = 0;
			if (!this.#overdue && this.passed(now)) {
				this.#overdue = true;
				this.arm(now + OVERDUE_CONFIRM_MS);
				return;
			}
			this.#overdue = false;
			if (this.#distrustUntil >= 0) {
				// Quiet: a damaged push's data has all come.
				if (now - this.#lastByteAt >= this.#stallMs) this.#distrustUntil = -1;
				else this.arm(this.#lastByteAt + this.#stallMs);
			}
			if (this.reader.awaitsBytes) {
				if (now - this.#lastByteAt >= this.#stallMs) {
					this.reader.stalled();
					// A kept line it took as whole, or the run it ended or found damaged.
					if (this.#held === HELD_LINE) {
						this.#held = HELD_NOTHING;
						this.line(this.reader.line);
					} else if (this.#held !== HELD_NOTHING) this.tellHeldPayload();
				} else this.arm(this.#lastByteAt + this.#stallMs);
			}
			const current = this.#current;
			if (current !== null) {
				// A response still streaming in (a long +QIRD payload at a low baud
				// rate) is late, not lost: its deadline moves with its bytes.
				if (now >= this.#deadline && this.reader.inPayload && now - this.#lastByteAt < this.#stallMs)
					this.#deadline = this.#lastByteAt + this.#stallMs;
				if (now >= this.#deadline) this.timedOut(current);
				else this.arm(this.#deadline);
			}
			if (outer) {
				// What ended is told from this frame, not from serveWire's: its
				// handlers (an error explained, a socket's end) go deep.
				this.tell();
				this.serveWire();
			}
		} finally {
			if (outer) this.#inTurn = false;
		}
	}

	// Whether the payload stall (a run's bytes, or its CR LF, overdue) or the
	// command's deadline has passed.
	private passed(now: number): boolean {
		const stalled = (this.reader.awaitsBytes || this.#distrustUntil >= 0) && now - this.#lastByteAt >= this.#stallMs;
		return stalled || (this.#current !== null && now >= this.#deadline && (stalled || !this.reader.inPayload));
	}

	// `command` answered OK but its second-stage line (SEND OK / SEND FAIL /
	// CLOSE OK) has not come: it may still, within another second-stage
	// deadline. A URC second stage owes no line.
	private owe(command: Command): void {
		const then = command.spec.then;
		if (then !== THEN_SEND_RESULT && then !== THEN_CLOSE_OK) return;
		this.#lateThen = then;
		this.#lateUntil = this.#clock.now() + command.spec.thenTimeoutMs + this.#graceMs;
	}

	private timedOut(command: Command): void {
		this.stats.timeouts++;
		if (this.reader.inPayload && !this.#payloadPush) this.reader.abortPayload();
		if (command !== this.#resync.probe) {
			this.#late = command;
			this.#lateThen = 0;
			if (this.#stage === STAGE_THEN) this.owe(command);
		}
		// After a second-stage timeout the module already answered OK, so its
		// first-stage output is complete: only the owed line can still come.
		if (this.#stage === STAGE_RESPONSE) this.#resync.synced = false;
		this.end(DONE_TIMEOUT, 0);
	}
}
