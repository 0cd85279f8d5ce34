// Buffer access mode: the module tells of received data once ("recv"), and
// not again while it holds data (manual 2.1.5), so a notice damaged on the
// line must still get its socket read, or the data waits unread for good. A
// sweep over every one or two bytes of a notice dropped: the socket is read
// within a second (the quiet that ends a line whose CR LF was lost, 250 ms).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Harness, OK } from "../support/bc20-harness.js";

// As the module frames it: with showlength 1 the count follows.
const NOTICES: [view: number, notice: string][] = [
	[0, '\r\n+QIURC: "recv",0\r\n'],
	[1, '\r\n+QIURC: "recv",0,17\r\n'],
];

// What went wrong with `notice` (bytes dropped), or "".
function dropped(type: "tcp" | "udp", view: number, notice: string): string {
	const h = new Harness({ receiveHex: false, viewMode: view, showLength: view === 1 });
	h.bringUp({ hex: 0, view, show: view });
	h.fake.expect('AT+QIOPEN=1,0,"' + type.toUpperCase() + '","127.0.0.1",9000,0,0');
	h.open({ type, mode: 0 });
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
			const wrong: string[] = [];
			// (b === at: one byte dropped.)
			for (let at = 0; at < notice.length; at++)
				for (let b = at; b < notice.length; b++) {
					const rest = b === at ? notice.slice(at + 1) : notice.slice(at + 1, b) + notice.slice(b + 1);
					const why = dropped(type, view, notice.slice(0, at) + rest);
					if (why !== "") wrong.push(`bytes ${at}, ${b} (${JSON.stringify(notice[at] + notice[b])}): ${why}`);
				}
			assert.equal(wrong, []);
		});

test.run();
