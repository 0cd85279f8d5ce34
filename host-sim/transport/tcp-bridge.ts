// A client for a raw TCP serial bridge (ser2net "raw" mode, an ESP-Link, a
// socat listener): the TCP byte stream is the UART, both ways, unchanged.
import { Socket } from "node:net";
import { notOpen, TransportError, type HostTransport } from "./host-transport.js";

export interface TcpBridgeOptions {
	readonly host: string;
	readonly port: number;
	/** How long open() waits for the bridge to accept; default 10 s. */
	readonly connectTimeoutMs?: number;
}

type State = "closed" | "opening" | "open" | "closing";

export class TcpBridgeTransport implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly description: string;
	readonly #host: string;
	readonly #port: number;
	readonly #connectTimeoutMs: number;
	#socket: Socket | null = null;
	#state: State = "closed";

	constructor(options: TcpBridgeOptions) {
		this.#host = options.host;
		this.#port = options.port;
		this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
		this.description = `tcp://${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
	}

	async open(): Promise<void> {
		if (this.#state !== "closed") throw new TransportError(`${this.description} is already open`);
		this.#state = "opening";
		const socket = new Socket();
		try {
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => {
					socket.destroy();
					reject(
						new TransportError(`cannot connect to ${this.description}: no answer after ${this.#connectTimeoutMs} ms`),
					);
				}, this.#connectTimeoutMs);
				socket.once("error", (error) => {
					clearTimeout(timer);
					reject(new TransportError(`cannot connect to ${this.description}: ${reason(error)}`, { cause: error }));
				});
				socket.once("connect", () => {
					clearTimeout(timer);
					resolve();
				});
				socket.connect({ host: this.#host, port: this.#port });
			});
		} catch (error) {
			this.#state = "closed";
			throw error;
		}
		socket.removeAllListeners("error");
		// AT commands are short writes that wait for an answer: Nagle would hold
		// each one back for the previous segment's ACK.
		socket.setNoDelay(true);
		let failure: Error | null = null;
		socket.on("error", (error) => (failure = error)); // 'close' follows and reports it
		socket.on("data", (chunk: Buffer) => {
			if (this.#state === "open") this.onData?.(chunk);
		});
		socket.on("close", () => {
			this.#socket = null;
			if (this.#state !== "open") return; // close() reports its own ending
			this.#state = "closed";
			const why = failure ? reason(failure) : "the bridge closed the connection";
			this.onClose?.(new TransportError(`${this.description}: ${why}`, failure ? { cause: failure } : undefined));
		});
		this.#socket = socket;
		this.#state = "open";
	}

	write(bytes: Uint8Array, start: number, end: number): void {
		if (this.#state !== "open" || !this.#socket) throw notOpen(this.description);
		this.#socket.write(Buffer.copyBytesFrom(bytes, start, end - start));
	}

	async close(): Promise<void> {
		const socket = this.#socket;
		if (this.#state !== "open" || !socket) return;
		this.#state = "closing";
		// Sends what is still buffered, then closes without waiting for the
		// bridge to close its side; a bridge that stopped reading gets 2 s.
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => socket.destroy(), 2000);
			socket.once("close", () => {
				clearTimeout(timer);
				resolve();
			});
			socket.destroySoon();
		});
		this.#state = "closed";
		this.onClose?.(null);
	}
}

function reason(error: Error): string {
	switch ((error as NodeJS.ErrnoException).code) {
		case "ECONNREFUSED":
			return "connection refused (is the bridge running on that port?)";
		case "ECONNRESET":
			return "connection reset by the bridge";
		case "ETIMEDOUT":
			return "timed out";
		case "ENOTFOUND":
		case "EAI_AGAIN":
			return "unknown host";
		case "EHOSTUNREACH":
			return "host unreachable";
		case "ENETUNREACH":
			return "network unreachable";
		case "EPIPE":
			return "broken (the bridge went away)";
		default:
			return error.message;
	}
}
