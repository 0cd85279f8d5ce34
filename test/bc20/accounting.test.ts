// Every received byte accounted for: delivered, or reported lost with a
// count no smaller than the damage (or "count unknown", and a TCP stream ends
// at the gap); never another socket's bytes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Harness, OK } from "../support/bc20-harness.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

function setup(
	settings: { hex: number; view: number; show: number },
	mode: number,
	type: "tcp" | "udp" = "tcp",
	chunking: object = {},
) {
	const h = new Harness({
		receiveHex: settings.hex === 1,
		viewMode: settings.view,
		showLength: settings.show === 1,
		...chunking,
	});
	h.bringUp(settings);
	h.fake.expect('AT+QIOPEN=1,0,"' + type.toUpperCase() + '","127.0.0.1",9000,0,' + mode);
	const socket = h.open({ type, mode });
	h.takeLog();
	return { h, socket };
}

const TEXT_VIEW0 = { hex: 0, view: 0, show: 0 };
const TEXT_VIEW1 = { hex: 0, view: 1, show: 1 };

for (const announced of [600, 4096, 99999]) {
	test(`a +QIRD header announcing ${announced} bytes (more than the 512 asked) is damaged: no payload taken, the 512 at stake reported; a TCP stream ends there`, () => {
		for (const type of ["tcp", "udp"] as const)
			for (const s of [TEXT_VIEW0, TEXT_VIEW1]) {
				const { h, socket } = setup(s, 0, type);
				const data = "x".repeat(40);
				const header = "+QIRD: " + announced + (s.show ? ",0" : "");
				h.fake.expect("AT+QIRD=0,512", "\r\n" + header + (s.view ? "," : "\r\n") + data + "\r\n" + OK);
				h.fake.expect(
					"AT+QIRD=0,512",
					"\r\n+QIRD: 5" + (s.show ? ",0" : "") + (s.view ? "," : "\r\n") + "after\r\n" + OK,
				);
				h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
				h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
				h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
				h.fake.send('\r\n+QIURC: "recv",0' + (s.show ? ",45" : "") + "\r\n");
				// The OK after the data may be data too: the read ends at its deadline.
				h.advance(2000);
				const log = h.takeLog();
				assert.is(log[0], "0 warning 1008 lost 512", JSON.stringify(log));
				assert.is(socket.stats.lost, 512);
				if (type === "udp") {
					// The next read is in step: its bytes, and only they, reach the app.
					assert.is(h.readAll(socket), "after|");
					assert.is(socket.state, CONNECTED);
				} else {
					// Up to 512 bytes of the stream are gone: it ends at the gap, and
					// what the module still holds is not read.
					assert.equal(log, ["0 warning 1008 lost 512", "0 error 1008 lost -1"]);
					assert.is(socket.state, INITIAL);
				}
				assert.equal(h.fake.unexpected, []);
			}
	});
}

for (const announced of [1461, 4096, 99999]) {
	test(`a push header announcing ${announced} bytes (more than a segment) is damaged: reported, the TCP stream ends at the gap`, () => {
		for (const s of [TEXT_VIEW0, TEXT_VIEW1]) {
			const { h, socket } = setup(s, 1);
			h.fake.send('\r\n+QIURC: "recv",0,3' + (s.view ? "," : "\r\n") + "abc\r\n");
			h.fake.send('\r\n+QIURC: "recv",0,' + announced + (s.view ? "," : "\r\n") + "lost bytes\r\n");
			h.fake.send('\r\n+QIURC: "recv",0,5' + (s.view ? "," : "\r\n") + "later\r\n");
			h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
			h.settle();
			// What came before the gap is read; nothing after it is delivered.
			assert.is(h.readAll(socket), "abc", JSON.stringify(s));
			// The close's answer comes while the damaged push's data might still
			// be coming: it is not taken, and the close ends at its deadline.
			h.advance(1000);
			const log = h.takeLog();
			assert.ok(
				log.some((l) => l.startsWith("0 warning 1008 lost -1")),
				JSON.stringify(log),
			);
			assert.ok(
				log.some((l) => l.startsWith("0 error 1008")),
				JSON.stringify(log),
			);
			assert.is(socket.state, INITIAL);
		}
	});
}

