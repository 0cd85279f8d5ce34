// The response digester: one command on the wire at a time, a bounded queue
// behind it, a deadline per stage, URCs routed wherever they fall, and a
// resync after a timeout so that a late answer is never taken for the next
// command's.
//
// Resync: when a command times out, its answer may still be on its way. Before
// the next command the channel writes a probe whose response line has a prefix
// the timed-out command cannot produce; everything before that line belongs to
// the past (a late +QIRD payload still reaches the command that asked for it).
// A late second-stage line (SEND OK, SEND FAIL, CLOSE OK) is expected once and
// consumed as late, with the timed-out command told what it was.
import { ascii } from "./ascii.js";
import {
	type Command, CommandWriter, type CommandSpec, spec, THEN_CLOSE_OK, THEN_NOTHING, THEN_SEND_RESULT,
	THEN_URC, URC_COMPLETES, URC_NOT_MINE,
} from "./command.js";
import type { Line } from "./line.js";
import * as K from "./line-kind.js";
import { Reader, type ReaderEvents } from "./reader.js";
import {
	DONE_CANCELLED, DONE_CME_ERROR, DONE_ERROR, DONE_NOT_SENT, DONE_OK, DONE_REBOOT, DONE_SEND_FAIL, DONE_TIMEOUT, NO_LINES,
	Result,
} from "./result.js";
import type { Clock, Transport } from "./seams.js";

// What the channel hands up to its owner (the modem).
export interface ChannelEvents {
	// Every URC that no command in flight took.
	onUrc(line: Line): void;
	// The module printed RDY: it rebooted. What was in flight and queued has
	// already failed with DONE_REBOOT.
	onReboot(): void;
	// See ReaderEvents: direct-push data for a socket.
	isDirectPush(connectId: number): boolean;
	onPushStart(connectId: number, length: number): void;
	onPushData(bytes: Uint8Array, start: number, end: number): void;
	onPushEnd(missing: number, badDigits: number): void;
	onPayloadDamaged?(connectId: number, command: Command | null): void;
	// Every line, for traces (optional).
	onTraceLine?(line: Line): void;
}

export interface ChannelOptions {
	transport: Transport;
	clock: Clock;
	events: ChannelEvents;
	queueSize?: number; // commands waiting behind the one on the wire (default 8)
	lineCapacity?: number; // longest line kept, a power of two (default 256)
	commandCapacity?: number; // longest command line (default 1152: QISENDEX with 512 bytes)
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
	echoes: number;
	noiseLines: number;
	payloadBytesLost: number; // payload bytes nobody could take or that never came
	reboots: number;
	probes: number;
}

const STAGE_IDLE = 0;
const STAGE_RESPONSE = 1; // written, waiting for OK / ERROR
const STAGE_THEN = 2; // OK seen, waiting for SEND OK / CLOSE OK / a URC

const PROBE_SPECS = [spec("AT+CGATT?", ascii("+CGATT:"), 300), spec("AT+CGSN=1", ascii("+CGSN:"), 300),
	spec("AT+CEREG?", ascii("+CEREG:"), 300), spec("AT+CFUN?", ascii("+CFUN:"), 300)];

// The resync probe: its response line marks where stale output ends.
class Probe implements Command {
	spec: CommandSpec = PROBE_SPECS[0];
	index = 0;
	seen = false;
	render(out: CommandWriter): void {
		out.text(this.spec.name);
	}
	onResponse(): void {
		this.seen = true;
	}
	onDone(): void {}
}

export class Channel implements ReaderEvents {
	readonly reader: Reader;
	readonly stats: ChannelStats = {
		commands: 0, timeouts: 0, lateFinals: 0, strayFinals: 0, echoes: 0, noiseLines: 0,
		payloadBytesLost: 0, reboots: 0, probes: 0,
	};
	readonly queueSize: number;

	#transport: Transport;
	#clock: Clock;
	#events: ChannelEvents;
	#writer: CommandWriter;
	#result = new Result();
	#queue: (Command | null)[];
	#queueHead = 0;
	#queueCount = 0;

	#current: Command | null = null;
	#stage = STAGE_IDLE;
	#deadline = 0;
	#startedAt = 0;
	#lines: string[] | readonly string[] = NO_LINES;

	// Resync state.
	#synced = true;
	#probe = new Probe();
	#probesOwed = 0;
	#late: Command | null = null; // the last command that timed out
	#lateThen = 0; // a second-stage line still owed by it (SEND/CLOSE), else 0
	#lateUntil = 0;

	// Payload routing.
	#payloadTo: Command | null = null;
	#payloadPush = false;
	#pushId = -1;
	#lastByteAt = 0;

	// While failing commands (cancelAll, a reboot), nothing new goes on the
	// wire: what callbacks submit waits until the failing is over.
	#holding = false;

