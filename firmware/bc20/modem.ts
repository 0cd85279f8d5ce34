// The BC20 TCP/IP service: bring-up, five sockets, and the one-off services
// (ping, NTP, DNS, QICFG, QISTATE, QIGETERROR, raw commands), over the AT
// channel.
//
//   const modem = new BC20({ transport, clock });       // nothing happens yet
//   modem.start({ onReady(info) {}, onError(error) {} });
//   // the platform feeds the module's bytes: modem.receive(chunk)
//
// Methods throw a BC20Error, changing nothing and sending nothing, for
// invalid arguments (E_ARGUMENT), the wrong state (E_STATE) and a full queue
// (E_QUEUE_FULL); everything else is reported through callbacks, which never
// run inside the method that started the operation (exceptions: start()
// reports its first state change, close() fails what waits before it returns).
import type { ByteRing } from "../at/byte-ring.js";
import { Channel, type ChannelEvents } from "../at/channel.js";
import type { Command } from "../at/command.js";
import type { Line } from "../at/line.js";
import { RECV_URC } from "../at/prefix-table.js";
import { NOISE, URC_OTHER, URC_QIURC_OTHER } from "../at/line-kind.js";
import { DONE_CANCELLED, DONE_REBOOT, NO_LINES, Result } from "../at/result.js";
import type { PayloadSink } from "../at/reader.js";
import type { Clock, Transport } from "../at/seams.js";
import {
	BringUp,
	type BringUpHost,
	type BringUpSettings,
	FULL_BRING_UP,
	LOOK,
	LOOK_ATTACHED,
	LOOK_REATTACH,
	type ModemState,
	type Procedure,
	REATTACH,
	type ReadyInfo,
} from "./bring-up.js";
import { BUFF_FULL, MAX_SEND_HEX, qirdSpec } from "./commands.js";
import { BC20_LINES, URC_HANDLERS, type UrcHost, type UrcRow, URCS } from "./urcs.js";
import { type ConfigCallback, ConfigCommand } from "./config.js";
import { QICFG_SETTINGS, type QicfgSetting, type ReceiveSettings } from "./qicfg-settings.js";
import { Dispatcher } from "./dispatcher.js";
import { type DnsCallback, DnsCommand } from "./dns.js";
import { BC20Error, E_ARGUMENT, E_STATE } from "./errors.js";
import { ErrorQuery } from "./error-query.js";
import { type NtpCallback, NtpCommand, type NtpOptions } from "./ntp.js";
import { type PingCallback, PingCommand, type PingOptions } from "./ping.js";
import { QUERY_ALL, QUERY_CONTEXT, QUERY_SOCKET, type StateCallback, StateCommand } from "./qistate.js";
import { type CommandCallback, RawCommand } from "./raw-command.js";
import { RebootCheck, type RebootCheckHost } from "./reboot-check.js";
import { Socket, type SocketCallbacks } from "./socket.js";
import { BUFFER_MODE, CONNECTED, INITIAL, PUSH_MODE } from "./socket-constants.js";
import type { Receiver } from "./socket-receiver.js";
import type { Slot, SlotHost } from "./socket-slot.js";
import { SocketTable } from "./socket-table.js";
import { Arena } from "./arena.js";
import { HexStage } from "./hex-stage.js";
import { checkCallback, checkCommandLine, checkHost, checkInt } from "./validate.js";

export interface BC20Options {
	transport: Transport;
	clock: Clock;
	// Operations (open, ping, DNS...) that may wait for the wire, 1-64 (default 8).
	// Socket reads and sends are not counted: they never wait in this queue.
	queueSize?: number;
	// Longest line kept from the module, 128-4096, rounded up to a power of two
	// (default 512: a +QISTATE line with a 255-character host name fits).
	// Longer lines are dropped whole (counted in stats).
	lineCapacity?: number;
	// connectIDs 0..sockets-1 are used, 1-5 (default 5).
	sockets?: number;
	// Per-socket receive buffer, 1024-32768 bytes, rounded up to a power of two
	// (default 2048). When full, buffer mode stops reading (the module keeps
	// the data) and direct push mode loses what does not fit (reported).
	rxBufferSize?: number;
	// Per-socket transmit buffer, 256-32768 bytes, rounded up to a power of two
	// (default 2048). When full, write() takes what fits (TCP) or nothing (UDP).
	txBufferSize?: number;
	// AT+QICFG="dataformat",0,<1|0>: received data as hex (default false:
	// text takes half the UART time and a quarter of the decoding work; see README).
	receiveHex?: boolean;
	// AT+QICFG="viewmode": 0 header CR LF data, 1 header comma data (default 1).
	viewMode?: number;
	// AT+QICFG="showlength" (default true).
	showLength?: boolean;
	// Send printable data with AT+QISEND as text; false sends everything as hex
	// with AT+QISENDEX (default true).
	textSend?: boolean;
	// Registration, attach and address, in ms (default 120000).
	attachTimeout?: number;
	// "AT" tries before the module is declared silent, and tries of a setting
	// that goes unanswered, 1-100 (default 20).
	syncAttempts?: number;
	// UART speed, for deadlines (default 115200).
	baud?: number;
	// Every line from the module, as text, and its kind (firmware/at/line-kind.ts;
	// allocates: for debugging and tools).
	trace?: (line: string, kind: number) => void;
	// What start() does to the module (default "full"):
	//   "full": AT, ATE0, registration and attach, the receive settings written
	//     (AT+QICFG), every socket the driver does not hold closed (AT+QICLOSE).
	//   "look": AT only; ready once the module answers.
	//   "look-attached": AT, then registration and attach, read only.
	// The look starts are for a tool that looks at a module another program set
	// up: they write no setting, close no socket, take echo as the module's
	// setting (not as a sign of a reboot), and open no socket (E_STATE).
	bringUp?: "full" | "look" | "look-attached";
	// What the driver does, as it does it, for a recorder (host-sim/record/).
	// Absent, it costs nothing; present, it may allocate.
	observer?: ModemObserver;
}

