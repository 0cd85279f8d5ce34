// Usage errors exit 2 before anything reaches the module; runtime failures exit 1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../support/cli-process.js";

test("an invalid host, a tcp:// port out of range, a bad --seed: usage errors, exit 2, one line", async () => {
	const cases: [string[], RegExp][] = [
		[["nc", 'bad"host', "80"], /^bc20: HOST contains a character not allowed/],
		[["ping", "a..b"], /^bc20: HOST has an empty label/],
		[["--port", "tcp://127.0.0.1:70000", "at", "AT"], /^bc20: --port: bad port "70000"/],
		[["--seed", "x", "at", "AT"], /^bc20: --seed must be an integer from 0 to 2147483647, not "x"\n$/],
	];
	for (const [args, pattern] of cases) {
		const run = await runCli(args);
		assert.match(run.stderr, pattern, `${args.join(" ")}: ${run.stderr}`);
		assert.is(run.stderr.trim().split("\n").length, 1, run.stderr);
		assert.is(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
	}
});

test.run();
