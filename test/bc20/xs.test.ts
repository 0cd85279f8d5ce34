// The BC20 service inside the real XS engine: the same scenario as on Node,
// and steady-state traffic that leaves the XS heap slot count unchanged.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bundleForXS } from "../../scripts/xs-bundle.mjs";
import { measureHeapGrowth, startXS, type XS } from "../xs/xs-runner.js";

let xs: XS;

test.before(async () => {
	xs = await startXS();
	await xs.evaluate(await bundleForXS("test/support/bc20-xs-entry.ts", { globalName: "bc20" }));
});

test.after(async () => {
	await xs?.close(); // undefined when the worker could not start: its error is the one to see
});

test("bring-up, sockets, hostile payloads and a reboot inside XS", async () => {
	const { value } = await xs.call<string[]>("bc20.runScenario()");
	assert.equal(value, []);
});

test("steady-state traffic allocates no heap slot in XS", async () => {
	const heap = await measureHeapGrowth(xs, {
		setup: "globalThis.steady = { traffic: new bc20.SteadyTraffic(), moved: 0 };",
		step: "steady.moved += steady.traffic.run(100);",
		iterations: 20,
	});
	const { value } = await xs.call<{ moved: number; errors: number }>(
		"({ moved: steady.moved, errors: steady.traffic.errors })",
	);
	assert.ok(value.moved >= 20 * 100 * 400, `moved ${value.moved}`);
	assert.is(value.errors, 0);
	assert.is(heap.growth, 0, `heap grew by ${heap.growth} slots`);
});

test.run();
