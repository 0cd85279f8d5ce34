// A fixed-capacity byte FIFO over one preallocated Uint8Array.
//
// The capacity is a power of two so positions wrap with a mask instead of a
// division; callers address bytes by their offset from the oldest byte and never
// see the wrap-around. Nothing here allocates after construction: input is
// copied in from a caller's buffer (which may be a scratch buffer a platform
// read into), and output is copied out into a caller's buffer.
export class ByteRing {
	readonly capacity: number;
	readonly bytes: Uint8Array;
	#mask: number;
	#head = 0;
	#count = 0;

	constructor(capacity: number) {
		if (!(capacity >= 2) || (capacity & (capacity - 1)) !== 0)
			throw new RangeError("ByteRing capacity must be a power of two >= 2");
		this.capacity = capacity;
		this.bytes = new Uint8Array(capacity);
		this.#mask = capacity - 1;
	}

	get count(): number {
		return this.#count;
	}

	get free(): number {
		return this.capacity - this.#count;
	}

	// Where the oldest byte sits in `bytes`: only tests that sweep every
	// wrap-around offset need it.
	get headIndex(): number {
		return this.#head;
	}

	// Appends one byte; false when full (the byte is not stored).
	pushByte(value: number): boolean {
		if (this.#count === this.capacity) return false;
		this.bytes[(this.#head + this.#count) & this.#mask] = value;
		this.#count++;
		return true;
	}

	// Copies src[start, end) in, as much as fits; returns how many bytes were taken.
	push(src: Uint8Array, start: number, end: number): number {
		let n = end - start;
		const room = this.capacity - this.#count;
		if (n > room) n = room;
		const bytes = this.bytes, mask = this.#mask;
		let at = this.#head + this.#count;
		for (let i = 0; i < n; i++) bytes[(at + i) & mask] = src[start + i];
		this.#count += n;
		return n;
	}

	// The byte at `offset` from the oldest one, or -1 past the end.
	peek(offset: number): number {
		if (offset < 0 || offset >= this.#count) return -1;
		return this.bytes[(this.#head + offset) & this.#mask];
	}

	// Offset of the first `value` in [from, to), or -1.
	indexOf(value: number, from: number, to: number = this.#count): number {
		if (to > this.#count) to = this.#count;
		const bytes = this.bytes, mask = this.#mask, head = this.#head;
		for (let i = from < 0 ? 0 : from; i < to; i++)
			if (bytes[(head + i) & mask] === value) return i;
		return -1;
	}

	// Copies `length` bytes starting at `offset` into dst at dstStart; returns the count copied.
	copyOut(offset: number, dst: Uint8Array, dstStart: number, length: number): number {
		if (offset < 0) offset = 0;
		let n = this.#count - offset;
		if (n > length) n = length;
		if (n > dst.length - dstStart) n = dst.length - dstStart;
		if (n <= 0) return 0;
		const bytes = this.bytes, mask = this.#mask, at = this.#head + offset;
		for (let i = 0; i < n; i++) dst[dstStart + i] = bytes[(at + i) & mask];
		return n;
	}

	// Drops the `n` oldest bytes.
	discard(n: number): void {
		if (n >= this.#count) {
			// Keep the head where it is, so wrap-around keeps being exercised.
			this.#head = (this.#head + this.#count) & this.#mask;
			this.#count = 0;
			return;
		}
		if (n <= 0) return;
		this.#head = (this.#head + n) & this.#mask;
		this.#count -= n;
	}

	// Drops the `n` newest bytes (takes back a push).
	dropNewest(n: number): void {
		this.#count = n >= this.#count ? 0 : this.#count - (n > 0 ? n : 0);
	}

	// Repositions an empty ring; tests use it to start at a chosen wrap offset.
	rewind(headIndex: number): void {
		this.#count = 0;
		this.#head = headIndex & this.#mask;
	}
}
