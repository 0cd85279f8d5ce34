// The application's callbacks run from the channel's own frame, never on
// top of the reader's (XS counts its stack in slots, and the reader's frames
// are many): a run that came damaged, or lost bytes, is told once the reader
// returned, before it takes a byte more.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openSession } from "../support/bc20-harness.js";

Error.stackTraceLimit = Infinity;

// The reader's methods on the stack where the application is called, or "".
function readerFrames(): string {
	const stack = new Error().stack ?? "";
	return stack
		.split("\n")
		.filter((frame) => /\bReader\./.test(frame))
		.map((frame) => frame.trim())
		.join(" <- ");
}

function session(type: "tcp" | "udp", receiveHex: boolean) {
	const seen: string[] = [];
	const under = (what: string) => () => {
		const frames = readerFrames();
		if (frames !== "") seen.push(`${what} under ${frames}`);
	};
	const { h, socket } = openSession(
		type,
		1,
		1,
		{ onWarning: under("onWarning"), onError: under("onError"), onReadable: under("onReadable") },
		{ receiveHex },
	);
	return { h, socket, seen };
}

test("a pushed run not followed by its CR LF: the warning and the stream's end", () => {
	const { h, socket, seen } = session("tcp", false);
	h.fake.send('\r\n+QIURC: "recv",0,5,helloXY\r\n');
	h.settle();
	assert.ok(socket.stats.lost !== 0, "the damage was reported");
	assert.equal(seen, []);
});

test("a pushed run with bad hex digits: the warning", () => {
	const { h, socket, seen } = session("udp", true);
	h.fake.send('\r\n+QIURC: "recv",0,3,41ZZ43\r\n');
	h.settle();
	assert.ok(socket.stats.lost > 0, "the bad byte was reported");
	assert.equal(seen, []);
});

test.run();
