// What the Node side needs from a link to the module, on top of the engine's
// Transport (firmware/at/seams.ts): a way to hand the engine the module's bytes
// and a lifecycle. Serial port, TCP bridge, in-process pipe and mock binding all
// implement it, so the CLI and the tests treat them alike.
import type { Transport } from "../../firmware/at/seams.js";

export interface HostTransport extends Transport {
	/**
	 * write() copies the bytes it needs, so the engine may reuse its buffer at
	 * once. It throws a TransportError when the link is not open: bytes are
	 * never dropped silently.
	 */
	write(bytes: Uint8Array, start: number, end: number): void;

	/**
	 * Bytes from the module, in order. Never called synchronously inside
	 * write(), so the engine is not re-entered. Copy what you keep: a transport
	 * may reuse the chunk. Bytes that arrive while this is null are dropped, so
	 * set it before open().
	 */
	onData: ((chunk: Uint8Array) => void) | null;

	/**
	 * Called once when an open link ends: with null after close(), otherwise
	 * with a TransportError saying why (cable pulled, bridge hung up).
	 */
	onClose: ((error: TransportError | null) => void) | null;

	/** Resolves when bytes can flow; rejects with a TransportError whose message is meant for the user. */
	open(): Promise<void>;

	/** Lets bytes already written reach the module, then ends the link. Resolves at once if not open. */
	close(): Promise<void>;

	/** Names the link in messages: "/dev/ttyUSB0 at 9600 baud", "tcp://127.0.0.1:2000". */
	readonly description: string;
}

// One class for every transport failure, with a message fit to print as is
// (the CLI shows `message`, not a stack); the underlying error is the `cause`.
export class TransportError extends Error {
	override readonly name = "TransportError";
}

export function notOpen(description: string): TransportError {
	return new TransportError(`${description} is not open`);
}
