// An open's answer damaged on the line: the module answers AT+QIOPEN with OK
// and, once the connection is up, "+QIOPEN: <id>,<err>", which it does not
// repeat. A sweep over every one or two bytes of that answer dropped: the
// open has an outcome (connected, or failed, 550 where it is unknown)
// within 5 s, never the minute the +QIOPEN may take.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Harness, OK } from "../support/bc20-harness.js";
import { changeSweep, dropSweep } from "../support/drop-sweep.js";

const ANSWER = "\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n";

// What went wrong with `answer` (bytes dropped), or "".
function dropped(type: "tcp" | "udp", mode: number, answer: string): string {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
	h.bringUp({ hex: 0, view: 1, show: 1 });
	h.fake.always("AT", OK);
	h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
	const state = `\r\n+QISTATE: 0,"${type.toUpperCase()}","127.0.0.1",9000,0,2,1,0,${mode},"usbmodem"\r\n`;
	h.fake.always(/^AT\+QISTATE/, state + OK);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.always(/^AT\+QIRD/, "\r\n+QIRD: 0\r\n" + OK);
	h.fake.expect(`AT+QIOPEN=1,0,"${type.toUpperCase()}","127.0.0.1",9000,0,${mode}`, answer);
	h.open({ type, mode }, "");
	h.advance(5000);
	const log = h.takeLog();
	return log.some((l) => / connected$| error /.test(l)) ? "" : "no outcome: " + log.join(", ");
}

for (const mode of [0, 1])
	for (const type of ["tcp", "udp"] as const)
		test(`${type}, access mode ${mode}: any one or two bytes of the open's answer dropped: an outcome within 5 s`, () => {
			assert.equal(
				dropSweep(ANSWER, (damaged) => dropped(type, mode, damaged)),
				[],
			);
		});

for (const mode of [0, 1])
	for (const type of ["tcp", "udp"] as const)
		test(`${type}, access mode ${mode}: any one byte of the open's answer changed: an outcome within 5 s`, () => {
			assert.equal(
				changeSweep(ANSWER, (damaged) => dropped(type, mode, damaged)),
				[],
			);
		});

// The name damaged, the numbers whole: they are the module's answer.
for (const damaged of ["+QIOP: 0,0", "+QIOPxN: 0,0", "+QIxOPEN: 0,0"])
	test(`"${damaged}", a +QIOPEN whose name was damaged and whose numbers read whole: connected, not closed as unknown`, () => {
		const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
		h.bringUp({ hex: 0, view: 1, show: 1 });
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1', OK + "\r\n" + damaged + "\r\n");
		h.open({ mode: 1 }, "");
		h.advance(5000);
		assert.equal(h.takeLog(), ["0 connected", "0 writable 2048"]);
		assert.equal(h.fake.unexpected, [], "no AT+QICLOSE");
	});

for (const damaged of ["+QIOP: 0,", "+QIOP: 0,0,1", "+QIOP: 0,0x"])
	test(`"${damaged}", a damaged +QIOPEN whose numbers do not read whole: the outcome is unknown (550), the connectID closed`, () => {
		const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
		h.bringUp({ hex: 0, view: 1, show: 1 });
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1', OK + "\r\n" + damaged + "\r\n");
		h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		h.open({ mode: 1 }, "");
		h.advance(5000);
		assert.equal(h.takeLog(), ["0 error 550"]);
		assert.equal(h.fake.unexpected, []);
	});

test.run();
