// Invariant 1 on V8: 50 MB of steady-state traffic through the real channel
// and reader with not one garbage collection. Any string, array, closure or
// typed-array view made per line or per packet would fill the young
// generation many times over in 50 MB and show up as GC entries.
import { PerformanceObserver } from "node:perf_hooks";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SteadyWorkload } from "./steady-workload.js";

const MB = 1024 * 1024;

function gcEntriesDuring(work: () => void): Promise<number> {
	return new Promise((resolve) => {
		let count = 0;
		const observer = new PerformanceObserver((list) => (count += list.getEntries().length));
		observer.observe({ entryTypes: ["gc"] });
		work();
		// GC entries are delivered asynchronously: let them arrive.
		setTimeout(() => {
			observer.disconnect();
			resolve(count);
		}, 50);
	});
}

test("the measurement sees garbage when there is some", async () => {
	const gcs = await gcEntriesDuring(() => {
		let keep: unknown = null;
		for (let i = 0; i < 2e6; i++) keep = { i, s: String(i) };
		assert.ok(keep);
	});
	assert.ok(gcs > 0, "allocating 2 million objects must cause at least one GC");
});

test("50 MB of recv/QIRD/QISEND traffic causes no garbage collection", async () => {
	const workload = new SteadyWorkload(128);
	workload.run(2 * MB); // warm up: JIT, inline caches, lazily made objects
	(globalThis as { gc?: () => void }).gc?.();
	let moved = 0;
	const gcs = await gcEntriesDuring(() => (moved = workload.run(50 * MB)));
	assert.ok(moved >= 50 * MB, `moved ${moved} bytes`);
	assert.is(workload.errors, 0, "every command completed OK with the full payload");
	assert.is(gcs, 0, `${gcs} garbage collections during ${(moved / MB).toFixed(1)} MB`);
});

test("the same workload with 1-byte chunks also allocates nothing", async () => {
	const workload = new SteadyWorkload(1);
	workload.run(MB / 4);
	(globalThis as { gc?: () => void }).gc?.();
	const gcs = await gcEntriesDuring(() => workload.run(4 * MB));
	assert.is(workload.errors, 0);
	assert.is(gcs, 0);
});

test.run();
