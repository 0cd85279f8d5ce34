// The serial transport on @serialport/binding-mock, the test playing the module.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TransportError } from "../../host-sim/transport/host-transport.js";
import { MockSerialTransport } from "../../host-sim/transport/mock-serial.js";
import { bytes, hex, latin1 } from "../support/bytes.js";
import { allByteValues, receive } from "./helpers.js";

test("host → module: the module side reads exactly what the host wrote", async () => {
	const transport = new MockSerialTransport("/dev/bc20-mock-a", 115200);
	assert.is(transport.description, "/dev/bc20-mock-a at 115200 baud");
	await transport.open();
	const buffer = bytes("xxAT+CGATT?\r\nyy");
	transport.write(buffer, 2, 13);
	buffer.fill(0x55); // the engine reuses its buffer at once: the transport must have copied
	const sent = allByteValues();
	transport.write(sent, 0, sent.length);
	const wrote = await transport.hostWrote();
	assert.is(latin1(wrote, 0, 11), "AT+CGATT?\r\n");
	assert.is(hex(wrote, 11), hex(sent));
	assert.is((await transport.hostWrote()).length, 0, "each call returns only what is new");
	await transport.close();
});

test("module → host: bytes the module sends reach onData, never inside the call", async () => {
	const transport = new MockSerialTransport("/dev/bc20-mock-b");
	await transport.open();
	const sent = allByteValues();
	const received = receive(transport, sent.length);
	transport.moduleSends(sent);
	assert.is(hex(await received), hex(sent));
	await transport.close();
});

test("close() lets pending writes reach the port, then reports onClose(null)", async () => {
	const transport = new MockSerialTransport("/dev/bc20-mock-c");
	const closes: (TransportError | null)[] = [];
	transport.onClose = (error) => closes.push(error);
	await transport.open();
	transport.write(bytes("AT\r\n"), 0, 4);
	transport.write(bytes("ATI\r\n"), 0, 5);
	await transport.close();
	assert.is(latin1(await transport.hostWrote()), "AT\r\nATI\r\n");
	assert.equal(closes, [null]);
	assert.throws(() => transport.write(bytes("AT\r\n"), 0, 4), /is not open/);
	assert.throws(() => transport.moduleSends(bytes("OK\r\n")), /is not open/);
});

test("a port can be opened again after close()", async () => {
	const transport = new MockSerialTransport("/dev/bc20-mock-d");
	await transport.open();
	await transport.close();
	await transport.open();
	const received = receive(transport, 6);
	transport.moduleSends(bytes("\r\nOK\r\n"));
	assert.is(latin1(await received), "\r\nOK\r\n");
	await transport.close();
});

test.run();
