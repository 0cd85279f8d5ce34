import { test } from "uvu";
import * as assert from "uvu/assert";
import {
	BC20Error,
	describe,
	E_ARGUMENT,
	E_CME,
	E_PEER_CLOSED,
	E_SEND_FAILED,
	E_SEND_UNKNOWN,
	E_STATE,
	E_TIMEOUT,
} from "../../firmware/bc20/errors.js";
import { Harness, hexOf, OK, ready, thrownCode } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { CLOSING, CONNECTED, INITIAL, OPENING } from "../../firmware/bc20/socket-constants.js";

const OPEN0 = 'AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0';
const CLOSE_OK = OK + "\r\nCLOSE OK\r\n";

// A connected socket whose "hello" is on the wire, answered OK: its SEND OK
// or SEND FAIL is awaited.
function awaitingSendResult() {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.fake.expect("AT+QISEND=0,5,hello", OK);
	socket.write(bytes("hello"));
	h.settle();
	return { h, socket };
}

test("open before ready, with bad arguments, or on a busy connectID throws and sends nothing", () => {
	const h = new Harness();
	assert.is(
		thrownCode(() => h.modem.open({ host: "127.0.0.1", port: 1 })),
		E_STATE,
	);
	h.bringUp();
	const before = h.fake.written.length;
	const bad: object[] = [
		{ host: "127.0.0.1", port: 0 },
		{ host: "127.0.0.1", port: 65536 },
		{ host: "127.0.0.1", port: 1.5 },
		{ host: "127.0.0.1", port: 1, localPort: -1 },
		{ host: "127.0.0.1", port: 1, mode: 2 },
		{ host: "127.0.0.1", port: 1, contextId: 2 },
		{ host: "127.0.0.1", port: 1, connectId: 5 },
		{ host: "127.0.0.1", port: 1, type: "TCP" },
		{ host: "127.0.0.1", port: 1, onReadable: 3 },
		{ host: 'x",1,2', port: 1 },
		{ host: "a\r\nAT+QICLOSE=0", port: 1 },
		{ host: "", port: 1 },
		{ host: "h\u00e9.example", port: 1 },
		{ host: "a".repeat(256), port: 1 },
		{ host: 12, port: 1 },
		{ host: "300.1.1.1", port: 1 },
		{ host: "a..b", port: 1 },
		{ host: "a;b", port: 1 },
		{ host: "a b", port: 1 },
	];
	for (const options of bad)
		assert.is(
			thrownCode(() => h.modem.open(options as never)),
			E_ARGUMENT,
			JSON.stringify(options),
		);
	h.settle();
	assert.is(h.fake.written.length, before);
	h.fake.expect('AT+QIOPEN=1,3,"TCP","127.0.0.1",9000,0,0');
	h.open({ connectId: 3 }, "3,0");
	assert.is(
		thrownCode(() => h.modem.open({ host: "127.0.0.1", port: 1, connectId: 3 })),
		E_STATE,
	);
	assert.equal(h.fake.unexpected, []);
});

test("connectIDs are allocated lowest first; all in use throws", () => {
	const h = ready();
	for (let id = 0; id < 5; id++) {
		h.fake.expect("AT+QIOPEN=1," + id + ',"TCP","127.0.0.1",9000,0,0');
		assert.is(h.open({}, id + ",0").id, id);
	}
	assert.is(
		thrownCode(() => h.modem.open({ host: "127.0.0.1", port: 1 })),
		E_STATE,
	);
	assert.is(h.modem.socket(2)?.id, 2);
	assert.equal(h.fake.unexpected, []);
});

