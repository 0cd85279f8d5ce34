/**
 * An emulated Quectel BC20: bytes in through write(), bytes out through
 * 'data' events, as on the module's main UART. Behind it are real sockets,
 * so a driver talking to it opens real loopback connections.
 *
 * This file holds the module as a whole: power and boot, the UART (echo,
 * command lines, pacing), network registration, sleep, and the fault hooks.
 * The commands live in bring-up-commands.ts and tcpip-service.ts.
 */
import { EventEmitter } from "node:events";
import { parseCommandLine } from "./at-command.js";
import { createBringUpCommands } from "./bring-up-commands.js";
import { CommandLineReader, LINE_TOO_LONG } from "./command-line-reader.js";
import type { CommandTable } from "./command-table.js";
import { createStats, type EmulatorStats } from "./emulator-stats.js";
import { TcpipError, type TcpipErrorCode } from "./error-codes.js";
import { type CommandFault, FaultInjector, type FaultOptions } from "./fault-injector.js";
import { initialModemState, type ModemState, type RegistrationStatus, registrationFields } from "./modem-state.js";
import { type IdentityOptions, type ModuleIdentity, moduleIdentity } from "./module-identity.js";
import { DEFAULT_HOSTS, type HostsTable, NameResolver } from "./name-resolver.js";
import { Nvram, type NvramSettings } from "./nvram.js";
import { OutputPacer } from "./output-pacer.js";
import { PowerCycle } from "./power-cycle.js";
import { createRadioCommands } from "./radio-commands.js";
import type { Violation, ViolationKind } from "./protocol-violations.js";
import { frameLine, Response } from "./response.js";
import { SeededRandom } from "./seeded-random.js";
import { TcpipService } from "./tcpip-service.js";
import { UrcInterleaver } from "./urc-interleaver.js";

export type { EmulatorStats, SocketCounters } from "./emulator-stats.js";
export type { FaultOptions, LineDamage } from "./fault-injector.js";
export type { HostsTable } from "./name-resolver.js";
export type { IdentityOptions, ModuleIdentity } from "./module-identity.js";
export { describeViolation, type Violation, type ViolationKind } from "./protocol-violations.js";

export interface BC20EmulatorOptions {
	/** Echo state after each boot (ATE0/ATE1 change it). Default true, as on the module. */
	echo?: boolean;
	/** From power-on (or reboot) to "RDY". Default 50 ms (the module takes about 5 s). */
	bootDelayMs?: number;
	/** From "RDY" until registered and attached ("+IP:"). Default 300 ms. */
	attachDelayMs?: number;
	/** Emit boot-ROM noise (non-text bytes, including 0x00 and 0xFF) before "RDY". Default false. */
	bootGarbage?: boolean;
	/** Pace output at this line rate (10 bit times per byte); 0 = as fast as possible. Default 0. */
	baud?: number;
	/** Largest 'data' chunk; 0 = no limit. Default 0. */
	chunkSize?: number;
	/** Deliver output in 1-3-byte 'data' chunks, sizes drawn from the seed (a UART read returning what the FIFO holds). Default false. */
	trickle?: boolean;
	/**
	 * Chance (0-1, seeded) that an asynchronous URC is held back to go between
	 * the lines of the next response, and that a response carries a +CEREG
	 * re-report (only while +CEREG reports are on). Default 0.
	 */
	interleaveUrcs?: number;
	/** Receive buffer per socket in buffer access mode. Default 4096 bytes. */
	socketBufferSize?: number;
	/** JSON file holding the NVRAM settings across emulator restarts. */
	nvramPath?: string;
	/** Name → addresses, consulted before Node's resolver; an empty list makes the name fail. Default: localhost → 127.0.0.1. */
	hosts?: HostsTable;
	/** The address the module reports as its own (+IP, +CGPADDR). Default "127.0.0.1". */
	ownAddress?: string;
	/** The TCP port AT+QPING probes (see tcp-ping.ts). Default 7 (echo). */
	pingPort?: number;
	/** Seed of every random choice (faults, hostile output, identity). Default 1. */
	seed?: number;
	/** IMEI, IMSI, ICCID, firmware, signal, bands, APN; each not given is drawn from the seed. */
	identity?: IdentityOptions;
	faults?: FaultOptions;
	/**
	 * What becomes of bytes the host writes while the module boots (before
	 * "RDY"): "ignore" (default): lost, the UART is not read yet; "after-banner":
	 * kept in the UART's FIFO and read once booted, so a command is answered
	 * after the banner; "never": read but complete lines are dropped unanswered,
	 * while an unterminated tail stays and prefixes the first line after "RDY".
	 */
	bootAnswer?: BootAnswer;
	/** Idle time after which the module sleeps when AT+QSCLK allows it. Default: never sleeps. */
	sleepAfterMs?: number;
	/**
	 * A flow (TCP connection or UDP socket) with no traffic either way for this
	 * long loses its binding in the carrier's NAT: a TCP connection is then dead
	 * (its next send is lost and reported closed), UDP data from the peer is
	 * dropped until the module sends again. NB-IoT carriers release NAT
	 * bindings after about 60 s (Zephyr issue #25935). Default 60 000 ms.
	 */
	natTimeoutMs?: number;
	/** AT+QIOPEN gives up with 569 after this long. Default 30 000 ms. */
	openTimeoutMs?: number;
	/** AT+QNTP gives up with 569 after this long. Default 5000 ms. */
	ntpTimeoutMs?: number;
	/** Name lookups through Node's resolver give up after this long. Default 5000 ms. */
	dnsTimeoutMs?: number;
}

