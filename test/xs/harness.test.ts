// The XS harness itself: it must report allocation when there is some, report
// none when there is none, and carry values and errors back to Node.
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bundleForXS } from "../../scripts/xs-bundle.mjs";
import { measureHeapGrowth, startXS, type XS } from "./xs-runner.js";

// One worker for the whole file: starting one costs about half a second.
let xs: XS;
test.before(async () => {
	xs = await startXS();
});
test.after(async () => {
	await xs?.close();
});

const MIB = 1024 * 1024;

// A line scanner over a preallocated ring: typed-array writes, number
// arithmetic, nothing else. 1 KiB per step.
const SCANNER_SETUP = `
  const chunk = new Uint8Array(1024);
  for (let j = 0; j < chunk.length; j++) chunk[j] = j % 64 === 63 ? 10 : 65 + (j % 26);
  const ring = new Uint8Array(4096);
  let head = 0;
  let lines = 0;
`;
const SCANNER_STEP = `
  for (let j = 0; j < chunk.length; j++) {
    const byte = chunk[j];
    ring[head] = byte;
    head = (head + 1) & 4095;
    if (byte === 10) lines++;
  }
`;

test("a value computed inside XS comes back as JSON, with the meter", async () => {
	const result = await xs.call<{ sum: number; engine: string }>(
		`({ sum: [1, 2, 3].reduce((a, b) => a + b, 0), engine: typeof print === "function" ? "xsnap" : "?" })`,
	);
	assert.equal(result.value, { sum: 6, engine: "xsnap" });
	assert.ok(result.compute > 0);
	assert.ok(result.heapCount > 0);
	assert.type(result.xsMs, "number");
	assert.is((await xs.call("undefined")).value, undefined);
});

test("report() streams values to Node during a delivery", async () => {
	const { reports } = await xs.evaluate(`for (let n = 0; n < 3; n++) report({ event: "line", n });`);
	assert.equal(reports, [
		{ event: "line", n: 0 },
		{ event: "line", n: 1 },
		{ event: "line", n: 2 },
	]);
});

test("after gc() the heap count is the same on every run, and evaluate keeps one slot", async () => {
	const first = await xs.run(0);
	const second = await xs.run(0);
	assert.is(second.heapCount, first.heapCount);
	// Each evaluated script gets a new, never collected, key ("#n").
	await xs.evaluate("0");
	assert.is((await xs.run(0)).heapCount, first.heapCount + 1);
});

test("a 1 MiB workload that only writes preallocated typed arrays reports zero growth", async () => {
	const heap = await measureHeapGrowth(xs, { setup: SCANNER_SETUP, step: SCANNER_STEP, iterations: MIB / 1024 });
	assert.is(heap.growth, 0);
	assert.is(heap.retained, 0);
	assert.ok(heap.compute > MIB, `compute ${heap.compute}`);
	assert.ok(heap.workloadMs > 0);
	assert.is((await xs.call("0")).value, 0);
});

test("objects kept in an array are growth and are retained", async () => {
	const heap = await measureHeapGrowth(xs, { setup: "const kept = [];", step: "kept.push({ i });", iterations: 1000 });
	assert.ok(heap.growth >= 1000, `growth ${heap.growth}`);
	assert.ok(heap.retained >= 1000, `retained ${heap.retained}`);
});

test("a typed-array view per iteration is growth, even though it is garbage", async () => {
	const heap = await measureHeapGrowth(xs, {
		setup: "const buffer = new Uint8Array(64);",
		step: "new Uint8Array(buffer.buffer, i & 63, 1)[0] = 1;",
		iterations: 1000,
	});
	assert.ok(heap.growth >= 1000, `growth ${heap.growth}`);
	assert.is(heap.retained, 0);
});

test("a closure per iteration is growth", async () => {
	const heap = await measureHeapGrowth(xs, { setup: "let last;", step: "last = () => i;", iterations: 1000 });
	assert.ok(heap.growth >= 1000, `growth ${heap.growth}`);
});

test("a bundle made by bundleForXS defines its global and runs inside XS", async () => {
	const entry = fileURLToPath(new URL("./fixtures/sample.ts", import.meta.url));
	const source = await bundleForXS(entry, { globalName: "sample" });
	assert.not.match(source, /^\s*(import|export)\s/m);
	// The bundle is strict code, whose `var sample` would stay local to the
	// evaluation: the global must come from the bundle's explicit assignment.
	assert.match(source, /^"use strict";/);
	await xs.evaluate(source);
	const { value } = await xs.call(
		`[typeof globalThis.sample, sample.kind, sample.lastBytesSum([1, 2, 3, 4, 5], 3), new sample.SampleRing(2).length]`,
	);
	assert.equal(value, ["object", "sample", 12, 0]);
});

test("an exception thrown inside XS rejects with its message, and the worker carries on", async () => {
	const thrown = await rejection(xs.evaluate(`(function parse() { throw new RangeError("bad length 7"); })()`));
	assert.instance(thrown, Error);
	assert.match((thrown as Error).message, "RangeError: bad length 7");
	await xs.evaluate(`setWorkload((iterations) => { throw new TypeError("step " + iterations); })`);
	assert.match(((await rejection(xs.run(5))) as Error).message, "TypeError: step 5");
	assert.is((await xs.call("40 + 2")).value, 42);
});

function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => assert.unreachable("expected a rejection"),
		(error: unknown) => error,
	);
}

test.run();
