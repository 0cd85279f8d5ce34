// Resource bounds: every buffer and queue has a documented bound and a
// documented behaviour when full (backpressure or an error, never silent
// loss). The driver runs against the scripted module of the fuzzer (it
// answers every command, and data can be made to arrive from each socket's
// peer) with virtual time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Reader } from "../../firmware/at/reader.js";
import { BC20Error, E_ARGUMENT, E_DATA_LOST, E_QUEUE_FULL, E_STATE } from "../../firmware/bc20/errors.js";
import { BC20, type BC20Options } from "../../firmware/bc20/modem.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { EventLog } from "../at/reader-cases.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { bytes, latin1, prng } from "../support/bytes.js";
import { ScriptedBC20 } from "../support/reliability-module.js";
import { hostileText } from "./fuzz-engine.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";
import { BC20_LINES } from "../../firmware/bc20/urcs.js";

interface World {
	modem: BC20;
	module: ScriptedBC20;
	clock: VirtualClock;
	settle(): void;
	advance(ms: number): void;
}

function world(options: Partial<BC20Options> = {}): World {
	const clock = new VirtualClock();
	const module = new ScriptedBC20();
	const modem = new BC20({ transport: module, clock, ...options });
	const settle = () => {
		for (let n = 0; n < 100000; n++) {
			if (module.pendingOutput > 0) {
				const input = bytes(module.take(1 + ((n * 37) % 300)));
				modem.receive(input, 0, input.length);
			} else if (!clock.fireOne()) return;
		}
		throw new Error("does not settle");
	};
	const advance = (ms: number) => {
		const end = clock.time + ms;
		settle();
		while (clock.nextAt() <= end) {
			clock.moveTo(clock.nextAt());
			settle();
		}
		clock.moveTo(end);
		settle();
	};
	modem.start({ onReady() {}, onError() {} });
	advance(5000);
	assert.is(modem.state, "ready");
	return { modem, module, clock, settle, advance };
}

interface Logged {
	socket: Socket;
	warnings: BC20Error[];
	writable: number[];
	readable: number;
}

function open(w: World, type: "tcp" | "udp", mode: number): Logged {
	const log: Logged = { socket: null as unknown as Socket, warnings: [], writable: [], readable: 0 };
	log.socket = w.modem.open({
		type,
		host: "127.0.0.1",
		port: 9000,
		mode,
		onWarning: (e) => void log.warnings.push(e),
		onWritable: (n) => void log.writable.push(n),
		onReadable: (n) => void (log.readable = n),
	});
	w.advance(100);
	assert.is(log.socket.state, CONNECTED);
	return log;
}

function code(fn: () => unknown): number | string {
	try {
		fn();
	} catch (error) {
		return error instanceof BC20Error ? error.code : String(error);
	}
	return "accepted";
}

function readAll(socket: Socket): string {
	const buffer = new Uint8Array(65536);
	let text = "";
	for (;;) {
		const n = socket.read(buffer);
		if (n === 0) return text;
		text += latin1(buffer, 0, n);
	}
}

test("operation queue (queueSize, 1-64, default 8): when full, E_QUEUE_FULL at once; nothing is queued or sent", () => {
	for (const queueSize of [1, 8]) {
		const w = world({ queueSize });
		const before = w.module.commands.length;
		const done: string[] = [];
		// One goes on the wire, `queueSize` wait.
		for (let i = 0; i <= queueSize; i++)
			w.modem.resolve("host" + i, (e) => done.push(e === null ? "ok" : String(e.code)));
		assert.is(
			code(() => w.modem.resolve("refused", () => done.push("refused"))),
			E_QUEUE_FULL,
		);
		assert.is(
			code(() => w.modem.command("AT+CGMR", () => done.push("refused"))),
			E_QUEUE_FULL,
		);
		assert.is(
			code(() => w.modem.ping("127.0.0.1", {}, () => done.push("refused"))),
			E_QUEUE_FULL,
		);
		w.advance(1000);
		assert.is(done.length, queueSize + 1);
		assert.equal(
			done.filter((d) => d !== "ok"),
			[],
		);
		assert.not.ok(w.module.commands.slice(before).some((l) => l.includes("refused") || l.startsWith("AT+QPING")));
		// Room again: accepted.
		w.modem.resolve("again", (e) => done.push(e === null ? "ok" : String(e.code)));
		w.advance(1000);
		assert.is(done.length, queueSize + 2);
	}
});

test("socket traffic never waits in that queue: a full operation queue refuses no read or write", () => {
	const w = world({ queueSize: 1 });
	const s = open(w, "tcp", 0);
	w.modem.resolve("a", () => {});
	w.modem.resolve("b", () => {});
	assert.is(
		code(() => w.modem.resolve("c", () => {})),
		E_QUEUE_FULL,
	);
	assert.is(s.socket.write(bytes("still flows")), 11);
	w.advance(1000);
	assert.is(readAll(s.socket), "still flows");
});

