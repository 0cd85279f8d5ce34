/**
 * Delivers the module's output to the host the way a UART would: never
 * synchronously inside the host's write() call, in chunks of at most
 * `chunkSize` bytes, and, when `baud` is set, no faster than the line rate
 * (8N1 framing: 10 bit times per byte).
 */
import { performance } from "node:perf_hooks";

export interface OutputPacerOptions {
	/** Bits per second; 0 delivers as fast as the event loop allows. */
	readonly baud: number;
	/** Largest chunk handed to `deliver`; 0 means no limit. */
	readonly chunkSize: number;
	/** When given, the largest size of each next chunk (a UART read that returns 1-3 bytes at a time). */
	readonly nextChunkSize?: () => number;
	readonly deliver: (chunk: Buffer) => void;
	/** Called each time everything queued has been delivered. */
	readonly drained: () => void;
}

const BITS_PER_BYTE = 10;
const TIMER_RESOLUTION_MS = 1.5;

export class OutputPacer {
	private readonly queue: Buffer[] = [];
	private queuedBytes = 0;
	private readonly msPerByte: number;
	/** When the transmitter finishes the last byte it has sent (performance.now() time). */
	private lineBusyUntil = 0;
	private timer: NodeJS.Timeout | undefined;
	private immediate: NodeJS.Immediate | undefined;

	constructor(private readonly options: OutputPacerOptions) {
		this.msPerByte = options.baud > 0 ? (1000 * BITS_PER_BYTE) / options.baud : 0;
	}

	/** Bytes accepted but not yet delivered. */
	get pending(): number {
		return this.queuedBytes;
	}

	push(bytes: Buffer): void {
		if (bytes.length === 0) return;
		if (this.queuedBytes === 0 && this.msPerByte > 0) {
			// An idle line starts transmitting now, not at some time in the past.
			this.lineBusyUntil = Math.max(this.lineBusyUntil, performance.now());
		}
		this.queue.push(bytes);
		this.queuedBytes += bytes.length;
		this.schedule();
	}

	/** Discards everything not yet delivered and cancels the pending delivery. */
	stop(): void {
		this.queue.length = 0;
		this.queuedBytes = 0;
		clearTimeout(this.timer);
		clearImmediate(this.immediate);
		this.timer = undefined;
		this.immediate = undefined;
	}

	private schedule(): void {
		if (this.timer !== undefined || this.immediate !== undefined || this.queuedBytes === 0) return;
		const wait = this.msPerByte > 0 ? this.lineBusyUntil + this.msPerByte - performance.now() : 0;
		// Node timers fire after 1 ms at the earliest: a shorter wait (a byte at
		// 921600 baud takes 11 us) goes through immediates, or every answer would
		// start a millisecond late.
		if (wait > TIMER_RESOLUTION_MS) this.timer = setTimeout(() => this.pump(), wait);
		else this.immediate = setImmediate(() => this.pump());
	}

	private pump(): void {
		this.timer = undefined;
		this.immediate = undefined;
		let count = this.queuedBytes;
		if (this.msPerByte > 0) {
			const sendable = Math.floor((performance.now() - this.lineBusyUntil) / this.msPerByte);
			count = Math.min(count, sendable);
		}
		if (this.options.chunkSize > 0) count = Math.min(count, this.options.chunkSize);
		if (this.options.nextChunkSize !== undefined) count = Math.min(count, this.options.nextChunkSize());
		if (count > 0) {
			this.lineBusyUntil += count * this.msPerByte;
			this.options.deliver(this.take(count));
			if (this.queuedBytes === 0) this.options.drained();
		}
		this.schedule();
	}

	private take(count: number): Buffer {
		const head = this.queue[0]!;
		let chunk: Buffer;
		if (head.length === count) {
			chunk = head;
			this.queue.shift();
		} else if (head.length > count) {
			chunk = head.subarray(0, count);
			this.queue[0] = head.subarray(count);
		} else {
			chunk = Buffer.alloc(count);
			let filled = 0;
			while (filled < count) {
				const next = this.queue[0]!;
				const n = Math.min(next.length, count - filled);
				next.copy(chunk, filled, 0, n);
				filled += n;
				if (n === next.length) this.queue.shift();
				else this.queue[0] = next.subarray(n);
			}
		}
		this.queuedBytes -= count;
		return chunk;
	}
}
