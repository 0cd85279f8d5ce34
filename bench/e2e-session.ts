// The driver on Node against the emulated BC20, for sections 4 and 5: what
// host-sim/modem-session.ts's openSession() wires up (BC20 + emulator + pipe
// transport + Node clock), plus what a benchmark needs that openSession has
// no hook for:
//
// - Host → module pacing. The emulator paces its output at `baud` (its
//   OutputPacer), but reads whatever the host writes at once: without help a
//   1 KB AT+QISEND would reach it in no time, and send throughput would not be
//   bounded by the line at all. A PacedLine between the pipe and the emulator
//   hands the host's bytes over no earlier than a UART at `baud` (8N1: 10 bit
//   times per byte) would have delivered their last bit, and as soon after
//   as it can: a timer brings it within SPIN_MS of the deadline and it polls
//   with setImmediate from there (Node timers fire late, by over a
//   millisecond on a loaded machine).
// - pacing "bench": the emulator runs unpaced and a second PacedLine paces its
//   output instead, with the same precision. The emulator's own OutputPacer
//   waits for a Node timer (>= 1 ms) before the first byte of each response;
//   this mode shows what that costs. (The emulator's backpressure on pushed
//   data relies on its own pacer's backlog: use this mode for sends only.)
// - Taps: each chunk as the (paced) module emits it, as it reaches
//   modem.receive (the pipe delivers a turn later, with setImmediate), as the
//   driver writes it, and as the emulator reads it.
import { EventEmitter } from "node:events";
import { BC20, type BC20Options } from "../firmware/bc20/modem.js";
import { BC20Emulator, type BC20EmulatorOptions } from "../host-sim/emulator/bc20-emulator.js";
import { NodeClock } from "../host-sim/node-clock.js";
import { type EmulatedModule, PipeTransport } from "../host-sim/transport/pipe.js";

const BITS_PER_BYTE = 10;
const SPIN_MS = 3;

// One direction of a UART: bytes pushed in come out of `deliver` when their
// last bit would have arrived.
export class PacedLine {
	readonly #msPerByte: number;
	readonly #deliver: (bytes: Uint8Array) => void;
	readonly #queue: { bytes: Uint8Array; at: number }[] = [];
	#lineBusyUntil = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#immediate: ReturnType<typeof setImmediate> | undefined;
	#stopped = false;

	constructor(baud: number, deliver: (bytes: Uint8Array) => void) {
		this.#msPerByte = (1000 * BITS_PER_BYTE) / baud;
		this.#deliver = deliver;
	}