test("operations in the wrong state throw and change nothing", () => {
	const h = ready();
	h.fake.expect(OPEN0, OK);
	const socket = h.open({}, "");
	h.settle();
	assert.is(socket.state, OPENING);
	assert.is(
		thrownCode(() => socket.write(bytes("x"))),
		E_STATE,
	);
	assert.is(
		thrownCode(() => socket.setMode(1)),
		E_STATE,
	);
	assert.is(socket.read(new Uint8Array(4)), 0);
	h.fake.send("\r\n+QIOPEN: 0,0\r\n");
	h.settle();
	assert.is(socket.state, CONNECTED);
	assert.is(
		thrownCode(() => socket.setMode(2)),
		E_ARGUMENT,
	);
	h.fake.expect("AT+QICLOSE=0", CLOSE_OK);
	socket.close();
	socket.close(); // a second close does nothing
	assert.is(
		thrownCode(() => socket.write(bytes("x"))),
		E_STATE,
	);
	h.settle();
	assert.is(socket.state, INITIAL);
	assert.is(
		thrownCode(() => socket.write(bytes("x"))),
		E_STATE,
	);
	assert.is(
		thrownCode(() => socket.read(new Uint8Array(1))),
		E_STATE,
	);
	assert.is(
		thrownCode(() => socket.close()),
		E_STATE,
	);
	// A new socket on the same connectID: the old handle stays dead.
	h.fake.expect(OPEN0);
	const again = h.open({});
	assert.is(again.id, 0);
	assert.is(socket.state, INITIAL);
	assert.is(
		thrownCode(() => socket.write(bytes("x"))),
		E_STATE,
	);
	assert.is(again.state, CONNECTED);
	assert.equal(h.fake.unexpected, []);
});

test("+QIOPEN: <id>,<err> for every code 550-574: AT+QICLOSE, then onError with the manual's description", () => {
	for (let err = 550; err <= 574; err++) {
		const h = ready();
		const errors: BC20Error[] = [];
		h.fake.expect(OPEN0, OK + "\r\n+QIOPEN: 0," + err + "\r\n").expect("AT+QICLOSE=0", CLOSE_OK);
		const socket = h.open(
			{
				onError(e) {
					errors.push(e);
				},
			},
			"",
		);
		h.settle();
		assert.is(errors.length, 1);
		assert.is(errors[0].code, err);
		assert.is(errors[0].description, describe(err));
		assert.is(errors[0].command, "AT+QIOPEN");
		assert.is(errors[0].socket, 0);
		assert.is(socket.state, INITIAL);
		assert.equal(h.fake.unexpected, []);
	}
	assert.is(describe(566), "Socket connect failed");
	assert.is(describe(563), "Socket identity has been used");
});

test("AT+QIOPEN answered ERROR without a code: AT+QIGETERROR tells; +CME ERROR is reported as such", () => {
	const h = ready();
	h.fake.expect(OPEN0, "\r\nERROR\r\n").expect("AT+QIGETERROR", "\r\n+QIGETERROR: 572,operation not allowed\r\n" + OK);
	h.open({}, "");
	h.settle();
	assert.equal(h.takeLog(), ["0 error 572"]);
	h.fake.expect(OPEN0, "\r\n+CME ERROR: 4\r\n");
	const errors: BC20Error[] = [];
	h.open(
		{
			onError(e) {
				errors.push(e);
			},
		},
		"",
	);
	h.settle();
	assert.is(errors[0].code, E_CME);
	assert.is(errors[0].cme, 4);
	// QIGETERROR with 0: a plain ERROR.
	h.fake.expect(OPEN0, "\r\nERROR\r\n").expect("AT+QIGETERROR", "\r\n+QIGETERROR: 0,operation successful\r\n" + OK);
	h.open({}, "");
	h.settle();
	assert.equal(h.takeLog(), ["0 error 1012"]);
	assert.equal(h.fake.unexpected, []);
});

