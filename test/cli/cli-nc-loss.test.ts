// `bc20 nc` over a line that drops bytes (bc20 sim --drop-rate): whatever
// the damage, nc never exits 0 with bytes missing or wrong on stdout, and its
// last stderr line names a count no smaller than the damage, or says the
// count is unknown and the stream ended at the gap.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../support/cli-process.js";
import { hostilePayload, sender } from "../support/loopback-servers.js";

// Bytes of `sent` not found intact at their place in `got`, plus the length difference.
function damage(sent: Uint8Array, got: Uint8Array): number {
	let wrong = Math.abs(sent.length - got.length);
	for (let i = 0; i < Math.min(sent.length, got.length); i++) if (sent[i] !== got[i]) wrong++;
	return wrong;
}

test("received bytes dropped on the line: exit 1, the count covers the damage (or is said unknown)", async () => {
	const reply = hostilePayload(20000, 5);
	const peer = await sender(reply);
	try {
		let damaged = 0;
		for (const seed of ["1", "2"]) {
			const run = await runCli(
				["nc", "127.0.0.1", String(peer.port), "--drop-rate", "0.001", "--seed", seed],
				new Uint8Array(0),
				30000,
			);
			const wrong = damage(reply, run.stdout);
			if (wrong === 0) continue;
			damaged++;
			assert.is(run.code, 1, `seed ${seed}: ${wrong} bytes wrong, ${run.stderr}`);
			const last = run.stderr.trimEnd().split("\n").pop() as string;
			const counted = /(\d+) received bytes lost or damaged/.exec(last);
			if (counted === null)
				assert.match(
					last,
					/received bytes lost \(count unknown.*the stream ended at the gap/,
					`seed ${seed}: ${run.stderr}`,
				);
			else assert.ok(Number(counted[1]) >= wrong, `seed ${seed}: ${counted[1]} counted, ${wrong} wrong`);
		}
		assert.ok(damaged > 0, "the drops damaged some run");
	} finally {
		await peer.close();
	}
});

test.run();
