// The battery NB-IoT sensor: every cycle it wakes the module, sends one
// reading to the collector, waits for the acknowledgement (resending with a
// doubling timeout), and lets the module sleep until the next cycle.
//
// Every attempt, open included, is bounded by its ack window: a connection
// that fails or drops only makes the attempt fail, the next attempt reopens,
// and once the retries are spent the report counts as lost and the next cycle
// is scheduled, so no network failure can stop the cycle.
//
// Kept few AT round trips per report: the socket stays open across cycles
// (UDP has no connection to lose; TCP is reopened only if it dropped), sleep
// settings are written once (the module keeps AT+QSCLK and AT+CPSMS), received
// data comes by direct push (no AT+QIRD), and waking costs no command at all.
//
// The same logic runs on the ESP32 (firmware/main.ts) and on the host
// simulator (`npm start`): only the platform object differs.
import type { Clock } from "../at/seams.js";
import type { BC20Error } from "../bc20/errors.js";
import type { BC20 } from "../bc20/modem.js";
import { PUSH_MODE } from "../bc20/socket-constants.js";
import { TCP } from "../net/tcp.js";
import { UDP } from "../net/udp.js";
import { checkDevice, decodeAcks, encodeReport } from "./report.js";

export interface SensorConfig {
	device: string;
	host: string; // the collector
	port: number;
	protocol: "udp" | "tcp";
	intervalMs: number; // from one report to the next
	// First window for an attempt (opening the connection if needed, sending,
	// and the ack); doubles on each resend.
	ackTimeoutMs: number;
	retries: number; // resends (or reopens) before a report counts as lost
	reports: number; // stop after this many (0: run forever)
	// "psm": AT+QSCLK=1 and PSM timers (deep sleep, woken by a PSM_EINT pulse;
	// without platform.pulseWakePin this falls back to "light", since a module
	// in PSM ignores the UART); "light": AT+QSCLK=2 (woken by UART activity;
	// the first byte is lost); "none": AT+QSCLK=0.
	sleep: "psm" | "light" | "none";
	// After a PSM_EINT pulse, how long the module needs before its UART listens
	// (default 100 ms; commands sent sooner are lost and cost a resync).
	wakeMs?: number;
	psmTau?: string; // AT+CPSMS periodic TAU (T3412), GPRS timer 3 bits (default "00100001": 1 h)
	psmActive?: string; // AT+CPSMS active time (T3324) (default "00000000": 0 s)
}

export interface SensorPlatform {
	modem: BC20;
	clock: Clock;
	sample(): number; // the reading: a temperature, a battery voltage...
	uptimeMs(): number;
	log(text: string): void;
	// Pulses the module's PSM_EINT pin (deep sleep wake-up), where wired;
	// sleep "psm" needs it.
	pulseWakePin?(): void;
	// A report ended: acknowledged or given up, after `commands` AT command
	// lines (for a recording; optional).
	onReport?(seq: number, acked: boolean, commands: number): void;
}

export interface SensorSummary {
	reports: number;
	acked: number;
	lost: number;
	resends: number;
	atCommands: number; // AT command lines written for the reports (open and sleep set-up excluded)
	atPerReport: number;
}

const TIMER_BITS = /^[01]{8}$/;
const WAKE_MS = 100;

