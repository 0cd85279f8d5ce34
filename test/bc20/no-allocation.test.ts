// Steady-state traffic allocates nothing: sends (text and hex), buffer-mode
// reads, direct-push TCP and UDP, OK / SEND OK, for a long run with no
// garbage collection on V8. The module's output is prebuilt; the transport
// and the clock allocate nothing themselves.
import { PerformanceObserver } from "node:perf_hooks";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Clock, Transport } from "../../firmware/at/seams.js";
import { BC20 } from "../../firmware/bc20/modem.js";
import { expectBringUp, hexOf, OK } from "../support/bc20-harness.js";
import { FakeModule } from "../support/bc20-fake-module.js";
import { bytes } from "../support/bytes.js";

// Timers in fixed slots; handles are slot numbers.
class SlotClock implements Clock {
	time = 0;
	#callbacks: ((() => void) | null)[] = new Array(16).fill(null);
	#at: number[] = new Array(16).fill(0);

	now(): number {
		return this.time;
	}

	set(callback: () => void, ms: number): unknown {
		for (let i = 0; i < 16; i++) {
			if (this.#callbacks[i] === null) {
				this.#callbacks[i] = callback;
				this.#at[i] = this.time + ms;
				return i;
			}
		}
		throw new Error("out of timer slots");
	}

	clear(handle: unknown): void {
		this.#callbacks[handle as number] = null;
	}

	// Fires what is due.
	run(): void {
		for (let i = 0; i < 16; i++) {
			const callback = this.#callbacks[i];
			if (callback !== null && this.#at[i] <= this.time) {
				this.#callbacks[i] = null;
				callback();
			}
		}
	}
}

class SwitchTransport implements Transport {
	fake: FakeModule | null = null;
	written = 0;
	write(data: Uint8Array, start: number, end: number): void {
		if (this.fake !== null) this.fake.write(data, start, end);
		else this.written += end - start;
	}
}

test("no garbage collection during a long run of steady-state traffic", () => {
	const clock = new SlotClock();
	const transport = new SwitchTransport();
	const fake = new FakeModule();
	transport.fake = fake;
	const modem = new BC20({ transport, clock });
	fake.connect((chunk, start, end) => modem.receive(chunk, start, end));
	expectBringUp(fake);
	let ready = false;
	modem.start({ onReady() { ready = true; }, onError() {} });
	for (let i = 0; i < 100; i++) {
		fake.pump();
		clock.run();
	}
	assert.ok(ready);
	let readable = 0, writable = 0;
	const callbacks = {
		onReadable(n: number) { readable += n; },
		onWritable(n: number) { writable += n; },
		onWarning() { throw new Error("warning"); },
		onError() { throw new Error("error"); },
	};
	fake.expect("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",9000,0,0", OK + "\r\n+QIOPEN: 0,0\r\n")
		.expect("AT+QIOPEN=1,1,\"TCP\",\"127.0.0.1\",9000,0,1", OK + "\r\n+QIOPEN: 1,0\r\n")
		.expect("AT+QIOPEN=1,2,\"UDP\",\"127.0.0.1\",9000,0,1", OK + "\r\n+QIOPEN: 2,0\r\n");
	const tcp = modem.open({ host: "127.0.0.1", port: 9000, ...callbacks });
	const push = modem.open({ host: "127.0.0.1", port: 9000, mode: 1, ...callbacks });
	const udp = modem.open({ type: "udp", host: "127.0.0.1", port: 9000, mode: 1, ...callbacks });
	for (let i = 0; i < 100; i++) {
		fake.pump();
		clock.run();
	}
	assert.is(udp.state, 2);
	assert.equal(fake.unexpected, []);
	transport.fake = null;

	const data = "\x00\r\nOK\r\n\xff" + "z".repeat(92);
	const text = bytes("t".repeat(100));
	const binary = bytes(data);
	// Each piece of module output, split in two at a point that moves every iteration.
	const pieces = [
		OK + "\r\nSEND OK\r\n",
		"\r\n+QIURC: \"recv\",0,100\r\n",
		"\r\n+QIRD: 100,0," + hexOf(data) + "\r\n" + OK,
		"\r\n+QIRD: 0\r\n" + OK,
		"\r\n+QIURC: \"recv\",1,100," + hexOf(data) + "\r\n",
		"\r\n+QIURC: \"recv\",2,100," + hexOf(data) + "\r\n",
	].map((piece) => {
		const buffer = new Uint8Array(piece.length + 8);
		buffer.set(bytes(piece), 4);
		return buffer;
	});
	const into = new Uint8Array(512);
	const feed = (piece: Uint8Array, split: number) => {
		const end = piece.length - 4, cut = 4 + (split % (end - 4));
		modem.receive(piece, 4, cut);
		modem.receive(piece, cut, end);
	};
	const iteration = (i: number) => {
		tcp.write(i & 1 ? text : binary);
		feed(pieces[0], i);
		feed(pieces[1], i);
		feed(pieces[2], i);
		feed(pieces[3], i);
		if (tcp.read(into) !== 100) throw new Error("tcp");
		feed(pieces[4], i);
		if (push.read(into) !== 100) throw new Error("push");
		feed(pieces[5], i);
		if (udp.read(into) !== 100) throw new Error("udp");
		clock.time += 10;
		clock.run();
	};
	for (let i = 0; i < 5000; i++) iteration(i);

	let collections = 0;
	const observer = new PerformanceObserver((list) => collections += list.getEntries().length);
	observer.observe({ entryTypes: ["gc"] });
	(globalThis as { gc?: () => void }).gc?.();
	const baseline = collections;
	const before = transport.written;
	const iterations = 100000;
	for (let i = 0; i < iterations; i++) iteration(i);
	// Entries are delivered asynchronously: give them a turn.
	return new Promise<void>((resolve) => setTimeout(() => {
		observer.disconnect();
		assert.is(collections - baseline, (globalThis as { gc?: () => void }).gc ? 1 : 0, "garbage collections");
		assert.ok(transport.written - before > iterations * 150);
		assert.is(tcp.stats.sent, tcp.stats.written);
		assert.ok(readable > 0 && writable > 0);
		resolve();
	}, 50));
});

test.run();