test("a +QIOPEN whose connectID was damaged answers the open on the wire: it fails at once (550) and closes, with no 60 s wait", () => {
	const h = ready();
	const errors: BC20Error[] = [];
	// Only the open on the wire awaits a +QIOPEN; this one's outcome is unknown.
	h.fake.expect(OPEN0, OK + "\r\n+QIOPEN: ,0\r\n").expect("AT+QICLOSE=0", CLOSE_OK);
	const socket = h.open({ onError: (e) => void errors.push(e) }, "");
	h.advance(1000);
	assert.equal(
		errors.map((e) => e.code),
		[550],
	);
	assert.is(socket.state, INITIAL);
	assert.equal(h.fake.unexpected, []);
});

// "+QIOPEN: 0,0" with up to two bytes of its name dropped or damaged on the
// line: the open's answer, not a 60 s wait. Its numbers give the outcome when
// they read whole (its "+" and colon kept); else the outcome is unknown (550)
// and the connectID is closed. Lines further from it, or for another
// connectID, are not its answer.
for (const [line, outcome] of [
	["+QIOPEN: 0,0", "connected"],
	["+QIOPE: 0,0", "connected"],
	["+IOPEN: 0,0", "connected"],
	["+QIOXEN: 0,0", "connected"],
	// Its colon lost (nc -u, seed 98 at 0.005, waited the minute) or changed.
	["+QIOPEN 0,0", "unknown"],
	["+QIOPEN; 0,0", "unknown"],
	// Its "+" lost: a line of noise.
	["QIOPEN: 0,0", "unknown"],
	// Two bytes dropped, or its colon changed (then anything may follow).
	["+QIPE: 0,0", "connected"],
	["+IOPEN 0,0", "unknown"],
	["QOPEN: 0,0", "unknown"],
	["+QIOPENX: 0,0", "connected"],
	["+QIOPE: 1,0", "not its answer"],
	["+QIP: 0,0", "not its answer"],
	["+CSCON: 0,0", "not its answer"],
] as const)
	test(`while an open awaits its +QIOPEN, "${line}": ${outcome}`, () => {
		const h = ready();
		const errors: BC20Error[] = [];
		h.fake.expect(OPEN0, OK + `\r\n${line}\r\n`);
		if (outcome === "unknown") h.fake.expect("AT+QICLOSE=0", CLOSE_OK);
		const socket = h.open({ onError: (e) => void errors.push(e) }, "");
		h.advance(1000);
		if (outcome === "connected") assert.is(socket.state, CONNECTED);
		else if (outcome === "unknown") {
			assert.equal(
				errors.map((e) => e.code),
				[550],
			);
			assert.is(socket.state, INITIAL);
		} else assert.is(socket.state, OPENING);
		assert.equal(h.fake.unexpected, []);
	});

test("a +QIOPEN: 0,0 whose LF was lost, with nothing after it, is taken whole once the line is quiet", () => {
	// (nc -u, seed 95 at 0.005: the UDP open waited the minute, the peer
	// sending nothing until the host did.)
	const h = ready();
	h.fake.expect(OPEN0, OK + "\r\n+QIOPEN: 0,0\r");
	const socket = h.open({}, "");
	assert.is(socket.state, OPENING);
	h.advance(1000);
	assert.is(socket.state, CONNECTED);
	assert.equal(h.fake.unexpected, []);
});

test("no +QIOPEN within 60 s: AT+QICLOSE and E_TIMEOUT; a late +QIOPEN is ignored", () => {
	const h = ready();
	h.fake.expect(OPEN0, OK);
	const socket = h.open({}, "");
	h.advance(59000);
	assert.is(socket.state, OPENING);
	h.fake.expect("AT+QICLOSE=0", CLOSE_OK);
	h.advance(2000);
	assert.equal(h.takeLog(), ["0 error 1001"]);
	h.fake.send("\r\n+QIOPEN: 0,0\r\n");
	h.settle();
	assert.equal(h.takeLog(), []);
	assert.equal(h.fake.unexpected, []);
});

