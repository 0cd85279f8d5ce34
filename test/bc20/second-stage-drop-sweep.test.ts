// The two-stage answers damaged on the line: AT+QISEND's OK then SEND OK,
// AT+QICLOSE's OK then CLOSE OK. A sweep over every one or two bytes of
// them dropped: within a second the send's fate is known (sent, or unknown:
// never failed, as the module said SEND OK) and the socket is closed, not
// after the 10 s a second-stage line may take and the wait for the line
// then owed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Harness, OK } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

function connected(): { h: Harness; socket: Socket } {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
	h.bringUp({ hex: 0, view: 1, show: 1 });
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const socket = h.open({ type: "tcp", mode: 1 });
	h.fake.always("AT", OK);
	return { h, socket };
}

// What went wrong with each answer (bytes dropped), or "".
const CASES: [name: string, answer: string, run: (answer: string) => string][] = [
	[
		"AT+QISEND's OK and SEND OK",
		"\r\nOK\r\n\r\nSEND OK\r\n",
		(answer) => {
			const { h, socket } = connected();
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
			const { h, socket } = connected();
			h.fake.expect("AT+QICLOSE=0", answer);
			socket.close();
			h.advance(1000);
			return socket.state === INITIAL ? "" : "not closed: " + h.takeLog().join(", ");
		},
	],
];

for (const [name, answer, run] of CASES)
	test(`any one or two bytes of ${name} dropped: the outcome within a second`, () => {
		const wrong: string[] = [];
		// (b === at: one byte dropped.)
		for (let at = 0; at < answer.length; at++)
			for (let b = at; b < answer.length; b++) {
				const rest = b === at ? answer.slice(at + 1) : answer.slice(at + 1, b) + answer.slice(b + 1);
				const why = run(answer.slice(0, at) + rest);
				if (why !== "") wrong.push(`bytes ${at}, ${b} (${JSON.stringify(answer[at] + answer[b])}): ${why}`);
			}
		assert.equal(wrong, []);
	});

test.run();