export type SleepState = "awake" | "light" | "deep";

export type BootAnswer = "ignore" | "after-banner" | "never";

/** What a boot ROM prints before the firmware's "RDY": bytes a driver must skip. */
const BOOT_ROM_NOISE = Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x80, 0x0d, 0x0a, 0x00, 0xc0, 0xff, 0x55, 0xaa, 0x0d]);

export interface BC20Emulator {
	on(event: "data", listener: (chunk: Buffer) => void): this;
	on(event: "command", listener: (line: string) => void): this;
	on(event: "violation", listener: (violation: Violation) => void): this;
	/** The module's sleep state changed (for a recording's power lane). */
	on(event: "power", listener: (state: SleepState) => void): this;
	once(event: "data", listener: (chunk: Buffer) => void): this;
	once(event: "command", listener: (line: string) => void): this;
	off(event: "data", listener: (chunk: Buffer) => void): this;
	off(event: "command", listener: (line: string) => void): this;
}

export class BC20Emulator extends EventEmitter {
	/** Every command line the module read, in order, exactly as received (without terminator). */
	readonly commands: string[] = [];
	/** What the host did that the manual forbids, in order (see protocol-violations.ts). */
	readonly violations: Violation[] = [];
	readonly stats: EmulatorStats = createStats();
	/** Who this module is (AT+CGSN, AT+CIMI, AT+QCCID, AT+CGMR, AT+CSQ...). */
	readonly identity: ModuleIdentity;

	private readonly echoAfterBoot: boolean;
	private readonly bootDelayMs: number;
	private readonly attachDelayMs: number;
	private readonly bootGarbage: boolean;
	private readonly socketBufferSize: number;
	private readonly ownAddress: string;
	private readonly pingPort: number;
	private readonly sleepAfterMs: number | undefined;
	private readonly bootAnswer: BootAnswer;
	private readonly openTimeoutMs: number;
	private readonly natTimeoutMs: number;
	private readonly ntpTimeoutMs: number;

	private readonly nvram: Nvram;
	private readonly faults: FaultInjector;
	private readonly pacer: OutputPacer;
	private readonly interleaver: UrcInterleaver;
	private readonly resolver: NameResolver;
	private readonly reader = new CommandLineReader();
	private readonly bringUpCommands: CommandTable;
	private readonly radioCommands: CommandTable;
	/** Socket teardowns still finishing from earlier power cycles; close() waits for them. */
	private readonly teardowns = new Set<Promise<void>>();

