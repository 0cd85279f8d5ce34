// Line: fields read straight from the line's bytes, a number parsed once per line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ascii } from "../../firmware/at/ascii.js";
import { Line } from "../../firmware/at/line.js";

function line(text: string): Line {
	const l = new Line();
	const bytes = ascii(text);
	l.set(bytes, 0, bytes.length, -1);
	return l;
}

test("a field read twice gives the same number, and a field that is none gives each caller's fallback", () => {
	const l = line('+QIURC: "recv",3,512');
	assert.is(l.int(2), 512);
	assert.is(l.int(2, 0), 512);
	assert.is(l.int(1), 3);
	assert.is(l.int(0, -1), -1); // "recv" is not a number
	assert.is(l.int(0, 7), 7);
	assert.is(l.int(5, 9), 9); // absent
});

test("a line set anew forgets the numbers of the last one", () => {
	const l = line("+QIRD: 512,0");
	assert.is(l.int(0), 512);
	const next = ascii("+QIRD: 0");
	l.set(next, 0, next.length, -1);
	assert.is(l.int(0), 0);
	assert.is(l.int(1, -1), -1);
});

test("a line in a ring that wraps reads the same numbers", () => {
	const ring = new Uint8Array(16);
	const text = ascii("+QIRD: 300,12");
	for (let i = 0; i < text.length; i++) ring[(10 + i) & 15] = text[i];
	const l = new Line();
	l.set(ring, 10, text.length, 15);
	assert.is(l.int(0), 300);
	assert.is(l.int(1), 12);
});

test("a line damaged on the line is told from its text: up to two bytes dropped, changed or added, or its first piece", () => {
	const sendOk = ascii("SEND OK");
	for (const damaged of ["SEND OK", "SEN OK", "SEXD OK", "qSEND OK", "qSEND OKx", "SEND", "SE", "ND OK", "END OK"])
		assert.ok(line(damaged).isDamaged(sendOk), damaged);
	// A piece of one byte, three edits, another line.
	for (const other of ["S", "qqSEN OK", "OK", "D OK", "CLOSE OK"]) assert.not.ok(line(other).isDamaged(sendOk), other);
	assert.ok(line("q+QIOPEN: 0,0").isDamaged(ascii("+QIOPEN:")));
	assert.ok(line("+QIOP").isDamaged(ascii("+QIOPEN:")));
});

test.run();
