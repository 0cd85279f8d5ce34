// Stand-ins for the Moddable modules firmware/platform/ imports, behaving like
// their ESP32 implementations in the Moddable SDK:
//   embedded:io/serial  modules/io/serial/esp32/serial.c
//   timer               modules/base/timer/modTimer.c + mc/timer.c
//   time                Time.ticks
// test/platform/platform-bundle.ts bundles firmware/platform/*.ts with these
// in place of the real modules. No Node APIs and no allocation in the serial
// paths after construction, so the same code runs inside XS for heap counts.

export const FIFO_SIZE = 128; // the ESP32 UART's hardware FIFOs; no software buffer
// serial.c enables the TX-FIFO-empty interrupt with this threshold: onWritable
// is posted once fewer than this many bytes wait in the TX FIFO.
export const TX_THRESHOLD = 10;

export interface FakeSerialOptions {
	port?: number;
	receive?: number;
	transmit?: number;
	baud: number;
	format?: string;
	onReadable?: (this: FakeSerial, count: number) => void;
	onWritable?: (this: FakeSerial, count: number) => void;
}

export class FakeSerial {
	// The instance the code under test constructed last (a test reads it).
	static last: FakeSerial | null = null;

	readonly options: FakeSerialOptions;
	readonly port: number | undefined;
	readonly receive: number | undefined;
	readonly transmit: number | undefined;
	readonly baud: number;
	readonly format: string;
	closed = false;

	// RX FIFO (bytes from the module) and TX FIFO (bytes to the module), as rings.
	readonly rx = new Uint8Array(FIFO_SIZE);
	rxHead = 0;
	rxCount = 0;
	readonly tx = new Uint8Array(FIFO_SIZE);
	txHead = 0;
	txCount = 0;
	// What left on the TX line, in order.
	readonly wire: Uint8Array;
	wireCount = 0;

	// Bytes that reached a full RX FIFO: lost, as on the device.
	lost = 0;
	// read() / read(n): the allocating forms. The adapter must never use them.
	allocatingReads = 0;
	// write() calls refused with "output full".
	outputFull = 0;
	reads = 0;
	writes = 0;
	// The objects read(buffer) / write(view) received: a change means a buffer
	// or view was made for that call instead of reused.
	firstReadTarget: unknown = null;
	readTargetChanges = 0;
	readonly writeViews: unknown[] = [];
	distinctWriteViews = 0;
	firstWriteBuffer: unknown = null;
	writeBufferChanges = 0;
	// Called at the start of every read(buffer): bytes arriving while the
	// JavaScript turn runs (the wire keeps going).
	duringRead: ((serial: FakeSerial) => void) | null = null;

	// The ISR's "message posted" flags (serial.c isReadable / isWritable), and
	// whether the TX-FIFO-empty interrupt is enabled.
	#readablePosted = false;
	#writablePosted = false;
	#txInterrupt = false;

	constructor(options: FakeSerialOptions, wireCapacity = 65536) {
		if (options.baud === undefined || !(options.baud > 0)) throw new RangeError("invalid baud");
		if (options.receive === undefined && options.transmit === undefined) throw new Error("invalid");
		this.options = options;
		this.port = options.port;
		this.receive = options.receive;
		this.transmit = options.transmit;
		this.baud = options.baud;
		this.format = options.format ?? "number";
		this.wire = new Uint8Array(wireCapacity);
		for (let i = 0; i < 8; i++) this.writeViews.push(null);
		// serial.c enables the TX interrupt at construction when onWritable is
		// given; the TX FIFO is empty, so the ISR fires at once and posts the
		// first onWritable(128), delivered in a later turn (not from here).
		if (options.onWritable && options.transmit !== undefined) this.#txInterrupt = true;
		this.#checkTxInterrupt();
		FakeSerial.last = this;
	}

	// ---- the embedded:io/serial API ----

