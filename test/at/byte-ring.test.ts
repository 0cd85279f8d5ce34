import { test } from "uvu";
import * as assert from "uvu/assert";
import { ByteRing } from "../../firmware/at/byte-ring.js";
import { bytes, latin1 } from "../support/bytes.js";

test("capacity must be a power of two", () => {
	assert.throws(() => new ByteRing(100), /power of two/);
	assert.is(new ByteRing(64).capacity, 64);
});

test("push, peek, indexOf, copyOut and discard across every wrap-around offset", () => {
	const src = bytes("0123456789abc");
	for (let head = 0; head < 16; head++) {
		const ring = new ByteRing(16);
		ring.rewind(head);
		assert.is(ring.push(src, 0, src.length), 13);
		assert.is(ring.push(src, 0, src.length), 3, "only what fits is taken");
		assert.is(ring.free, 0);
		assert.is(ring.pushByte(1), false);
		assert.is(ring.peek(0), 48);
		assert.is(ring.peek(15), 50);
		assert.is(ring.peek(16), -1);
		assert.is(ring.indexOf(99 /* c */, 0), 12);
		assert.is(ring.indexOf(99, 13), -1);
		const out = new Uint8Array(16);
		assert.is(ring.copyOut(10, out, 0, 100), 6);
		assert.is(latin1(out, 0, 6), "abc012");
		ring.discard(10);
		assert.is(ring.count, 6);
		assert.is(ring.peek(0), 97);
		assert.ok(ring.pushByte(122));
		assert.is(ring.peek(6), 122);
		ring.discard(100);
		assert.is(ring.count, 0);
	}
});

test("a ring in a shared arena copies to and from that arena (natively), and to and from other arrays, across every wrap", () => {
	const arena = new Uint8Array(64);
	const scratch = arena.subarray(0, 16);
	const outside = new Uint8Array(32);
	for (let head = 0; head < 16; head++) {
		const ring = new ByteRing(16, arena, 32);
		ring.rewind(head);
		scratch.set(bytes("0123456789abcdef"));
		assert.is(ring.push(scratch, 2, 12), 10);
		assert.is(ring.push(bytes("XYZWV"), 1, 5), 4);
		const out = new Uint8Array(16);
		assert.is(ring.copyOut(0, out, 0, 16), 14);
		assert.is(latin1(out, 0, 14), "23456789abYZWV");
		// Out into the arena itself, over the scratch.
		assert.is(ring.copyOut(3, scratch, 1, 11), 11);
		assert.is(latin1(scratch, 0, 12), "056789abYZWV");
		assert.is(ring.copyOut(0, outside, 20, 5), 5);
		assert.is(latin1(outside, 20, 25), "23456");
		// The arena's other bytes are untouched.
		for (let i = 16; i < 32; i++) assert.is(arena[i], 0);
		for (let i = 48; i < 64; i++) assert.is(arena[i], 0);
	}
	assert.throws(() => new ByteRing(16, arena.subarray(8), 0), /whole buffer/);
	assert.throws(() => new ByteRing(16, arena, 56), /whole buffer/);
});

test("a whole array pushed lands in order at every wrap, natively when it fits before the wrap", () => {
	for (let head = 0; head < 16; head++) {
		const ring = new ByteRing(16);
		ring.rewind(head);
		assert.is(ring.push(bytes("abc"), 0, 3), 3);
		assert.is(ring.push(bytes("0123456789"), 0, 10), 10);
		assert.is(ring.push(bytes("XYZWV"), 0, 5), 3); // as much as fits
		const out = new Uint8Array(16);
		assert.is(ring.copyOut(0, out, 0, 16), 16);
		assert.is(latin1(out, 0, 16), "abc0123456789XYZ");
	}
});

test.run();