// Every callback is optional. Socket states are those of socket-constants.ts.
export interface ModemObserver {
	// A command line went on the wire (its CR and any wake CR before it included).
	command?(bytes: Uint8Array, start: number, end: number): void;
	// The command on the wire ended: status as in at/result.ts, code for +CME ERROR.
	done?(status: number, code: number, elapsedMs: number): void;
	// A URC line no command took.
	urc?(line: string): void;
	// A socket changed state, seen at the driver's next event: a command
	// written or ended, a URC, the end of a receive turn, open(), close(), or
	// the channel looking for work (which follows every turn that settles a socket).
	socket?(id: number, state: number, udp: boolean): void;
}

export interface StartCallbacks {
	// The module is registered, attached and configured; called again after
	// each recovery (reboot, pdpdeact).
	onReady(info: ReadyInfo): void;
	// Bring-up failed (the modem is "failed"; start() may be called again).
	onError(error: BC20Error): void;
	onStateChange?(state: ModemState): void;
}

export interface OpenOptions extends SocketCallbacks {
	// "tcp" (default) or "udp".
	type?: "tcp" | "udp";
	// IPv4 address or host name.
	host: string;
	port: number;
	// 0 (default): chosen by the module.
	localPort?: number;
	// BUFFER_MODE (0, default) or PUSH_MODE (1).
	mode?: number;
	// 0-4; default: the lowest free one.
	connectId?: number;
	// Only 1 is supported by the module.
	contextId?: number;
}

export type ConfigSettings = Partial<ReceiveSettings>;

export interface ModemStats {
	// Direct-push bytes for sockets the driver does not have open.
	pushBytesDropped: number;
	// Reboots found by the reboot check (RDY was lost), and checks made.
	rebootsDetected: number;
	rebootChecks: number;
}

const CONTEXT_ONLY_1 = "contextId must be 1: the module supports no other context";
const RAW_TIMEOUT_MS = 5000;

function powerOfTwo(value: unknown, min: number, max: number, what: string, fallback: number): number {
	const n = checkInt(value, min, max, what, fallback);
	let size = min;
	while (size < n) size *= 2;
	return size;
}

function flag(value: unknown, what: string, fallback: boolean): boolean {
	if (value === undefined) return fallback;
	if (typeof value !== "boolean") throw new BC20Error(E_ARGUMENT, what + " must be true or false");
	return value;
}

// A QICFG option as the module's number; the row's default when undefined.
function settingValue(setting: QicfgSetting, value: unknown): number {
	if (setting.flag) return flag(value, setting.option, setting.fallback === 1) ? 1 : 0;
	return checkInt(value, 0, 1, setting.option, setting.fallback);
}

// What the constructor takes from its options, checked.
interface CheckedOptions {
	transport: Transport;
	clock: Clock;
	queueSize: number;
	lineCapacity: number;
	sockets: number;
	rxSize: number;
	txSize: number;
	baud: number;
	textSend: boolean;
	settings: BringUpSettings;
	bringUp: "full" | "look" | "look-attached";
}