	read(target?: unknown): number | ArrayBuffer | undefined {
		if (this.closed) throw new Error("closed");
		if (this.duringRead !== null && typeof target === "object") this.duringRead(this);
		this.reads++;
		const available = this.rxCount;
		if (available === 0) return undefined;
		if (this.format === "number") {
			const value = this.rx[this.rxHead];
			this.#takeRx(1);
			return value;
		}
		if (target === undefined || typeof target === "number") {
			// The allocating forms: read() and read(n) (n not clamped on ESP32).
			this.allocatingReads++;
			const n = target === undefined ? available : target;
			if (!(n > 0)) throw new Error("invalid");
			const result = new Uint8Array(n);
			for (let i = 0; i < n && i < available; i++) result[i] = this.rx[(this.rxHead + i) % FIFO_SIZE];
			this.#takeRx(n < available ? n : available);
			return result.buffer;
		}
		if (this.firstReadTarget === null) this.firstReadTarget = target;
		else if (this.firstReadTarget !== target) this.readTargetChanges++;
		const view = target as Uint8Array;
		let n = view.byteLength;
		if (n > available) n = available;
		for (let i = 0; i < n; i++) view[i] = this.rx[(this.rxHead + i) % FIFO_SIZE];
		this.#takeRx(n);
		return n;
	}

	write(bytes: number | ArrayBufferView | ArrayBuffer): void {
		if (this.closed) throw new Error("closed");
		const free = FIFO_SIZE - this.txCount;
		if (typeof bytes === "number") {
			if (free === 0) {
				this.outputFull++;
				throw new Error("output full");
			}
			this.#pushTx(bytes);
		} else {
			const view = ArrayBuffer.isView(bytes) ? (bytes as Uint8Array) : null;
			const length = bytes.byteLength;
			if (length > free) {
				this.outputFull++;
				throw new Error("output full"); // and nothing is written
			}
			this.writes++;
			this.#noteWriteView(view, view !== null ? view.buffer : bytes);
			if (view !== null) for (let i = 0; i < length; i++) this.#pushTx(view[i]);
			else {
				const all = new Uint8Array(bytes as ArrayBuffer); // only a misuse test takes this path
				for (let i = 0; i < length; i++) this.#pushTx(all[i]);
			}
		}
		if (this.options.onWritable && !this.#txInterrupt) this.#txInterrupt = true;
		this.#checkTxInterrupt();
	}

	close(): void {
		this.closed = true;
	}

	// ---- the test's side: the wire and the interrupts ----

	// Bytes arriving from the module; what does not fit the FIFO is lost.
	arrive(bytes: Uint8Array, start: number, end: number): void {
		for (let i = start; i < end; i++) {
			if (this.rxCount === FIFO_SIZE) {
				this.lost++;
				continue;
			}
			this.rx[(this.rxHead + this.rxCount) % FIFO_SIZE] = bytes[i];
			this.rxCount++;
		}
		if (this.options.onReadable && this.rxCount > 0) this.#readablePosted = true;
	}

	// The UART shifts up to `n` bytes out of the TX FIFO onto the line.
	shiftOut(n: number): number {
		let moved = 0;
		while (moved < n && this.txCount > 0) {
			this.wire[this.wireCount++] = this.tx[this.txHead];
			this.txHead = (this.txHead + 1) % FIFO_SIZE;
			this.txCount--;
			moved++;
		}
		this.#checkTxInterrupt();
		return moved;
	}

	// Runs the posted messages like serialDeliver: onReadable(count in the RX
	// FIFO), then onWritable(free space in the TX FIFO). Returns whether a
	// callback ran.
	deliver(): boolean {
		let ran = false;
		if (this.#readablePosted) {
			this.#readablePosted = false;
			if (this.rxCount > 0 && !this.closed) {
				this.options.onReadable!.call(this, this.rxCount);
				ran = true;
			}
		}
		if (this.#writablePosted) {
			this.#writablePosted = false;
			const free = FIFO_SIZE - this.txCount;
			if (free > 0 && !this.closed) {
				this.options.onWritable!.call(this, free);
				ran = true;
			}
		}
		return ran;
	}

	get writablePosted(): boolean {
		return this.#writablePosted;
	}

	#takeRx(n: number): void {
		this.rxHead = (this.rxHead + n) % FIFO_SIZE;
		this.rxCount -= n;
	}