test("transmit buffer, TCP (txBufferSize, 256-32768, default 2048): write() takes what fits, 0 when full; onWritable says when room is back; nothing lost", () => {
	const w = world({ txBufferSize: 256 });
	w.module.peerEcho = false;
	const s = open(w, "tcp", 0);
	const data = bytes(hostileText(prng(3), 3000));
	let taken = s.socket.write(data);
	assert.is(taken, 256);
	assert.is(s.socket.write(data, taken), 0, "full: nothing taken");
	assert.is(s.socket.writable, 0);
	for (let n = 0; n < 100 && taken < data.length; n++) {
		s.writable.length = 0;
		w.advance(50);
		assert.ok(s.writable.length > 0, "onWritable after room came back");
		taken += s.socket.write(data, taken);
	}
	w.advance(1000);
	assert.is(w.module.sends[0].join(""), latin1(data), "every byte sent once, in order");
	assert.equal(s.socket.stats, { written: 3000, sent: 3000, failed: 0, unknown: 0, received: 0, lost: 0 });
});

test("transmit, UDP: a datagram is taken whole or not at all; at most 32 wait; limits 1024 bytes (text) and 512 (binary); empty refused", () => {
	const w = world({ txBufferSize: 32768, textSend: true });
	w.module.peerEcho = false;
	const s = open(w, "udp", 0);
	let accepted = 0;
	for (let i = 0; i < 40; i++) if (s.socket.write(bytes("datagram " + i)) > 0) accepted++;
	assert.is(accepted, 32, "the datagram queue holds 32");
	w.advance(1000);
	assert.equal(
		w.module.sends[0],
		Array.from({ length: 32 }, (_, i) => "datagram " + i),
	);
	assert.is(
		code(() => s.socket.write(new Uint8Array(0))),
		E_ARGUMENT,
	);
	assert.is(
		code(() => s.socket.write(bytes("t".repeat(1025)))),
		E_ARGUMENT,
	);
	assert.is(
		code(() => s.socket.write(new Uint8Array(513))),
		E_ARGUMENT,
	);
	assert.is(s.socket.write(bytes("t".repeat(1024))), 1024);
	assert.is(s.socket.write(new Uint8Array(512)), 512);
	const small = world({ txBufferSize: 256 });
	const t = open(small, "udp", 0);
	assert.is(t.socket.write(new Uint8Array(200)), 200);
	assert.is(t.socket.write(new Uint8Array(100)), 0, "does not fit: nothing taken");
});

test("receive buffer, buffer mode (rxBufferSize, 1024-32768, default 2048): when full the driver stops reading, the module keeps the data; nothing lost", () => {
	const w = world({ rxBufferSize: 1024 });
	const s = open(w, "tcp", 0);
	const data = hostileText(prng(4), 6000);
	for (let at = 0; at < data.length; at += 1460) w.module.arrive(s.socket.id, data.slice(at, at + 1460));
	w.advance(2000);
	assert.is(s.socket.readable, 1024, "the receive buffer is full");
	assert.ok(w.module.held(0) >= 6000 - 1024, "the module keeps the rest");
	const reads = w.module.commands.filter((l) => l.startsWith("AT+QIRD")).length;
	w.advance(5000);
	assert.is(w.module.commands.filter((l) => l.startsWith("AT+QIRD")).length, reads, "no reads while full");
	let got = "";
	for (let n = 0; n < 100 && got.length < data.length; n++) {
		got += readAll(s.socket);
		w.advance(50);
	}
	assert.is(got, data);
	assert.is(s.warnings.filter((e) => e.code === E_DATA_LOST).length, 0);
	assert.is(s.socket.stats.lost, 0);
});

test("receive buffer, direct push: what does not fit is lost and reported with its count (E_DATA_LOST, error.lost, stats.lost)", () => {
	const w = world({ rxBufferSize: 1024 });
	const s = open(w, "tcp", 1);
	const data = hostileText(prng(5), 1500);
	for (let at = 0; at < data.length; at += 500) w.module.arrive(s.socket.id, data.slice(at, at + 500));
	w.advance(100);
	const lost = s.warnings.filter((e) => e.code === E_DATA_LOST);
	assert.is(
		lost.reduce((n, e) => n + e.lost, 0),
		476,
	);
	assert.is(s.socket.stats.lost, 476);
	assert.is(readAll(s.socket), data.slice(0, 1024), "what was kept is the start of the stream, unaltered");
});

