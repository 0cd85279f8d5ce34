// The bounded fuzz run of `npm test` (npm run fuzz runs it as long as asked):
// each target for a fixed number of seeded iterations (or about a second,
// whichever comes first), then the memory property. FUZZ_SEED=<n> in the
// environment starts from another seed; every failure names the one-line
// command that replays it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
	type Failure,
	iterate,
	iterationSeed,
	MEMORY_CASES,
	modemRetainedBytes,
	retainedGrows,
	reproduction,
	type Target,
} from "./fuzz-engine.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20240611) >>> 0;
const BUDGET: { [target in Target]: { iterations: number; ms: number } } = {
	reader: { iterations: 1500, ms: 1500 },
	channel: { iterations: 6000, ms: 1500 },
	modem: { iterations: 400, ms: 3000 },
};

function fuzz(target: Target): { iterations: number; bytes: number; failures: Failure[] } {
	const started = Date.now();
	const failures: Failure[] = [];
	let iterations = 0,
		bytes = 0;
	const { iterations: most, ms } = BUDGET[target];
	for (let i = 0; i < most && Date.now() - started < ms; i++) {
		const outcome = iterate(target, iterationSeed(SEED ^ target.length, i));
		iterations++;
		bytes += outcome.bytes;
		if (outcome.failure !== null) failures.push(outcome.failure);
	}
	console.log(
		`  fuzz ${target}: seed ${SEED}, ${iterations} iterations, ${(bytes / 1e6).toFixed(2)} MB, ${failures.length} failures`,
	);
	return { iterations, bytes, failures };
}

function report(failures: Failure[]): string {
	const byProperty = new Map<string, Failure>();
	for (const f of failures) if (!byProperty.has(f.property)) byProperty.set(f.property, f);
	return [...byProperty.values()]
		.map((f) => `${f.property}: ${f.detail.split("\n")[0].slice(0, 300)}\n    ${reproduction(f)}`)
		.join("\n  ");
}

for (const target of ["reader", "channel", "modem"] as const) {
	test(`fuzz ${target}: every property holds on every iteration`, () => {
		const { iterations, failures } = fuzz(target);
		assert.ok(iterations > 0);
		assert.equal(failures.length, 0, `${failures.length} of ${iterations} iterations failed:\n  ${report(failures)}`);
	});
}

// Retained heap (after a full GC) after feeding N and 4N bytes of line
// garbage: anything kept per line shows as growth proportional to N.
const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
	gc?.();
	gc?.();
	return process.memoryUsage().heapUsed;
}

for (const what of MEMORY_CASES) {
	test(`memory does not grow with input length (${what})`, () => {
		assert.ok(gc !== undefined, "run with --expose-gc (scripts/run-tests.mjs does)");
		const n = 512 * 1024;
		modemRetainedBytes(1, n, heapUsed, what); // warm up
		const small = modemRetainedBytes(2, n, heapUsed, what);
		const large = modemRetainedBytes(3, 4 * n, heapUsed, what);
		console.log(`  memory (${what}): retained ${small} bytes after ${n} bytes of garbage, ${large} after ${4 * n}`);
		assert.ok(
			!retainedGrows(small, large),
			`retained heap grows with input: ${small} bytes after ${n} input bytes, ${large} after ${4 * n}`,
		);
	});
}

test.run();