	private powered = false;
	private closed = false;
	/** performance.now() at start(): violation times count from here. */
	private startedAt = 0;
	/** Bytes handed to the UART (or held for it) and bytes the host has received: marks compare the two. */
	private queuedTotal = 0;
	private deliveredTotal = 0;
	/** The link tells when the host took each chunk (takesDeliveryReports): bytes count as received then, not as they leave. */
	private deliveryReported = false;
	/** Offset of the module clock from the host clock, set by AT+QNTP. */
	private clockOffsetMs = 0;

	// Per power cycle (set by boot()).
	private cycle!: PowerCycle;
	private modem!: ModemState;
	private settings!: NvramSettings;
	private tcpip!: TcpipService;
	private readyForInput = false;
	/** Output mark at the end of the boot banner: before the host heard it, it cannot know the module rebooted. */
	private bannerMark = 0;
	/** The last command whose final result the host may not have heard yet (undefined after a fault swallowed or delayed it). */
	private owed: { readonly command: string; readonly mark: number; readonly writtenWhileBooting: boolean } | undefined;
	/** Set while reading a line that started before `owed` was heard: the command it overlapped. */
	private overlapped: { readonly command: string; readonly writtenWhileBooting: boolean } | undefined;
	/** Executing what the host wrote while the module booted (bootAnswer "after-banner"). */
	private readingBootInput = false;
	/** The first byte of the line being read was lost waking the module from light sleep. */
	private lostWakeByte = false;
	/** A delayed command is being worked on; further input waits. */
	private busy = false;
	/** Host bytes not read yet; `lateRead` marks bytes that arrived while a delayed command blocked input (judged as they arrived: not overlaps). */
	/** Input not read yet; `delivered`: how much output the host had received when these bytes reached the module. */
	private readonly pendingInput: { bytes: Buffer; lateRead: boolean; delivered: number }[] = [];
	/** `delivered` of the bytes that started the line being read: what the host could know when it wrote the line. */
	private deliveredAtLineStart = 0;
	/** Bytes received while booting, for bootAnswer "after-banner" and "never". */
	private readonly bootInput: Buffer[] = [];
	private sleepState: SleepState = "awake";
	/** Output produced during deep sleep, sent on wake. */
	private readonly heldOutput: Buffer[] = [];
	/** Actions waiting for the UART to finish sending what is queued. */
	private readonly drainWaiters: (() => void)[] = [];
	private idleTimer: NodeJS.Timeout | undefined;
	private attachTimer: NodeJS.Timeout | undefined;

	constructor(options: BC20EmulatorOptions = {}) {
		super();
		this.echoAfterBoot = options.echo ?? true;
		this.bootDelayMs = options.bootDelayMs ?? 50;
		this.attachDelayMs = options.attachDelayMs ?? 300;
		this.bootGarbage = options.bootGarbage ?? false;
		this.socketBufferSize = options.socketBufferSize ?? 4096;
		this.ownAddress = options.ownAddress ?? "127.0.0.1";
		this.pingPort = options.pingPort ?? 7;
		this.sleepAfterMs = options.sleepAfterMs;
		this.bootAnswer = options.bootAnswer ?? "ignore";
		this.openTimeoutMs = options.openTimeoutMs ?? 30_000;
		this.natTimeoutMs = options.natTimeoutMs ?? 60_000;
		this.ntpTimeoutMs = options.ntpTimeoutMs ?? 5000;
		this.nvram = new Nvram(options.nvramPath);
		this.faults = new FaultInjector(options.faults ?? {}, options.seed ?? 1, this.stats);
		this.resolver = new NameResolver(options.hosts ?? DEFAULT_HOSTS, options.dnsTimeoutMs ?? 5000);
		const seed = options.seed ?? 1;
		this.identity = moduleIdentity(seed, options.identity);
		// Each hostile behaviour draws from its own stream, so enabling one does not change another's choices.
		const trickle = new SeededRandom(seed ^ 0x5bd1e995);
		this.interleaver = new UrcInterleaver(options.interleaveUrcs ?? 0, seed ^ 0x27d4eb2d, (bytes) =>
			this.output(bytes),
		);
		this.pacer = new OutputPacer({
			baud: options.baud ?? 0,
			chunkSize: options.chunkSize ?? 0,
			...(options.trickle ? { nextChunkSize: () => 1 + Math.floor(trickle.next() * 3) } : {}),
			deliver: (chunk) => {
				this.stats.bytesOut += chunk.length;
				if (!this.deliveryReported) this.deliveredTotal += chunk.length;
				this.emit("data", chunk);
			},
			drained: () => {
				for (const action of this.drainWaiters.splice(0)) action();
			},
		});
		this.bringUpCommands = createBringUpCommands({
			state: () => this.modem,
			ownAddress: this.ownAddress,
			setFunctionality: (functionality) => this.setFunctionality(functionality),
			setAttached: (attached) => this.setAttached(attached),
			rebootAfterResponse: () => this.cycle.soon(() => this.reboot()),
			now: () => Date.now() + this.clockOffsetMs,
			identity: this.identity,
		});
		this.radioCommands = createRadioCommands({
			state: () => this.modem,
			identity: this.identity,
			ownAddress: this.ownAddress,
		});
	}

