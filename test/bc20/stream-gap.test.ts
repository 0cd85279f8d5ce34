// A TCP stream ends at its first gap, known size or not: bytes that never
// reached the receive ring (a run cut off by a stall, pushed bytes that did
// not fit) leave a hole, and every later byte would sit at the wrong place.
// The app gets what came before the gap, one E_DATA_LOST warning with the
// count, then the stream's end; the module's buffer is not read any more.
// A UDP socket loses datagrams, not its framing: it stays open.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { expectBringUp, expectProbe, Harness, OK } from "../support/bc20-harness.js";
import { E_REBOOTED, type BC20Error } from "../../firmware/bc20/errors.js";
import { CONNECTED, INITIAL, OPENING } from "../../firmware/bc20/socket-constants.js";
import type { Socket } from "../../firmware/bc20/socket.js";

const VIEW1 = { hex: 0, view: 1, show: 1 };

// A socket whose warnings and end are kept whole, beside the harness's log.
function setup(mode: number, type: "tcp" | "udp" = "tcp", rxBufferSize = 2048) {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true, rxBufferSize });
	h.bringUp(VIEW1);
	h.fake.expect('AT+QIOPEN=1,0,"' + type.toUpperCase() + '","127.0.0.1",9000,0,' + mode);
	const warnings: BC20Error[] = [];
	const ends: BC20Error[] = [];
	const socket = h.open({
		type,
		mode,
		onWarning(error) {
			warnings.push(error);
		},
		onError(error) {
			ends.push(error);
		},
	});
	h.takeLog();
	return { h, socket, warnings, ends };
}

// The one warning names the count and says the stream ends; the end is E_DATA_LOST.
function assertEndedAtGap(socket: Socket, warnings: BC20Error[], ends: BC20Error[], lost: number): void {
	assert.is(warnings.length, 1, warnings.map((w) => w.message).join(" | "));
	assert.is(warnings[0].code, 1008);
	assert.is(warnings[0].lost, lost);
	assert.match(warnings[0].message, String(lost));
	assert.match(warnings[0].message, "the stream ends here");
	assert.is(socket.stats.lost, lost);
	assert.is(socket.state, INITIAL);
	assert.is(ends.length, 1);
	assert.is(ends[0].code, 1008);
	assert.match(ends[0].message, String(lost));
	// What the peer sent after the gap is not delivered: how much, nobody knows.
	assert.is(ends[0].lost, -1);
}

test("a pushed run cut off by a stall is a gap: the app gets what came before it, then the stream ends", () => {
	const { h, socket, warnings, ends } = setup(1);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,3,abc\r\n');
	// 10 announced, 4 came, then nothing: the stall cuts the run off. All 10
	// are counted: 6 never came, and the 4 delivered may be wrong (a byte
	// dropped among them would cut the run short the same way).
	h.fake.send('\r\n+QIURC: "recv",0,10,defg');
	h.advance(1000);
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.settle();
	assert.is(h.readAll(socket), "abcdefg");
	h.advance(100);
	assertEndedAtGap(socket, warnings, ends, 10);
});

// After a +QIRD cut off: the probe, the rest of the module's buffer, the close.
function moduleAnswers(h: Harness): void {
	h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 5,0,later\r\n" + OK);
	h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
}

test("a +QIRD read cut off by a stall is a gap: what it stored is delivered, the module's buffer is not read again", () => {
	const { h, socket, warnings, ends } = setup(0);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,5,abc");
	// What the module still holds lies beyond the gap: not read, the socket closes.
	moduleAnswers(h);
	h.fake.send('\r\n+QIURC: "recv",0,15\r\n');
	h.advance(1000);
	assert.is(h.readAll(socket), "abc");
	h.advance(1000);
	assert.not.ok(
		h.fake.written.slice(h.fake.written.indexOf("AT+QIRD=0,512") + 1).some((w) => w.startsWith("AT+QIRD")),
		"no read after the gap: " + JSON.stringify(h.fake.written),
	);
	assertEndedAtGap(socket, warnings, ends, 10);
});

test("a read cut off after the peer closed: the stream still ends at the gap (E_DATA_LOST, not the peer's close)", () => {
	const { h, socket, warnings, ends } = setup(0);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,5,abc");
	moduleAnswers(h);
	h.fake.send('\r\n+QIURC: "recv",0,15\r\n\r\n+QIURC: "closed",0\r\n');
	h.advance(1000);
	assert.is(h.readAll(socket), "abc");
	h.advance(1000);
	assertEndedAtGap(socket, warnings, ends, 10);
});

