// firmware/platform/linux-serial-transport.ts against a stand-in for
// Moddable's Linux `embedded:io/serial` (fake-moddable-lin.ts: a device path,
// read() returning a new ArrayBuffer, write() taking an ArrayBuffer of at most
// 1024 bytes and refusing "would overflow" while an earlier write waits in
// the driver, onWritable(1024) once a write has left, as
// modules/io/serial/lin/serial.c does).
//
// Receiving allocates by design there: read() makes an ArrayBuffer per chunk
// and the adapter a Uint8Array over it (the driver has no read(buffer)).
// Transmitting allocates nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measureHeapGrowth, startXS } from "../xs/xs-runner.js";
import type { FakeLinuxSerial } from "./fake-moddable-lin.js";
import { bundlePlatform, importPlatform, type PlatformModule, type SerialTransportLike } from "./platform-bundle.js";

const p: PlatformModule = await importPlatform("lin");

class Collector {
	readonly bytes = new Uint8Array(1 << 20);
	count = 0;
	readonly chunks: Uint8Array[] = [];
	after: (() => void) | null = null;
	receive(chunk: Uint8Array, start: number, end: number): void {
		this.chunks.push(chunk);
		for (let i = start; i < end; i++) this.bytes[this.count++] = chunk[i]!;
		this.after?.();
	}
}

