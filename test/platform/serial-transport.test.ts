// firmware/platform/ on Node (and the serial path inside XS) against
// stand-ins for Moddable's ESP32 `embedded:io/serial` and `timer`
// (fake-moddable.ts: a 128-byte RX FIFO and TX FIFO, write() refusing with
// "output full" what the TX FIFO cannot take whole, onWritable posted at
// construction and after a write once the FIFO drains below 10 bytes, as
// modules/io/serial/esp32/serial.c does; timers freed after a callback when
// their repeat interval is 0, as modules/base/timer/mc/timer.c does).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measureHeapGrowth, startXS } from "../xs/xs-runner.js";
import { bundlePlatform, importPlatform, type PlatformModule, type SerialTransportLike } from "./platform-bundle.js";
import type { FakeSerial } from "./fake-moddable.js";

const p: PlatformModule = await importPlatform();

const OPTIONS = { port: 2, receive: 16, transmit: 17, baud: 115200 };

// A sink that copies what it receives (the scratch buffer is reused).
class Collector {
	readonly bytes = new Uint8Array(1 << 20);
	count = 0;
	calls = 0;
	// Runs after each chunk: the modem's work, while more bytes keep arriving.
	after: (() => void) | null = null;
	receive(chunk: Uint8Array, start: number, end: number): void {
		this.calls++;
		for (let i = start; i < end; i++) this.bytes[this.count++] = chunk[i]!;
		this.after?.();
	}
	text(): string {
		return Buffer.from(this.bytes.subarray(0, this.count)).toString("latin1");
	}
}

function open(options: Partial<typeof OPTIONS & { txCapacity: number }> = {}): {
	transport: SerialTransportLike;
	serial: FakeSerial;
	sink: Collector;
} {
	const transport = new p.SerialTransport({ ...OPTIONS, ...options });
	const serial = p.FakeSerial.last!;
	const sink = new Collector();
	transport.attach(sink);
	return { transport, serial, sink };
}

function pattern(length: number, seed: number): Uint8Array {
	const out = new Uint8Array(length);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		out[i] = x & 0xff;
	}
	return out;
}

// A 1056-byte command line: AT+QISENDEX with 518 bytes as hex.
function longCommand(): Uint8Array {
	const hex = Buffer.from(pattern(518, 7)).toString("hex").toUpperCase();
	const line = Buffer.from(`AT+QISENDEX=0,518,${hex}\r\n`, "latin1");
	assert.is(line.length, 1056);
	return new Uint8Array(line);
}

// Runs the UART: delivers posted callbacks and shifts `perStep` bytes a step
// onto the line (about what 115200 baud moves in 1 ms), until `bytes` went out.
function transmitAll(serial: FakeSerial, expected: number, perStep = 11): void {
	for (let step = 0; step < 100000 && serial.wireCount < expected; step++) {
		serial.deliver();
		serial.shiftOut(perStep);
	}
	serial.deliver();
}

test("the UART is opened on the configured port and pins, in buffer format, with both callbacks", () => {
	const { serial } = open();
	assert.is(serial.port, 2);
	assert.is(serial.receive, 16);
	assert.is(serial.transmit, 17);
	assert.is(serial.baud, 115200);
	assert.is(serial.format, "buffer");
	assert.type(serial.options.onReadable, "function");
	assert.type(serial.options.onWritable, "function");
});

test("nothing is written before the first onWritable; then the bytes go out in order", () => {
	const { transport, serial } = open();
	transport.write(new Uint8Array(Buffer.from("AT\r", "latin1")), 0, 3);
	assert.is(serial.txCount + serial.wireCount, 0, "wrote before the driver reported space");
	assert.ok(serial.writablePosted, "serial.c posts onWritable at construction");
	serial.deliver();
	serial.shiftOut(128);
	assert.is(Buffer.from(serial.wire.subarray(0, serial.wireCount)).toString("latin1"), "AT\r");
	assert.is(serial.outputFull, 0);
});