	/** "RDY" has been sent and the module reads its UART (false while off or booting). */
	get ready(): boolean {
		return this.readyForInput;
	}

	/** Where the module is in its sleep cycle. */
	get sleep(): SleepState {
		return this.sleepState;
	}

	/** Powers the module on: boot output follows after bootDelayMs. Does nothing if already on or closed. */
	start(): void {
		if (this.powered || this.closed) return;
		this.powered = true;
		this.startedAt = performance.now();
		this.boot();
	}

	/**
	 * For a link that hands the module's output to the host later than it
	 * leaves (the in-process pipe waits for the event loop, as a UART would):
	 * from now on a byte counts as received by the host when the link reports
	 * it with delivered(), not when it leaves. What the host could know when
	 * it wrote a line is then what it had taken: a line written while a URC
	 * was still on its way crossed it, and one written before a final result
	 * had come in overlaps its command. Call before start().
	 */
	takesDeliveryReports(): void {
		this.deliveryReported = true;
	}

	/** The host took `count` more bytes of the module's output (see takesDeliveryReports). */
	delivered(count: number): void {
		this.deliveredTotal += count;
	}

	/** Bytes from the host into the module's UART. */
	write(bytes: Uint8Array): void {
		this.stats.bytesIn += bytes.length;
		if (this.readyForInput && this.sleepState === "deep") {
			this.violation(
				"deaf-uart",
				Buffer.from(bytes).toString("latin1"),
				"written while the module was in PSM (deep sleep), where its UART is off: lost; wake it with PSM_EINT first",
			);
		}
		if (this.powered && !this.readyForInput && this.bootAnswer !== "ignore") {
			this.bootInput.push(Buffer.from(bytes));
			return;
		}
		if (!this.readyForInput || this.sleepState === "deep") {
			this.stats.bytesIgnored += bytes.length;
			return;
		}
		let chunk = Buffer.from(bytes);
		if (this.sleepState === "light") {
			// The first byte only wakes the UART; it is not received.
			this.stats.bytesIgnored++;
			if (chunk[0] !== 0x0d && chunk[0] !== 0x0a) this.lostWakeByte = true;
			chunk = chunk.subarray(1);
			this.wake();
		}
		this.noteActivity();
		if (chunk.length === 0) return;
		this.pendingInput.push({ bytes: chunk, lateRead: this.busy, delivered: this.deliveredTotal });
		this.processInput();
	}

	/** Tears down every socket and timer; the emulator cannot be started again. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.powered = false;
		this.readyForInput = false;
		this.pacer.stop();
		if (this.cycle !== undefined) {
			this.cycle.end();
			this.teardowns.add(this.tcpip.shutdown());
		}
		await Promise.all(this.teardowns);
	}

	// ---- Faults and external events -------------------------------------------

	/** Reboots now: sockets vanish without URCs, then the boot output comes again. */
	reboot(): void {
		if (!this.powered) return;
		this.stats.reboots++;
		this.cycle.end();
		const teardown = this.tcpip.shutdown();
		this.teardowns.add(teardown);
		void teardown.then(() => this.teardowns.delete(teardown));
		this.boot();
	}

