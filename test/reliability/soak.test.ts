// The bounded hostile payload soak of `npm test` (npm run soak moves more):
// about 0.5 MB of payloads built from CR, LF, "\r\nOK\r\n", "+QIURC:
// \"recv\",0", "SEND OK", quotes, commas, 0x00, 0x1A and 0xFF, echoed over TCP
// and UDP, in buffer and direct push modes, in hex and text receive formats,
// compared byte for byte: zero mismatches.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { soak } from "./soak-engine.js";

test("hostile payloads through every transport, access mode and receive format arrive byte for byte", async () => {
	const runs = await soak({
		bytesPerRun: 64 * 1024,
		seed: 7,
		baud: 3000000,
		onRun: (r) =>
			console.log(
				`  ${r.name}: ${(r.bytes / 1024).toFixed(0)} KB, ${r.mismatches} mismatches, ${r.seconds.toFixed(1)} s${r.detail ? " (" + r.detail + ")" : ""}`,
			),
	});
	assert.is(runs.length, 8);
	const bad = runs.filter((r) => r.mismatches !== 0 || r.bytes !== 64 * 1024);
	assert.equal(
		bad.map((r) => `${r.name}: ${r.mismatches} mismatches, ${r.bytes} bytes (${r.detail})`),
		[],
	);
});

test.run();