test("a +QIRD read cut off, then the module reboots before the read's deadline: the count is told, the end is the reboot", () => {
	const { h, socket, warnings, ends } = setup(0);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,5,abc");
	h.fake.send('\r\n+QIURC: "recv",0,15\r\n');
	// The stall (250 ms) cuts the run off; the banner comes before the read's 300 ms.
	h.advance(260);
	expectBringUp(h.fake, VIEW1);
	h.fake.echo = true;
	h.fake.send("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
	h.advance(1000);
	assert.is(h.readAll(socket), "abc");
	h.advance(1000);
	assert.is(warnings.length, 1, warnings.map((w) => w.message).join(" | "));
	assert.is(warnings[0].lost, 10);
	assert.match(warnings[0].message, "the stream ends here");
	assert.is(ends.length, 1);
	assert.is(ends[0].code, E_REBOOTED);
	assert.is(ends[0].lost, -1);
	assert.is(socket.state, INITIAL);
});

test("a damaged +QIRD header whose read a reboot cut leaves nothing behind: the next socket on that connectID reads cleanly", () => {
	const { h, socket, ends } = setup(0);
	// The header's length is damaged past a count (not a payload header: a
	// line), and the module reboots before the read's OK.
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 99999,0\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,15\r\n');
	h.advance(50);
	expectProbe(h.fake);
	expectBringUp(h.fake, VIEW1);
	h.fake.echo = true;
	h.fake.send("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
	h.advance(2000);
	assert.is(socket.state, INITIAL);
	assert.is(ends[0]?.code, E_REBOOTED);
	// A new socket on connectID 0 reads 5 bytes: no damage of the old read is told.
	h.fake.echo = false;
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const warnings: BC20Error[] = [];
	const next = h.open({ mode: 0, onWarning: (error) => void warnings.push(error) });
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 5,0,hello\r\n" + OK).expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,5\r\n');
	h.advance(1000);
	assert.equal(
		warnings.map((w) => w.message),
		[],
	);
	assert.is(h.readAll(next), "hello");
	assert.is(next.state, CONNECTED);
});

test("pushed bytes that do not fit a full ring are a gap: the bytes that fit are delivered, nothing after", () => {
	const { h, socket, warnings, ends } = setup(1, "tcp", 1024);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,1000,' + "a".repeat(1000) + "\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,100,' + "b".repeat(100) + "\r\n");
	h.settle();
	// 24 of the 100 fit: the ring is full, 76 are lost.
	assert.is(h.readAll(socket), "a".repeat(1000) + "b".repeat(24));
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.advance(100);
	assertEndedAtGap(socket, warnings, ends, 76);
});

test("a socket closing after its +QIOPEN answer was damaged still takes the module's pushes: a damaged line among them is a gap", () => {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
	h.bringUp(VIEW1);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const warnings: BC20Error[] = [];
	// "+QIOPEN: 0,0" with its comma dropped: the driver takes it for a failure
	// (550) and closes, but the module opened the connection and pushes.
	h.fake.expect("AT+QICLOSE=0", OK);
	const socket = h.open({ mode: 1, onWarning: (error) => void warnings.push(error) }, "00");
	h.fake.send('\r\n+QIURC: "recv",0,5,hello\r\n');
	// A pushed header whose "+" was damaged: a noise line, its data with it.
	h.fake.send('\r\nxQIURC: "recv",0,5,world\r\n');
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.settle();
	assert.is(h.readAll(socket), "hello");
	assert.is(warnings.length, 1, warnings.map((w) => w.message).join(" | "));
	assert.is(warnings[0].lost, -1);
	assert.match(warnings[0].message, "the stream ends here");
});

test("pushes for a socket still opening are dropped and counted: no damage is reported for it, its stream does not end", () => {
	const h = new Harness({ receiveHex: false, viewMode: 1, showLength: true });
	h.bringUp(VIEW1);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const warnings: BC20Error[] = [];
	// "+QIOPEN: 0,0" was lost on the line: the open still awaits it.
	const socket = h.open({ mode: 1, onWarning: (error) => void warnings.push(error) }, "");
	// A run whose length was damaged (2 for 12), and the data's rest taken for a line.
	h.fake.send('\r\n+QIURC: "recv",0,2,ab\rcdefghijk\r\n');
	h.settle();
	assert.equal(
		warnings.map((w) => w.message),
		[],
	);
	assert.is(h.modem.stats.pushBytesDropped, 2);
	assert.is(socket.state, OPENING);
});

test("a UDP push run cut off by a stall: reported, and the socket stays open for the next datagram", () => {
	const { h, socket, warnings } = setup(1, "udp");
	h.fake.send('\r\n+QIURC: "recv",0,10,defg');
	h.advance(1000);
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.settle();
	assert.is(warnings.length, 1);
	assert.is(warnings[0].lost, 10);
	assert.not.match(warnings[0].message, "stream");
	assert.is(socket.state, CONNECTED);
	assert.is(h.readAll(socket), "defg|later|");
});

test("damage confined to a run is not a gap: a run one byte short and bad hex digits leave the stream open", () => {
	const { h, socket, warnings } = setup(1);
	h.fake.send('\r\n+QIURC: "recv",0,6,abdef\r\n');
	h.fake.send('\r\n+QIURC: "recv",0,5,later\r\n');
	h.settle();
	assert.is(warnings.length, 1);
	assert.is(warnings[0].lost, 6);
	assert.is(socket.state, CONNECTED);
	assert.is(h.readAll(socket).slice(-5), "later");
});

test.run();
