import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Error, E_ARGUMENT } from "../../firmware/bc20/errors.js";
import { Harness, hexOf, OK } from "../support/bc20-harness.js";
import { bytes, latin1 } from "../support/bytes.js";

const OPEN0 = 'AT+QIOPEN=1,0,"UDP","127.0.0.1",9000,0,0';
const OPEN0_PUSH = 'AT+QIOPEN=1,0,"UDP","127.0.0.1",9000,0,1';

function udp(options = {}, mode = 0, settings = { hex: 1, view: 1, show: 1 }) {
	const h = new Harness(options);
	h.bringUp(settings);
	h.fake.expect(mode === 0 ? OPEN0 : OPEN0_PUSH);
	const socket = h.open({ type: "udp", mode });
	h.takeLog();
	return { h, socket };
}

function code(fn: () => unknown): number {
	try {
		fn();
	} catch (error) {
		return (error as BC20Error).code;
	}
	return 0;
}

test("each write is one datagram and one send; whole or nothing", () => {
	const { h, socket } = udp({ txBufferSize: 256 });
	assert.is(socket.writable, 256);
	h.fake.expect("AT+QISEND=0,3,one", OK);
	assert.is(socket.write(bytes("one")), 3);
	assert.is(socket.write(bytes("two")), 3);
	assert.is(socket.write(bytes("x".repeat(251))), 0, "does not fit: nothing taken");
	h.settle();
	h.fake.expect("AT+QISEND=0,3,two", OK + "\r\nSEND OK\r\n");
	h.fake.send("\r\nSEND OK\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 writable 253", "0 writable 256"]);
	assert.is(
		code(() => socket.write(new Uint8Array(0))),
		E_ARGUMENT,
	);
	assert.is(
		code(() => socket.write(new Uint8Array(1025))),
		E_ARGUMENT,
	);
	assert.equal(h.fake.unexpected, []);
});

test("datagram size limits: 1024 as text, 512 when it must go as hex", () => {
	const { h, socket } = udp({ txBufferSize: 4096 });
	assert.is(socket.writable, 512);
	h.fake.expect("AT+QISEND=0,1024," + "t".repeat(1024), OK + "\r\nSEND OK\r\n");
	assert.is(socket.write(bytes("t".repeat(1024))), 1024);
	h.settle();
	assert.is(
		code(() => socket.write(bytes("\x00".repeat(513)))),
		E_ARGUMENT,
	);
	const binary = "\x00\x01\xff,".repeat(128);
	h.fake.expect("AT+QISENDEX=0,512," + hexOf(binary), OK + "\r\nSEND OK\r\n");
	assert.is(socket.write(bytes(binary)), 512);
	h.settle();
	// A datagram that is mostly text still goes whole, as hex.
	h.fake.expect("AT+QISENDEX=0,4," + hexOf("ab,c"), OK + "\r\nSEND OK\r\n");
	socket.write(bytes("ab,c"));
	h.settle();
	assert.equal(h.fake.unexpected, []);
});

test("buffer mode with showlength: a node read in pieces is one datagram", () => {
	const { h, socket } = udp();
	const big = "B".repeat(600);
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,88," + hexOf(big.slice(0, 512)) + "\r\n" + OK)
		.expect("AT+QIRD=0,88", "\r\n+QIRD: 88,0," + hexOf(big.slice(512)) + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 5,0," + hexOf("hello") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,600\r\n');
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 600/1", "0 readable 605/2"]);
	assert.is(socket.datagrams, 2);
	assert.is(socket.nextDatagramLength, 600);
	const small = new Uint8Array(100);
	assert.is(
		code(() => socket.read(small)),
		E_ARGUMENT,
	);
	assert.is(socket.datagrams, 2, "nothing taken");
	assert.is(h.readAll(socket), big + "|hello|");
	assert.is(socket.nextDatagramLength, -1);
	assert.equal(h.fake.unexpected, []);
});

test("buffer mode: a datagram waits for room, then completes", () => {
	const { h, socket } = udp({ rxBufferSize: 1024 });
	const a = "a".repeat(700),
		b = "b".repeat(500);
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,188," + hexOf(a.slice(0, 512)) + "\r\n" + OK)
		.expect("AT+QIRD=0,188", "\r\n+QIRD: 188,0," + hexOf(a.slice(512)) + "\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,700\r\n');
	h.settle();
	// 324 bytes free: less than a read of 512, so the next datagram waits.
	assert.equal(h.takeLog(), ["0 readable 700/1"]);
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 500,0," + hexOf(b) + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	const buffer = new Uint8Array(1024);
	assert.is(socket.read(buffer), 700);
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 500/1"]);
	assert.is(latin1(buffer, 0, socket.read(buffer)), b);
	assert.equal(h.fake.unexpected, []);
});

test("a datagram larger than the receive buffer is read, discarded and reported lost", () => {
	const { h, socket } = udp({ rxBufferSize: 1024 });
	const huge = "h".repeat(1500);
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,988," + hexOf(huge.slice(0, 512)) + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,476," + hexOf(huge.slice(512, 1024)) + "\r\n" + OK)
		.expect("AT+QIRD=0,476", "\r\n+QIRD: 476,0," + hexOf(huge.slice(1024)) + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0," + hexOf("ok") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,1500\r\n');
	h.settle();
	assert.equal(h.takeLog(), [
		"0 warning 1008 lost 512",
		"0 warning 1008 lost 512",
		"0 warning 1008 lost 476",
		"0 readable 2/1",
	]);
	assert.is(h.readAll(socket), "ok|");
	assert.is(socket.stats.lost, 1500);
	assert.equal(h.fake.unexpected, []);
});

test("buffer mode without showlength: each read is one datagram", () => {
	const { h, socket } = udp({ showLength: false }, 0, { hex: 1, view: 1, show: 0 });
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 3," + hexOf("one") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 3," + hexOf("two") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0\r\n');
	h.settle();
	assert.is(h.readAll(socket), "one|two|");
	assert.equal(h.fake.unexpected, []);
});

test("direct push: each push is a datagram; one that does not fit is dropped whole and reported", () => {
	const { h, socket } = udp({ rxBufferSize: 1024 }, 1);
	const d = "d".repeat(600);
	h.fake.send('\r\n+QIURC: "recv",0,600,' + hexOf(d) + "\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,500,' + hexOf("e".repeat(500)) + "\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,4,' + hexOf("last") + "\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 600/1", "0 warning 1008 lost 500", "0 readable 604/2"]);
	assert.is(h.readAll(socket), d + "|last|");
	assert.equal(h.fake.unexpected, []);
});

test("datagram boundaries hold under any chunking", () => {
	for (const seed of [11, 12, 13, 14]) {
		const { h, socket } = udp({ seed, maxChunk: 9 }, 1);
		const datagrams = ["\r\nOK\r\n", '+QIURC: "recv",0,3\r\n', "\x00\x1a\xff", ",,,", "x"];
		for (const d of datagrams) h.fake.send('\r\n+QIURC: "recv",0,' + d.length + "," + hexOf(d) + "\r\n");
		h.settle();
		assert.is(h.readAll(socket), datagrams.join("|") + "|", "seed " + seed);
	}
});

test.run();
