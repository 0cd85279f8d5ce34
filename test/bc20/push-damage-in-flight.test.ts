// Never two commands on the wire, in direct push mode: a pushed header
// damaged on the line lets its data be parsed as lines, and an OK, ERROR or
// SEND OK among them is no command's answer. While such data may still be
// coming, the command on the wire takes no final result: it ends at its
// deadline, and what it did is reported unknown rather than guessed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { helloInFlight, OK, openSession } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";

// Each row: how the push was damaged, the view mode, and the module's output
// as it came. Its data was "ab\r\nERROR\r\nSEND FAIL\r\nxy" (24 bytes), its
// header +QIURC: "recv",0,24 (view mode 0: on a line of its own; view mode 1,
// bc20 nc's: the data follows a comma on the header's line).
const DATA = "ab\r\nERROR\r\nSEND FAIL\r\nxy\r\n";
const DAMAGED_PUSHES: [name: string, view: number, output: string][] = [
	["its header lost a digit of the length (the run ends short)", 0, '\r\n+QIURC: "recv",0,4\r\n' + DATA],
	["its header lost its CR LF (header and data one line)", 0, '\r\n+QIURC: "recv",0,24' + DATA],
	// (Its data's first line a final result: no noise comes before it.)
	["its header lost the quote after its type", 0, '\r\n+QIURC: "recv,0,24\r\nERROR\r\nSEND FAIL\r\nab\r\nxy\r\n'],
	["its header lost a byte of its type", 0, '\r\n+QIURC: "rcv",0,24\r\n' + DATA],
	["its header lost a byte of its name", 0, '\r\n+QIUC: "recv",0,24\r\n' + DATA],
	["its header lost its colon", 0, '\r\n+QIURC "recv",0,24\r\n' + DATA],
	["its header lost a digit of the length (the run ends short)", 1, '\r\n+QIURC: "recv",0,4,' + DATA],
	["its header lost the comma before the data", 1, '\r\n+QIURC: "recv",0,24' + DATA],
	["its header lost the comma before the length", 1, '\r\n+QIURC: "recv",024,' + DATA],
	["its header lost the quote after its type", 1, '\r\n+QIURC: "recv,0,24,' + DATA],
	["its header lost the quote before its type", 1, '\r\n+QIURC: recv",0,24,' + DATA],
	["its header lost the comma after its type", 1, '\r\n+QIURC: "recv"0,24,' + DATA],
	["its header lost its connectID", 1, '\r\n+QIURC: "recv",,24,' + DATA],
	["its header lost a byte of its type", 1, '\r\n+QIURC: "rcv",0,24,' + DATA],
	["its header lost a byte of its name", 1, '\r\n+QIUC: "recv",0,24,' + DATA],
	// (bc20 nc -u in CI: the ERROR in the data ended the AT+QISENDEX on the wire.)
	["its header lost its colon", 1, '\r\n+QIURC "recv",0,24,' + DATA],
	["its header lost the space after its colon", 1, '\r\n+QIURC:"recv",0,24,' + DATA],
];

// The send's stage when the damaged push came: awaiting its OK (the ERROR in
// the data would end it, and the next command go before the module's OK:
// nothing may be written until its deadline), or awaiting SEND OK (the SEND
// FAIL in the data would be taken for its fate; it is unknown at once, not
// after the 10 s a SEND OK may take).
const STAGES: [name: string, reply: string, after: string, deadlineMs: number][] = [
	["its OK", "", "\r\nOK\r\n\r\nSEND OK\r\n", 2000],
	["its SEND OK", OK, "\r\nSEND OK\r\n", 0],
];

for (const [name, view, output] of DAMAGED_PUSHES)
	for (const [stage, reply, after, deadlineMs] of STAGES)
		for (const type of ["tcp", "udp"] as const)
			test(`${type}, view mode ${view}: a push damaged while AT+QISEND awaits ${stage} (${name}): no final result in its data is taken; the send is reported unknown`, () => {
				const { h, socket } = helloInFlight(type, view, reply);
				const written = h.fake.written.length;
				h.fake.send(output);
				h.settle();
				// The module's own answer, right after the data.
				h.fake.send(after);
				h.settle();
				if (deadlineMs > 0) {
					h.advance(100);
					assert.is(h.fake.written.length, written, "nothing written while the send awaits its answer");
					h.advance(deadlineMs);
				}
				assert.ok(
					h.takeLog().some((l) => l.startsWith("0 warning 1007 0+5")),
					"the send's fate is unknown, not failed",
				);
				assert.is(socket.stats.failed, 0);
				assert.is(socket.stats.unknown, 5);
				assert.equal(h.fake.unexpected, []);
			});

test("the distrust ends once the largest push's bytes have come after the damage: a later answer is taken on a line never quiet", () => {
	// (The module's output in 64-byte pieces, as a UART hands it over.)
	const { h, socket } = openSession("udp", 1, 0, {}, { chunks: [64] });
	h.fake.send('\r\n+QIURC: "rcv",0,13\r\nab\r\nERROR\r\nxy\r\n');
	// 1 700 bytes of pushes more, with no pause.
	for (let k = 0; k < 17; k++) h.fake.send('\r\n+QIURC: "recv",0,100\r\n' + "d".repeat(100) + "\r\n");
	h.settle();
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("hello"));
	h.settle();
	assert.is(socket.stats.sent, 5);
	assert.equal(h.fake.unexpected, []);
});

test("once the line was quiet (the stall time), a damaged push's data has all come: the next answer is taken", () => {
	const { h, socket } = openSession("udp", 1, 0);
	h.fake.send('\r\n+QIURC: "rcv",0,13\r\nab\r\nERROR\r\nxy\r\n');
	h.settle();
	// Within the time the largest push takes at 115200 baud, but quiet for 300 ms.
	h.advance(300);
	h.fake.expect("AT+QISEND=0,5,hello", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("hello"));
	h.settle();
	assert.is(socket.stats.sent, 5);
	assert.equal(h.fake.unexpected, []);
});

test("the quiet that ends the distrust is watched while the wire is idle", () => {
	const { h, socket } = openSession("udp", 1, 0);
	h.fake.expect("AT+QISEND=0,5,hello", OK);
	socket.write(bytes("hello"));
	h.settle();
	// The send ends, then a damaged header comes, in one turn: the wire goes idle.
	h.fake.send('\r\nSEND OK\r\n\r\n+QIURC: "rcv",0,13\r\n');
	h.settle();
	h.advance(1000);
	h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("world"));
	h.settle();
	assert.is(socket.stats.sent, 10);
	assert.equal(h.fake.unexpected, []);
});

test("buffer mode: noise while a command awaits its answer does not make it distrust its answer", () => {
	const { h, socket } = openSession("tcp", 0, 0);
	h.fake.expect("AT+QISEND=0,5,hello");
	socket.write(bytes("hello"));
	h.settle();
	h.fake.send("\r\n\x01\x02garbage\r\n\r\nOK\r\n\r\nSEND OK\r\n");
	h.settle();
	assert.is(socket.stats.sent, 5);
});

test.run();
