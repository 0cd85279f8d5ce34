// The core inside the real XS engine (@agoric/xsnap): the same reader
// transcripts as on Node must pass there, and a steady-state workload of more
// than 1 MB must leave the XS heap slot count unchanged (invariant 1: no
// objects, closures, arrays or typed-array views per line or per packet).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bundleForXS } from "../../scripts/xs-bundle.mjs";
import { measureHeapGrowth, startXS, type XS } from "./xs-runner.js";

let xs: XS;

test.before(async () => {
	xs = await startXS();
	await xs.evaluate(await bundleForXS("test/xs/core-entry.ts", { globalName: "core" }));
});

test.after(async () => {
	await xs?.close(); // undefined when the worker could not start: its error is the one to see
});

test("the reader transcripts pass inside XS", async () => {
	const { value } = await xs.call<{ total: number; failures: { name: string; detail: string }[] }>(
		"core.runAllReaderChecks(10, 10)",
	);
	assert.ok(value.total > 1000, `ran ${value.total} checks`);
	assert.equal(
		value.failures.map((f) => `${f.name}\n${f.detail}`),
		[],
	);
});

test("1 MB+ of recv/QIRD/QISEND traffic allocates no heap slot in XS", async () => {
	const heap = await measureHeapGrowth(xs, {
		setup: "globalThis.steady = { workload: new core.SteadyWorkload(128), moved: 0 };",
		step: "steady.moved += steady.workload.run(64 * 1024);",
		iterations: 20, // 20 x 64 KiB = 1.25 MiB
	});
	const { value } = await xs.call<{ moved: number; errors: number }>(
		"({ moved: steady.moved, errors: steady.workload.errors })",
	);
	assert.ok(value.moved >= 1.25 * 1024 * 1024, `moved ${value.moved}`);
	assert.is(value.errors, 0);
	assert.is(heap.growth, 0, `heap grew by ${heap.growth} slots`);
});

test("the measurement catches a typed-array view made per packet", async () => {
	const heap = await measureHeapGrowth(xs, {
		setup: "var viewBytes = new Uint8Array(1024); var views = 0;",
		step: "views += new Uint8Array(viewBytes.buffer, i & 511, 512).length;",
		iterations: 64,
	});
	assert.ok(heap.growth > 0);
});

test.run();