	/**
	 * Reboots right after answering the next command line starting with
	 * `prefix`; with `cutResponseAfter`, only that many bytes of the response
	 * get out first (a reboot mid-response).
	 */
	rebootAfterCommand(prefix: string, options: { cutResponseAfter?: number } = {}): void {
		this.faults.arm(prefix, { kind: "reboot", ...options });
	}

	/** The next command line starting with `prefix` is read (and echoed) but never executed or answered. */
	withhold(prefix: string): void {
		this.faults.arm(prefix, { kind: "withhold" });
	}

	/** The next command line starting with `prefix` is executed and answered `ms` later; input waits meanwhile. */
	delay(prefix: string, ms: number): void {
		this.faults.arm(prefix, { kind: "delay", ms });
	}

	/** The next response carries `urc` after its first information line (or before its final result). */
	injectUrcBetweenLines(urc: string): void {
		this.faults.armUrcBetweenLines(urc);
	}

	/** The next QISEND/QISENDEX answers OK, then SEND FAIL, and sends nothing. */
	failNextSend(): void {
		this.faults.armSendFailure();
	}

	/** The network drops the PDP context: sockets go to Closing, "+QIURC: "pdpdeact",1", re-attach after attachDelayMs. */
	pdpDeact(): void {
		if (!this.readyForInput || !this.modem.attached) return;
		this.modem.attached = false;
		this.modem.contextBroken = true;
		this.notice('+QIURC: "pdpdeact",1');
		this.tcpip.detach();
		this.startSearching();
	}

	/** Emits `line` as a URC ("\r\n<line>\r\n") now. */
	injectUrc(line: string): void {
		this.urc(line);
	}

	/** A pulse on PSM_EINT: wakes the module from deep (or light) sleep. */
	wakeByPin(): void {
		if (this.readyForInput && this.sleepState !== "awake") this.wake();
	}

	// ---- Power and boot -------------------------------------------------------

	private boot(): void {
		this.cycle = new PowerCycle();
		this.modem = initialModemState(this.echoAfterBoot, this.identity.bands);
		this.settings = this.nvram.load();
		this.tcpip = this.createTcpipService(this.cycle);
		this.readyForInput = false;
		this.busy = false;
		this.pendingInput.length = 0;
		this.bootInput.length = 0;
		this.heldOutput.length = 0;
		this.drainWaiters.length = 0;
		this.reader.reset();
		this.interleaver.reset();
		this.owed = undefined;
		this.overlapped = undefined;
		this.lostWakeByte = false;
		this.setSleep("awake");
		this.idleTimer = undefined;
		this.attachTimer = undefined;
		this.cycle.after(this.bootDelayMs, () => {
			if (this.bootGarbage) this.output(BOOT_ROM_NOISE);
			for (const line of ["RDY", "+CFUN: 1", "+CPIN: READY"]) this.urc(line);
			this.bannerMark = this.queuedTotal;
			this.readyForInput = true;
			this.startSearching();
			this.readBootInput();
		});
	}

	/** The bytes the host wrote during boot, as bootAnswer says. */
	private readBootInput(): void {
		const bytes = Buffer.concat(this.bootInput.splice(0));
		if (bytes.length === 0) return;
		if (this.bootAnswer === "after-banner") {
			this.stats.bytesReadAfterBoot += bytes.length;
			this.pendingInput.push({ bytes, lateRead: true, delivered: this.deliveredTotal });
			this.readingBootInput = true;
			this.processInput();
			this.readingBootInput = false;
			return;
		}
		// "never": the lines are lost; a partial line stays in the line buffer.
		for (const byte of bytes) this.reader.push(byte);
	}