test("close while opening: before the command went out, and while it is on the wire", () => {
	const h = ready();
	// The channel is busy with a ping, so the open waits.
	h.fake.expect('AT+QPING=1,"127.0.0.1",1,1,32', OK);
	h.modem.ping("127.0.0.1", { timeout: 1, count: 1 }, () => {});
	h.settle();
	const socket = h.open({}, "");
	socket.close();
	h.fake.send("\r\n+QPING: 0,1,1,0,1,1,1\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 closed"]);
	assert.is(socket.state, INITIAL);
	// On the wire: it is closed as soon as it opened.
	h.fake.expect(OPEN0, OK);
	const second = h.open({}, "");
	h.settle();
	second.close();
	h.fake.expect("AT+QICLOSE=0", CLOSE_OK);
	h.fake.send("\r\n+QIOPEN: 0,0\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 closed"]);
	assert.equal(h.fake.unexpected, []);
});

test("write takes what fits (backpressure); onWritable after each send", () => {
	const h = ready({ txBufferSize: 256 });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	assert.equal(h.takeLog(), ["0 connected", "0 writable 256"]);
	h.fake.expect(/^AT\+QISEND=0,256,/, OK);
	const data = bytes("x".repeat(300));
	assert.is(socket.write(data), 256);
	assert.is(socket.writable, 0);
	assert.is(socket.write(data, 256), 0);
	h.settle();
	h.fake.expect("AT+QISEND=0,44," + "x".repeat(44), OK + "\r\nSEND OK\r\n");
	h.fake.send("\r\nSEND OK\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 writable 256"]);
	assert.is(socket.write(data, 256), 44);
	h.settle();
	assert.equal(h.takeLog(), ["0 writable 256"]);
	assert.equal(socket.stats, { written: 300, sent: 300, failed: 0, unknown: 0, received: 0, lost: 0 });
	assert.equal(h.fake.unexpected, []);
});

for (const damaged of ["SEND O", "SEND 0K", "SEND FAL", "SEND OK\x8f"])
	test(`a SEND OK or SEND FAIL damaged on the line (${JSON.stringify(damaged)}) ends the send as unknown at once; the next send goes`, () => {
		const { h, socket } = awaitingSendResult();
		h.takeLog();
		// A damaged line may have been a "recv" notice: the socket reads once.
		h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
		h.fake.send("\r\n" + damaged + "\r\n");
		h.settle();
		assert.equal(h.takeLog(), ["0 warning " + E_SEND_UNKNOWN + " 0+5", "0 writable 2048"]);
		h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
		socket.write(bytes("world"));
		h.settle();
		assert.equal(socket.stats, { written: 10, sent: 5, failed: 0, unknown: 5, received: 0, lost: 0 });
		assert.equal(h.fake.unexpected, []);
	});

test("a CLOSE OK damaged on the line (a byte dropped) ends the close at once: only CLOSE OK comes", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE O\r\n");
	socket.close();
	h.settle();
	assert.is(socket.state, INITIAL);
	assert.equal(h.takeLog(), ["0 closed"]);
	assert.equal(h.fake.unexpected, []);
});

test("a timed-out send's owed SEND OK, come damaged, holds the socket no longer", () => {
	const { h, socket } = awaitingSendResult();
	h.advance(11000);
	socket.write(bytes("world"));
	h.settle();
	const before = h.fake.written.length;
	h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
	h.fake.send("\r\nSEND O\r\n");
	h.settle();
	assert.ok(!h.fake.written.slice(0, before).includes("AT+QISEND=0,5,world"), "it waited for the owed line");
	assert.ok(h.fake.written.slice(before).includes("AT+QISEND=0,5,world"), "the next send went at once");
	assert.is(socket.stats.sent, 5);
	assert.equal(h.fake.unexpected, []);
});

