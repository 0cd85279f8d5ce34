// Received data through every receive setting (text or hex, view mode 0 or
// 1, showlength 0 or 1) and both access modes, with payloads that look like
// the module's own output, byte-exact under any chunking.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Harness, hexOf, OK } from "../support/bc20-harness.js";
import { CONNECTED } from "../../firmware/bc20/socket-constants.js";

const PAYLOADS = [
	"\r\nOK\r\n",
	'+QIURC: "recv",0,5\r\n',
	"\x00\x1a\xff\x00",
	"\r",
	"\n",
	"SEND OK",
	"\r\nERROR\r\n",
	"\r\n+QIRD: 5\r\n",
	"RDY",
	"\r\nRDY\r\n",
	",,,",
	'"',
	"\x80\xfe\r\n\r\n",
];

interface Settings {
	hex: number;
	view: number;
	show: number;
}

function encode(data: string, s: Settings): string {
	return s.hex ? hexOf(data) : data;
}

// What the module prints for AT+QIRD returning `data` (`remaining` after it).
function qird(data: string, remaining: number, s: Settings): string {
	const header = "+QIRD: " + data.length + (s.show ? "," + remaining : "");
	return "\r\n" + header + (s.view ? "," : "\r\n") + encode(data, s) + "\r\n" + OK;
}

function push(id: number, data: string, s: Settings): string {
	return '\r\n+QIURC: "recv",' + id + "," + data.length + (s.view ? "," : "\r\n") + encode(data, s) + "\r\n";
}

function notice(id: number, length: number, s: Settings): string {
	return '\r\n+QIURC: "recv",' + id + (s.show ? "," + length : "") + "\r\n";
}

const ALL: Settings[] = [];
for (const hex of [0, 1]) for (const view of [0, 1]) for (const show of [0, 1]) ALL.push({ hex, view, show });
const CHUNKS: { chunks?: number[]; seed?: number; maxChunk?: number }[] = [
	{},
	{ chunks: [1] },
	{ chunks: [2] },
	{ chunks: [3, 5] },
	{ seed: 7, maxChunk: 11 },
	{ seed: 8, maxChunk: 3 },
];

function setup(s: Settings, chunking: object, mode: number, type: "tcp" | "udp" = "tcp") {
	const h = new Harness({ receiveHex: s.hex === 1, viewMode: s.view, showLength: s.show === 1, ...chunking });
	h.bringUp(s);
	h.fake.expect('AT+QIOPEN=1,0,"' + type.toUpperCase() + '","127.0.0.1",9000,0,' + mode);
	const socket = h.open({ type, mode });
	h.takeLog();
	return { h, socket };
}

for (const s of ALL) {
	const name = "hex " + s.hex + ", view " + s.view + ", showlength " + s.show;

	test("buffer mode, " + name + ": hostile payloads byte-exact", () => {
		for (const chunking of CHUNKS) {
			const { h, socket } = setup(s, chunking, 0);
			const all = PAYLOADS.join("");
			for (const payload of PAYLOADS) h.fake.expect("AT+QIRD=0,512", qird(payload, 0, s));
			h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
			h.fake.send(notice(0, PAYLOADS[0].length, s));
			h.settle();
			assert.is(h.readAll(socket), all, JSON.stringify(chunking));
			assert.equal(h.fake.unexpected, []);
			assert.is(h.fake.expectationsLeft, 0);
		}
	});

	test("direct push, " + name + ": hostile payloads byte-exact, between other traffic", () => {
		for (const chunking of CHUNKS) {
			const { h, socket } = setup(s, chunking, 1);
			for (const payload of PAYLOADS) h.fake.send(push(0, payload, s));
			// A command's answer with pushed data on both sides.
			h.fake.expect(
				"AT+QISEND=0,2,hi",
				push(0, "\r\nSEND FAIL\r\n", s) + OK + push(0, "\r\nOK", s) + "\r\nSEND OK\r\n" + push(0, "\x00", s),
			);
			socket.write(new TextEncoder().encode("hi"));
			h.settle();
			assert.is(h.readAll(socket), PAYLOADS.join("") + "\r\nSEND FAIL\r\n\r\nOK\x00", JSON.stringify(chunking));
			assert.is(socket.stats.sent, 2);
			assert.equal(h.fake.unexpected, []);
		}
	});

	test("UDP direct push, " + name + ": one datagram per push", () => {
		const { h, socket } = setup(s, { chunks: [4] }, 1, "udp");
		for (const payload of PAYLOADS) h.fake.send(push(0, payload, s));
		h.settle();
		assert.is(h.readAll(socket), PAYLOADS.join("|") + "|");
	});
}

test("direct push into a full buffer: what does not fit is counted and reported lost, and the TCP stream ends there", () => {
	const s = { hex: 1, view: 1, show: 1 };
	const whole = "p".repeat(512);
	const head = "q".repeat(1460);
	const tail = "r".repeat(700);
	for (const [runs, kept, lost, told] of [
		[[whole, whole, whole, whole, whole, whole], whole.repeat(4), 512, ["0 readable 2048", "0 warning 1008 lost 512"]],
		// Partly fits.
		[
			[head, tail, whole],
			head + tail.slice(0, 588),
			112,
			["0 readable 2048", "0 warning 1008 lost 112", "0 readable 2048"],
		],
	] as const) {
		const { h, socket } = setup(s, {}, 1);
		h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		for (const run of runs) h.fake.send(push(0, run, s));
		h.settle();
		// The runs that came in one receive turn are announced once, before the
		// loss; onReadable counts what the buffer holds when it is called (the
		// kept head of the run that lost its tail included).
		assert.equal(h.takeLog(), told);
		assert.is(socket.stats.lost, lost);
		assert.is(h.readAll(socket), kept);
		h.settle();
		assert.equal(h.takeLog(), ["0 error 1008 lost -1"]);
	}
});

test("pushed data for a socket that is not open is skipped, and the stream stays in step", () => {
	const s = { hex: 0, view: 1, show: 1 };
	const { h, socket } = setup(s, { chunks: [3] }, 1);
	h.fake.send(push(4, '\r\nOK\r\n+QIURC: "closed",0\r\n', s));
	h.fake.send(push(0, "mine", s));
	h.settle();
	assert.is(h.readAll(socket), "mine");
	assert.is(h.modem.stats.pushBytesDropped, '\r\nOK\r\n+QIURC: "closed",0\r\n'.length);
	assert.is(socket.state, CONNECTED);
});

test("hex digits that are not hex are reported: the whole run is at stake", () => {
	const s = { hex: 1, view: 1, show: 1 };
	const { h, socket } = setup(s, {}, 1);
	h.fake.send('\r\n+QIURC: "recv",0,3,41ZZ43\r\n');
	h.settle();
	assert.equal(h.takeLog(), ["0 warning 1008 lost 3", "0 readable 3"]);
	assert.is(h.readAll(socket), "A\x00C");
});

test("a payload that stops coming is cut off and reported", () => {
	const s = { hex: 0, view: 1, show: 1 };
	const { h, socket } = setup(s, {}, 0);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,0,abc");
	h.fake.send(notice(0, 10, s));
	h.advance(1000);
	// 7 never came; the 3 delivered may be wrong (a dropped byte cuts a run the same way).
	assert.equal(h.takeLog(), ["0 warning 1008 lost 10", "0 readable 3"]);
	assert.is(h.readAll(socket), "abc");
});

test.run();
