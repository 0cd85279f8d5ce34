// The reader's recorded transcripts, each run whole, byte by byte, at every
// wrap-around offset of the ring, and with random chunkings.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkCase, checkRandomStream, READER_CASES } from "./reader-cases.js";

for (const [i, c] of READER_CASES.entries()) {
	test(c.name, () => {
		for (const o of checkCase(c, 1000 + i, 40)) assert.ok(o.ok, `${o.name}\n${o.detail}`);
	});
}

test("random streams: any chunking yields the events of the whole-input run", () => {
	for (let seed = 1; seed <= 60; seed++) {
		for (const o of checkRandomStream(seed, 40, 25)) assert.ok(o.ok, `${o.name}\n${o.detail}`);
	}
});

test.run();