test("text goes as AT+QISEND up to 1024 bytes, anything else as AT+QISENDEX up to 512", () => {
	const h = ready({ txBufferSize: 4096 });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	const text = "A".repeat(1100);
	h.fake
		.expect("AT+QISEND=0,1024," + "A".repeat(1024), OK + "\r\nSEND OK\r\n")
		.expect("AT+QISEND=0,76," + "A".repeat(76), OK + "\r\nSEND OK\r\n");
	socket.write(bytes(text));
	h.settle();
	// Binary: hex, 512 at most.
	const binary = '\x00\x1a\xff\r\n"'.repeat(100);
	h.fake
		.expect("AT+QISENDEX=0,512," + hexOf(binary.slice(0, 512)), OK + "\r\nSEND OK\r\n")
		.expect("AT+QISENDEX=0,88," + hexOf(binary.slice(512)), OK + "\r\nSEND OK\r\n");
	socket.write(bytes(binary));
	h.settle();
	// Characters an AT parser may misread go as hex: quote, comma, semicolon,
	// backslash, a space at either end.
	for (const unsafe of ['a"b', "a,b", "a;b", "a\\b", " ab", "ab ", "a\rb", "caf\xe9"]) {
		h.fake.expect("AT+QISENDEX=0," + unsafe.length + "," + hexOf(unsafe), OK + "\r\nSEND OK\r\n");
		socket.write(bytes(unsafe));
		h.settle();
	}
	h.fake.expect("AT+QISEND=0,11,a b:c=d?e!f", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("a b:c=d?e!f"));
	h.settle();
	// A long text run ahead of binary goes as text.
	h.fake
		.expect("AT+QISEND=0,600," + "t".repeat(600), OK + "\r\nSEND OK\r\n")
		.expect("AT+QISENDEX=0,1,00", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("t".repeat(600) + "\x00"));
	h.settle();
	assert.equal(h.fake.unexpected, []);
});

test("a binary send that wraps around the transmit ring goes out whole and in order", () => {
	const h = ready({ txBufferSize: 256 });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	const first = "\x00\x01\xfe\xff".repeat(50),
		second = "\x10\x20\x30\x40\x50".repeat(40);
	h.fake.expect("AT+QISENDEX=0,200," + hexOf(first), OK + "\r\nSEND OK\r\n");
	socket.write(bytes(first));
	h.settle();
	// The ring's head is at 200 of 256: these 200 bytes wrap.
	h.fake.expect("AT+QISENDEX=0,200," + hexOf(second), OK + "\r\nSEND OK\r\n");
	socket.write(bytes(second));
	h.settle();
	assert.equal(h.fake.unexpected, []);
});

test("textSend: false sends everything as hex", () => {
	const h = ready({ textSend: false });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.fake.expect("AT+QISENDEX=0,2,6869", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("hi"));
	h.settle();
	assert.equal(h.fake.unexpected, []);
});

test("SEND FAIL reports exactly which bytes were not sent", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("hello"));
	h.settle();
	h.fake.expect("AT+QISEND=0,5,world", OK + "\r\nSEND FAIL\r\n");
	socket.write(bytes("world"));
	h.settle();
	assert.equal(h.takeLog(), ["0 writable 2048", "0 warning 1006 5+5", "0 writable 2048"]);
	assert.equal(socket.stats, { written: 10, sent: 5, failed: 5, unknown: 0, received: 0, lost: 0 });
	// ERROR on a send: AT+QIGETERROR gives the code; the bytes are reported too.
	h.fake
		.expect("AT+QISEND=0,3,abc", "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 568,operation busy\r\n" + OK);
	socket.write(bytes("abc"));
	h.settle();
	assert.equal(h.takeLog(), ["0 writable 2048", "0 warning 568 10+3"]);
	assert.equal(h.fake.unexpected, []);
});