	private createTcpipService(cycle: PowerCycle): TcpipService {
		return new TcpipService({
			cycle,
			settings: this.settings,
			saveSettings: () => this.nvram.save(this.settings),
			networkError: () => this.networkError(),
			// Results owed to a command (SEND OK, CLOSE OK) go out at once; "+..." URCs are events.
			urc: (line) => (line.startsWith("+") ? this.notice(line) : this.urc(line)),
			output: (bytes) => this.event(bytes),
			outputBacklog: () => this.pacer.pending,
			whenOutputDrained: (action) => this.drainWaiters.push(action),
			resolver: this.resolver,
			stats: this.stats,
			takeSendFailure: () => this.faults.takeSendFailure(),
			outputMark: () => this.queuedTotal,
			heard: (mark) => this.deliveredAtLineStart >= mark,
			bannerHeard: () => this.deliveredAtLineStart >= this.bannerMark,
			violation: (kind, command, reason) => this.violation(kind, command, reason),
			setClock: (unixMs) => (this.clockOffsetMs = unixMs - Date.now()),
			socketBufferSize: this.socketBufferSize,
			openTimeoutMs: this.openTimeoutMs,
			ntpTimeoutMs: this.ntpTimeoutMs,
			pingPort: this.pingPort,
			natTimeoutMs: this.natTimeoutMs,
			inPsm: () => this.sleepState === "deep",
		});
	}

	// ---- Network registration -------------------------------------------------

	private networkError(): TcpipErrorCode {
		if (this.modem.attached) return TcpipError.None;
		return this.modem.contextBroken ? TcpipError.PdpContextBrokenDown : TcpipError.OpenPdpContextFailed;
	}

	private startSearching(): void {
		this.setRegistration(2);
		this.cycle.cancel(this.attachTimer);
		this.attachTimer = this.cycle.after(this.attachDelayMs, () => {
			this.attachTimer = undefined;
			this.setRegistration(1);
			this.modem.attached = true;
			this.modem.contextBroken = false;
			this.notice(`+IP: ${this.ownAddress}`);
		});
	}

	private detach(registration: RegistrationStatus): void {
		this.cycle.cancel(this.attachTimer);
		this.attachTimer = undefined;
		this.modem.attached = false;
		this.modem.contextBroken = false;
		this.tcpip.detach();
		this.setRegistration(registration);
	}

	private setFunctionality(functionality: 0 | 1): void {
		if (functionality === this.modem.functionality) return;
		this.modem.functionality = functionality;
		if (functionality === 0) this.detach(0);
		else this.startSearching();
	}

	private setAttached(attached: boolean): void {
		if (!attached) this.detach(0);
		else if (!this.modem.attached && this.attachTimer === undefined && this.modem.functionality === 1)
			this.startSearching();
	}

	private setRegistration(status: RegistrationStatus): void {
		if (this.modem.registration === status) return;
		this.modem.registration = status;
		if (this.modem.ceregMode > 0) this.notice(`+CEREG: ${registrationFields(this.modem)}`);
	}

	// ---- UART input -----------------------------------------------------------

	/** Reads pending input byte by byte, echoing it and executing each completed line, until a delayed command blocks. */
	private processInput(): void {
		const cycle = this.cycle;
		while (!this.busy && this.pendingInput.length > 0) {
			const pending = this.pendingInput[0]!;
			const chunk = pending.bytes;
			let index = 0;
			let line: string | typeof LINE_TOO_LONG | undefined;
			while (index < chunk.length && line === undefined) {
				const byte = chunk[index]!;
				if (!this.reader.receiving && byte !== 0x0d && byte !== 0x0a) {
					this.deliveredAtLineStart = pending.delivered;
					if (!pending.lateRead) this.lineStarts();
				}
				line = this.reader.push(byte);
				index++;
				// Echo a CR LF terminator whole, before the response.
				if (line !== undefined && chunk[index - 1] === 0x0d && chunk[index] === 0x0a) this.reader.push(chunk[index++]!);
			}
			if (this.modem.echo) this.output(chunk.subarray(0, index));
			if (index === chunk.length) this.pendingInput.shift();
			else pending.bytes = chunk.subarray(index);
			if (line !== undefined) this.execute(line);
			// A reboot (fault or AT+QRST) discards everything the old firmware had not read.
			if (this.cycle !== cycle) return;
		}
	}

