// A scripted stand-in for the BC20: it expects command lines in order and
// answers each with scripted bytes. Output is never delivered from inside
// transport.write: it waits in an outbox until the test pumps it, cut into
// chunks (fixed sizes, or seeded random sizes) to exercise every split.
import type { Transport } from "../../firmware/at/seams.js";
import { bytes, prng } from "./bytes.js";

export type Reply = string | ((line: string) => string);

interface Expectation {
	match: string | RegExp;
	reply: Reply;
}

export interface FakeOptions {
	// Chunk sizes, cycled (default [1 << 30]: whole outbox at once); or a seed
	// for random sizes from 1 to `maxChunk`.
	chunks?: number[];
	seed?: number;
	maxChunk?: number;
	// Echo command lines back (the module's state after boot).
	echo?: boolean;
}

export class FakeModule implements Transport {
	// Every command line received, in order.
	readonly written: string[] = [];
	// Lines that matched no expectation.
	readonly unexpected: string[] = [];
	echo: boolean;
	#expected: Expectation[] = [];
	#standing: Expectation[] = [];
	#input = "";
	#outbox = "";
	#receive: ((chunk: Uint8Array, start: number, end: number) => void) | null = null;
	#chunks: number[];
	#random: (() => number) | null;
	#maxChunk: number;
	#chunkAt = 0;

	constructor(options: FakeOptions = {}) {
		this.echo = options.echo ?? false;
		this.#chunks = options.chunks ?? [1 << 30];
		this.#random = options.seed !== undefined ? prng(options.seed) : null;
		this.#maxChunk = options.maxChunk ?? 16;
	}

	connect(receive: (chunk: Uint8Array, start: number, end: number) => void): void {
		this.#receive = receive;
	}

	// Transport: collects bytes into lines; answers go to the outbox.
	write(data: Uint8Array, start: number, end: number): void {
		for (let i = start; i < end; i++) {
			const c = data[i];
			if (c === 13) {
				const line = this.#input;
				this.#input = "";
				// An empty line (the channel's wake-up CR) gets no answer, as on the module.
				if (line === "") {
					if (this.echo) this.#outbox += "\r";
				} else this.#answer(line);
			} else this.#input += String.fromCharCode(c);
		}
	}

	// The next command line must match; `reply` is what the module then prints.
	expect(match: string | RegExp, reply: Reply = "\r\nOK\r\n"): this {
		this.#expected.push({ match, reply });
		return this;
	}

	// Answers every matching line that the ordered expectations do not take.
	always(match: string | RegExp, reply: Reply): this {
		this.#standing.push({ match, reply });
		return this;
	}

	clearStanding(): void {
		this.#standing.length = 0;
	}

	// Unsolicited output (URCs, boot banner, pushed data).
	send(text: string): this {
		this.#outbox += text;
		return this;
	}

	// The module restarts: echo is on again, and it prints a boot banner.
	reboot(banner = "\r\n\x00\xf0\xff\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"): this {
		this.echo = true;
		return this.send(banner);
	}

	get expectationsLeft(): number {
		return this.#expected.length;
	}

	get hasOutput(): boolean {
		return this.#outbox.length > 0;
	}

	// Delivers the outbox, chunk by chunk; true when something was delivered.
	pump(): boolean {
		let delivered = false;
		while (this.#outbox.length > 0) {
			const size = Math.min(this.#nextChunk(), this.#outbox.length);
			const text = this.#outbox.slice(0, size);
			this.#outbox = this.#outbox.slice(size);
			const chunk = bytes(text);
			// Deliver from an offset into a larger buffer, as a platform read would.
			const buffer = new Uint8Array(chunk.length + 4);
			buffer.set(chunk, 2);
			this.#receive?.(buffer, 2, 2 + chunk.length);
			delivered = true;
		}
		return delivered;
	}

	#nextChunk(): number {
		if (this.#random !== null) return 1 + Math.floor(this.#random() * this.#maxChunk);
		const size = this.#chunks[this.#chunkAt % this.#chunks.length];
		this.#chunkAt++;
		return size;
	}

	#answer(line: string): void {
		this.written.push(line);
		let reply: Reply | null = null;
		const head = this.#expected[0];
		if (head !== undefined && matches(head.match, line)) {
			this.#expected.shift();
			reply = head.reply;
		} else {
			const standing = this.#standing.find((e) => matches(e.match, line));
			if (standing !== undefined) reply = standing.reply;
		}
		if (this.echo) this.#outbox += line + "\r";
		if (/^ATE0$/i.test(line)) this.echo = false;
		if (reply === null) {
			this.unexpected.push(line);
			return;
		}
		this.#outbox += typeof reply === "function" ? reply(line) : reply;
	}
}

function matches(match: string | RegExp, line: string): boolean {
	return typeof match === "string" ? match === line : match.test(line);
}
