// A bounded sweep of the driver against the strict, hostile emulator (more
// seeds: npm run soak -- --sweep N). See hostile-sweep.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sweepSeed } from "./hostile-sweep.js";

test("hostile module settings over 8 seeds: data intact or its loss reported, one command on the wire, every run ends", async () => {
	const bad: string[] = [];
	for (let seed = 1; seed <= 8; seed++) {
		const result = await sweepSeed(seed);
		console.log(
			`  seed ${seed} (${result.settings}): ${result.problems.length === 0 ? "ok" : result.problems.join("; ")}`,
		);
		if (result.problems.length > 0) bad.push(`seed ${seed} (${result.settings}): ${result.problems.join("; ")}`);
	}
	assert.equal(bad, []);
});

test.run();