function checkOptions(options: BC20Options): CheckedOptions {
	if (options === null || typeof options !== "object") throw new BC20Error(E_ARGUMENT, "options must be an object");
	const { transport, clock } = options;
	if (transport === null || typeof transport !== "object" || typeof transport.write !== "function")
		throw new BC20Error(E_ARGUMENT, "transport must have write(bytes, start, end)");
	if (clock === null || typeof clock !== "object" || typeof clock.set !== "function")
		throw new BC20Error(E_ARGUMENT, "clock must have now(), set() and clear()");
	const queueSize = checkInt(options.queueSize, 1, 64, "queueSize", 8);
	const lineCapacity = powerOfTwo(options.lineCapacity, 128, 4096, "lineCapacity", 512);
	const sockets = checkInt(options.sockets, 1, 5, "sockets", 5);
	const rxSize = powerOfTwo(options.rxBufferSize, 1024, 32768, "rxBufferSize", 2048);
	const txSize = powerOfTwo(options.txBufferSize, 256, 32768, "txBufferSize", 2048);
	const baud = checkInt(options.baud, 300, 4000000, "baud", 115200);
	const settings: BringUpSettings = {
		receiveHex: false,
		viewMode: 0,
		showLength: false,
		attachTimeoutMs: checkInt(options.attachTimeout, 1000, 3600000, "attachTimeout", 120000),
		syncAttempts: checkInt(options.syncAttempts, 1, 100, "syncAttempts", 20),
	};
	for (const setting of QICFG_SETTINGS) setting.set(settings, settingValue(setting, options[setting.option]));
	const textSend = flag(options.textSend, "textSend", true);
	if (options.trace !== undefined) checkCallback(options.trace, "trace");
	const bringUp = options.bringUp ?? "full";
	if (bringUp !== "full" && bringUp !== "look" && bringUp !== "look-attached")
		throw new BC20Error(E_ARGUMENT, 'bringUp must be "full", "look" or "look-attached"');
	const observer = options.observer;
	if (observer !== undefined && (observer === null || typeof observer !== "object"))
		throw new BC20Error(E_ARGUMENT, "observer must be an object");
	return { transport, clock, queueSize, lineCapacity, sockets, rxSize, txSize, baud, textSend, settings, bringUp };
}

// The ring a transport may adopt for the bytes it waits to write: a command
// line and more.
const OUTPUT_BYTES = 2048;

// The longest +QIURC line that carries no data (a dnsgip answer with an IPv6 address).
const LONGEST_PLAIN_QIURC = 64;

// "+QIURC:" as the URC table names it.
const QIURC_ROW = URCS.find((row) => row.kind === URC_QIURC_OTHER) as UrcRow;

// Whether a damaged line (`qiurc`: a +QIURC of no known type) was a pushed
// header: it starts as one does, up to two bytes off (its type's quote
// lost, two bytes of its name), or, a +QIURC, it has a length field or its
// data ran into it (longer than any +QIURC without data). Its data came as
// lines after it, or in view mode 1 was on it.
function wasPushHeader(line: Line, qiurc: boolean): boolean {
	return line.near(RECV_URC, 0, 2) || (qiurc && (line.hasField(2) || line.length > LONGEST_PLAIN_QIURC));
}

export class BC20 {
	// State lives in private fields and is shown through getters: the device
	// deep-freezes the options objects that hold a modem, and a freeze reaches
	// own properties only.
	#stats: ModemStats = { pushBytesDropped: 0, rebootsDetected: 0, rebootChecks: 0 };
	#clock: Clock;
	#channel: Channel;
	#urcHost: UrcHost;
	#dispatcher: Dispatcher;
	#slots: Slot[];
	#arena: Arena;
	#settings: BringUpSettings;
	#bringUp: BringUp;
	#trace: ((line: string, kind: number) => void) | undefined;
	// The bring-up start() runs (again after a reboot), the one after pdpdeact
	// (null: none), and whether it is a look start.
	#procedure: Procedure;
	#reattach: Procedure | null;
	#looking: boolean;
	#commandCapacity: number;
	#observer: ModemObserver | undefined;
	// Socket states last told to the observer.
	#observed: number[];

	#state: ModemState = "idle";
	#callbacks: StartCallbacks | null = null;
	#info: ReadyInfo | null = null;
	// The socket the push run under way is for (its receiver the run's sink), -1 for none.
	#pushTo = -1;
	// Where a run pushed for no live socket goes: counted and dropped.
	#dropPush: PayloadSink = {
		onPayload: (_bytes: Uint8Array, start: number, end: number) => void (this.#stats.pushBytesDropped += end - start),
	};
	// The sockets whose push runs ended in this receive turn, a bit each: they
	// tell the app at its end (the others are not asked).
	#pushEnded = 0;
	// The receiver whose push run lost bytes, for the channel's onPushLoss.
	#lossFrom: Receiver | null = null;
	#raw: RawCommand | null = null;
	// What was queued when the module rebooted, failed once the cut command was told.
	#cutByReboot: Command[] = [];
	#rebootCheck: RebootCheck;
	#laterQueue: (() => void)[] = [];
	#runLater = () => {
		// One per turn; the timer is set again first, so a callback that throws
		// does not strand the rest.
		const run = this.#laterQueue.shift();
		if (this.#laterQueue.length > 0) this.clock.set(this.#runLater, 0);
		if (run !== undefined) return run(); // a tail call: the callback gets this frame
	};
	#checking = false;