test("a send that times out: fate unknown, settled by a late SEND OK or SEND FAIL", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const warnings: BC20Error[] = [];
	const socket = h.open({
		onWarning(e) {
			warnings.push(e);
		},
	});
	h.fake.expect("AT+QISEND=0,5,hello", OK);
	socket.write(bytes("hello"));
	h.advance(11000);
	assert.is(warnings.length, 1);
	assert.is(warnings[0].code, E_SEND_UNKNOWN);
	assert.equal([warnings[0].offset, warnings[0].count], [0, 5]);
	assert.is(socket.stats.unknown, 5);
	h.fake.send("\r\nSEND OK\r\n");
	h.settle();
	assert.is(socket.stats.unknown, 0);
	assert.is(socket.stats.sent, 5);
	h.fake.expect("AT+QISEND=0,5,again", OK);
	socket.write(bytes("again"));
	h.advance(11000);
	h.fake.send("\r\nSEND FAIL\r\n");
	h.settle();
	assert.equal(
		warnings.map((w) => [w.code, w.offset, w.count]),
		[
			[E_SEND_UNKNOWN, 0, 5],
			[E_SEND_UNKNOWN, 5, 5],
			[E_SEND_FAILED, 5, 5],
		],
	);
	assert.equal(h.fake.unexpected, []);
});

test("a send with no OK in time: E_SEND_UNKNOWN, and the channel resynchronises", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", "");
	socket.write(bytes("hello"));
	h.advance(600);
	assert.equal(h.takeLog(), ["0 warning 1007 0+5", "0 writable 2048"]);
	h.fake.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK).expect("AT+QISEND=0,5,world", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("world"));
	h.settle();
	assert.is(socket.stats.sent, 5);
	assert.equal(h.fake.unexpected, []);
});

test("buffer mode: reads until +QIRD: 0, in reads the receive buffer can take", () => {
	const h = ready({ rxBufferSize: 1024 });
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	const a = "a".repeat(512),
		b = "b".repeat(512),
		c = "c".repeat(300);
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,0," + hexOf(a) + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 512,300," + hexOf(b) + "\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,1324\r\n');
	h.settle();
	// Full: reading stops, the module keeps the rest.
	assert.equal(h.takeLog(), ["0 readable 512", "0 readable 1024"]);
	assert.is(h.fake.written.filter((l) => l.startsWith("AT+QIRD")).length, 2);
	const buffer = new Uint8Array(100);
	assert.is(socket.read(buffer), 100);
	h.settle();
	assert.is(h.fake.written.filter((l) => l.startsWith("AT+QIRD")).length, 2, "no dribbling read for 100 bytes");
	h.fake.expect("AT+QIRD=0,500", "\r\n+QIRD: 300,0," + hexOf(c) + "\r\n" + OK);
	const rest = new Uint8Array(400);
	assert.is(socket.read(rest), 400);
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 824"]);
	// 200 bytes free: not worth a read; once the app read, the last one.
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	assert.is(h.readAll(socket), "a".repeat(12) + b + c);
	h.settle();
	assert.equal(socket.stats.received, 1324);
	assert.equal(h.fake.unexpected, []);
});

test("the peer closes: the module's buffer is drained, the socket closed, onError after the app read", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const errors: BC20Error[] = [];
	const socket = h.open({
		onError(e) {
			errors.push(e);
		},
	});
	h.takeLog();
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 3,0," + hexOf("bye") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK)
		.expect("AT+QICLOSE=0", CLOSE_OK);
	h.fake.send('\r\n+QIURC: "closed",0\r\n');
	h.settle();
	assert.is(socket.state, CLOSING);
	assert.is(
		thrownCode(() => socket.write(bytes("x"))),
		E_STATE,
	);
	assert.equal(h.takeLog(), ["0 readable 3"]);
	assert.is(errors.length, 0);
	assert.is(h.readAll(socket), "bye");
	h.settle();
	assert.is(errors.length, 1);
	assert.is(errors[0].code, E_PEER_CLOSED);
	assert.is(socket.state, INITIAL);
	assert.equal(h.fake.unexpected, []);
});

test("the peer closes with unsent bytes: they are reported in the error", () => {
	const { h, socket } = awaitingSendResult();
	socket.write(bytes("world"));
	h.fake.send('\r\n+QIURC: "closed",0\r\n');
	h.settle();
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK).expect("AT+QICLOSE=0", CLOSE_OK);
	h.fake.send("\r\nSEND FAIL\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 connected", "0 writable 2048", "0 warning 1006 0+5", "0 error 1010 unsent 5+5"]);
	assert.equal(h.fake.unexpected, []);
});

