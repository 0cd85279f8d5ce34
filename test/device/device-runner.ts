// Runs firmware/main.ts, its modules on disk with the Moddable stand-ins
// (firmware-modules.ts), inside bc20-device-xs created with the manifest's
// creation sizes, against the emulated BC20 and a loopback collector, in real
// time. Node plays the ESP32's native side through xsnap's command channel
// (xs/device-host.ts answers): the UART's bytes in both directions, paced at
// the line rate, and the timers.
//
//   const run = await runFirmware({ protocol: "udp", reports: 3 });
//   run.peakStack   // slots, the deepest any delivery went
//
// A stack overflow, heap exhaustion or an exception escaping a callback ends
// the XS process or the delivery; runFirmware then rejects with XS's message
// and the firmware's console so far. So does a run that does not reach the
// wanted reports within timeoutMs.
import {
	BC20Emulator,
	type BC20EmulatorOptions,
	describeViolation,
	type EmulatorStats,
} from "../../host-sim/emulator/bc20-emulator.js";
import { Collector, type Reading } from "../../host-sim/cloud/collector.js";
import { startXS, type XS } from "../xs/xs-runner.js";
import { creationEnv, manifestCreation } from "./device-creation.js";
import { deviceXSBinary } from "./device-xs-build.js";
import { type FirmwareConfig, firmwareConfig, writeFirmwareModules } from "./firmware-modules.js";
import type { Reply } from "./xs/device-host.js";

export interface FirmwareRunOptions {
	protocol: "udp" | "tcp";
	/** Stop once the firmware logged this many acknowledged reports. */
	reports: number;
	/** Stack slots; default the manifest's creation.stack. */
	stack?: number;
	/** Give up after this long (default 20 s). */
	timeoutMs?: number;
	emulator?: BC20EmulatorOptions;
	/** Arms faults on the emulated module before the run starts (e.g. on its
	 * "command" event: withhold the answer to a command that comes later). */
	arm?: (emulator: BC20Emulator) => void;
	/** Firmware config over the test's own (which sets the collector). */
	config?: FirmwareConfig;
}

export interface FirmwareRun {
	/** Everything the firmware traced. */
	console: string;
	/** Reports the firmware logged as acknowledged. */
	acknowledged: number;
	/** What the collector received (and acknowledged). */
	readings: Reading[];
	/** The deepest stack any delivery reached, in slots, counted from the top
	 * as XS counts towards an overflow: what the run needed here. */
	peakStack: number;
	/** Slots in use inside a firmware callback as this harness calls it
	 * (xsnap's host call, handleCommand, the stand-ins' dispatch). */
	callbackStack: number;
	/** Slots in use inside a callback called from C at rest, as Moddable's
	 * native loop calls onReadable and timers on the device. */
	nativeCallbackStack: number;
	/** peakStack restated for the device: peakStack - callbackStack +
	 * nativeCallbackStack. */
	deviceStack: number;
	stackSize: number;
	/** Bytes the RX FIFO dropped because a turn did not drain it. */
	lostBytes: number;
	/** What the firmware did that the manual forbids, as the emulated module
	 * saw it (describeViolation): two commands on the wire, a send before
	 * SEND OK, ... */
	violations: string[];
	/** The emulated module's counters (reboots, URCs interleaved, ...). */
	module: EmulatorStats;
}

const BAUD = 115200;
const FIFO = 128;
// The most XS operations one delivery (a UART or timer turn, the boot) may
// take before xsnap ends the worker: about 3 s of an ESP32 at an assumed 3 M
// operations a second, where its task watchdog would reset the device. A
// firmware caught in a loop then fails the run instead of hanging it.
const TURN_OPS_LIMIT = 10_000_000;
const decoder = new TextDecoder();

export async function runFirmware(options: FirmwareRunOptions): Promise<FirmwareRun> {
	const creation = manifestCreation(options.stack === undefined ? {} : { stack: options.stack });
	const binary = await deviceXSBinary();
	const collector = await new Collector().start();
	const config = firmwareConfig({
		collector_host: "127.0.0.1",
		collector_port: options.protocol === "udp" ? collector.udpPort : collector.tcpPort,
		collector_protocol: options.protocol,
		modem_baud: BAUD,
		interval_ms: 200,
		ack_timeout_ms: 2000,
		...options.config,
	});
	const emulator = new BC20Emulator({ baud: BAUD, ...options.emulator });
	options.arm?.(emulator);
	const modules = await writeFirmwareModules(config);
	let xs: XS | undefined;
	const line = new LineSide(emulator);
	try {
		xs = await startXS({ meteringLimit: TURN_OPS_LIMIT, worker: { binary, env: creationEnv(creation) } });
		const result = await line.run(xs, modules.entry, options);
		return {
			...result,
			readings: collector.readings.slice(),
			stackSize: creation.stack,
			violations: emulator.violations.map(describeViolation),
			module: emulator.stats,
		};
	} finally {
		line.stop();
		await xs?.close();
		await emulator.close();
		await collector.close();
		modules.remove();
	}
}