	// One timer serves the command deadline and the payload stall check.
	#timer: unknown = null;
	#timerAt = 0;
	#onTimer: () => void;

	#msPerByte: number;
	#graceMs: number;
	#stallMs: number;
	#wakeAfterIdleMs: number;
	#lastTrafficAt = -Infinity;

	constructor(options: ChannelOptions) {
		this.#transport = options.transport;
		this.#clock = options.clock;
		this.#events = options.events;
		this.queueSize = options.queueSize ?? 8;
		this.#queue = new Array(this.queueSize).fill(null);
		this.#writer = new CommandWriter(options.commandCapacity ?? 1152);
		this.reader = new Reader(this, options.lineCapacity ?? 256);
		this.#msPerByte = 10000 / (options.baud ?? 115200);
		this.#graceMs = options.graceMs ?? 200;
		this.#stallMs = options.stallMs ?? 250;
		this.#wakeAfterIdleMs = options.wakeAfterIdleMs ?? 100;
		this.#onTimer = () => this.#timerFired();
	}

	get busy(): boolean {
		return this.#current !== null;
	}

	get pending(): number {
		return this.#queueCount + (this.#current !== null ? 1 : 0);
	}

	// The command on the wire, if any.
	get current(): Command | null {
		return this.#current;
	}

	// Queues a command; it is written when the wire is free. Throws, queueing
	// nothing, when the queue is full.
	submit(command: Command): void {
		if (this.#queueCount === this.queueSize)
			throw new Error(`AT command queue full (${this.queueSize} waiting): ${command.spec.name} not sent`);
		this.#queue[(this.#queueHead + this.#queueCount) % this.queueSize] = command;
		this.#queueCount++;
		if (this.#current === null) this.#next();
	}

	// Bytes from the module.
	receive(chunk: Uint8Array, start = 0, end = chunk.length): void {
		if (end > start) this.#lastTrafficAt = this.#lastByteAt = this.#clock.now();
		this.reader.receive(chunk, start, end);
		if (this.reader.inPayload) this.#arm(this.#lastByteAt + this.#stallMs);
	}

	// Fails the command in flight and everything queued (e.g. the owner shuts
	// down, or learned of a reboot another way).
	cancelAll(status = DONE_CANCELLED): void {
		this.#failAll(status);
		this.#next();
	}

	// ---- ReaderEvents ----

	onLine(line: Line): void {
		this.#events.onTraceLine?.(line);
		const kind = line.kind;
		if (kind === K.ECHO) {
			this.stats.echoes++;
			return;
		}
		if (kind === K.NOISE) {
			this.stats.noiseLines++;
			return;
		}
		if (kind === K.URC_RDY) {
			this.#rebooted();
			this.#events.onUrc(line);
			return;
		}
		const current = this.#current;
		if (K.isFinal(kind)) {
			this.#final(line, kind, current);
			return;
		}
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
				this.#finish(DONE_OK, 0);
				return;
			}
			if (taken !== URC_NOT_MINE) return;
		}
		// A +QIRD header that no QIRD on the wire armed (its command timed out):
		// its payload is still routed to the late command below.
		if (line.payloadLength > 0 && (kind === K.URC_OTHER || kind === K.URC_QIURC_OTHER)) return;
		this.#events.onUrc(line);
	}

	isDirectPush(connectId: number): boolean {
		return this.#events.isDirectPush(connectId);
	}

	onPayloadStart(connectId: number, length: number): void {
		if (connectId >= 0) {
			this.#payloadPush = true;
			this.#pushId = connectId;
			this.#events.onPushStart(connectId, length);
			return;
		}
		this.#payloadPush = false;
		const current = this.#current;
		const owner = current !== null && this.#stage === STAGE_RESPONSE && current.onPayload ? current
			: this.#late !== null && this.#late.onPayload ? this.#late : null;
		this.#payloadTo = owner;
		if (owner !== null) owner.onPayloadStart?.(length);
		else this.stats.payloadBytesLost += length;
	}

