// LineTable: a line is classified by its head (its first bytes, read with no
// pass over the line), then compared byte by byte with the rows of that head.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ascii } from "../../firmware/at/ascii.js";
import { Line } from "../../firmware/at/line.js";
import * as K from "../../firmware/at/line-kind.js";
import { LineTable, prefix } from "../../firmware/at/prefix-table.js";
import { BC20_LINES, URC_CEREG, URC_CLOSED, URC_CSCON, URC_QATSLEEP, URC_QATWAKEUP } from "../../firmware/bc20/urcs.js";

function kindOf(text: string | Uint8Array, table = BC20_LINES): number {
	const bytes = typeof text === "string" ? ascii(text) : text;
	const line = new Line();
	line.set(bytes, 0, bytes.length, -1);
	return table.kindOf(line);
}

test("rows that share their first four bytes are told apart by the rest", () => {
	const cases: [string, number][] = [
		["SEND OK", K.SEND_OK],
		["SEND FAIL", K.SEND_FAIL],
		["+QATWAKEUP", URC_QATWAKEUP],
		["+QATSLEEP", URC_QATSLEEP],
		['+QIURC: "recv",0,512', K.URC_RECV],
		['+QIURC: "closed",1', URC_CLOSED],
		['+QIURC: "other",1', K.URC_QIURC_OTHER],
		["+CSCON: 1", URC_CSCON],
		["+CEREG: 1", URC_CEREG],
		["OK", K.OK],
		["RDY", K.URC_RDY],
	];
	for (const [text, kind] of cases) assert.is(kindOf(text), kind, text);
});

test("a line that only starts like a row is none of them", () => {
	for (const text of [
		"OKAY",
		"O",
		"SEND",
		"SEND OKAY",
		"+QATWAKEUPX",
		"+CSCONX: 1",
		"+CSCO",
		"+QIURC",
		"RD",
		"RDYX",
		"",
	])
		assert.is(kindOf(text), -1, JSON.stringify(text));
});

test("a byte that differs from a row's fourth only in its high bits does not match", () => {
	// 0x83 and "C" (0x43) share their low six bits, and so the head.
	assert.is(kindOf(Uint8Array.of(0x2b, 0x43, 0x53, 0x83, 0x4f, 0x4e, 0x3a, 0x20, 0x31)), -1);
	assert.is(kindOf(Uint8Array.of(0x2b, 0x43, 0x53, 0x43, 0x4f, 0x4e, 0x3a, 0x20, 0x31)), URC_CSCON);
});

test("a table whose rows could never all match is refused at load", () => {
	assert.throws(() => new LineTable([prefix("+AB:", 50, "general"), prefix("+AB: x", 51, "specific")]), /unreachable/);
	assert.throws(() => new LineTable([prefix("AB", 50, "short")]), /must be exact/);
	assert.throws(() => new LineTable([prefix("+AB:", 50, "one"), prefix("+CD:", 50, "two")]), /share a kind/);
	// The specific row first: both reachable.
	const table = new LineTable([prefix("+AB: x", 51, "specific"), prefix("+AB:", 50, "general")]);
	assert.is(kindOf("+AB: x1", table), 51);
	assert.is(kindOf("+AB: y", table), 50);
});

test("a line's parameters are found when a field is first read, whatever the head", () => {
	const l = new Line();
	const bytes = ascii("+CEREG:   2,1");
	l.set(bytes, 0, bytes.length, -1);
	assert.is(l.int(0), 2);
	assert.is(l.int(1), 1);
	const plain = ascii("12,34");
	l.set(plain, 0, plain.length, -1);
	assert.is(l.int(1), 34);
});

test.run();
