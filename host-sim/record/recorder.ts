// Writes a recording (format.ts) as the session goes: one JSON line per
// event, written at once, so a session that ends abruptly still leaves
// every event before the end. Allocates freely: recording is a debugging
// aid, off unless asked for.
import { closeSync, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { DONE_CME_ERROR, statusName } from "../../firmware/at/result.js";
import type { ModemObserver } from "../../firmware/bc20/modem.js";
import { DriverPower } from "./driver-power.js";
import { bytesToData, FORMAT, type PowerState, type RecordedEvent, SOCKET_STATES, VERSION } from "./format.js";

export interface RecorderOptions {
	port: string;
	command: string;
	now?: () => number; // ms, default performance.now
}

type Event = RecordedEvent extends infer E ? (E extends { t: number } ? Omit<E, "t"> : never) : never;

export class Recorder {
	readonly path: string;
	#fd: number;
	#now: () => number;
	#start: number;
	#nextId = 1;
	#pending = 0; // id of the command on the wire, 0 when none
	#driverPower: DriverPower | null;
	#closed = false;

	constructor(path: string, options: RecorderOptions) {
		this.path = path;
		this.#fd = openSync(path, "w");
		this.#now = options.now ?? (() => performance.now());
		this.#start = this.#now();
		this.#line({
			format: FORMAT,
			version: VERSION,
			started: new Date().toISOString(),
			port: options.port,
			command: options.command,
		});
		this.#driverPower = new DriverPower((state) => this.power(state, "driver"));
	}

	// The observer to hand the modem (BC20Options.observer).
	readonly observer: ModemObserver = {
		command: (bytes, start, end) => {
			// The wake CR and the line's own CR are framing, not the command.
			const text = bytesToData(bytes, start, end).replace(/^\r+|\r+$/g, "");
			this.#pending = this.#nextId++;
			this.#driverPower?.command();
			this.#event({ k: "cmd", id: this.#pending, text });
		},
		done: (status, code, elapsedMs) => {
			// A command that was never written (too long to render) has no "cmd".
			if (this.#pending === 0) return;
			const id = this.#pending;
			this.#pending = 0;
			const name = status === DONE_CME_ERROR ? `+CME ERROR: ${code}` : statusName(status);
			this.#event({ k: "done", id, status: name, ms: round(elapsedMs) });
		},
		urc: (line) => {
			this.#event({ k: "urc", line });
			this.#driverPower?.urc(line);
		},
		socket: (id, state, udp) => {
			this.#event({ k: "socket", id, state: SOCKET_STATES[state], type: udp ? "UDP" : "TCP" });
		},
	};

	tx(bytes: Uint8Array, start = 0, end = bytes.length): void {
		if (end > start) this.#event({ k: "tx", data: bytesToData(bytes, start, end) });
	}

	rx(bytes: Uint8Array, start = 0, end = bytes.length): void {
		if (end > start) this.#event({ k: "rx", data: bytesToData(bytes, start, end) });
	}

	// From here on the power lane comes from the module itself (an emulated
	// one), not from what the driver infers.
	followModule(module: { on(event: "power", listener: (state: "awake" | "light" | "deep") => void): unknown }): void {
		this.#driverPower = null;
		module.on("power", (state) =>
			this.power(state === "deep" ? "psm" : state === "light" ? "light-sleep" : "awake", "module"),
		);
	}

	power(state: PowerState, by: "module" | "driver"): void {
		this.#event({ k: "power", state, by });
	}

	// The host pulsed PSM_EINT.
	wakePulse(): void {
		this.note("wake pulse on PSM_EINT");
		this.#driverPower?.wakePulse();
	}

	report(n: number, ok: boolean, commands: number): void {
		this.#event({ k: "report", n, ok, commands });
	}

	note(text: string): void {
		this.#event({ k: "note", text });
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		closeSync(this.#fd);
	}

	#event(event: Event): void {
		if (this.#closed) return;
		this.#line({ t: round(this.#now() - this.#start), ...event });
	}

	#line(value: object): void {
		writeSync(this.#fd, JSON.stringify(value) + "\n");
	}
}

function round(ms: number): number {
	return Math.round(ms * 1000) / 1000;
}