test("every onReadable drains the whole RX FIFO, also bytes that arrive during the turn", () => {
	const { serial, sink } = open();
	serial.deliver(); // the first onWritable
	const data = pattern(40000, 3);
	let sent = 0;
	let round = 0;
	// Bytes keep arriving while JavaScript runs: during some reads, and while
	// the modem handles a chunk.
	let arrivalsThisTurn = 0;
	const more = () => {
		if (round % 3 !== 2 && arrivalsThisTurn < 2 && sent < data.length) {
			arrivalsThisTurn++;
			const n = Math.min(1 + ((round * 37) % 128), 128 - serial.rxCount, data.length - sent);
			serial.arrive(data, sent, sent + n);
			sent += n;
		}
		round++;
	};
	serial.duringRead = more;
	sink.after = more;
	let deliveries = 0;
	while (sent < data.length) {
		const n = Math.min(1 + ((sent * 13) % 128), data.length - sent); // up to a full FIFO
		serial.arrive(data, sent, sent + n);
		sent += n;
		arrivalsThisTurn = 0;
		if (serial.deliver()) deliveries++;
		assert.is(serial.rxCount, 0, `onReadable left ${serial.rxCount} bytes in the FIFO after ${sink.count} bytes`);
	}
	assert.ok(deliveries > 50, `${deliveries} onReadable calls`);
	assert.ok(
		sink.calls > deliveries * 1.5,
		`${sink.calls} chunks in ${deliveries} onReadable calls: bytes that came during a turn must be read in it`,
	);
	assert.is(serial.lost, 0);
	assert.is(sink.count, data.length);
	assert.equal(sink.bytes.subarray(0, sink.count), data);
	assert.is(serial.allocatingReads, 0, "read() / read(n) allocate: only read(buffer) may be used");
});

test("a full 128-byte FIFO is handed to the modem in one receive() call", () => {
	const { serial, sink } = open();
	serial.arrive(pattern(128, 9), 0, 128);
	serial.deliver();
	assert.is(sink.calls, 1);
	assert.is(sink.count, 128);
	assert.is(serial.rxCount, 0);
});

test("a 1056-byte command line is written completely and in order, fed from onWritable, never 'output full'", () => {
	const line = longCommand();
	for (const perStep of [1, 11, 64, 128]) {
		const { transport, serial } = open();
		serial.deliver(); // the first onWritable(128)
		// The engine reuses its buffer after write() returns: the adapter must have copied.
		const mine = new Uint8Array(2000);
		mine.set(line, 100);
		transport.write(mine, 100, 100 + line.length);
		mine.fill(0x21);
		assert.ok(serial.txCount <= 128 && serial.wireCount === 0, "write() must not wait for the wire");
		transmitAll(serial, line.length, perStep);
		assert.is(
			serial.wireCount,
			line.length,
			`${serial.wireCount} of ${line.length} bytes went out (${perStep} bytes a step)`,
		);
		assert.equal(serial.wire.subarray(0, serial.wireCount), line);
		assert.is(serial.outputFull, 0);
		assert.ok(serial.writes >= Math.ceil(line.length / 128), `${serial.writes} writes`);
		assert.is(transport.overflows, 0);
	}
});

test("back-to-back lines and lines written while earlier ones are still in the FIFO keep their order", () => {
	const { transport, serial } = open();
	serial.deliver();
	const lines: Uint8Array[] = [];
	let expected = "";
	for (let i = 0; i < 60; i++) {
		const text = `AT+QISEND=0,${i}\r` + "x".repeat((i * 29) % 200);
		expected += text;
		lines.push(new Uint8Array(Buffer.from(text, "latin1")));
	}
	for (let i = 0; i < lines.length; i++) {
		transport.write(lines[i]!, 0, lines[i]!.length);
		serial.deliver();
		serial.shiftOut(i % 3 === 0 ? 20 : 128); // often slower than the lines come: they queue
	}
	transmitAll(serial, expected.length, 5);
	assert.is(transport.overflows, 0);
	assert.is(Buffer.from(serial.wire.subarray(0, serial.wireCount)).toString("latin1"), expected);
	assert.is(serial.outputFull, 0);
	assert.is(transport.overflows, 0);
});

