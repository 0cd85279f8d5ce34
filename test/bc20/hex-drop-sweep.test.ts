// Hex receive format in direct push mode, whichever bytes of a push the line
// drops: a sweep over every one or two bytes of a push, both view modes. The
// app gets the data whole or is told that received bytes were lost, never
// wrong bytes without a word. (In view mode 1 a pushed header's data is on
// its line: a header damaged past knowing hides no lines, but loses its data
// all the same. Reads in hex: read-drop-sweep.test.ts.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "../../firmware/bc20/socket.js";
import { hexOf, openSession } from "../support/bc20-harness.js";
import { latin1 } from "../support/bytes.js";
import { dropSweep } from "../support/drop-sweep.js";

const DATA = "ab\r\nOK\r\nERROR\r\nxy";
const HEX = hexOf(DATA);

// As the module frames it: view mode 0 puts the data on the line after the
// header, view mode 1 after a comma on the header's line.
const PUSHES: [view: number, push: string][] = [
	[0, '\r\n+QIURC: "recv",0,17\r\n' + HEX + "\r\n"],
	[1, '\r\n+QIURC: "recv",0,17,' + HEX + "\r\n"],
];

// What went wrong with `push` (bytes dropped), or "".
function dropped(type: "tcp" | "udp", view: number, push: string): string {
	// What the app got, read as it came (a TCP stream that ends at a gap closes).
	let got = "";
	const buffer = new Uint8Array(64);
	const onReadable = function (this: Socket) {
		for (let n = this.read(buffer); n > 0; n = this.read(buffer)) got += latin1(buffer, 0, n);
	};
	const { h } = openSession(type, 1, view, { onReadable }, { receiveHex: true });
	h.fake.send(push);
	h.settle();
	h.advance(30000);
	const lost = h.takeLog().some((l) => / (warning|error) 1008/.test(l));
	return got === DATA || lost ? "" : `delivered ${JSON.stringify(got)} without a word`;
}

for (const [view, push] of PUSHES)
	for (const type of ["tcp", "udp"] as const)
		test(`${type}, hex, view mode ${view}: any one or two bytes of a push dropped: no wrong byte without a word`, () => {
			assert.equal(
				dropSweep(push, (damaged) => dropped(type, view, damaged)),
				[],
			);
		});

test.run();