function open(txCapacity?: number): { transport: SerialTransportLike; serial: FakeLinuxSerial; sink: Collector } {
	const transport = new p.LinuxSerialTransport({ device: "/tmp/ttyBC20", baud: 115200, txCapacity });
	const serial = p.FakeLinuxSerial.last!;
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

// The main loop until `expected` bytes are on the wire, the line taking `perTurn` bytes a turn.
function transmitAll(serial: FakeLinuxSerial, expected: number, perTurn: number): void {
	for (let turn = 0; turn < 100000 && (serial.wireCount < expected || serial.writeWatch); turn++) {
		serial.room += perTurn;
		serial.deliver();
	}
}

test("the tty is opened by path at the baud, in buffer format, with both callbacks and no pins", () => {
	const { serial } = open();
	assert.is(serial.device, "/tmp/ttyBC20");
	assert.is(serial.baud, 115200);
	assert.is(serial.options.format, "buffer");
	assert.type(serial.options.onReadable, "function");
	assert.type(serial.options.onWritable, "function");
	assert.equal(
		[serial.options.port, serial.options.receive, serial.options.transmit],
		[undefined, undefined, undefined],
	);
});

test("nothing is written before the first onWritable; then the bytes go out in order", () => {
	const { transport, serial } = open();
	transport.write(new Uint8Array(Buffer.from("AT\r", "latin1")), 0, 3);
	assert.is(serial.writes, 0, "wrote before the driver reported space");
	transmitAll(serial, 3, 64);
	assert.is(Buffer.from(serial.wire.subarray(0, serial.wireCount)).toString("latin1"), "AT\r");
});

test("a 1056-byte command goes out whole and in order, one ArrayBuffer piece per onWritable, never 'would overflow'", () => {
	const hex = Buffer.from(pattern(518, 7)).toString("hex").toUpperCase();
	const line = new Uint8Array(Buffer.from(`AT+QISENDEX=0,518,${hex}\r\n`, "latin1"));
	for (const perTurn of [1, 37, 100, 4096]) {
		const { transport, serial } = open();
		serial.room = 0; // the kernel takes `perTurn` bytes a turn: the rest of a write waits in the driver
		const mine = new Uint8Array(2000);
		mine.set(line, 100);
		transport.write(mine, 100, 100 + line.length);
		mine.fill(0x21); // the engine reuses its buffer: the adapter must have copied
		transmitAll(serial, line.length, perTurn);
		assert.is(serial.wireCount, line.length, `${serial.wireCount} of ${line.length} bytes at ${perTurn} a turn`);
		assert.equal(serial.wire.subarray(0, serial.wireCount), line);
		assert.is(serial.wouldOverflow, 0);
		assert.is(serial.notArrayBuffer, 0);
		assert.is(transport.overflows, 0);
		assert.ok(serial.writeBuffers.length <= 10, `${serial.writeBuffers.length} distinct buffers (sizes 1..512 are 10)`);
	}
});

test("lines written while an earlier write still waits in the driver queue behind it, in order", () => {
	const { transport, serial } = open();
	let expected = "";
	for (let i = 0; i < 40; i++) {
		const text = `AT+QISEND=0,${i}\r` + "x".repeat((i * 29) % 300);
		expected += text;
		transport.write(new Uint8Array(Buffer.from(text, "latin1")), 0, text.length);
		serial.room += i % 3 === 0 ? 7 : 50; // often slower than the lines come
		serial.deliver();
	}
	transmitAll(serial, expected.length, 5);
	assert.is(serial.wouldOverflow, 0, "write() was called while a write waited in the driver");
	assert.is(Buffer.from(serial.wire.subarray(0, serial.wireCount)).toString("latin1"), expected);
	assert.is(transport.overflows, 0);
});

test("every onReadable drains the kernel buffer, bytes arriving during the turn included, in order", () => {
	const { serial, sink } = open();
	const data = pattern(50000, 3);
	let sent = 0,
		round = 0;
	serial.duringRead = () => {
		if (round++ % 2 === 0 && sent < data.length) {
			const n = Math.min(1 + ((round * 53) % 700), data.length - sent);
			serial.arrive(data, sent, sent + n);
			sent += n;
		}
	};
	while (sent < data.length) {
		const n = Math.min(1 + ((sent * 13) % 3000), data.length - sent);
		serial.arrive(data, sent, sent + n);
		sent += n;
		serial.deliver();
		assert.is(serial.rxCount, 0, "onReadable left bytes in the kernel buffer");
	}
	assert.is(sink.count, data.length);
	assert.equal(sink.bytes.subarray(0, sink.count), data);
	// The one allocation: each chunk is a view over the ArrayBuffer read() made, not a copy.
	assert.is(sink.chunks.length, serial.readBuffers);
	assert.ok(sink.chunks.every((chunk) => chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength));
});

test("a stalled tty fills the ring: what does not fit is counted, nothing is overwritten", () => {
	const { transport, serial } = open(256);
	serial.room = 0;
	const data = pattern(600, 5);
	transport.write(data, 0, data.length);
	assert.is(transport.overflows, 1);
	transmitAll(serial, 256, 16);
	assert.equal(serial.wire.subarray(0, serial.wireCount), data.subarray(0, 256));
	transport.write(data, 256, 300);
	transmitAll(serial, 300, 16);
	assert.equal(serial.wire.subarray(0, serial.wireCount), data.subarray(0, 300));
});

test("steady transmitting makes no buffer or view: the same ten ArrayBuffers go to write()", () => {
	const { transport, serial } = open();
	const line = pattern(1056, 11);
	const run = (rounds: number) => {
		for (let r = 0; r < rounds; r++) {
			transport.write(line, 0, 37 + ((r * 101) % 1000));
			transmitAll(serial, serial.wireCount + 1, 1 + ((r * 17) % 300));
			serial.wireCount = 0;
		}
	};
	// Warm-up: 1023 bytes go out as pieces of every size, 512 down to 1 (the fake makes its view of each buffer once).
	transport.write(line, 0, 1023);
	transmitAll(serial, 1023, 4096);
	serial.wireCount = 0;
	run(3);
	const names = ["ArrayBuffer", "Uint8Array", "DataView"] as const;
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
	const writesBefore = serial.writes;
	try {
		run(100);
	} finally {
		names.forEach((name, i) => {
			g[name] = originals[i];
		});
	}
	assert.ok(serial.writes - writesBefore > 300, `${serial.writes - writesBefore} writes`);
	assert.is(constructed, 0, `${constructed} buffers or views made`);
	assert.ok(serial.writeBuffers.length <= 10);
	assert.is(serial.wouldOverflow, 0);
});

test("inside XS, transmitting through the adapter allocates no heap slot", async () => {
	const xs = await startXS();
	try {
		await xs.evaluate(await bundlePlatform("iife", "platform", "lin"));
		const heap = await measureHeapGrowth(xs, {
			setup: `
				const transport = new platform.LinuxSerialTransport({ device: "/tmp/ttyBC20", baud: 115200 });
				const serial = platform.FakeLinuxSerial.last;
				const line = new Uint8Array(1056);
				for (let j = 0; j < line.length; j++) line[j] = 65 + (j % 26);
				transport.write(line, 0, 1023); // every piece size once: the fake's views are made here
				for (let t = 0; t < 20; t++) { serial.room += 4096; serial.deliver(); }
				serial.wireCount = 0;
				globalThis.steady = { serial, transport };`,
			step: `
				transport.write(line, 0, 37 + ((i * 101) % 1000));
				for (let t = 0; t < 400 && (serial.wireCount === 0 || serial.writeWatch); t++) {
					serial.room += 1 + ((i * 17 + t) % 300);
					serial.deliver();
				}
				serial.wireCount = 0;`,
			iterations: 200,
		});
		const { value } = await xs.call<{ wouldOverflow: number; buffers: number }>(
			"({ wouldOverflow: steady.serial.wouldOverflow, buffers: steady.serial.writeBuffers.length })",
		);
		assert.equal(value, { wouldOverflow: 0, buffers: value.buffers });
		assert.ok(value.buffers <= 10);
		assert.is(heap.growth, 0, `the XS heap grew by ${heap.growth} slots`);
	} finally {
		await xs.close();
	}
});

test("close() closes the tty", () => {
	const { transport, serial } = open();
	transport.close();
	assert.ok(serial.closed);
});

test.run();
