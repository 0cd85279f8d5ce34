// A fixed FIFO of datagram lengths, kept beside a UDP socket's byte ring so
// that datagram boundaries survive buffering in either direction.
export class LengthQueue {
	#lengths: Uint16Array;
	#head = 0;
	#count = 0;

	constructor(capacity: number) {
		this.#lengths = new Uint16Array(capacity);
	}

	get count(): number {
		return this.#count;
	}

	get full(): boolean {
		return this.#count === this.#lengths.length;
	}

	// The oldest length, or -1 when empty.
	peek(): number {
		return this.#count === 0 ? -1 : this.#lengths[this.#head];
	}

	push(length: number): void {
		const size = this.#lengths.length;
		this.#lengths[(this.#head + this.#count) % size] = length;
		this.#count++;
	}

	shift(): number {
		if (this.#count === 0) return -1;
		const length = this.#lengths[this.#head];
		this.#head = (this.#head + 1) % this.#lengths.length;
		this.#count--;
		return length;
	}

	clear(): void {
		this.#head = 0;
		this.#count = 0;
	}
}
