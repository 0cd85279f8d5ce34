// Steady-state traffic allocates nothing: sends (text and hex), buffer-mode
// reads, direct-push TCP and UDP, OK / SEND OK, for a long run with no
// garbage collection on V8. The module's output is prebuilt; the transport
// and the clock allocate nothing themselves.
import { PerformanceObserver } from "node:perf_hooks";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SteadyTraffic } from "../support/bc20-steady-traffic.js";

test("no garbage collection during a long run of steady-state traffic", () => {
	const traffic = new SteadyTraffic();
	traffic.run(5000); // warm up: JIT, inline caches, lazily made objects
	let collections = 0;
	const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
	observer.observe({ entryTypes: ["gc"] });
	(globalThis as { gc?: () => void }).gc?.();
	const baseline = collections;
	const before = traffic.written;
	const rounds = 100000;
	const moved = traffic.run(rounds);
	// Entries are delivered asynchronously: give them a turn.
	return new Promise<void>((resolve) =>
		setTimeout(() => {
			observer.disconnect();
			assert.is(
				collections - baseline,
				(globalThis as { gc?: () => void }).gc ? 1 : 0,
				"garbage collections (the one gc() call only)",
			);
			assert.is(traffic.errors, 0);
			assert.is(moved, rounds * 400, "every round wrote 100 bytes and read 3 x 100");
			assert.ok(traffic.written - before > rounds * 150);
			assert.is(traffic.tcpSent, traffic.tcpWritten);
			assert.ok(traffic.readable > 0 && traffic.writable > 0);
			resolve();
		}, 50),
	);
});

test.run();