export class SensorApp {
	readonly summary: SensorSummary = { reports: 0, acked: 0, lost: 0, resends: 0, atCommands: 0, atPerReport: 0 };
	#config: SensorConfig;
	#platform: SensorPlatform;
	#sleep: "psm" | "light" | "none"; // config.sleep, or "light" when PSM could not be woken
	#tcp: TCP | null = null;
	#udp: UDP | null = null;
	#connected = false;
	#waiting = false; // a report waits for its ack (its attempt timer runs)
	#seq = 0;
	#attempt = 0;
	#report: Uint8Array = new Uint8Array(0);
	#timer: unknown = null;
	#pending = ""; // TCP: an ack line split across reads
	#commandsAtStart = 0;
	#onDone: ((summary: SensorSummary) => void) | null = null;
	#stopped = false;
	// Timer callbacks made once: the device clock keeps one Timer per callback.
	#ackTimeout = () => {
		this.#timer = null;
		return this.#noAck();
	};
	#nextCycle = () => {
		this.#timer = null;
		return this.#wake();
	};
	#awake = () => {
		this.#timer = null;
		return this.#cycle();
	};
	#retry = () => {
		this.#timer = null;
		return this.#try();
	};

	constructor(config: SensorConfig, platform: SensorPlatform) {
		checkDevice(config.device);
		if (config.protocol !== "udp" && config.protocol !== "tcp") throw new RangeError("protocol must be udp or tcp");
		for (const [name, value] of [
			["psmTau", config.psmTau],
			["psmActive", config.psmActive],
		] as const)
			if (value !== undefined && !TIMER_BITS.test(value))
				throw new RangeError(`${name} must be 8 bits, e.g. "00100001"`);
		this.#config = config;
		this.#platform = platform;
		this.#sleep = config.sleep === "psm" && !platform.pulseWakePin ? "light" : config.sleep;
	}

	// Call once the modem is ready. `onDone` gets the summary after
	// config.reports reports (never, when it is 0).
	start(onDone?: (summary: SensorSummary) => void): void {
		this.#onDone = onDone ?? null;
		const sleep = this.#sleep;
		if (sleep !== this.#config.sleep)
			this.#platform.log(
				"sleep psm needs a PSM_EINT pin to wake the module (in PSM it ignores the UART); using light sleep (AT+QSCLK=2) instead",
			);
		const setup: string[] = [];
		if (sleep === "psm")
			setup.push(`AT+CPSMS=1,,,"${this.#config.psmTau ?? "00100001"}","${this.#config.psmActive ?? "00000000"}"`);
		setup.push(sleep === "psm" ? "AT+QSCLK=1" : sleep === "light" ? "AT+QSCLK=2" : "AT+QSCLK=0");
		this.#commands(setup);
	}

	stop(): void {
		this.#stopped = true;
		this.#waiting = false;
		this.#clearTimer();
		this.#disconnect();
	}

	// ---- one report ----

	#cycle(): void {
		if (this.#stopped) return;
		this.#commandsAtStart = this.#platform.modem.commandsSent;
		this.#seq++;
		this.#attempt = 0;
		const { modem, sample, uptimeMs } = this.#platform;
		this.#report = encodeReport({
			device: this.#config.device,
			seq: this.#seq,
			uptimeMs: uptimeMs(),
			sample: sample(),
		});
		this.summary.reports++;
		if (modem.state !== "ready") {
			this.#platform.log(`report ${this.#seq}: the modem is ${modem.state}; skipped`);
			this.#finish(false);
			return;
		}
		this.#waiting = true;
		return this.#try();
	}

	// One attempt: send over the open connection, or open one and send once it
	// is up. The ack must come within the window; if the connection fails
	// meanwhile, the attempt fails when its window ends, which also spaces the
	// reopens against a collector that refuses.
	#try(): void {
		this.#setTimer(this.#ackTimeout, this.#config.ackTimeoutMs * 2 ** this.#attempt);
		// A UDP socket is usable as soon as it exists (the UDP class queues
		// until the module's socket is open): sent from here once #open
		// returned, not from inside it (XS counts its stack in slots).
		if (!this.#connected) this.#open();
		if (this.#connected) return this.#send();
	}

	#open(): void {
		const { host, port, protocol } = this.#config;
		const modem = this.#platform.modem;
		const app = this;
		try {
			if (protocol === "udp") {
				this.#udp = new UDP({
					modem,
					onReadable() {
						if (this !== app.#udp) return; // an abandoned socket
						for (let d = this.read(); d !== undefined; d = this.read()) app.#acks(new Uint8Array(d));
					},
					onError() {
						if (this === app.#udp) app.#dropped(this.lastError);
					},
				});
				this.#connected = true;
			} else {
				this.#pending = "";
				// Direct push: the acks are a few bytes, read as soon as they come,
				// with no AT+QIRD round trip per report.
				this.#tcp = new TCP({
					modem,
					host,
					port,
					mode: PUSH_MODE,
					onWritable() {
						if (this === app.#tcp && !app.#connected) {
							app.#connected = true;
							if (app.#waiting) app.#send();
						}
					},
					onReadable() {
						if (this !== app.#tcp) return; // an abandoned socket
						const data = this.read() as ArrayBuffer | undefined;
						if (data) app.#acks(new Uint8Array(data));
					},
					onError() {
						if (this === app.#tcp) app.#dropped(this.lastError);
					},
				});
			}
		} catch (error) {
			// E.g. every connectID taken: the attempt fails when its window ends.
			this.#platform.log(`report ${this.#seq}: cannot open ${protocol} ${host}:${port}: ${(error as Error).message}`);
			this.#disconnect();
		}
	}

	#send(): void {
		const { host, port } = this.#config;
		try {
			if (this.#udp) this.#udp.write(this.#report, host, port);
			else this.#tcp?.write(this.#report);
		} catch (error) {
			this.#platform.log(`report ${this.#seq}: ${(error as Error).message}`);
		}
	}

	#noAck(): void {
		// An open that did not complete within the window is abandoned: the
		// next attempt starts afresh (the driver's own bound is 60 s).
		if (!this.#connected) this.#disconnect();
		if (this.#attempt < this.#config.retries) {
			this.#attempt++;
			this.summary.resends++;
			this.#platform.log(
				`report ${this.#seq}: no ack, ${this.#connected ? "resending" : "reconnecting and resending"} (${this.#attempt}/${this.#config.retries})`,
			);
			// In PSM the module may have gone back to deep sleep while the app
			// waited for the ack: its UART is deaf until PSM_EINT falls again.
			if (this.#sleep === "psm" && this.#platform.pulseWakePin) {
				this.#platform.pulseWakePin();
				this.#setTimer(this.#retry, this.#config.wakeMs ?? WAKE_MS);
			} else this.#try();
			return;
		}
		this.#platform.log(`report ${this.#seq}: lost after ${this.#config.retries} resends`);
		this.#finish(false);
	}

	#acks(bytes: Uint8Array): void {
		let acks: number[];
		if (this.#config.protocol === "tcp") {
			// A TCP stream may split a line: keep the unfinished end.
			for (let i = 0; i < bytes.length; i++) this.#pending += String.fromCharCode(bytes[i]);
			const end = this.#pending.lastIndexOf("\n");
			if (end < 0) return;
			const lines = this.#pending.slice(0, end + 1);
			this.#pending = this.#pending.slice(end + 1);
			const text = new Uint8Array(lines.length);
			for (let i = 0; i < lines.length; i++) text[i] = lines.charCodeAt(i);
			acks = decodeAcks(text);
		} else acks = decodeAcks(bytes);
		if (this.#waiting && acks.indexOf(this.#seq) >= 0) this.#finish(true);
	}

	// The connection failed to open or ended. Between reports the next cycle
	// reopens; during a report the attempt's timer stays set and the retry
	// reopens.
	#dropped(error: BC20Error | null): void {
		this.#platform.log(`connection to the collector ended: ${error?.message ?? "closed"}`);
		this.#disconnect();
	}

	#disconnect(): void {
		this.#connected = false;
		this.#tcp?.close();
		this.#udp?.close();
		this.#tcp = this.#udp = null;
	}

	#finish(acked: boolean): void {
		this.#waiting = false;
		this.#clearTimer();
		if (acked) this.summary.acked++;
		else this.summary.lost++;
		const used = this.#platform.modem.commandsSent - this.#commandsAtStart;
		this.summary.atCommands += used;
		this.summary.atPerReport = this.summary.atCommands / this.summary.reports;
		this.#platform.log(
			`report ${this.#seq}: ${acked ? "acknowledged" : "not acknowledged"} after ${this.#attempt} resends, ${used} AT commands`,
		);
		this.#platform.onReport?.(this.#seq, acked, used);
		if (this.#config.reports > 0 && this.summary.reports >= this.#config.reports) {
			this.stop();
			this.#onDone?.(this.summary);
			return;
		}
		this.#setTimer(this.#nextCycle, this.#config.intervalMs);
	}

	// ---- sleep and wake ----

	#wake(): void {
		// Deep sleep (PSM) ignores the UART until PSM_EINT falls, and the module
		// needs a moment after the edge. From light sleep the UART wakes the
		// module but loses the first byte: the channel sends a lone CR before a
		// command that follows an idle line, so nothing else is needed there.
		if (this.#sleep === "psm" && this.#platform.pulseWakePin) {
			this.#platform.pulseWakePin();
			this.#setTimer(this.#awake, this.#config.wakeMs ?? WAKE_MS);
			return;
		}
		return this.#cycle();
	}

	// ---- helpers ----

	// Sends `lines` one after the other, then starts the first cycle. The
	// cycle starts from the last command's callback itself, not through
	// helpers: the deeper that callback, the deeper the first report's turn.
	#commands(lines: string[]): void {
		let i = 0;
		const step = (error: BC20Error | null) => {
			// (The error's message starts with the command line.)
			if (error) this.#platform.log(error.message);
			if (i < lines.length) this.#platform.modem.command(lines[i++], step);
			else return this.#cycle();
		};
		step(null);
	}

	#setTimer(callback: () => void, ms: number): void {
		this.#clearTimer();
		this.#timer = this.#platform.clock.set(callback, ms);
	}

	#clearTimer(): void {
		if (this.#timer !== null) this.#platform.clock.clear(this.#timer);
		this.#timer = null;
	}
}
