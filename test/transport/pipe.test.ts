// The in-process pipe against a tiny fake emulator that answers as rudely as
// it can: synchronously, from inside write() and start().
import { EventEmitter } from "node:events";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TransportError } from "../../host-sim/transport/host-transport.js";
import { PipeTransport, type EmulatedModule } from "../../host-sim/transport/pipe.js";
import { bytes, hex, latin1 } from "../support/bytes.js";
import { allByteValues, receive, within } from "./helpers.js";

class FakeModule extends EventEmitter implements EmulatedModule {
	received: Uint8Array[] = [];
	started = 0;
	closed = 0;

	write(bytes: Uint8Array): void {
		this.received.push(bytes);
		this.emit("data", Buffer.from(bytes)); // echo, at once
	}

	start(): void {
		this.started++;
		this.emit("data", Buffer.from("\r\nRDY\r\n"));
	}

	async close(): Promise<void> {
		this.closed++;
	}
}

test("open() starts the module and keeps the banner it sends while starting", async () => {
	const module = new FakeModule();
	const transport = new PipeTransport(module);
	const banner = receive(transport, 7);
	await transport.open();
	assert.is(module.started, 1);
	assert.is(latin1(await banner), "\r\nRDY\r\n");
	await transport.close();
});

test("write() hands the module a copy, and its answer never arrives inside write()", async () => {
	const module = new FakeModule();
	const transport = new PipeTransport(module);
	await transport.open();
	await within(new Promise((resolve) => setImmediate(resolve)), 1000, "the banner to pass");

	const sent = allByteValues();
	let inWrite = false;
	let deliveredInWrite = false;
	const echoed = receive(transport, sent.length);
	const onData = transport.onData!;
	transport.onData = (chunk) => {
		deliveredInWrite ||= inWrite;
		onData(chunk);
	};
	const buffer = new Uint8Array(sent.length + 2);
	buffer.set(sent, 1);
	inWrite = true;
	transport.write(buffer, 1, 1 + sent.length);
	inWrite = false;
	buffer.fill(0x55); // the engine reuses its buffer at once: the pipe must have copied

	assert.is(hex(await echoed), hex(sent));
	assert.not.ok(deliveredInWrite, "onData was called from inside write()");
	assert.is(hex(module.received[0]), hex(sent));
	await transport.close();
});

test("chunks keep their order", async () => {
	const module = new FakeModule();
	const transport = new PipeTransport(module);
	await transport.open();
	const got = receive(transport, 7 + 15); // the banner, then the two chunks
	module.emit("data", Buffer.from("+CEREG:"));
	module.emit("data", Buffer.from(" 1\r\nOK\r\n"));
	assert.is(latin1(await got).slice(7), "+CEREG: 1\r\nOK\r\n");
	await transport.close();
});

test("close() closes the module, reports onClose(null) and stops delivery", async () => {
	const module = new FakeModule();
	const transport = new PipeTransport(module, "fake BC20");
	const closes: (TransportError | null)[] = [];
	transport.onClose = (error) => closes.push(error);
	let delivered = 0;
	transport.onData = () => delivered++;
	await transport.open();
	module.emit("data", Buffer.from("late")); // queued, then the link closes under it
	await transport.close();
	await new Promise((resolve) => setImmediate(resolve));
	assert.is(module.closed, 1);
	assert.equal(closes, [null]);
	assert.is(delivered, 0);
	assert.is(module.listenerCount("data"), 0);
	assert.throws(() => transport.write(bytes("AT\r\n"), 0, 4), /fake BC20 is not open/);
});

test("a module that fails to start gives a clear error and leaves nothing attached", async () => {
	const module = new FakeModule();
	module.start = () => {
		throw new Error("NVRAM file is corrupt");
	};
	const transport = new PipeTransport(module);
	try {
		await transport.open();
		assert.unreachable("open() should have failed");
	} catch (error) {
		assert.is((error as Error).message, "cannot start the emulated BC20: NVRAM file is corrupt");
	}
	assert.is(module.listenerCount("data"), 0);
});

test.run();
