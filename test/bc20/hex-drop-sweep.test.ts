// Hex receive format, whichever bytes of the module's data the line drops: a
// sweep over every one or two bytes of a +QIRD answer (buffer access mode)
// and of a push (direct push mode), both view modes. Until the module's own
// OK comes nothing may be written, and the app gets the data whole or is
// told that received bytes were lost: never wrong bytes without a word. (In
// view mode 1 a pushed header's data is on its line: a header damaged past
// knowing hides no lines, but its data is lost all the same.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexOf, OK, openSession } from "../support/bc20-harness.js";
import { latin1 } from "../support/bytes.js";
import { dropSweep } from "../support/drop-sweep.js";

const DATA = "ab\r\nOK\r\nERROR\r\nxy";
const HEX = hexOf(DATA);

// [access mode, view mode, the module's output as it frames it]
const OUTPUTS: [mode: number, view: number, output: string][] = [
	[0, 0, "\r\n+QIRD: 17\r\n" + HEX + "\r\n"],
	[0, 1, "\r\n+QIRD: 17,0," + HEX + "\r\n"],
	[1, 0, '\r\n+QIURC: "recv",0,17\r\n' + HEX + "\r\n"],
	[1, 1, '\r\n+QIURC: "recv",0,17,' + HEX + "\r\n"],
];

// What went wrong with `output` (bytes dropped), or "".
function dropped(mode: number, view: number, output: string): string {
	// What the app got, read as it came (a TCP stream that ends at a gap closes).
	let got = "";
	const buffer = new Uint8Array(64);
	const onReadable = function (this: { read(into: Uint8Array): number }) {
		for (let n = this.read(buffer); n > 0; n = this.read(buffer)) got += latin1(buffer, 0, n);
	};
	const { h } = openSession("tcp", mode, view, { onReadable }, { receiveHex: true });
	h.fake.always(/^AT\+QISTATE/, OK);
	if (mode === 0) {
		h.fake.expect("AT+QIRD=0,512", "");
		h.fake.send('\r\n+QIURC: "recv",0\r\n');
		h.settle();
	}
	const written = h.fake.written.length;
	h.fake.send(output);
	h.settle();
	h.advance(50);
	const early = h.fake.written.slice(written);
	if (mode === 0 && early.length > 0) return "wrote " + early.join(" | ");
	if (mode === 0) h.fake.send(OK);
	h.fake.always(/^AT\+QIRD=0,/, "\r\n+QIRD: 0\r\n" + OK);
	h.settle();
	h.advance(30000);
	const lost = h.takeLog().some((l) => / (warning|error) 1008/.test(l));
	return got === DATA || lost ? "" : `delivered ${JSON.stringify(got)} without a word`;
}

for (const [mode, view, output] of OUTPUTS)
	test(`hex, ${mode === 0 ? "a +QIRD answer" : "a push"}, view mode ${view}: any one or two bytes dropped: nothing written before the module's OK, no wrong byte without a word`, () => {
		assert.equal(
			dropSweep(output, (damaged) => dropped(mode, view, damaged)),
			[],
		);
	});

test.run();