test("a stalled line fills the ring: what does not fit is counted, nothing is overwritten", () => {
	const { transport, serial } = open({ txCapacity: 256 });
	serial.deliver();
	const data = pattern(600, 5);
	transport.write(data, 0, data.length); // the ring takes 256, the rest is refused
	assert.is(transport.overflows, 1);
	transmitAll(serial, 256, 16);
	assert.is(serial.wireCount, 256);
	assert.equal(serial.wire.subarray(0, 256), data.subarray(0, 256));
	// Once the ring has room again, later bytes follow the first ones.
	transport.write(data, 256, 300);
	transmitAll(serial, 300, 16);
	assert.equal(
		serial.wire.subarray(0, serial.wireCount),
		new Uint8Array([...data.subarray(0, 256), ...data.subarray(256, 300)]),
	);
});

test("steady traffic reuses the same read buffer and the same write views: no buffer or view per call", () => {
	const { transport, serial, sink } = open();
	serial.deliver();
	const line = longCommand();
	const incoming = pattern(128, 11);
	const run = (rounds: number) => {
		for (let r = 0; r < rounds; r++) {
			transport.write(line, 0, line.length);
			for (let s = 0; s < 200 && serial.txCount + serial.wireCount > 0; s++) {
				serial.arrive(incoming, 0, 1 + ((r * 31 + s * 7) % 128));
				serial.deliver();
				serial.shiftOut(1 + ((s * 13) % 40));
				if (serial.txCount === 0 && !serial.writablePosted) break;
			}
			transmitAll(serial, serial.wireCount + serial.txCount);
			serial.wireCount = 0;
			sink.count = 0;
		}
	};
	run(2); // warm-up
	// Count every ArrayBuffer / typed array / DataView constructed from here on.
	const names = [
		"ArrayBuffer",
		"Uint8Array",
		"Int8Array",
		"Uint16Array",
		"Uint32Array",
		"DataView",
		"Uint8ClampedArray",
	] as const;
	const g = globalThis as unknown as Record<string, unknown>;
	const originals = names.map((name) => g[name]);
	let constructed = 0;
	names.forEach((name, i) => {
		g[name] = new Proxy(originals[i] as object, {
			construct(target, args, newTarget) {
				constructed++;
				return Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget);
			},
		});
	});
	const readsBefore = serial.reads,
		writesBefore = serial.writes;
	try {
		run(50);
	} finally {
		names.forEach((name, i) => {
			g[name] = originals[i];
		});
	}
	assert.ok(
		serial.reads - readsBefore > 1000 && serial.writes - writesBefore > 500,
		`${serial.reads - readsBefore} reads, ${serial.writes - writesBefore} writes`,
	);
	assert.is(constructed, 0, `${constructed} buffers or views made in steady traffic`);
	assert.is(serial.readTargetChanges, 0, "read(buffer) got a different buffer");
	assert.is(serial.writeBufferChanges, 0, "write() got views over different buffers");
	assert.ok(serial.distinctWriteViews <= 7, `${serial.distinctWriteViews} distinct write views (sizes 1..64 are 7)`);
	assert.is(serial.allocatingReads, 0);
	assert.is(serial.outputFull, 0);
});