test("a pushed header damaged beyond recognition (its data taken for a line too long to keep): the TCP stream ends at the gap", () => {
	const { h, socket } = setup({ hex: 1, view: 1, show: 1 }, 1);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,2,4142\r\n');
	// "recv" lost a byte: 512 bytes as 1024 hex digits are one long line.
	h.fake.send('\r\n+QIURC: "rcv",0,512,' + "41".repeat(512) + "\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,2,4344\r\n');
	h.settle();
	assert.is(h.readAll(socket), "AB");
	h.advance(1000);
	const log = h.takeLog();
	assert.ok(
		log.some((l) => l.startsWith("0 warning 1008 lost -1")),
		JSON.stringify(log),
	);
	assert.ok(
		log.some((l) => l.startsWith("0 error 1008")),
		JSON.stringify(log),
	);
});

test("a UDP push header announcing more than a datagram can carry is reported; the socket stays open", () => {
	const { h, socket } = setup(TEXT_VIEW1, 1, "udp");
	h.fake.send('\r\n+QIURC: "recv",0,2000,lost bytes\r\n');
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.settle();
	assert.equal(h.takeLog(), ["0 warning 1008 lost -1", "0 readable 5/1"]);
	assert.is(h.readAll(socket), "later|");
	assert.is(socket.state, CONNECTED);
});

// Damage confined to one run: its bytes are reported at stake, and the stream
// goes on (the framing held). Each row: the run as it arrived, its length.
const SHORT_RUNS: [name: string, run: string, length: number][] = [
	// "abcdef" lost its "c": the run of 6 takes the CR.
	["a run one byte short (it ate the CR)", "abdef", 6],
	// "abcdefgh" lost its "c" and "f": the run of 8 takes the CR LF, and the
	// next line's own CR LF looks like the trailer; "+QIURC" comes without a CR.
	["a run two bytes short (it took the CR LF)", "abdegh", 8],
];

for (const [name, run, length] of SHORT_RUNS) {
	test(`${name}: its bytes are reported at stake, the stream goes on`, () => {
		const { h, socket } = setup(TEXT_VIEW1, 1);
		h.fake.send(`\r\n+QIURC: "recv",0,${length},${run}\r\n`);
		h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
		h.settle();
		const log = h.takeLog();
		assert.ok(log.includes(`0 warning 1008 lost ${length}`), JSON.stringify(log));
		assert.is(socket.state, CONNECTED);
		assert.is(h.readAll(socket).slice(-5), "later");
	});
}

// A +QIRD header damaged on the line: the rest of the read's data comes as if
// it were lines, and a final result in it ("ERROR", "OK") is not the read's
// answer. Nothing may be written until the module's own final result came
// (never two commands on the wire): the read ends at its deadline. Each row:
// how the header arrived (the module sent "+QIRD: 49,0,"), and the data.
const DAMAGED_READ_DATA = "x".repeat(20) + "\r\nERROR\r\n" + "y".repeat(10) + "\r\nOK\r\n" + "z".repeat(4);
const CRLF_AT_4 = "abc\r\nERROR\r\n" + "y".repeat(27) + "\r\nOK\r\n" + "z".repeat(4);
const DAMAGED_HEADERS: [name: string, header: string, data: string][] = [
	["its length lost a digit (a run of 4, then the data as lines)", "+QIRD: 4,0,", DAMAGED_READ_DATA],
	// The run of 4 ends on the data's CR, and its LF follows: it looks like a
	// run one byte short.
	["its length lost a digit, landing on a CR LF of the data", "+QIRD: 4,0,", CRLF_AT_4],
	["its colon was dropped (not known as a header)", "+QIRD 49,0,", DAMAGED_READ_DATA],
	["it was lost with the line before it (the data alone)", "", DAMAGED_READ_DATA],
];

for (const [name, header, data] of DAMAGED_HEADERS)
	test(`a +QIRD whose header was damaged (${name}): a final result in its data is not its answer, and nothing is written before its own`, () => {
		const { h, socket } = setup(TEXT_VIEW1, 0);
		h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
		h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
		h.fake.always("AT+QIGETERROR", "\r\n+QIGETERROR: 0,operation successful\r\n" + OK);
		assert.is(data.length, 49);
		h.fake.expect("AT+QIRD=0,512", "\r\n" + header + data.slice(0, 44));
		h.fake.send('\r\n+QIURC: "recv",0,49\r\n');
		h.advance(100);
		const read = h.fake.written.indexOf("AT+QIRD=0,512");
		assert.ok(read >= 0);
		assert.equal(h.fake.written.slice(read + 1), [], "written while the read's answer was still coming");
		h.fake.send(data.slice(44) + "\r\n" + OK);
		h.advance(3000);
		assert.equal(h.fake.unexpected, []);
		// How much of the read was taken for lines is unknown: the TCP stream
		// ends at the gap, once the app read what came before it.
		const log = h.takeLog();
		assert.ok(log.includes("0 warning 1008 lost -1"), JSON.stringify(log));
		if (socket.state !== INITIAL) h.readAll(socket);
		h.advance(100);
		log.push(...h.takeLog());
		assert.ok(
			log.some((l) => l.startsWith("0 error 1008")),
			JSON.stringify(log),
		);
	});

// A read whose answer was damaged, its run delivered: the run's bytes are at
// stake, then the gap. Each row: the answer as it arrived, the announced
// length, what the app reads.
const STAKED_READS: [name: string, answer: string, length: number, delivered: string][] = [
	// Noise before the header: the read's own start, damaged, may be in it.
	["noise before its header", "\r\n\x85z\x13\r\n+QIRD: 5,0,hello\r\n" + OK, 5, "hello"],
	// "abcdefghijkl" lost six bytes: the run of 12 takes "\r\n\r\nOK", and the
	// OK line's CR LF, then the next line's CR, pass for its end; no final comes.
	["six bytes short, the module's OK taken into its run", "\r\n+QIRD: 12,0,acegik\r\n" + OK, 12, "acegik\r\n\r\nOK"],
];

for (const [name, answer, length, delivered] of STAKED_READS)
	test(`a read whose answer was damaged (${name}) reports what it delivered at stake, then the gap`, () => {
		const { h, socket } = setup(TEXT_VIEW1, 0);
		h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
		h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		h.fake.expect("AT+QIRD=0,512", answer);
		h.fake.send(`\r\n+QIURC: "recv",0,${length}\r\n`);
		h.advance(3000);
		assert.equal(
			h.takeLog().filter((l) => l.includes(" warning ")),
			[`0 warning 1008 lost ${length}`, "0 warning 1008 lost -1"],
		);
		assert.is(h.readAll(socket), delivered);
	});

// The module ends every run with CR LF at once. A run two bytes short takes
// them, and when nothing follows (the last datagram of an exchange), no later
// byte can tell: the line going quiet with the run's CR LF not seen does.
for (const type of ["tcp", "udp"] as const)
	test(`${type}: the last run, two bytes short (it took its CR LF), is reported at stake once the line stays quiet`, () => {
		const { h, socket } = setup(TEXT_VIEW1, 1, type);
		h.fake.send('\r\n+QIURC: "recv",0,8,abdegh\r\n');
		h.settle();
		assert.is(h.readAll(socket), "abdegh\r\n" + (type === "udp" ? "|" : ""));
		h.advance(1000);
		assert.ok(h.takeLog().includes("0 warning 1008 lost 8"));
		assert.is(socket.state, CONNECTED);
		// A run whose CR LF came is not at stake, however long the quiet after it.
		h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
		h.settle();
		h.advance(1000);
		assert.equal(
			h.takeLog().filter((l) => l.includes(" warning ")),
			[],
		);
		assert.is(h.readAll(socket), "later" + (type === "udp" ? "|" : ""));
	});

// A run cut short when the line went quiet: the bytes that never came are
// lost, and the ones delivered are at stake too, since a byte dropped among
// them would have cut the run short the same way ("abcdefgh" lost "c" and
// "f", then its CR LF made up the count but one).
for (const type of ["tcp", "udp"] as const)
	test(`${type}: a run cut short reports its missing bytes, and its delivered bytes at stake`, () => {
		const { h } = setup(TEXT_VIEW1, 1, type);
		h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		h.fake.send('\r\n+QIURC: "recv",0,8,abdeg\r\n');
		h.settle();
		h.advance(1000);
		const lost = h
			.takeLog()
			.filter((l) => l.includes(" warning 1008 lost "))
			.map((l) => Number(l.split(" lost ")[1]));
		assert.ok(lost.includes(-1) || lost.reduce((a, b) => a + b, 0) >= 8, JSON.stringify(lost));
		assert.ok(lost.filter((n) => n > 0).reduce((a, b) => a + b, 0) >= 7, JSON.stringify(lost));
	});

// Damage that costs a TCP push stream bytes of unknown number: the socket
// warns (lost -1) and the stream ends at the gap, with what came before it
// delivered. A run taken under a damaged length was delivered too: its bytes
// are reported at stake first. Each row: what the module sent, what the app
// reads, and the socket's warnings, in order.
const GAPS: [name: string, lines: string[], delivered: string, warnings: string[]][] = [
	[
		// 12 bytes announced as 1 (a digit dropped): the run takes "a", and the
		// "\n" after it is no CR LF; "bc..." would be taken for lines. Not a run
		// one byte short: the stream ends.
		"a length shortened onto an LF of the data",
		['\r\n+QIURC: "recv",0,1,a\nbcdefghijk\r\n', '\r\n+QIURC: "recv",0,5,later\r\n'],
		"a",
		["0 warning 1008 lost 1", "0 warning 1008 lost -1"],
	],
	[
		// 12 bytes announced as 2: the data's own CR comes after the run.
		"a run followed by a CR and no LF: its length was damaged",
		['\r\n+QIURC: "recv",0,2,ab\rcdefghijk\r\n', '\r\n+QIURC: "recv",0,5,later\r\n'],
		"ab",
		["0 warning 1008 lost 2", "0 warning 1008 lost -1"],
	],
	[
		// "recv" lost its "e": the header is a short unknown +QIURC line up to
		// the data's first LF, and the rest of the data is taken for lines.
		"a pushed header whose type was damaged, its data cut at an early LF",
		['\r\n+QIURC: "recv",0,2,AB\r\n', '\r\n+QIURC: "rcv",0,12,ab\ncdefghijk\r\n', '\r\n+QIURC: "recv",0,5,later\r\n'],
		"AB",
		["0 warning 1008 lost -1"],
	],
	[
		// The header lost its "+" and the LF before it: its data is a line of noise.
		"garbage where the module's lines belong (a pushed header damaged past recognition)",
		['\r\n+QIURC: "recv",0,2,AB\r\n', '\rQIURC: "recv",0,12,abcdefghijk\r\n', '\r\n+QIURC: "recv",0,5,later\r\n'],
		"AB",
		["0 warning 1008 lost -1"],
	],
	[
		// A later run, one byte short: it is not delivered, so nothing is at stake.
		"a gap, then a run one byte short: the later run's damage is not reported, nothing of it is delivered",
		['\r\n+QIURC: "recv",0,1,a\nbcdefghijk\r\n', '\r\n+QIURC: "recv",0,6,abdef\r\n'],
		"a",
		["0 warning 1008 lost 1", "0 warning 1008 lost -1"],
	],
];

for (const [name, lines, delivered, warnings] of GAPS) {
	test(`${name}: the TCP stream ends at the gap`, () => {
		const { h, socket } = setup(TEXT_VIEW1, 1);
		h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		for (const line of lines) h.fake.send(line);
		h.settle();
		h.advance(100);
		const log = h.takeLog();
		assert.equal(
			log.filter((l) => l.includes(" warning ")),
			warnings,
			JSON.stringify(log),
		);
		assert.is(h.readAll(socket), delivered);
		// (The close's answer is taken once the line was quiet, or the close
		// ends at its deadline: see push-damage-in-flight.test.ts.)
		h.advance(1000);
		assert.ok(
			h.takeLog().some((l) => l.startsWith("0 error 1008")),
			"the stream ends once the app read what came before the gap",
		);
	});
}

test("a dropped hex digit: the whole run is at stake, not just the one bad digit", () => {
	const { h, socket } = setup({ hex: 1, view: 1, show: 1 }, 1);
	// 0x41 0x42 0x43 0x44 with one digit dropped: every byte after it is shifted.
	h.fake.send('\r\n+QIURC: "recv",0,4,4142434\r\n');
	h.settle();
	const log = h.takeLog();
	assert.ok(log.includes("0 warning 1008 lost 4"), JSON.stringify(log));
	assert.is(socket.stats.lost, 4);
});

test("a read that delivers less than its header announced reports the difference, and what it delivered at stake", () => {
	const { h, socket } = setup(TEXT_VIEW0, 0);
	// The header says 10; the payload run is cut by a stall after 4 bytes: 6
	// never came, and the 4 may be wrong (a dropped byte cuts a run the same way).
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10\r\nabcd");
	h.fake.send('\r\n+QIURC: "recv",0\r\n');
	h.advance(2000);
	const log = h.takeLog();
	assert.ok(log.includes("0 warning 1008 lost 10"), JSON.stringify(log));
	assert.is(h.readAll(socket), "abcd");
});

test("push data for a socket the app closed is dropped and counted, never stored", () => {
	const { h, socket } = setup(TEXT_VIEW1, 1);
	h.fake.expect("AT+QICLOSE=0", OK);
	socket.close();
	h.settle();
	h.fake.send('\r\n+QIURC: "recv",0,7,ghost!!\r\n');
	h.settle();
	assert.is(h.modem.stats.pushBytesDropped, 7);
});

test("a socket's buffers are empty when it opens: push bytes that outlive a closed socket are not the next one's", () => {
	const { h, socket } = setup(TEXT_VIEW0, 1, "tcp", { chunks: [1000] });
	h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,3\r\nxyz\r\n\r\n+QIURC: "closed",0\r\n');
	h.settle();
	// The socket ends once the app read its data; a push run begins before
	// that, and ends after it was let go.
	h.fake.send('\r\n+QIURC: "recv",0,10\r\nabcde');
	h.settle();
	assert.is(h.readAll(socket), "xyzabcde");
	h.advance(10);
	assert.is(socket.state, INITIAL);
	h.fake.send("fghij\r\n");
	h.settle();
	assert.is(h.modem.stats.pushBytesDropped, 5);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const next = h.open({ type: "tcp", mode: 1 });
	assert.is(next.state, CONNECTED);
	assert.is(next.readable, 0);
	h.fake.send('\r\n+QIURC: "recv",0,3\r\nnew\r\n');
	h.settle();
	assert.is(h.readAll(next), "new");
});

test("data pushed for the connectID an open awaits: its +QIOPEN (which comes first) was lost; the open ends at once (550), the data is the connection's", () => {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
	h.bringUp(TEXT_VIEW1);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1').expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	const errors: number[] = [];
	const socket = h.open({ type: "tcp", mode: 1, onError: (e) => void errors.push(e.code) }, "");
	h.settle();
	// "+QIOPEN: 0,0" lost on the line. Without the push, the open would wait
	// 60 s for it.
	h.fake.send('\r\n+QIURC: "recv",0,5,early\r\n');
	h.advance(1000);
	assert.equal(h.fake.written.slice(-1), ["AT+QICLOSE=0"]);
	assert.is(h.readAll(socket), "early");
	h.advance(100);
	assert.equal(errors, [550]);
	assert.is(socket.state, INITIAL);
	assert.equal(h.fake.unexpected, []);
});

test.run();
