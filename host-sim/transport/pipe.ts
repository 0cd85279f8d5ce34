// An in-process link to the emulated BC20 (host-sim/emulator/). Typed against
// the few members it uses, so this folder does not depend on the emulator.
import { notOpen, TransportError, type HostTransport } from "./host-transport.js";

export interface EmulatedModule {
	/** Host → module. */
	write(bytes: Uint8Array): void;
	/** Module → host; each chunk belongs to the listener (Node stream convention). */
	on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
	off(event: "data", listener: (chunk: Uint8Array) => void): unknown;
	/** Powers the module on; it may answer at once (boot banner). */
	start(): void | Promise<void>;
	/** Told before start() that the link reports each chunk the host took, with delivered(). */
	takesDeliveryReports?(): void;
	delivered?(count: number): void;
	close(): Promise<void>;
}

type State = "closed" | "open" | "closing";

// The pipe owns the module: open() starts it, close() closes it.
export class PipeTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly description: string;
	readonly #module: EmulatedModule;
	#state: State = "closed";

	constructor(module: EmulatedModule, description = "emulated BC20") {
		this.#module = module;
		this.description = description;
	}

	async open(): Promise<void> {
		if (this.#state !== "closed") throw new TransportError(`${this.description} is already open`);
		// Listen and count as open before start(), so a banner sent during start() is kept.
		this.#module.on("data", this.#receive);
		// The module judges what the host could know by what it took, not by what left.
		this.#module.takesDeliveryReports?.();
		this.#state = "open";
		try {
			await this.#module.start();
		} catch (error) {
			this.#module.off("data", this.#receive);
			this.#state = "closed";
			const detail = error instanceof Error ? error.message : String(error);
			throw new TransportError(`cannot start the ${this.description}: ${detail}`, { cause: error });
		}
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		if (this.#state !== "open") throw notOpen(this.description);
		// A copy: the engine reuses `bytes` and the module may keep what it gets.
		this.#module.write(bytes.slice(start, end));
	}

	async close(): Promise<void> {
		if (this.#state !== "open") return;
		this.#state = "closing";
		this.#module.off("data", this.#receive);
		await this.#module.close();
		this.#state = "closed";
		this.onClose?.(null);
	}

	// The module may answer inside write() (an echo, an immediate OK); handing
	// that to onData there would re-enter the engine, so every chunk waits for
	// the event loop, as bytes from a real UART would. setImmediate keeps order.
	readonly #receive = (chunk: Uint8Array): void => {
		setImmediate(this.#deliver, chunk);
	};

	// Reported before onData: the host knows the chunk when it writes from its handling.
	readonly #deliver = (chunk: Uint8Array): void => {
		if (this.#state !== "open") return;
		this.#module.delivered?.(chunk.length);
		this.onData?.(chunk);
	};
}