	push(bytes: Uint8Array): void {
		if (this.#stopped || bytes.length === 0) return;
		const now = performance.now();
		// An idle line starts transmitting now; a busy one after what is queued.
		const start = this.#lineBusyUntil > now ? this.#lineBusyUntil : now;
		this.#lineBusyUntil = start + bytes.length * this.#msPerByte;
		this.#queue.push({ bytes, at: this.#lineBusyUntil });
		this.#schedule();
	}

	stop(): void {
		this.#stopped = true;
		clearTimeout(this.#timer);
		clearImmediate(this.#immediate);
		this.#queue.length = 0;
	}

	#schedule(): void {
		if (this.#timer !== undefined || this.#immediate !== undefined || this.#queue.length === 0) return;
		const wait = this.#queue[0].at - performance.now();
		if (wait > SPIN_MS) this.#timer = setTimeout(this.#pump, wait - SPIN_MS);
		else this.#immediate = setImmediate(this.#pump);
	}

	readonly #pump = (): void => {
		this.#timer = undefined;
		this.#immediate = undefined;
		const now = performance.now();
		while (!this.#stopped && this.#queue.length > 0 && this.#queue[0].at <= now) {
			this.#deliver(this.#queue.shift()!.bytes);
		}
		this.#schedule();
	};
}

export type Pacing = "emulator" | "bench";

// The emulator behind one or two PacedLines, as the pipe sees it.
class PacedModule implements EmulatedModule {
	readonly input: PacedLine;
	readonly output: PacedLine | null;
	readonly #emulator: BC20Emulator;
	readonly #events: EventEmitter;

	constructor(emulator: BC20Emulator, baud: number, pacing: Pacing, onModuleRead?: (bytes: Uint8Array) => void) {
		this.#emulator = emulator;
		this.input = new PacedLine(baud, (bytes) => {
			onModuleRead?.(bytes);
			emulator.write(bytes);
		});
		if (pacing === "bench") {
			const events = (this.#events = new EventEmitter());
			const output = (this.output = new PacedLine(baud, (bytes) => events.emit("data", bytes)));
			emulator.on("data", (chunk) => output.push(chunk));
		} else {
			this.#events = emulator;
			this.output = null;
		}
	}

	write(bytes: Uint8Array): void {
		this.input.push(bytes);
	}

	on(event: "data", listener: (chunk: Uint8Array) => void): unknown {
		return this.#events.on(event, listener);
	}

	off(event: "data", listener: (chunk: Uint8Array) => void): unknown {
		return this.#events.off(event, listener);
	}

	start(): void {
		this.#emulator.start();
	}

	async close(): Promise<void> {
		this.input.stop();
		this.output?.stop();
		await this.#emulator.close();
	}
}

export interface BenchSessionOptions {
	baud: number;
	// Who paces module → host bytes (default "emulator"); host → module bytes
	// are always paced by a PacedLine.
	pacing?: Pacing;
	emulator?: BC20EmulatorOptions;
	modem?: Partial<Omit<BC20Options, "transport" | "clock" | "baud">>;
	// Each chunk the (paced) module emits, when it emits it.
	onEmit?: (chunk: Uint8Array) => void;
	// Each chunk just before modem.receive gets it.
	onDeliver?: (chunk: Uint8Array) => void;
	// Each chunk the driver writes, when it writes it.
	onHostWrite?: (bytes: Uint8Array) => void;
	// Each chunk as the emulator reads it (after the line's delay).
	onModuleRead?: (bytes: Uint8Array) => void;
}

export interface BenchSession {
	modem: BC20;
	emulator: BC20Emulator;
	// The paced host → module line.
	input: PacedLine;
	close(): Promise<void>;
}

export async function openBenchSession(options: BenchSessionOptions): Promise<BenchSession> {
	const { baud } = options;
	const pacing = options.pacing ?? "emulator";
	const emulator = new BC20Emulator({
		bootDelayMs: 10,
		attachDelayMs: 20,
		...options.emulator,
		baud: pacing === "emulator" ? baud : 0,
	});
	const module = new PacedModule(emulator, baud, pacing, options.onModuleRead);
	const transport = new PipeTransport(module);
	const { onHostWrite, onDeliver } = options;
	const modem = new BC20({
		transport: onHostWrite
			? {
					write: (bytes, start, end) => {
						onHostWrite(bytes.subarray(start, end));
						transport.write(bytes, start, end);
					},
				}
			: transport,
		clock: new NodeClock(),
		baud,
		...options.modem,
	});
	transport.onData = onDeliver
		? (chunk) => {
				onDeliver(chunk);
				modem.receive(chunk, 0, chunk.length);
			}
		: (chunk) => modem.receive(chunk, 0, chunk.length);
	if (options.onEmit) module.on("data", options.onEmit);
	await transport.open();
	const close = async () => {
		modem.close();
		await transport.close();
	};
	try {
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error("the emulated module did not become ready in 10 s")), 10_000);
			modem.start({
				onReady() {
					clearTimeout(timer);
					resolve();
				},
				onError(error) {
					clearTimeout(timer);
					reject(error);
				},
			});
		});
	} catch (error) {
		await close();
		throw error;
	}
	return { modem, emulator, input: module.input, close };
}
