// The driver on Node against the emulated BC20, for sections 4 and 5: what
// host-sim/modem-session.ts's openSession() wires up (BC20 + emulator + pipe
// transport + Node clock), plus two things a benchmark needs that openSession
// has no hook for:
//
// - Host → module pacing. The emulator paces its output at `baud` (its
//   OutputPacer), but reads whatever the host writes at once: without help a
//   2 KB AT+QISEND would reach it in no time, and send throughput would not be
//   bounded by the line at all. PacedInput sits between the pipe and the
//   emulator and hands the host's bytes over no earlier than a UART at `baud`
//   (8N1: 10 bit times per byte) would have delivered their last bit. Its
//   timing is precise to a few microseconds: a timer brings it within a
//   millisecond of the deadline and it polls with setImmediate from there.
// - Taps: every chunk the emulator emits (its 'data' event, the moment the
//   module "wrote" the bytes) and every chunk as it reaches modem.receive (the
//   pipe delivers a turn later, with setImmediate).
import { BC20, type BC20Options } from "../firmware/bc20/modem.js";
import { BC20Emulator, type BC20EmulatorOptions } from "../host-sim/emulator/bc20-emulator.js";
import { NodeClock } from "../host-sim/node-clock.js";
import { type EmulatedModule, PipeTransport } from "../host-sim/transport/pipe.js";

const BITS_PER_BYTE = 10;
// Closer to its deadline than this, PacedInput polls instead of setting a timer
// (Node timers fire up to ~1 ms late).
const SPIN_MS = 1.5;

export class PacedInput implements EmulatedModule {
	readonly #module: BC20Emulator;
	readonly #msPerByte: number;
	readonly #queue: { bytes: Uint8Array; at: number }[] = [];
	#lineBusyUntil = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#immediate: ReturnType<typeof setImmediate> | undefined;
	#closed = false;
	// Milliseconds each delivery came after its due time (how precise the pacing was).
	lateMs = 0;
	deliveries = 0;

	constructor(module: BC20Emulator, baud: number) {
		this.#module = module;
		this.#msPerByte = (1000 * BITS_PER_BYTE) / baud;
	}

	write(bytes: Uint8Array): void {
		if (this.#closed || bytes.length === 0) return;
		const now = performance.now();
		// An idle line starts transmitting now; a busy one after what is queued.
		const start = this.#lineBusyUntil > now ? this.#lineBusyUntil : now;
		this.#lineBusyUntil = start + bytes.length * this.#msPerByte;
		this.#queue.push({ bytes, at: this.#lineBusyUntil });
		this.#schedule();
	}

	on(event: "data", listener: (chunk: Uint8Array) => void): unknown {
		return this.#module.on(event, listener);
	}

	off(event: "data", listener: (chunk: Uint8Array) => void): unknown {
		return this.#module.off(event, listener);
	}

	start(): void {
		this.#module.start();
	}

	async close(): Promise<void> {
		this.#closed = true;
		clearTimeout(this.#timer);
		clearImmediate(this.#immediate);
		this.#queue.length = 0;
		await this.#module.close();
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
		while (this.#queue.length > 0 && this.#queue[0].at <= now) {
			const { bytes, at } = this.#queue.shift()!;
			this.lateMs += now - at;
			this.deliveries++;
			this.#module.write(bytes);
		}
		this.#schedule();
	};
}

export interface BenchSessionOptions {
	baud: number;
	// Pace host → module bytes too (default true); see PacedInput.
	pacedInput?: boolean;
	emulator?: BC20EmulatorOptions;
	modem?: Partial<Omit<BC20Options, "transport" | "clock" | "baud">>;
	// Each chunk the emulator emits, when it emits it.
	onEmit?: (chunk: Uint8Array) => void;
	// Each chunk just before modem.receive gets it.
	onDeliver?: (chunk: Uint8Array) => void;
}

export interface BenchSession {
	modem: BC20;
	emulator: BC20Emulator;
	input: PacedInput | null;
	close(): Promise<void>;
}

export async function openBenchSession(options: BenchSessionOptions): Promise<BenchSession> {
	const { baud } = options;
	const emulator = new BC20Emulator({ bootDelayMs: 10, attachDelayMs: 20, ...options.emulator, baud });
	const input = options.pacedInput === false ? null : new PacedInput(emulator, baud);
	const transport = new PipeTransport(input ?? emulator);
	const modem = new BC20({ transport, clock: new NodeClock(), baud, ...options.modem });
	const onDeliver = options.onDeliver;
	transport.onData = onDeliver
		? (chunk) => {
			onDeliver(chunk);
			modem.receive(chunk, 0, chunk.length);
		}
		: (chunk) => modem.receive(chunk, 0, chunk.length);
	// After the pipe's own listener: the emulator's 'data' event is the moment
	// the bytes left the emulated module.
	if (options.onEmit) emulator.on("data", options.onEmit);
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
	}
	catch (error) {
		await close();
		throw error;
	}
	return { modem, emulator, input, close };
}
