// `--record FILE`: wraps a link so every byte it carries goes into the
// recording, "tx" host → module, "rx" module → host, as trace.ts does for
// --trace: the host's transport, or (bc20 sim) the served module's UART.
import type { UartModule } from "../sim-server.js";
import type { HostTransport, TransportError } from "../transport/host-transport.js";
import type { Recorder } from "./recorder.js";

export function recorded(transport: HostTransport, recorder: Recorder): HostTransport {
	return new RecordedTransport(transport, recorder);
}

class RecordedTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly #inner: HostTransport;
	readonly #recorder: Recorder;

	constructor(inner: HostTransport, recorder: Recorder) {
		this.#inner = inner;
		this.#recorder = recorder;
		inner.onData = (chunk) => {
			recorder.rx(chunk);
			this.onData?.(chunk);
		};
		inner.onClose = (error) => {
			recorder.note(error ? `link closed: ${error.message}` : "link closed");
			this.onClose?.(error);
		};
	}

	get description(): string {
		return this.#inner.description;
	}

	async open(): Promise<void> {
		await this.#inner.open();
		this.#recorder.note(`open ${this.#inner.description}`);
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		this.#recorder.tx(bytes, start, end);
		this.#inner.write(bytes, start, end);
	}

	close(): Promise<void> {
		return this.#inner.close();
	}
}

// `bc20 sim --record FILE`: the bytes the served module receives ("tx") and
// sends ("rx"), and its own power state.
export function recordedUart(
	module: UartModule & Parameters<Recorder["followModule"]>[0],
	recorder: Recorder,
): UartModule {
	recorder.followModule(module);
	module.on("data", (chunk) => recorder.rx(chunk));
	return {
		write: (bytes) => {
			recorder.tx(bytes);
			module.write(bytes);
		},
		on: (event, listener) => module.on(event, listener),
		off: (event, listener) => module.off(event, listener),
	};
}
