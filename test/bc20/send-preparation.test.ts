import { test } from "uvu";
import * as assert from "uvu/assert";
import { ByteRing } from "../../firmware/at/byte-ring.js";
import { HexStage } from "../../firmware/bc20/hex-stage.js";
import { SendPreparation } from "../../firmware/bc20/send-preparation.js";
import { bytes } from "../support/bytes.js";

function ring(data: string | Uint8Array, at = 0): ByteRing {
	const r = new ByteRing(2048);
	r.rewind(at);
	const b = typeof data === "string" ? bytes(data) : data;
	r.push(b, 0, b.length);
	return r;
}

function newStage(): HexStage {
	return new HexStage(new Uint8Array(1024));
}

// The plan with no bound on the work: the count, negative for hex.
function plan(data: string, at: number, datagram = 0, allowText = true): number {
	return new SendPreparation(ring(data, at), newStage()).step(datagram, allowText, 1 << 20);
}

function hexOf(data: Uint8Array): string {
	return Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
}

function binary(n: number): Uint8Array {
	return Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
}

test("how a send is cut: text runs, hex, datagrams, across the ring's wrap", () => {
	for (const at of [0, 2040, 1500]) {
		assert.is(plan("hello", at), 5);
		assert.is(plan("abc def", at), 7);
		// A parser may trim spaces at a line's ends: such bytes go as hex.
		assert.is(plan("abc  ", at), -5);
		assert.is(plan(" abc", at), -4);
		assert.is(plan("hello\n", at), -6);
		assert.is(plan("x".repeat(1500), at), 1024);
		assert.is(plan("x".repeat(600) + "\n", at), 600);
		assert.is(plan("x".repeat(100) + "\n" + "y".repeat(900), at), -512);
		assert.is(plan("\n".repeat(100), at), -100);
		assert.is(plan("hello", at, 0, false), -5);
		assert.is(plan("hello world", at, 5), 5);
		assert.is(plan("a,b", at, 3), -3);
		assert.is(plan("hello", at, 5, false), -5);
	}
});

test("a long send is worked out in bounded steps: 256 bytes scanned or encoded a step", () => {
	const text = new SendPreparation(ring("x".repeat(1500), 2000), newStage());
	const steps: number[] = [];
	for (let plan = 0; plan === 0;) steps.push((plan = text.step(0, true, 256)));
	assert.equal(steps, [0, 0, 0, 1024]);

	const data = binary(512);
	const stage = newStage();
	const hex = new SendPreparation(ring(data, 1900), stage);
	assert.is(hex.step(0, true, 256), 0);
	assert.is(hex.step(0, true, 256), -512);
	assert.is(new TextDecoder().decode(stage.bytes), hexOf(data));
	// Ready: a further step does nothing and returns the same send.
	assert.is(hex.step(0, true, 0), -512);
});

test("the hex digits are those of the ring's bytes, across its wrap and a short stage", () => {
	for (const at of [0, 2047, 2000, 1537]) {
		const data = binary(300);
		const stage = newStage();
		const preparation = new SendPreparation(ring(data, at), stage);
		let plan = 0;
		while (plan === 0) plan = preparation.step(0, true, 7);
		assert.is(plan, -300);
		assert.is(new TextDecoder().decode(stage.bytes.subarray(0, 600)), hexOf(data), `at ${at}`);
	}
});

test("the hex stage is one socket's at a time: another waits until it is given up", () => {
	const stage = newStage();
	const a = new SendPreparation(ring(binary(10)), stage);
	const b = new SendPreparation(ring(binary(20)), stage);
	assert.is(a.step(0, true, 256), -10);
	assert.is(b.step(0, true, 256), 0);
	assert.ok(b.blocked);
	assert.ok(a.reset(), "a held the stage");
	assert.is(b.step(0, true, 256), -20);
	assert.not.ok(b.blocked);
	assert.not.ok(a.reset(), "a holds it no more");
});

test.run();