	onPayload(bytes: Uint8Array, start: number, end: number): void {
		if (this.#payloadPush) this.#events.onPushData(bytes, start, end);
		else this.#payloadTo?.onPayload?.(bytes, start, end);
	}

	// The run that just ended was followed by neither CR nor LF: its length was
	// damaged. The routing of that run is still in place (the next run's start
	// replaces it), so its owner is told.
	onPayloadOverrun(): void {
		this.#events.onPayloadDamaged?.(this.#payloadPush ? this.#pushId : -1, this.#payloadPush ? null : this.#payloadTo);
	}

	onPayloadEnd(missing: number, badDigits: number): void {
		this.stats.payloadBytesLost += missing;
		if (this.#payloadPush) this.#events.onPushEnd(missing, badDigits);
		else this.#payloadTo?.onPayloadEnd?.(missing, badDigits);
	}

	// ---- internals ----

	#final(line: Line, kind: number, current: Command | null): void {
		// An owed line that has not come within another second-stage deadline never will.
		if (this.#lateThen !== 0 && this.#clock.now() > this.#lateUntil) this.#lateThen = 0;
		// A second-stage line owed by a timed-out command is consumed as late.
		if (this.#lateThen !== 0 && (kind === K.SEND_OK || kind === K.SEND_FAIL ? this.#lateThen === THEN_SEND_RESULT
			: kind === K.CLOSE_OK && this.#lateThen === THEN_CLOSE_OK)) {
			this.#lateThen = 0;
			this.stats.lateFinals++;
			this.#late?.onLate?.(kind);
			return;
		}
		if (current === null) {
			this.stats.strayFinals++;
			return;
		}
		if (this.#stage === STAGE_RESPONSE) {
			if (kind === K.OK) {
				if (current === this.#probe && !this.#probe.seen) {
					// Output of the past, not the probe's answer. A late OK of a
					// two-stage command means its SEND OK / SEND FAIL / CLOSE OK may
					// still come: it is owed, so it will not be taken for a later
					// command's.
					this.stats.lateFinals++;
					const late = this.#late;
					if (late !== null) this.#owe(late);
					late?.onLate?.(kind);
					return;
				}
				const then = current.spec.then;
				if (then === THEN_NOTHING) this.#finish(DONE_OK, 0);
				else {
					// The module took a new command of the same socket (the same
					// command object): the line the timed-out one owed is not coming
					// (manual 4.1.2: a QISEND while SEND OK is pending gets ERROR).
					if (this.#lateThen === then && current === this.#late) this.#lateThen = 0;
					this.#stage = STAGE_THEN;
					this.reader.armed = null;
					this.#deadline = this.#clock.now() + current.spec.thenTimeoutMs + this.#graceMs;
					this.#arm(this.#deadline);
				}
				return;
			}
			if (kind === K.ERROR || kind === K.CME_ERROR) {
				if (current === this.#probe && !this.#probe.seen) {
					this.stats.lateFinals++;
					this.#late?.onLate?.(kind);
					return;
				}
				this.#finish(kind === K.ERROR ? DONE_ERROR : DONE_CME_ERROR, kind === K.CME_ERROR ? line.int(0, 0) : 0);
				return;
			}
		}
		else if (this.#stage === STAGE_THEN) {
			const then = current.spec.then;
			if (then === THEN_SEND_RESULT && (kind === K.SEND_OK || kind === K.SEND_FAIL)) {
				this.#finish(kind === K.SEND_OK ? DONE_OK : DONE_SEND_FAIL, 0);
				return;
			}
			if (then === THEN_CLOSE_OK && kind === K.CLOSE_OK) {
				this.#finish(DONE_OK, 0);
				return;
			}
		}
		this.stats.strayFinals++;
	}

	#next(): void {
		if (this.#current !== null || this.#holding) return;
		let command: Command;
		if (!this.#synced) {
			// Probe only when something waits: a silent module is not polled.
			if (this.#queueCount === 0) {
				this.#disarm();
				return;
			}
			const probe = this.#probe;
			const lateResponse = this.#late?.spec.response ?? null;
			let index = 0;
			while (index < PROBE_SPECS.length - 1 && ((this.#probesOwed & (1 << index)) !== 0 ||
				(lateResponse !== null && sameBytes(lateResponse, PROBE_SPECS[index].response as Uint8Array)))) index++;
			probe.index = index;
			probe.spec = PROBE_SPECS[index];
			probe.seen = false;
			this.stats.probes++;
			command = probe;
		}
		else {
			if (this.#queueCount === 0) {
				// Idle: no deadline to watch (a payload stall check keeps its timer).
				if (!this.reader.inPayload) this.#disarm();
				return;
			}
			command = this.#take();
		}
		const writer = this.#writer;
		writer.reset();
		const now = this.#clock.now();
		try {
			if (this.#wakeAfterIdleMs > 0 && now - this.#lastTrafficAt >= this.#wakeAfterIdleMs) writer.byte(13);
			command.render(writer);
			writer.byte(13);
		}
		catch {
			// A command that cannot be rendered never reaches the wire.
			this.#current = command;
			this.#stage = STAGE_RESPONSE;
			this.#finish(DONE_NOT_SENT, 0);
			return;
		}
		this.#current = command;
		this.#stage = STAGE_RESPONSE;
		this.#lines = command.spec.collect ? [] : NO_LINES;
		this.reader.armed = command.spec.response;
		this.stats.commands++;
		this.#lastTrafficAt = now;
		this.#startedAt = now;
		this.#deadline = now + command.spec.timeoutMs + this.#graceMs + Math.ceil(writer.length * this.#msPerByte);
		this.#arm(this.#deadline);
		this.#transport.write(writer.bytes, 0, writer.length);
	}

	#take(): Command {
		const command = this.#queue[this.#queueHead] as Command;
		this.#queue[this.#queueHead] = null;
		this.#queueHead = (this.#queueHead + 1) % this.queueSize;
		this.#queueCount--;
		return command;
	}

	#finish(status: number, code: number): void {
		const command = this.#current as Command;
		this.#current = null;
		this.#stage = STAGE_IDLE;
		this.reader.armed = null;
		if (command === this.#probe) {
			if (status !== DONE_TIMEOUT) {
				this.#synced = true;
				// Forget the timed-out command unless it still owes a line.
				if (this.#lateThen === 0) this.#late = null;
				this.#probesOwed = 0;
			}
			else {
				this.#probesOwed |= 1 << this.#probe.index;
				// The module is silent: fail what waits rather than probing forever;
				// the next submit probes again.
				this.#failAll(DONE_TIMEOUT);
			}
			this.#next();
			return;
		}
		const elapsed = this.#clock.now() - this.#startedAt;
		const lines = this.#lines;
		this.#lines = NO_LINES;
		command.onDone(this.#result.set(command, status, code, lines, elapsed));
		this.#next();
	}

	#finishQueued(command: Command, status: number): void {
		command.onDone(this.#result.set(command, status, 0, NO_LINES, 0));
	}

	#rebooted(): void {
		this.stats.reboots++;
		// Called while the RDY line is still in the ring: leave the ring alone.
		this.reader.armed = null;
		this.#synced = true;
		this.#late = null;
		this.#lateThen = 0;
		this.#holding = true;
		this.#failAll(DONE_REBOOT);
		this.#events.onReboot();
		this.#holding = false;
		this.#next();
	}

	// Fails the command on the wire and what was queued before this call;
	// commands their callbacks submit stay queued (#holding keeps them off the wire).
	#failAll(status: number): void {
		const holding = this.#holding;
		this.#holding = true;
		const current = this.#current;
		const queued = this.#queueCount;
		this.#current = null;
		this.#stage = STAGE_IDLE;
		this.reader.armed = null;
		if (current !== null && current !== this.#probe)
			current.onDone(this.#result.set(current, status, 0, NO_LINES, this.#clock.now() - this.#startedAt));
		for (let n = queued; n > 0; n--) this.#finishQueued(this.#take(), status);
		this.#holding = holding;
		if (this.#queueCount === 0) this.#disarm();
	}

	#arm(at: number): void {
		if (this.#timer !== null) {
			if (this.#timerAt <= at) return;
			this.#clock.clear(this.#timer);
		}
		this.#timerAt = at;
		const ms = at - this.#clock.now();
		this.#timer = this.#clock.set(this.#onTimer, ms > 0 ? ms : 0);
	}

	#disarm(): void {
		if (this.#timer !== null) this.#clock.clear(this.#timer);
		this.#timer = null;
	}

	#timerFired(): void {
		this.#timer = null;
		const now = this.#clock.now();
		if (this.reader.inPayload) {
			if (now - this.#lastByteAt >= this.#stallMs) this.reader.abortPayload();
			else this.#arm(this.#lastByteAt + this.#stallMs);
		}
		const current = this.#current;
		if (current !== null) {
			// A response still streaming in (a long +QIRD payload at a low baud
			// rate) is late, not lost: its deadline moves with its bytes.
			if (now >= this.#deadline && this.reader.inPayload && now - this.#lastByteAt < this.#stallMs)
				this.#deadline = this.#lastByteAt + this.#stallMs;
			if (now >= this.#deadline) this.#timedOut(current);
			else this.#arm(this.#deadline);
		}
	}

	// `command` answered OK but its second-stage line (SEND OK / SEND FAIL /
	// CLOSE OK) has not come: it may still, within another second-stage
	// deadline. A URC second stage owes no line.
	#owe(command: Command): void {
		const then = command.spec.then;
		if (then !== THEN_SEND_RESULT && then !== THEN_CLOSE_OK) return;
		this.#lateThen = then;
		this.#lateUntil = this.#clock.now() + command.spec.thenTimeoutMs + this.#graceMs;
	}

	#timedOut(command: Command): void {
		this.stats.timeouts++;
		if (this.reader.inPayload && !this.#payloadPush) this.reader.abortPayload();
		if (command !== this.#probe) {
			this.#late = command;
			this.#lateThen = 0;
			if (this.#stage === STAGE_THEN) this.#owe(command);
		}
		// After a second-stage timeout the module already answered OK, so its
		// first-stage output is complete: only the owed line can still come.
		if (this.#stage === STAGE_RESPONSE) this.#synced = false;
		this.#finish(DONE_TIMEOUT, 0);
	}
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