	/** A command line starts: it overlaps the previous command if that one's final result has not reached the host. */
	private lineStarts(): void {
		const owed = this.owed;
		if (owed !== undefined && this.deliveredTotal < owed.mark) this.overlapped = owed;
	}

	private execute(line: string | typeof LINE_TOO_LONG): void {
		const overlapped = this.overlapped;
		const lostWakeByte = this.lostWakeByte;
		this.overlapped = undefined;
		this.lostWakeByte = false;
		const text = line === LINE_TOO_LONG ? "(a line too long)" : line;
		if (overlapped?.writtenWhileBooting) {
			this.violation(
				"probe-overlap",
				text,
				`written before the final result of ${JSON.stringify(overlapped.command)}, which the host wrote while the module booted (it could not know whether an answer would come): right for a resync probe whose answer cannot be mistaken for that one's, a bug otherwise`,
			);
		} else if (overlapped !== undefined) {
			this.violation(
				"overlap",
				text,
				`written before the final result of ${JSON.stringify(overlapped.command)} had reached the host`,
			);
		}
		if (line === LINE_TOO_LONG) {
			this.violation("malformed", text, "longer than the module's command line buffer");
			this.output(Response.error().toBytes([], 1, (text) => this.frame(text)));
			this.owed = { command: text, mark: this.queuedTotal, writtenWhileBooting: this.readingBootInput };
			return;
		}
		this.commands.push(line);
		this.emit("command", line);
		const fault = this.faults.takeCommandFault(line);
		const rebootAfterwards = this.faults.countCommand();
		// A command the fault leaves unanswered (or answers late) is no longer owed:
		// the host is right to time out and go on.
		this.owed = undefined;
		if (fault?.kind === "withhold") {
			if (rebootAfterwards) this.reboot();
			return;
		}
		if (fault?.kind === "delay") {
			this.busy = true;
			this.cycle.after(fault.ms, () => {
				this.busy = false;
				this.answer(line, undefined, rebootAfterwards, lostWakeByte);
				this.owed = undefined;
				this.processInput();
			});
			return;
		}
		this.answer(line, fault, rebootAfterwards, lostWakeByte);
	}

	private answer(
		line: string,
		fault: CommandFault | undefined,
		rebootAfterwards: boolean,
		lostWakeByte: boolean,
	): void {
		const response = this.dispatch(line, lostWakeByte);
		const injected = this.faults.takeUrcBetweenLines();
		const between =
			injected !== undefined
				? { urcs: [this.frame(injected)], position: 1 }
				: this.interleaver.forResponse(this.cycle, () =>
						this.modem.ceregMode > 0 ? this.frame(`+CEREG: ${registrationFields(this.modem)}`) : undefined,
					);
		if (injected === undefined) this.stats.urcsInterleaved += between.urcs.length;
		let bytes = response.toBytes(between.urcs, between.position, (text) => this.frame(text));
		const rebootFault = fault?.kind === "reboot" ? fault : undefined;
		if (rebootFault?.cutResponseAfter !== undefined) bytes = bytes.subarray(0, rebootFault.cutResponseAfter);
		this.output(bytes);
		this.owed = { command: line, mark: this.queuedTotal, writtenWhileBooting: this.readingBootInput };
		if (rebootFault !== undefined || rebootAfterwards) this.reboot();
	}

	private dispatch(line: string, lostWakeByte: boolean): Response {
		const command = parseCommandLine(line);
		if (command === undefined) {
			const why = lostWakeByte
				? "not an AT command: its first byte woke the module from light sleep and was lost"
				: "not an AT command line";
			this.violation("malformed", line, why);
			return Response.error();
		}
		const handlers =
			this.bringUpCommands.get(command.name) ??
			this.radioCommands.get(command.name) ??
			this.tcpip.commands.get(command.name);
		const handler = handlers?.[command.form];
		if (handler === undefined) {
			this.violation(
				"unknown-command",
				line,
				handlers === undefined
					? "the module has no such command"
					: `the module has no ${command.form} form of this command`,
			);
			return Response.error();
		}
		const response = handler(command);
		if (response.invalid) this.violation("malformed", line, "invalid parameters");
		return response;
	}