	#pushTx(value: number): void {
		this.tx[(this.txHead + this.txCount) % FIFO_SIZE] = value;
		this.txCount++;
	}

	// The ISR: TX FIFO below the threshold with the interrupt enabled posts
	// onWritable once and disables the interrupt (write() enables it again).
	#checkTxInterrupt(): void {
		if (this.#txInterrupt && this.txCount < TX_THRESHOLD) {
			this.#txInterrupt = false;
			this.#writablePosted = true;
		}
	}

	#noteWriteView(view: unknown, buffer: unknown): void {
		if (this.firstWriteBuffer === null) this.firstWriteBuffer = buffer;
		else if (this.firstWriteBuffer !== buffer) this.writeBufferChanges++;
		const views = this.writeViews;
		for (let i = 0; i < views.length; i++) {
			if (views[i] === view) return;
			if (views[i] === null) {
				views[i] = view;
				this.distinctWriteViews++;
				return;
			}
		}
		this.distinctWriteViews++; // more than 8 distinct views: counted, not kept
	}
}

// ---- timer and time ----

// One native timer (modTimerRecord plus the host object the script holds).
export class FakeTimerRecord {
	callback: ((timer: FakeTimerRecord) => void) | null;
	triggerTime: number;
	repeatInterval: number;
	unscheduled = false;
	// false once the native record is gone: the host object's data is NULL and
	// Timer.schedule / Timer.clear throw on it.
	alive = true;
	fired = 0;

	constructor(callback: (timer: FakeTimerRecord) => void, triggerTime: number, repeatInterval: number) {
		this.callback = callback;
		this.triggerTime = triggerTime;
		this.repeatInterval = repeatInterval;
	}
}

export const timerWorld = {
	now: 1000,
	timers: [] as FakeTimerRecord[],
	created: 0,
	scheduled: 0,
};

function liveTimer(timer: unknown): FakeTimerRecord {
	if (!(timer instanceof FakeTimerRecord) || !timer.alive) throw new Error("invalid timer");
	return timer;
}

function removeTimer(timer: FakeTimerRecord): void {
	timer.alive = false;
	const index = timerWorld.timers.indexOf(timer);
	if (index >= 0) timerWorld.timers.splice(index, 1);
}

export class FakeTimer {
	static set(callback: (timer: FakeTimerRecord) => void, interval = 0, repeat = 0): FakeTimerRecord {
		const timer = new FakeTimerRecord(callback, timerWorld.now + interval, repeat);
		timerWorld.timers.push(timer);
		timerWorld.created++;
		return timer;
	}

	static repeat(callback: (timer: FakeTimerRecord) => void, interval: number): FakeTimerRecord {
		return FakeTimer.set(callback, interval, interval);
	}

	// xs_timer_schedule: with the timer alone, modTimerUnschedule (the record
	// stays, repeatInterval becomes -1); otherwise modTimerReschedule.
	static schedule(timer: FakeTimerRecord, interval?: number, repeat?: number): void {
		const t = liveTimer(timer);
		timerWorld.scheduled++;
		if (interval === undefined) {
			t.unscheduled = true;
			t.repeatInterval = -1;
			return;
		}
		t.triggerTime = timerWorld.now + interval;
		t.repeatInterval = repeat ?? 0;
		t.unscheduled = false;
	}

	static clear(timer: FakeTimerRecord | undefined | null): void {
		if (timer === undefined || timer === null || typeof timer !== "object") return;
		const t = liveTimer(timer);
		t.callback = null;
		removeTimer(t);
	}

	static delay(_ms: number): void {}

	// The test's side: runs time forward to `to`, firing due timers like
	// modTimersExecute: a timer whose repeat interval is 0 when its callback
	// returns is freed (xs_timer_callback clears the host object; the record is
	// removed), even if the callback rescheduled it.
	static advanceTo(to: number): void {
		for (let guard = 0; guard < 100000; guard++) {
			let next: FakeTimerRecord | null = null;
			for (const t of timerWorld.timers)
				if (!t.unscheduled && t.triggerTime <= to && (next === null || t.triggerTime < next.triggerTime)) next = t;
			if (next === null) break;
			if (next.triggerTime > timerWorld.now) timerWorld.now = next.triggerTime;
			next.triggerTime += next.repeatInterval;
			next.fired++;
			next.callback?.(next);
			if (next.alive && next.repeatInterval === 0) removeTimer(next);
		}
		if (to > timerWorld.now) timerWorld.now = to;
	}
}

export const FakeTime = {
	get ticks(): number {
		return timerWorld.now;
	},
};