test("the peer closes after close() with written bytes still queued: they are not sent", () => {
	const { h, socket } = awaitingSendResult();
	socket.write(bytes("world"));
	socket.close();
	h.fake.send('\r\n+QIURC: "closed",0\r\n');
	h.settle();
	// The module's socket is closed: "world" cannot go, only AT+QICLOSE may.
	h.fake.expect("AT+QICLOSE=0", CLOSE_OK);
	h.fake.send("\r\nSEND FAIL\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 connected", "0 writable 2048", "0 warning 1006 0+5", "0 closed"]);
	assert.equal(socket.stats, { written: 10, sent: 0, failed: 10, unknown: 0, received: 0, lost: 0 });
	assert.equal(h.fake.unexpected, []);
});

test("close flushes written bytes first and drops unread data", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0," + hexOf("hi") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,2\r\n');
	h.settle();
	h.fake.expect("AT+QISEND=0,4,last", OK + "\r\nSEND OK\r\n").expect("AT+QICLOSE=0", CLOSE_OK);
	socket.write(bytes("last"));
	socket.close();
	assert.is(socket.readable, 0);
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 2", "0 closed"]);
	assert.equal(h.fake.unexpected, []);
});

test("a close that fails is reported with onError; the connectID is given up", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QICLOSE=0", "\r\nERROR\r\n").expect("AT+QIGETERROR", "\r\n+QIGETERROR: 550,unknown error\r\n" + OK);
	socket.close();
	h.settle();
	assert.equal(h.takeLog(), ["0 error 550"]);
	assert.is(socket.state, INITIAL);
	// CLOSE OK that never comes.
	h.fake.expect(OPEN0);
	const second = h.open({});
	h.takeLog();
	h.fake.expect("AT+QICLOSE=0", OK);
	second.close();
	h.advance(11000);
	assert.equal(h.takeLog(), ["0 error " + E_TIMEOUT]);
	assert.equal(h.fake.unexpected, []);
});

test("QISWTMD: buffer to push drains the module first; push to buffer reads once", () => {
	const h = ready();
	h.fake.expect(OPEN0);
	const socket = h.open({});
	h.takeLog();
	// Data waits in the module when the switch is asked for.
	h.fake.expect("AT+QIRD=0,512", "");
	h.fake.send('\r\n+QIURC: "recv",0,4\r\n');
	h.settle();
	const results: unknown[] = [];
	socket.setMode(1, (error) => results.push(error));
	assert.throws(() => socket.setMode(0), /already waiting/);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK).expect("AT+QISWTMD=0,1", OK);
	h.fake.send("\r\n+QIRD: 4,0," + hexOf("old1") + "\r\n" + OK);
	h.settle();
	assert.equal(h.fake.written.slice(-3), ["AT+QIRD=0,512", "AT+QIRD=0,512", "AT+QISWTMD=0,1"]);
	assert.equal(results, [null]);
	assert.is(socket.mode, 1);
	h.fake.send('\r\n+QIURC: "recv",0,4,' + hexOf("new1") + "\r\n");
	h.settle();
	assert.is(h.readAll(socket), "old1new1");
	h.fake.expect("AT+QISWTMD=0,0", OK).expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	socket.setMode(0, (error) => results.push(error));
	h.settle();
	assert.equal(results, [null, null]);
	assert.is(socket.mode, 0);
	h.fake
		.expect("AT+QISWTMD=0,1", "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 572,operation not allowed\r\n" + OK);
	socket.setMode(1, (error) => results.push(error));
	h.settle();
	assert.is((results[2] as BC20Error).code, 572);
	assert.is(socket.mode, 0);
	assert.equal(h.fake.unexpected, []);
});

test.run();