	private violation(kind: ViolationKind, command: string, reason: string): void {
		const violation: Violation = { atMs: Math.round(performance.now() - this.startedAt), kind, command, reason };
		this.violations.push(violation);
		this.stats.violations++;
		this.emit("violation", violation);
	}

	// ---- UART output ----------------------------------------------------------

	/** "\r\n<line>\r\n", through the damageLines fault. */
	private frame(line: string): Buffer {
		return frameLine(this.faults.damageLine(line));
	}

	/** A line sent now, whatever else is going on (boot banner, results owed to a command, sleep events). */
	private urc(line: string): void {
		this.output(this.frame(line));
	}

	/** A URC reporting an event: interleaveUrcs may hold it back to go inside the next response. */
	private notice(line: string): void {
		this.event(this.frame(line));
	}

	private event(bytes: Buffer): void {
		if (!this.powered || !this.interleaver.offer(bytes, this.cycle)) this.output(bytes);
	}

	private output(bytes: Buffer): void {
		if (!this.powered || bytes.length === 0) return;
		// Held output counts as queued: marks taken now must cover it.
		this.queuedTotal += bytes.length;
		if (this.sleepState === "deep") {
			this.heldOutput.push(bytes);
			return;
		}
		// From light sleep the module wakes by itself to talk; only the host's first byte is lost.
		this.setSleep("awake");
		this.noteActivity();
		this.transmit(bytes);
	}

	/** Onto the line, through the line faults; bytes they drop never arrive, so marks shrink with them. */
	private transmit(bytes: Buffer): void {
		const damaged = this.faults.damage(bytes);
		this.queuedTotal -= bytes.length - damaged.length;
		this.pacer.push(damaged);
	}

	// ---- Sleep ----------------------------------------------------------------

	/** Any UART traffic restarts the idle period after which the module may sleep. */
	private noteActivity(): void {
		if (this.sleepAfterMs === undefined) return;
		this.cycle.cancel(this.idleTimer);
		this.idleTimer = this.cycle.after(this.sleepAfterMs, () => this.idleExpired());
	}

	private idleExpired(): void {
		this.idleTimer = undefined;
		if (this.modem.sleepMode === 0 || this.sleepState !== "awake") return;
		// Deep sleep is PSM, which the network grants only to a registered module.
		const cannotSleepYet = this.modem.sleepMode === 1 && this.modem.registration !== 1;
		if (cannotSleepYet || this.busy || this.pendingInput.length > 0 || this.tcpip.busy || this.pacer.pending > 0) {
			this.noteActivity();
			return;
		}
		// Without PSM (AT+CPSMS=1) the network grants no deep sleep: AT+QSCLK=1
		// then only reaches light sleep, which the UART wakes.
		if (this.modem.sleepMode === 2 || this.modem.psmMode !== 1) {
			this.setSleep("light");
			return;
		}
		if (this.modem.nbiotEvents) this.urc('+QNBIOTEVENT: "ENTER PSM"');
		this.setSleep("deep");
	}

	private setSleep(state: SleepState): void {
		if (state === this.sleepState) return;
		this.sleepState = state;
		this.emit("power", state);
	}

	private wake(): void {
		const fromDeep = this.sleepState === "deep";
		this.setSleep("awake");
		if (this.modem.wakeupUrc) this.urc("+QATWAKEUP");
		if (fromDeep && this.modem.nbiotEvents) this.urc('+QNBIOTEVENT: "EXIT PSM"');
		for (const bytes of this.heldOutput.splice(0)) {
			// Counted when it was held.
			this.queuedTotal -= bytes.length;
			this.output(bytes);
		}
		if (fromDeep) this.tcpip.leavePsm();
	}
}
