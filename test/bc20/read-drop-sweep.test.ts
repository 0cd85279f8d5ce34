// Buffer access mode, whichever bytes of a +QIRD answer the line drops: a
// sweep over every one or two bytes of an answer whose data holds final
// results, in text and hex receive format. Until the module's own OK comes nothing may be written (never
// two commands on the wire), and the app gets the data whole or is told
// that received bytes were lost: never wrong bytes without a word.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexOf, OK, openSession } from "../support/bc20-harness.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { dropSweep } from "../support/drop-sweep.js";
import { latin1 } from "../support/bytes.js";

const DATA = "ab\r\nOK\r\nERROR\r\nxy";
// As the module frames it, without its final OK (sent apart): view mode 0
// puts the data on the lines after the header, view mode 1 after a comma
// on the header's line (with showlength, the bytes that remain).
// In hex receive format the data is hex digits, which cannot pass for lines,
// but a damaged header still loses them.
const HEX = hexOf(DATA);
const ANSWERS: [view: number, hex: boolean, answer: string][] = [
	[0, false, "\r\n+QIRD: 17\r\n" + DATA + "\r\n"],
	[1, false, "\r\n+QIRD: 17,0," + DATA + "\r\n"],
	[0, true, "\r\n+QIRD: 17\r\n" + HEX + "\r\n"],
	[1, true, "\r\n+QIRD: 17,0," + HEX + "\r\n"],
];

// What went wrong with `answer` (bytes dropped), or "".
function dropped(type: "tcp" | "udp", view: number, hex: boolean, answer: string): string {
	// What the app got, read as it came (a TCP stream that ends at a gap closes).
	let got = "";
	const buffer = new Uint8Array(64);
	const onReadable = function (this: Socket) {
		for (let n = this.read(buffer); n > 0; n = this.read(buffer)) got += latin1(buffer, 0, n);
	};
	const { h } = openSession(type, 0, view, { onReadable }, { receiveHex: hex });
	h.fake.always(/^AT\+QISTATE/, OK);
	h.fake.expect("AT+QIRD=0,512", "");
	h.fake.send('\r\n+QIURC: "recv",0\r\n');
	h.settle();
	const early = h.writtenDuring(answer, 50);
	if (early.length > 0) return "wrote " + early.join(" | ");
	h.fake.send(OK);
	h.fake.always(/^AT\+QIRD=0,/, "\r\n+QIRD: 0\r\n" + OK);
	h.settle();
	h.advance(30000);
	const lost = h.takeLog().some((l) => / (warning|error) 1008/.test(l));
	if (got !== DATA && !lost) return `delivered ${JSON.stringify(got)} without a word`;
	return "";
}

for (const [view, hex, answer] of ANSWERS)
	for (const type of ["tcp", "udp"] as const)
		test(`${type}, ${hex ? "hex" : "text"}, view mode ${view}: any one or two bytes of a +QIRD answer dropped: nothing written before the module's OK, no wrong byte without a word`, () => {
			assert.equal(
				dropSweep(answer, (damaged) => dropped(type, view, hex, damaged)),
				[],
			);
		});

test.run();
