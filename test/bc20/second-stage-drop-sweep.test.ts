// The two-stage answers damaged on the line: AT+QISEND's OK then SEND OK,
// AT+QICLOSE's OK then CLOSE OK. A sweep over every one or two bytes of
// them dropped: within a second the send's fate is known (sent, or unknown:
// never failed, as the module said SEND OK) and the socket is closed, not
// after the 10 s a second-stage line may take and the wait for the line
// then owed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openSession } from "../support/bc20-harness.js";
import { changeSweep, dropSweep } from "../support/drop-sweep.js";
import { bytes } from "../support/bytes.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

// What went wrong with each answer (bytes dropped), or "".
const CASES: [name: string, answer: string, run: (answer: string) => string][] = [
	[
		"AT+QISEND's OK and SEND OK",
		"\r\nOK\r\n\r\nSEND OK\r\n",
		(answer) => {
			const { h, socket } = openSession("tcp", 1, 1);
			h.fake.expect("AT+QISEND=0,5,hello", answer);
			socket.write(bytes("hello"));
			h.advance(1000);
			const { sent, unknown, failed } = socket.stats;
			return sent + unknown === 5 && failed === 0 ? "" : `sent ${sent}, unknown ${unknown}, failed ${failed}`;
		},
	],
	[
		"AT+QICLOSE's OK and CLOSE OK",
		"\r\nOK\r\n\r\nCLOSE OK\r\n",
		(answer) => {
			const { h, socket } = openSession("tcp", 1, 1);
			h.fake.expect("AT+QICLOSE=0", answer);
			socket.close();
			h.advance(1000);
			return socket.state === INITIAL ? "" : "not closed: " + h.takeLog().join(", ");
		},
	],
];

for (const [name, answer, run] of CASES)
	test(`any one or two bytes of ${name} dropped: the outcome within a second`, () => {
		assert.equal(dropSweep(answer, run), []);
	});

for (const [name, answer, run] of CASES)
	test(`any one byte of ${name} changed: the outcome within a second`, () => {
		assert.equal(changeSweep(answer, run), []);
	});

test.run();
