// Buffer access mode: the module tells of received data once ("recv"), and
// not again while it holds data (manual 2.1.5), so a notice damaged on the
// line must still get its socket read, or the data waits unread for good. A
// sweep over every one or two bytes of a notice dropped: the socket is read
// within a second (the quiet that ends a line whose CR LF was lost, 250 ms).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OK, openSession } from "../support/bc20-harness.js";
import { dropSweep } from "../support/drop-sweep.js";

// As the module frames it: with showlength 1 the count follows.
const NOTICES: [view: number, notice: string][] = [
	[0, '\r\n+QIURC: "recv",0\r\n'],
	[1, '\r\n+QIURC: "recv",0,17\r\n'],
];

// What went wrong with `notice` (bytes dropped), or "".
function dropped(type: "tcp" | "udp", view: number, notice: string): string {
	const { h } = openSession(type, 0, view);
	h.fake.always(/^AT\+QIRD=0,/, "\r\n+QIRD: 0\r\n" + OK);
	const written = h.fake.written.length;
	h.fake.send(notice);
	h.settle();
	h.advance(1000);
	const after = h.fake.written.slice(written);
	return after.some((line) => line.startsWith("AT+QIRD=0,")) ? "" : "no read; wrote " + after.join(" | ");
}

for (const [view, notice] of NOTICES)
	for (const type of ["tcp", "udp"] as const)
		test(`${type}, view mode ${view}: any one or two bytes of a "recv" notice dropped: the socket is read`, () => {
			assert.equal(
				dropSweep(notice, (damaged) => dropped(type, view, damaged)),
				[],
			);
		});

test.run();