test("received datagrams: at most 32 wait; buffer mode stops reading (the module keeps them), direct push drops and reports the rest", () => {
	const w = world();
	const b = open(w, "udp", 0);
	const p = open(w, "udp", 1);
	for (let i = 0; i < 40; i++) {
		w.module.arrive(b.socket.id, "d" + i);
		w.module.arrive(p.socket.id, "p" + i);
	}
	w.advance(2000);
	assert.is(b.socket.datagrams, 32);
	assert.is(p.socket.datagrams, 32);
	assert.is(
		p.warnings.filter((e) => e.code === E_DATA_LOST).reduce((n, e) => n + e.lost, 0),
		"p32p33p34p35p36p37p38p39".length,
		"the 8 dropped datagrams' bytes",
	);
	const read = (s: Socket) => {
		const out: string[] = [];
		const d = new Uint8Array(2048);
		for (let n = s.read(d); n > 0; n = s.read(d)) out.push(latin1(d, 0, n));
		return out;
	};
	const first = read(b.socket);
	w.advance(2000);
	const all = first.concat(read(b.socket));
	assert.equal(
		all,
		Array.from({ length: 40 }, (_, i) => "d" + i),
		"buffer mode: all 40, in order, once",
	);
	assert.equal(
		read(p.socket),
		Array.from({ length: 32 }, (_, i) => "p" + i),
	);
});

test("a received datagram larger than the receive buffer is dropped whole and reported lost", () => {
	for (const mode of [0, 1]) {
		const w = world({ rxBufferSize: 1024 });
		const s = open(w, "udp", mode);
		w.module.arrive(s.socket.id, "x".repeat(1400));
		w.module.arrive(s.socket.id, "after");
		w.advance(2000);
		assert.is(
			s.warnings.filter((e) => e.code === E_DATA_LOST).reduce((n, e) => n + e.lost, 0),
			1400,
			`mode ${mode}`,
		);
		const d = new Uint8Array(1024);
		assert.is(latin1(d, 0, s.socket.read(d)), "after");
	}
});

test("a line longer than the line buffer (lineCapacity, 128-4096, default 512) is dropped whole and counted; the next line is read", () => {
	const log = new EventLog();
	const reader = new Reader(log, BC20_LINES, 128);
	reader.receive(bytes('\r\n+QIURC: "dnsgip","' + "a".repeat(300) + '"\r\n\r\nOK\r\n'));
	assert.equal(log.events, ["OK|OK"]);
	assert.is(reader.stats.linesDiscarded, 1);
	assert.ok(reader.stats.bytesDiscarded >= 300);
	assert.is(reader.ring.count, 0);
	// Through the modem: the line after it still has its effect.
	const w = world({ lineCapacity: 128 });
	const s = open(w, "tcp", 0);
	w.module.send('\r\n+QIURC: "other","' + "z".repeat(1000) + '"\r\n\r\n+QIURC: "closed",0\r\n');
	w.advance(1000);
	assert.is(s.socket.state, INITIAL, 'the "closed" URC after the long line was read');
});

test("a damaged header announcing a huge payload never makes a count negative (hex receive format)", () => {
	for (const announced of [1 << 30, 2000000000, 2147483647]) {
		const log = new EventLog([0]);
		const reader = new Reader(log, BC20_LINES, 256);
		reader.receiveHex = true;
		reader.receive(bytes(`\r\n+QIURC: "recv",0,${announced}\r\n414243`));
		assert.ok(reader.payloadRemaining >= 0, `payloadRemaining ${reader.payloadRemaining} for ${announced}`);
		const missing = reader.abortPayload();
		assert.ok(missing >= 0, `abortPayload() reported ${missing} missing bytes for ${announced}`);
	}
});

test("the command line (1056 bytes) and host names (255): longer values are refused with E_ARGUMENT", () => {
	const w = world();
	const before = w.module.commands.length;
	assert.is(
		code(() => w.modem.command("AT+CGMR=" + "1".repeat(1100), () => {})),
		E_ARGUMENT,
	);
	assert.is(
		code(() =>
			w.modem.resolve("a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(64), () => {}),
		),
		E_ARGUMENT,
	);
	assert.is(
		code(() => w.modem.open({ host: "a".repeat(256), port: 1 })),
		E_ARGUMENT,
	);
	w.advance(100);
	assert.is(w.module.commands.length, before);
});

test("sockets (sockets, 1-5, default 5): when all are in use open() throws E_STATE", () => {
	const w = world({ sockets: 2 });
	open(w, "tcp", 0);
	open(w, "udp", 0);
	assert.is(
		code(() => w.modem.open({ host: "127.0.0.1", port: 1 })),
		E_STATE,
	);
	assert.is(
		code(() => new BC20({ transport: w.module, clock: w.clock, sockets: 6 })),
		E_ARGUMENT,
	);
	for (const bad of [{ queueSize: 65 }, { lineCapacity: 8192 }, { rxBufferSize: 65536 }, { txBufferSize: 128 }])
		assert.is(
			code(() => new BC20({ transport: w.module, clock: w.clock, ...bad })),
			E_ARGUMENT,
			JSON.stringify(bad),
		);
});

test.run();
