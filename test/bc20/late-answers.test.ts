// Late answers: a send whose OK came only after its deadline still owes its
// SEND OK / SEND FAIL, and nothing else goes to that socket until it came
// (the module refuses a send while one is pending, manual 4.1.2).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexOf, OK, ready } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";

const OPEN0 = 'AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0';

test("a send answered OK after its deadline: the next send of that socket waits for the owed SEND OK", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", ""); // the module is slow: no answer in time
	socket.write(bytes("hello"));
	h.advance(600);
	// The probe before the next command: the send's late OK comes first.
	h.fake.expect("AT+CGATT?", OK + "\r\n+CGATT: 1\r\n" + OK);
	socket.write(bytes("world"));
	h.settle();
	assert.equal(h.fake.written.slice(-1), ["AT+CGATT?"]);
	h.advance(1000);
	assert.equal(h.fake.written.slice(-1), ["AT+CGATT?"], "no send while the first one's SEND OK is owed");
	h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
	h.fake.send("\r\nSEND OK\r\n");
	h.settle();
	assert.equal(h.fake.written.slice(-1), ["AT+QISEND=0,5,world"]);
	assert.equal(socket.stats, { written: 10, sent: 10, failed: 0, unknown: 0, received: 0, lost: 0 });
	assert.equal(h.fake.unexpected, []);
});

test("an owed SEND OK that never comes: the socket sends again once the wait is over", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.fake.expect("AT+QISEND=0,5,hello", "");
	socket.write(bytes("hello"));
	h.advance(600);
	h.fake.expect("AT+CGATT?", OK + "\r\n+CGATT: 1\r\n" + OK);
	socket.write(bytes("world"));
	h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
	h.advance(30000);
	assert.equal(h.fake.written.slice(-1), ["AT+QISEND=0,5,world"]);
	assert.is(socket.stats.sent, 5);
	assert.is(socket.stats.unknown, 5);
});

test("a module silent for 12 s mid-transfer: every byte has one fate, and those never written are 'not sent', not 'unknown'", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const warnings: string[] = [];
	const socket = h.open({
		onWarning(w) {
			warnings.push(w.code + " " + w.count + " " + w.message);
		},
	});
	h.fake.expect("AT+QISEND=0,5,part1", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("part1"));
	h.settle();
	// The module goes silent: nothing it is sent is answered for 12 s.
	h.fake.always(/.*/, "");
	socket.write(bytes("part2")); // written, never answered: unknown
	h.advance(1000);
	socket.write(bytes("part3")); // waits for a probe the silent module never answers: never written
	h.advance(11000);
	h.fake.clearStanding();
	// It speaks again: the probe is answered, and what is written now goes out.
	// Whichever probe comes (each one left unanswered rotates to another prefix).
	h.fake.always(
		/^AT\+(CGATT\?|CGSN=1|CPSMS\?|CCLK\?)$/,
		(line) => "\r\n+" + line.slice(3).replace(/[?=].*/, "") + ": 1\r\n" + OK,
	);
	h.fake.always(/^AT\+QISEND=0,/, OK + "\r\nSEND OK\r\n");
	h.fake.send("\r\n+CEREG: 1\r\n");
	socket.write(bytes("part4"));
	h.advance(20000);
	assert.equal(socket.stats, { written: 20, sent: 10, failed: 5, unknown: 5, received: 0, lost: 0 });
	assert.ok(
		h.fake.written.every((line) => !line.includes("part3")),
		"part3 was never written",
	);
	assert.ok(
		warnings.some((w) => w.startsWith("1007 5 ")),
		"part2: unknown: " + warnings.join(" | "),
	);
	assert.ok(
		warnings.some((w) => /^1001 5 .*not sent/.test(w)),
		"part3: not sent: " + warnings.join(" | "),
	);
});

test("a read that timed out and whose payload came late: the next read asks only for the room left, so nothing is lost", () => {
	const h = ready({ rxBufferSize: 1024 });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	const first = "a".repeat(300),
		late = "b".repeat(512);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 300,0," + hexOf(first) + "\r\n" + OK);
	h.fake.expect("AT+QIRD=0,512", ""); // no answer in time
	// The probe before the next read: the late read's payload and OK come first.
	h.fake.expect("AT+CGATT?", "\r\n+QIRD: 512,0," + hexOf(late) + "\r\n" + OK + "\r\n+CGATT: 1\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,812\r\n');
	h.advance(2000);
	assert.equal(socket.stats.lost, 0, "nothing was read that did not fit");
	assert.ok(
		h.fake.written.filter((l) => l.startsWith("AT+QIRD")).length === 2,
		"no read while the ring has less room than a useful read: " + h.fake.written.join(" | "),
	);
	// The app reads; the module still holds nothing (it sent all 812): +QIRD: 0 ends the drain.
	h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	assert.is(h.readAll(socket), first + late);
	h.advance(1000);
	assert.equal(h.fake.unexpected, []);
});

test("an open never written (the module left the probe before it unanswered) ends with why: the app's error says it was not sent", () => {
	const h = ready();
	h.fake.expect("AT+CSQ", ""); // no answer: the line is out of step, a probe goes first
	h.modem.command("AT+CSQ", { timeout: 300 }, () => {});
	h.advance(600);
	h.fake.expect("AT+CGATT?", ""); // the probe: unanswered too
	const errors: string[] = [];
	h.open(
		{
			onError(error) {
				errors.push(error.message);
			},
		},
		"",
	);
	h.advance(2000);
	assert.equal(errors, [
		"AT+QIOPEN: socket 0: No answer from the module in time (1001): not sent: the module did not answer the resync probe before it",
	]);
	assert.not.ok(
		h.fake.written.some((line) => line.startsWith("AT+QIOPEN")),
		"the open was never written",
	);
});

test.run();