test("inside XS, receiving and transmitting through the adapter allocates no heap slot", async () => {
	const xs = await startXS();
	try {
		await xs.evaluate(await bundlePlatform("iife", "platform"));
		const heap = await measureHeapGrowth(xs, {
			setup: `
				const sink = { count: 0, receive(chunk, start, end) { this.count += end - start; } };
				const transport = new platform.SerialTransport({ port: 2, receive: 16, transmit: 17, baud: 115200 });
				const serial = platform.FakeSerial.last;
				transport.attach(sink);
				serial.deliver();
				const line = new Uint8Array(1056);
				for (let j = 0; j < line.length; j++) line[j] = 65 + (j % 26);
				const incoming = new Uint8Array(128);
				globalThis.steady = { serial, transport, sink };`,
			step: `
				transport.write(line, 0, line.length);
				for (let s = 0; s < 400 && (serial.txCount > 0 || serial.writablePosted); s++) {
					serial.arrive(incoming, 0, 1 + ((i * 31 + s * 7) % 128));
					serial.deliver();
					serial.shiftOut(11);
				}
				serial.wireCount = 0;`,
			iterations: 200,
		});
		const { value } = await xs.call<{
			received: number;
			outputFull: number;
			allocatingReads: number;
			readTargetChanges: number;
			writeBufferChanges: number;
		}>(
			"({ received: steady.sink.count, outputFull: steady.serial.outputFull, allocatingReads: steady.serial.allocatingReads, readTargetChanges: steady.serial.readTargetChanges, writeBufferChanges: steady.serial.writeBufferChanges })",
		);
		assert.ok(value.received > 200 * 1000, `received ${value.received}`);
		assert.equal(
			{ ...value, received: 0 },
			{ received: 0, outputFull: 0, allocatingReads: 0, readTargetChanges: 0, writeBufferChanges: 0 },
		);
		assert.is(heap.growth, 0, `the XS heap grew by ${heap.growth} slots over 200 x 1056 bytes out`);
	} finally {
		await xs.close();
	}
});

test("close() closes the UART", () => {
	const { transport, serial } = open();
	transport.close();
	assert.ok(serial.closed);
});

// ---- TimerClock ----

function clockAt(now: number) {
	p.timerWorld.now = now;
	p.timerWorld.timers.length = 0;
	p.timerWorld.created = 0;
	return new p.TimerClock();
}

test("TimerClock.now() is Time.ticks", () => {
	const clock = clockAt(123456);
	assert.is(clock.now(), 123456);
	p.FakeTimer.advanceTo(123500);
	assert.is(clock.now(), 123500);
});

test("TimerClock.set fires once after its delay; clear() stops it", () => {
	const clock = clockAt(0);
	let a = 0,
		b = 0;
	clock.set(() => a++, 50);
	const hb = clock.set(() => b++, 50);
	clock.clear(hb);
	p.FakeTimer.advanceTo(49);
	assert.is(a, 0);
	p.FakeTimer.advanceTo(50);
	assert.is(a, 1);
	p.FakeTimer.advanceTo(10000);
	assert.is(a, 1, "a one-shot fired again");
	assert.is(b, 0, "a cleared timer fired");
});

test("TimerClock keeps one native Timer per callback across many set/clear cycles", () => {
	const clock = clockAt(0);
	let fired = 0;
	const callback = () => fired++;
	for (let i = 0; i < 100; i++) {
		const handle = clock.set(callback, 10);
		if (i % 2 === 0) clock.clear(handle);
		else p.FakeTimer.advanceTo(p.timerWorld.now + 10);
	}
	assert.is(fired, 50);
	assert.is(p.timerWorld.created, 1, `${p.timerWorld.created} Timers created`);
});

test("a callback that re-arms its own timer while firing fires again (the channel's deadline does this)", () => {
	const clock = clockAt(0);
	const times: number[] = [];
	const onTimer = () => {
		times.push(clock.now());
		if (times.length < 5) clock.set(onTimer, 100); // from inside the firing
	};
	clock.set(onTimer, 100);
	let error: unknown = null;
	try {
		p.FakeTimer.advanceTo(1000);
		// and again later, from outside a firing
		clock.set(onTimer, 100);
		p.FakeTimer.advanceTo(2000);
	} catch (e) {
		error = e;
	}
	assert.is(error, null, `Timer threw: ${error}`);
	assert.equal(times, [100, 200, 300, 400, 500, 1100]);
	assert.is(p.timerWorld.created, 1);
});

test("set() of another callback from inside a firing, and clear() of the firing one, behave", () => {
	const clock = clockAt(0);
	const log: string[] = [];
	const second = () => log.push(`second ${clock.now()}`);
	let handle: unknown = null;
	const first = () => {
		log.push(`first ${clock.now()}`);
		clock.set(second, 5);
		clock.clear(handle);
	};
	handle = clock.set(first, 10);
	p.FakeTimer.advanceTo(100);
	handle = clock.set(first, 10);
	p.FakeTimer.advanceTo(200);
	assert.equal(log, ["first 10", "second 15", "first 110", "second 115"]);
});

test.run();
