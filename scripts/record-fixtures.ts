// npm run record-fixtures: records the sessions of test/recordings/fixtures.ts
// against the emulated module (bc20 --port sim --record ...), with what each
// command printed. Run it after a change that alters what the driver writes;
// commit the files it writes.
import { writeFileSync } from "node:fs";
import { runCli } from "../test/support/cli-process.js";
import { FIXTURES } from "../test/recordings/fixtures.js";

const folder = "test/recordings";
for (const fixture of FIXTURES) {
	const peer = await fixture.peer?.();
	try {
		const file = `${folder}/${fixture.name}.jsonl`;
		const run = await runCli(
			["--port", "sim", "--record", file, ...fixture.args(peer?.port ?? 0)],
			fixture.stdin === undefined ? undefined : Buffer.from(fixture.stdin),
		);
		if (run.code !== 0) throw new Error(`${fixture.name}: exit ${run.code}: ${run.stderr}`);
		writeFileSync(`${folder}/${fixture.name}.stdout`, run.stdout);
		console.log(`${file}: ${run.stdout.length} bytes printed`);
	} finally {
		await peer?.close();
	}
}
