// A fixed-capacity byte FIFO over one preallocated Uint8Array.
//
// The capacity is a power of two so positions wrap with a mask instead of a
// division; callers address bytes by their offset from the oldest byte and never
// see the wrap-around. Nothing here allocates after construction: input is
// copied in from a caller's buffer (which may be a scratch buffer a platform
// read into), and output is copied out into a caller's buffer.
//
// Copies are at most two contiguous runs (before and after the wrap). A ring
// may live in a shared arena (one ArrayBuffer with the UART scratch and other
// rings, see Arena): a copy between two places of one arena is one native
// copyWithin, with no view made per call, and so is pushing a whole array;
// other copies are plain loops.
export class ByteRing {
	readonly capacity: number;
	readonly bytes: Uint8Array;
	#mask: number;
	#head = 0;
	#count = 0;
	// The whole arena this ring lives in (null: its own array), and where the ring starts in it.
	#arena: Uint8Array | null;
	#base: number;

	// `arena`: a view of a whole shared ArrayBuffer; the ring takes
	// [offset, offset + capacity) of it.
	constructor(capacity: number, arena: Uint8Array | null = null, offset = 0) {
		if (!(capacity >= 2) || (capacity & (capacity - 1)) !== 0)
			throw new RangeError("ByteRing capacity must be a power of two >= 2");
		this.capacity = capacity;
		this.#mask = capacity - 1;
		if (arena === null) {
			this.bytes = new Uint8Array(capacity);
			this.#arena = null;
			this.#base = 0;
		} else {
			if (
				arena.byteOffset !== 0 ||
				arena.length !== arena.buffer.byteLength ||
				offset < 0 ||
				offset + capacity > arena.length
			)
				throw new RangeError("ByteRing arena must be a view of a whole buffer that holds the ring");
			this.bytes = arena.subarray(offset, offset + capacity);
			this.#arena = arena;
			this.#base = offset;
		}
	}

	get count(): number {
		return this.#count;
	}

	get free(): number {
		return this.capacity - this.#count;
	}

	// Where the oldest byte sits in `bytes`.
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
		if (n <= 0) return 0;
		const at = (this.#head + this.#count) & this.#mask;
		const first = n < this.capacity - at ? n : this.capacity - at;
		const arena = this.#arena;
		if (arena !== null && src.buffer === arena.buffer) {
			const from = src.byteOffset + start,
				to = this.#base;
			arena.copyWithin(to + at, from, from + first);
			if (n > first) arena.copyWithin(to, from + first, from + n);
		}
		// A whole array that fits before the wrap (an application's write of a
		// buffer) is one native set, with no view made.
		else if (start === 0 && n === src.length && first === n) this.bytes.set(src, at);
		else {
			const bytes = this.bytes;
			for (let i = 0; i < first; i++) bytes[at + i] = src[start + i];
			for (let i = first; i < n; i++) bytes[i - first] = src[start + i];
		}
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
		const bytes = this.bytes,
			mask = this.#mask,
			head = this.#head;
		for (let i = from < 0 ? 0 : from; i < to; i++) if (bytes[(head + i) & mask] === value) return i;
		return -1;
	}

	// Copies `length` bytes starting at `offset` into dst at dstStart; returns the count copied.
	copyOut(offset: number, dst: Uint8Array, dstStart: number, length: number): number {
		if (offset < 0) offset = 0;
		let n = this.#count - offset;
		if (n > length) n = length;
		if (n > dst.length - dstStart) n = dst.length - dstStart;
		if (n <= 0) return 0;
		const at = (this.#head + offset) & this.#mask;
		const first = n < this.capacity - at ? n : this.capacity - at;
		const arena = this.#arena;
		if (arena !== null && dst.buffer === arena.buffer) {
			const to = dst.byteOffset + dstStart,
				from = this.#base;
			arena.copyWithin(to, from + at, from + at + first);
			if (n > first) arena.copyWithin(to + first, from, from + n - first);
		} else {
			const bytes = this.bytes;
			for (let i = 0; i < first; i++) dst[dstStart + i] = bytes[at + i];
			for (let i = first; i < n; i++) dst[dstStart + i] = bytes[i - first];
		}
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