// The ESP32's side of the wire and the main loop, for one run.
class LineSide {
	readonly #emulator: BC20Emulator;
	readonly #queue: Uint8Array[] = [];
	#xs: XS | undefined;
	#busy = false;
	#stopped = false;
	#shift: ReturnType<typeof setTimeout> | undefined;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#console = "";
	#acknowledged = 0;
	#peak = 0;
	#callback = 0;
	#native = 0;
	#lost = 0;
	#settle: ((error: Error | null) => void) | undefined;
	#wanted = 0;

	constructor(emulator: BC20Emulator) {
		this.#emulator = emulator;
		emulator.on("data", (chunk: Uint8Array) => {
			// The FIFO takes 128 bytes; the driver's ISR posts onReadable long
			// before it fills, so each piece is one delivery.
			for (let at = 0; at < chunk.length; at += FIFO) this.#send(0x52, chunk.subarray(at, at + FIFO));
		});
	}

	run(
		xs: XS,
		entry: string,
		options: FirmwareRunOptions,
	): Promise<Omit<FirmwareRun, "readings" | "stackSize" | "violations" | "module">> {
		this.#xs = xs;
		this.#wanted = options.reports;
		return new Promise((resolve, reject) => {
			const timeout = setTimeout(
				() =>
					this.#settle?.(
						new Error(`${options.reports} reports were not acknowledged within ${options.timeoutMs ?? 20000} ms`),
					),
				options.timeoutMs ?? 20000,
			);
			this.#settle = (error) => {
				this.#settle = undefined;
				clearTimeout(timeout);
				this.stop();
				if (error === null)
					resolve({
						console: this.#console,
						acknowledged: this.#acknowledged,
						peakStack: this.#peak,
						callbackStack: this.#callback,
						nativeCallbackStack: this.#native,
						deviceStack: this.#peak - this.#callback + this.#native,
						lostBytes: this.#lost,
					});
				else
					reject(
						new Error(
							`${error.message}\nfirmware console:\n${this.#console.trimEnd().split("\n").slice(-25).join("\n")}`,
						),
					);
			};
			this.#emulator.start();
			// main.ts runs when imported (xsnap runs the import's jobs before the
			// delivery ends); the first delivery runs what it posted.
			xs.evaluate(`import(${JSON.stringify(entry)}).catch((error) => { globalThis.deviceBootError = String(error); });`)
				.then(() => xs.call<string | null>("globalThis.deviceBootError ?? null"))
				.then(
					({ value }) =>
						value === null ? this.#send(0x54) : this.#settle?.(new Error(`firmware/main.ts failed to load: ${value}`)),
					(error: Error) => this.#settle?.(error),
				);
		});
	}

	stop(): void {
		this.#stopped = true;
		clearTimeout(this.#shift);
		clearTimeout(this.#timer);
	}

	#send(kind: number, payload: Uint8Array = new Uint8Array(0)): void {
		if (this.#stopped) return;
		const message = new Uint8Array(1 + payload.length);
		message[0] = kind;
		message.set(payload, 1);
		this.#queue.push(message);
		void this.#pump();
	}

	async #pump(): Promise<void> {
		if (this.#busy || this.#xs === undefined) return;
		this.#busy = true;
		try {
			while (this.#queue.length > 0 && !this.#stopped) {
				const { reply } = await this.#xs.command(this.#queue.shift()!);
				this.#take(JSON.parse(decoder.decode(reply)) as Reply);
			}
		} catch (error) {
			this.#settle?.(error as Error);
		} finally {
			this.#busy = false;
		}
	}

	#take(reply: Reply): void {
		if (reply.peak > this.#peak) this.#peak = reply.peak;
		this.#callback = reply.callback;
		this.#native = reply.native;
		this.#lost = reply.lost;
		this.#console += reply.log;
		this.#acknowledged += reply.log.match(/: acknowledged after /g)?.length ?? 0;
		// Bytes that left the TX FIFO are on the line: the module reads them.
		if (reply.tx.length > 0) this.#emulator.write(Uint8Array.from(reply.tx));
		// What waits in the TX FIFO leaves at the line rate.
		if (reply.txCount > 0 && this.#shift === undefined) {
			const count = reply.txCount;
			this.#shift = setTimeout(
				() => {
					this.#shift = undefined;
					this.#send(0x53, Uint8Array.of(count & 0xff, count >> 8));
				},
				Math.ceil((count * 10 * 1000) / BAUD),
			);
		}
		clearTimeout(this.#timer);
		if (reply.next >= 0) this.#timer = setTimeout(() => this.#send(0x54), reply.next);
		if (this.#acknowledged >= this.#wanted) this.#settle?.(null);
	}
}