	constructor(options: BC20Options) {
		// The options are checked by a function of its own: its locals are not
		// slots of this frame, which lies under every part's construction (XS
		// counts its stack in slots).
		const checked = checkOptions(options);
		const clock = (this.#clock = checked.clock);
		this.#settings = checked.settings;
		this.#trace = options.trace;
		this.#looking = checked.bringUp !== "full";
		this.#procedure = checked.bringUp === "full" ? FULL_BRING_UP : checked.bringUp === "look" ? LOOK : LOOK_ATTACHED;
		this.#reattach = checked.bringUp === "full" ? REATTACH : checked.bringUp === "look" ? null : LOOK_REATTACH;
		this.#observer = options.observer;
		// The longest line the driver writes: AT+QISENDEX with 512 bytes as hex.
		this.#commandCapacity = 32 + MAX_SEND_HEX * 2;

		// The hosts the parts see are built by the methods below, not here:
		// the closures and locals they take would all be slots of this frame,
		// under every part's construction (XS counts its stack in slots).
		this.#urcHost = this.#urcHostOf();
		const arena = (this.#arena = new Arena({
			sockets: checked.sockets,
			rxSize: checked.rxSize,
			txSize: checked.txSize,
			commandCapacity: this.#commandCapacity,
			outputSize: OUTPUT_BYTES,
			hexStageSize: MAX_SEND_HEX * 2,
		}));
		this.#channel = new Channel({
			transport: checked.transport,
			clock,
			events: this.#channelEvents(),
			lines: BC20_LINES,
			lineCapacity: checked.lineCapacity,
			commandBuffer: arena.command,
			hexScratch: arena.hexScratch,
			baud: checked.baud,
		});
		const dispatcher = (this.#dispatcher = new Dispatcher(this.#channel, clock, checked.queueSize));
		this.#slots = new SocketTable(arena, this.#slotHost(checked.baud, checked.textSend, arena)).slots;
		this.#observed = this.#slots.map((slot) => slot.state);
		dispatcher.setWorkers(this.#slots);
		this.#bringUp = new BringUp(this.#bringUpHost());
		this.#rebootCheck = new RebootCheck(this.#rebootCheckHost());
	}

	#channelEvents(): ChannelEvents {
		const observer = this.#observer;
		return {
			// Asked after every turn that may have settled a socket, observed first.
			nextCommand:
				observer === undefined
					? () => this.#dispatcher.nextCommand()
					: () => {
							this.#observeSockets();
							return this.#dispatcher.nextCommand();
						},
			onUrc: this.#onUrc,
			onReboot: () => void (this.#cutByReboot = this.#dispatcher.takeAll([])),
			onRebooted: () => this.#onRebooted(),
			isDirectPush: (id) => {
				const slot = this.#slots[id];
				return slot !== undefined && slot.state !== INITIAL && slot.mode === PUSH_MODE;
			},
			onPushStart: (id, length) => {
				const slot = this.#slots[id];
				if (slot === undefined || slot.state === INITIAL) {
					this.#pushTo = -1;
					return this.#dropPush;
				}
				this.#pushTo = id;
				slot.receiver.pushStart(length);
				return slot.receiver;
			},
			onPushEnd: (missing, badDigits) => {
				const id = this.#pushTo;
				this.#pushTo = -1;
				if (id < 0) return;
				this.#pushEnded |= 1 << id;
				this.#slots[id].receiver.pushEnd(missing, badDigits);
			},
			onPushLoss: () => this.#lossFrom?.tellRunLoss(),
			onEchoOrNoise: this.#onEchoOrNoise,
			// Only with a trace: a call per line otherwise.
			onTraceLine: this.#trace === undefined ? undefined : (line) => this.#trace?.(line.text(), line.kind),
			onTurnEnd: () => {
				if (this.#pushEnded !== 0) {
					let ended = this.#pushEnded;
					this.#pushEnded = 0;
					for (let i = 0; ended !== 0; i++, ended >>= 1) if ((ended & 1) !== 0) this.#slots[i].receiver.flushPushed();
				}
				if (this.#observer !== undefined) this.#observeSockets();
			},
			// Payload taken for a line (too long to keep), or a damaged +QIURC: either
			// may have been data pushed to a socket, which nothing will repeat.
			onLineDropped: () => this.#pushMayBeLost(),
			onPushDamaged: (id, atStake) => this.#slots[id]?.receiver.payloadDamaged(atStake),
			onWritten:
				observer === undefined
					? undefined
					: (bytes, start, end) => {
							this.#observeSockets();
							observer.command?.(bytes, start, end);
						},
			onEnded:
				observer === undefined
					? undefined
					: (status, code, elapsedMs) => {
							observer.done?.(status, code, elapsedMs);
							this.#observeSockets();
						},
		};
	}

	#slotHost(baud: number, textSend: boolean, arena: Arena): SlotHost {
		const settings = this.#settings;
		return {
			dispatcher: this.#dispatcher,
			readSpec: qirdSpec(baud),
			textSend,
			hexStage: new HexStage(arena.hexStage),
			dropped: this.#stats,
			runLost: (receiver) => {
				this.#lossFrom = receiver;
				this.#channel.holdPushLoss();
			},
			suspect: () => this.#suspectReboot(),
			owes: (command) => this.#channel.owes(command),
			get showLength() {
				return settings.showLength;
			},
		};
	}

	#bringUpHost(): BringUpHost {
		return {
			dispatcher: this.#dispatcher,
			clock: this.#clock,
			reader: this.#channel.reader,
			settings: this.#settings,
			isModuleOpen: (id) => this.#slots[id]?.moduleOpen ?? false,
			phase: this.#setState,
			ready: (info) => {
				this.#info = info;
				this.#setState("ready");
				const callbacks = this.#callbacks;
				if (callbacks !== null) this.#later(() => callbacks.onReady(info));
			},
			failed: (error) => {
				this.#setState("failed");
				const callbacks = this.#callbacks;
				if (callbacks !== null) this.#later(() => callbacks.onError(error));
			},
		};
	}

	#rebootCheckHost(): RebootCheckHost {
		const channel = this.#channel;
		return {
			echoes: () => channel.stats.echoes,
			verdict: (ok, echoed, listed) => this.#rebootVerdict(ok, echoed, listed),
		};
	}

	get stats(): ModemStats {
		return this.#stats;
	}

	// The clock it was given: the net classes deliver their callbacks from it.
	get clock(): Clock {
		return this.#clock;
	}

	// A transport may read the module's bytes into this (256 bytes) before
	// receive(): they then move into a socket natively (see arena.ts).
	get inputBuffer(): Uint8Array {
		return this.#arena.input;
	}

	// A transport may keep the bytes it waits to write in this ring: the
	// command lines then go into it natively.
	get outputRing(): ByteRing {
		return this.#arena.output;
	}

	// An application may read a socket into this (1536 bytes): the copy out
	// of the socket is then native too.
	get readBuffer(): Uint8Array {
		return this.#arena.readBuffer;
	}

	get state(): ModemState {
		return this.#state;
	}

	// AT command lines written to the module so far (resync probes included).
	get commandsSent(): number {
		return this.#channel.stats.commands;
	}

	// The module's IP address once ready, else "".
	get address(): string {
		return this.#info?.address ?? "";
	}

	// Starts bring-up. Allowed when idle, failed or closed.
	start(callbacks: StartCallbacks): void {
		if (this.#state !== "idle" && this.#state !== "failed" && this.#state !== "closed")
			throw new BC20Error(E_STATE, "already started (" + this.#state + ")");
		if (callbacks === null || typeof callbacks !== "object")
			throw new BC20Error(E_ARGUMENT, "callbacks must be an object");
		checkCallback(callbacks.onReady, "onReady");
		checkCallback(callbacks.onError, "onError");
		if (callbacks.onStateChange !== undefined) checkCallback(callbacks.onStateChange, "onStateChange");
		this.#callbacks = callbacks;
		this.#dispatcher.release();
		this.#bringUp.run(this.#procedure);
	}

	// The module's bytes, chunk[start, end).
	receive(chunk: Uint8Array, start = 0, end = chunk.length): void {
		this.#channel.receive(chunk, start, end);
	}

	// What receive() forwards to, for a platform adapter that calls it
	// directly (one frame less under every receive turn on the device).
	get receiver(): { receive(chunk: Uint8Array, start: number, end: number): void } {
		return this.#channel;
	}

	// Stops everything: operations waiting fail with E_CANCELLED (before this
	// returns), sockets are dropped without callbacks (the module's are closed
	// by the next start()).
	close(): void {
		if (this.#state === "idle" || this.#state === "closed") return;
		this.#bringUp.stop();
		this.#dispatcher.stop();
		this.#failQueued(DONE_CANCELLED);
		this.#channel.cancelAll(DONE_CANCELLED);
		for (const slot of this.#slots) slot.abandon();
		if (this.#observer !== undefined) this.#observeSockets();
		this.#info = null;
		this.#setState("closed");
	}

	// ---- sockets ----

	// Opens a TCP or UDP socket (AT+QIOPEN); see OpenOptions and Socket.
	open(options: OpenOptions): Socket {
		if (this.#observer !== undefined) this.#observeSockets();
		const socket = this.#claim(options);
		if (this.#observer !== undefined) this.#observeSockets();
		// Told only once the claim's frame is gone: the stack under the wire's
		// turn stays small.
		this.#dispatcher.pump();
		return socket;
	}

	// Checks the options and gives the socket a free slot.
	#claim(options: OpenOptions): Socket {
		this.#requireReady();
		// The receive settings of a module the driver only looks at are not its own.
		if (this.#looking) throw new BC20Error(E_STATE, 'sockets need the full bring-up (bringUp "full")');
		if (options === null || typeof options !== "object") throw new BC20Error(E_ARGUMENT, "options must be an object");
		const type = options.type ?? "tcp";
		if (type !== "tcp" && type !== "udp") throw new BC20Error(E_ARGUMENT, 'type must be "tcp" or "udp"');
		const host = checkHost(options.host);
		const port = checkInt(options.port, 1, 65535, "port");
		const localPort = checkInt(options.localPort, 0, 65535, "localPort", 0);
		const mode = checkInt(options.mode, BUFFER_MODE, PUSH_MODE, "mode", BUFFER_MODE);
		if (options.contextId !== undefined && options.contextId !== 1) throw new BC20Error(E_ARGUMENT, CONTEXT_ONLY_1);
		for (const name of ["onConnected", "onReadable", "onWritable", "onWarning", "onError", "onClose"] as const)
			if (options[name] !== undefined) checkCallback(options[name], name);
		let slot: Slot | undefined;
		if (options.connectId === undefined) {
			slot = this.#slots.find((s) => s.state === INITIAL);
			if (slot === undefined) throw new BC20Error(E_STATE, "all " + this.#slots.length + " sockets are in use");
		} else {
			slot = this.#slots[checkInt(options.connectId, 0, this.#slots.length - 1, "connectId")];
			if (slot.state !== INITIAL) throw new BC20Error(E_STATE, "connectID " + slot.id + " is in use", "", slot.id);
		}
		const socket = new Socket(slot, type, host, port, localPort);
		const callbacks: SocketCallbacks = {
			onConnected: options.onConnected,
			onReadable: options.onReadable,
			onWritable: options.onWritable,
			onWarning: options.onWarning,
			onError: options.onError,
			onClose: options.onClose,
		};
		slot.begin(socket, callbacks, type === "udp", host, port, localPort, mode);
		return socket;
	}

	// The live socket on a connectID, or null.
	socket(id: number): Socket | null {
		// The slot holds the Socket open() gave it, seen as its SocketHandle.
		return (this.#slots[id]?.owner ?? null) as Socket | null;
	}

	// ---- one-off services ----

	// AT+QPING; options.onReply gets each reply, `callback` the summary.
	ping(host: string, options: PingOptions, callback: PingCallback): void {
		this.#requireReady();
		checkHost(host);
		const o = options ?? {};
		const timeout = checkInt(o.timeout, 1, 255, "timeout", 4);
		const count = checkInt(o.count, 1, 10, "count", 4);
		const size = checkInt(o.size, 32, 200, "size", 32);
		if (o.onReply !== undefined) checkCallback(o.onReply, "onReply");
		checkCallback(callback);
		this.#dispatcher.enqueue(
			new PingCommand(
				this.#dispatcher,
				host,
				timeout,
				count,
				size,
				o.onReply === undefined ? undefined : this.#deferred(o.onReply),
				this.#deferred(callback),
			),
		);
	}

	// AT+QNTP.
	ntp(server: string, options: NtpOptions, callback: NtpCallback): void {
		this.#requireReady();
		checkHost(server, "server");
		const o = options ?? {};
		const port = checkInt(o.port, 1, 65535, "port", 0);
		const autoSet = o.autoSetTime === undefined ? -1 : flag(o.autoSetTime, "autoSetTime", false) ? 1 : 0;
		checkCallback(callback);
		this.#dispatcher.enqueue(new NtpCommand(this.#dispatcher, server, port, autoSet, this.#deferred(callback)));
	}

	// AT+QIDNSGIP.
	resolve(host: string, callback: DnsCallback): void {
		this.#requireReady();
		checkHost(host);
		checkCallback(callback);
		this.#dispatcher.enqueue(new DnsCommand(this.#dispatcher, host, this.#deferred(callback)));
	}

	// Reads the module's AT+QICFG settings.
	config(callback: ConfigCallback): void {
		this.#requireReady();
		checkCallback(callback);
		this.#dispatcher.enqueue(
			new ConfigCommand(
				this.#dispatcher,
				QICFG_SETTINGS,
				QICFG_SETTINGS.map(() => -1),
				() => {},
				this.#deferred(callback),
			),
		);
	}

	// Writes AT+QICFG settings. Each takes effect for the driver when the module
	// said OK, and is kept for later bring-ups. Change them while no data flows:
	// data already on its way is framed the old way.
	configure(settings: ConfigSettings, callback: (error: BC20Error | null) => void): void {
		this.#requireReady();
		if (settings === null || typeof settings !== "object")
			throw new BC20Error(E_ARGUMENT, "settings must be an object");
		const items: QicfgSetting[] = [],
			values: number[] = [];
		for (const setting of QICFG_SETTINGS) {
			const value = settings[setting.option];
			if (value === undefined) continue;
			items.push(setting);
			values.push(settingValue(setting, value));
		}
		if (items.length === 0) throw new BC20Error(E_ARGUMENT, "no setting given");
		checkCallback(callback);
		const reader = this.#channel.reader,
			own = this.#settings;
		this.#dispatcher.enqueue(
			new ConfigCommand(
				this.#dispatcher,
				items,
				values,
				(setting, value) => {
					setting.set(reader, value);
					setting.set(own, value);
				},
				this.#deferred((error) => callback(error)),
			),
		);
	}

	// AT+QISTATE: every socket (no options), by context ({contextId: 1}) or one
	// socket ({connectId}).
	queryState(options: { contextId?: number; connectId?: number } | null, callback: StateCallback): void {
		this.#requireReady();
		let type = QUERY_ALL,
			target = 0;
		if (options?.contextId !== undefined && options?.connectId !== undefined)
			throw new BC20Error(E_ARGUMENT, "give contextId or connectId, not both");
		if (options?.contextId !== undefined) {
			if (options.contextId !== 1) throw new BC20Error(E_ARGUMENT, CONTEXT_ONLY_1);
			type = QUERY_CONTEXT;
			target = 1;
		} else if (options?.connectId !== undefined) {
			type = QUERY_SOCKET;
			target = checkInt(options.connectId, 0, 4, "connectId");
		}
		checkCallback(callback);
		const deferred = this.#deferred(callback);
		this.#dispatcher.enqueue(
			new StateCommand(this.#dispatcher, type, target, (error, records) => {
				// A listing of every socket that lacks one the driver holds open
				// disagrees with the socket table: has the module rebooted?
				if (
					records !== null &&
					type === QUERY_ALL &&
					this.#slots.some((slot) => slot.moduleOpen && !records.some((r) => r.connectId === slot.id))
				)
					this.#suspectReboot();
				deferred(error, records);
			}),
		);
	}

	// AT+QIGETERROR: the last TCP/IP error (code 0: none).
	lastError(callback: (error: BC20Error | null, code: number, description: string) => void): void {
		this.#requireStarted();
		checkCallback(callback);
		const deferred = this.#deferred(callback);
		this.#dispatcher.enqueue(new ErrorQuery((code, text, failure) => deferred(failure, code, text)));
	}

	// A raw command line (one line, printable ASCII, "AT..."); the callback gets
	// its response lines. Commands whose state the driver keeps (QIOPEN,
	// QICLOSE, QISEND(EX), QIRD, QISWTMD, QICFG) are refused but for their test
	// and read forms. options.timeout: ms for the final result (default 5000).
	command(text: string, options: { timeout?: number } | CommandCallback, callback?: CommandCallback): void {
		this.#requireStarted();
		if (typeof options === "function") {
			callback = options;
			options = {};
		}
		const line = checkCommandLine(text, this.#commandCapacity - 1);
		const timeout = checkInt(options?.timeout, 100, 600000, "timeout", RAW_TIMEOUT_MS);
		checkCallback(callback);
		this.#dispatcher.enqueue(
			new RawCommand(
				line,
				timeout,
				this.#deferred(callback as CommandCallback),
				(command) => void (this.#raw = command),
			),
		);
	}

	// ---- internals ----

	// The application's callbacks of one-off operations and of start() run
	// from a fresh turn of the clock, not inside the receive turn that
	// completed the command: whatever they start does not deepen it (XS counts
	// its stack in slots). Cold path: a closure per call, in one FIFO served by
	// one timer callback (the device clock keeps a Timer per callback it sees).
	#later(run: () => void): void {
		this.#laterQueue.push(run);
		if (this.#laterQueue.length === 1) this.clock.set(this.#runLater, 0);
	}

	#deferred<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
		return (...args: A) => this.#later(() => callback(...args));
	}

	#requireReady(): void {
		if (this.#state !== "ready") throw new BC20Error(E_STATE, "the modem is not ready (" + this.#state + ")");
	}

	#requireStarted(): void {
		if (this.#state === "idle" || this.#state === "closed")
			throw new BC20Error(E_STATE, "the modem is not started (" + this.#state + ")");
	}

	// The events and hosts take these arrows themselves: a call through a
	// forwarding arrow would add a frame to every receive turn that reaches them.
	#setState = (state: ModemState): void => {
		if (state === this.#state) return;
		this.#state = state;
		const callbacks = this.#callbacks;
		if (callbacks?.onStateChange === undefined) return;
		// #later's work, written out: a state changes at the end of a command's
		// completion, as deep as a receive turn goes.
		const queue = this.#laterQueue;
		queue.push(() => callbacks.onStateChange?.(state));
		if (queue.length === 1) this.#clock.set(this.#runLater, 0);
	};

	#onUrc = (line: Line): void => {
		if (this.#observer !== undefined) {
			this.#observer.urc?.(line.text());
			this.#observeSockets();
		}
		const handle = URC_HANDLERS[line.kind];
		// A tail call: XS runs the row's handler in this frame.
		if (handle) return handle(this.#urcHost, line);
		// A line no row knows: a URC, a late response, or a +QIURC (one byte
		// of "+QIURC:" damaged, its colon too) or "recv" line damaged past knowing.
		if (line.kind === URC_OTHER) this.#damagedRecv(wasPushHeader(line, line.near(QIURC_ROW.bytes, 0, 1)));
	};

	// What the URC table's handlers do (urcs.ts), built here rather than in
	// the constructor so that its closures are no slots of that frame.
	#urcHostOf(): UrcHost {
		return {
			received: (line) => {
				// A direct-push header: its data goes through onPush*.
				if (line.payloadLength > 0) return;
				const slot = this.#slots[line.int(1)];
				if (slot === undefined) return this.#damagedRecv(true);
				// The count (usual) before the rare "buff full": the reader parsed it already.
				const length = line.int(2, -1);
				// No data comes for a socket not open: its connectID was damaged (a
				// read for each buffer-mode socket), or it is late for one just
				// closed (so no gap for the others, unless what follows is no count:
				// a pushed header's data, in view mode 1 on its line).
				if (slot.state === INITIAL)
					return this.#damagedRecv(length < 0 && line.hasField(2) && !line.fieldEquals(2, BUFF_FULL));
				if (length < 0 && line.fieldEquals(2, BUFF_FULL)) slot.receiver.bufferFull();
				else if (slot.receiver.notice(length)) this.#channel.distrustFinals();
			},
			closed: (line) => this.#slots[line.int(1)]?.peerClosed(),
			pdpDeactivated: () => this.#pdpDeactivated(),
			suspectReboot: () => this.#suspectReboot(),
			unknownQiurc: (line) => this.#damagedRecv(wasPushHeader(line, true)),
		};
	}

	#observeSockets(): void {
		const told = this.#observed,
			slots = this.#slots,
			observer = this.#observer;
		for (let i = 0; i < slots.length; i++) {
			if (slots[i].state === told[i]) continue;
			told[i] = slots[i].state;
			observer?.socket?.(i, told[i], slots[i].udp);
		}
	}

	#pushMayBeLost(): void {
		let pushing = false;
		for (const slot of this.#slots) if (slot.receiver.pushMayBeLost()) pushing = true;
		if (pushing) this.#channel.distrustFinals();
	}

	// A line that may have been a "recv" notice or a pushed header, damaged
	// on the line. The module does not repeat a notice while it holds data,
	// so every buffer-mode socket reads once (a "+QIRD: 0" if it was none).
	// `header`: it was a pushed header, so its data is lost (a gap for every
	// socket that takes pushes). Else, while data may be pushed, no final
	// result is taken for a while (Channel.distrustFinals): a header damaged
	// past knowing may have let its data follow as lines. (An unknown URC or
	// a late response costs a command's deadline at most, and no gap.)
	#damagedRecv(header: boolean): void {
		for (const slot of this.#slots) if (slot.state === CONNECTED && slot.mode === BUFFER_MODE) slot.receiver.notice(-1);
		if (header) return this.#pushMayBeLost();
		for (const slot of this.#slots) if (slot.receiver.takesPushes) return this.#channel.distrustFinals();
	}

	#onEchoOrNoise = (line: Line): void => {
		// Garbage where the module's lines should be: a damaged line, or pushed
		// data whose header was damaged, taken for lines.
		if (line.kind === NOISE) {
			if (this.#raw !== null) this.#raw.keep(line);
			// (A tail call: the gaps it may make go deep, into the application.)
			return this.#damagedRecv(true);
		}
		// Echo after ATE0: the module may have rebooted (its RDY lost).
		else if (!this.#looking) this.#suspectReboot();
	};

	// Every socket fails with 570 and the service attaches again.
	#pdpDeactivated(): void {
		for (const slot of this.#slots) slot.pdpDeactivated();
		if (
			this.#reattach !== null &&
			(this.#state === "ready" || this.#state === "attaching" || this.#state === "configuring")
		) {
			this.#info = null;
			this.#bringUp.run(this.#reattach);
		}
	}

	// A sign that the module may have rebooted without a RDY the driver saw:
	// AT+QISTATE? decides (reboot-check.ts), one check at a time.
	#suspectReboot(): void {
		if (this.#state !== "ready" || this.#checking) return;
		this.#checking = true;
		this.#stats.rebootChecks++;
		this.#dispatcher.urgent(this.#rebootCheck);
	}

	#rebootVerdict(ok: boolean, echoed: boolean, listed: number): void {
		this.#checking = false;
		if (!ok || this.#state !== "ready") return;
		if (echoed && !this.#looking) {
			// Echo is back: the module booted since ATE0. Recover as from RDY.
			this.#stats.rebootsDetected++;
			this.#cutByReboot = this.#dispatcher.takeAll([]);
			this.#onRebooted();
			return;
		}
		for (const slot of this.#slots) if (slot.moduleOpen && (listed & (1 << slot.id)) === 0) slot.goneFromModule();
	}

	// RDY: the channel has failed what was on the wire; fail what was queued
	// then, end every socket, and bring the module up again.
	#onRebooted(): void {
		this.#pushTo = -1;
		this.#raw = null;
		const cut = this.#cutByReboot;
		this.#cutByReboot = [];
		this.#fail(cut, DONE_REBOOT);
		for (const slot of this.#slots) slot.rebooted();
		if (this.#state === "closed") return;
		this.#dispatcher.release();
		if (this.#state === "idle") return;
		this.#info = null;
		this.#bringUp.run(this.#procedure);
	}

	#failQueued(status: number): void {
		this.#fail(this.#dispatcher.takeAll([]), status);
	}

	#fail(commands: readonly Command[], status: number): void {
		const result = new Result();
		for (const command of commands) command.onDone(result.set(status, 0, NO_LINES, 0));
	}
}
