// Never two commands on the wire, whichever bytes of a push the line drops:
// a sweep over every one or two bytes of a direct push whose data holds final
// results, dropped while AT+QISEND awaits its OK or its SEND OK. Until the
// module's own OK comes nothing may be written (after it, no other send on
// the socket until its SEND OK: manual 4.1.2; a TCP stream that ended at the
// gap may close meanwhile), and the send's fate is what the module said
// (sent) or unknown, never failed: the SEND FAIL and ERROR in the data are
// no answer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { helloInFlight, OK } from "../support/bc20-harness.js";
import { dropSweep } from "../support/drop-sweep.js";

const DATA = "ab\r\nERROR\r\nSEND FAIL\r\nxy";
// As the module frames it: view mode 0 puts the data on the lines after the
// header, view mode 1 (bc20 nc's) after a comma on the header's line.
const PUSHES: [view: number, output: string][] = [
	[0, '\r\n+QIURC: "recv",0,24\r\n' + DATA + "\r\n"],
	[1, '\r\n+QIURC: "recv",0,24,' + DATA + "\r\n"],
];

// The stage, and what may not be written in it.
const STAGES: [name: string, reply: string, after: string, forbidden: RegExp][] = [
	["its OK", "", "\r\nOK\r\n\r\nSEND OK\r\n", /./],
	["its SEND OK", OK, "\r\nSEND OK\r\n", /^AT\+QISEND/],
];

// What went wrong with `output` (the push with bytes dropped), or "".
function dropped(
	type: "tcp" | "udp",
	view: number,
	[, reply, after, forbidden]: (typeof STAGES)[number],
	output: string,
): string {
	const { h, socket } = helloInFlight(type, view, reply);
	const early = h.writtenDuring(output, 50);
	if (early.some((line) => forbidden.test(line))) return "wrote " + early.join(" | ");
	h.fake.send(after);
	h.settle();
	h.advance(30000);
	const { sent, unknown, failed } = socket.stats;
	if (failed !== 0 || sent + unknown !== 5) return `sent ${sent}, unknown ${unknown}, failed ${failed}`;
	return "";
}

for (const [view, push] of PUSHES)
	for (const stage of STAGES)
		for (const type of ["tcp", "udp"] as const)
			test(`${type}, view mode ${view}: any one or two bytes of a push dropped while AT+QISEND awaits ${stage[0]}: nothing written before the module's answer, the send never failed`, () => {
				assert.equal(
					dropSweep(push, (damaged) => dropped(type, view, stage, damaged)),
					[],
				);
			});

test.run();
