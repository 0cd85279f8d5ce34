// A long send is prepared over turns of its own (send-preparation.ts): the
// driver goes on reading the module meanwhile, the module still gets one
// whole command, and the hex stage the sockets share is never held by a
// socket that will not send.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexOf, OK, ready } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";

const OPEN = (id: number) => `AT+QIOPEN=1,${id},"TCP","127.0.0.1",9000,0,1`;
const SEND_OK = OK + "\r\nSEND OK\r\n";

function binary(n: number, seed: number): string {
	let text = "";
	for (let i = 0; i < n; i++) text += String.fromCharCode((i * 7 + seed) & 255);
	return text;
}

// Fires timer turns one at a time (the fake module answers nothing
// meanwhile) until something is written; returns how many turns it took.
function turnsUntilWritten(h: ReturnType<typeof ready>): number {
	const before = h.fake.written.length;
	for (let turns = 1; turns <= 50; turns++) {
		if (!h.clock.fireOne()) throw new Error("no turn due, nothing written");
		if (h.fake.written.length > before) return turns;
	}
	throw new Error("nothing written in 50 turns");
}

test("a 1024-byte text send is prepared over several turns, with the module read between them", () => {
	const h = ready({ txBufferSize: 4096 });
	h.fake.expect(OPEN(0));
	const socket = h.open({ mode: 1 });
	h.settle();
	h.takeLog();
	const text = "A".repeat(1024);
	h.fake.expect("AT+QISEND=0,1024," + text, SEND_OK);
	const before = h.fake.written.length;
	socket.write(bytes(text));
	assert.ok(h.clock.fireOne());
	assert.is(h.fake.written.length, before, "not written by the turn that asked for it");
	// The module pushes data while the send is prepared: the app hears of it
	// before the send is written.
	h.fake.send('\r\n+QIURC: "recv",0,3,616263\r\n');
	h.fake.pump();
	assert.equal(h.takeLog(), ["0 readable 3"]);
	assert.ok(turnsUntilWritten(h) >= 3, "256 bytes scanned a turn at most");
	h.settle();
	assert.is(socket.stats.sent, 1024);
	assert.equal(h.fake.unexpected, []);
});

test("a stream's next send is prepared while the one before it is on the wire, and goes right after its SEND OK", () => {
	for (const [name, first, second] of [
		["text", "A".repeat(1024), "B".repeat(1000)],
		["hex", binary(512, 1), binary(400, 2)],
	]) {
		const h = ready({ txBufferSize: 4096 });
		h.fake.expect(OPEN(0));
		const socket = h.open({ mode: 1 });
		h.settle();
		const command = (data: string) =>
			name === "text" ? `AT+QISEND=0,${data.length},${data}` : `AT+QISENDEX=0,${data.length},${hexOf(data)}`;
		// The first send is answered OK; its SEND OK waits.
		h.fake.expect(command(first), OK);
		socket.write(bytes(first + second));
		h.settle();
		assert.ok(h.fake.written.includes(command(first)), name);
		h.fake.expect(command(second), SEND_OK);
		h.fake.send("\r\nSEND OK\r\n");
		// Not from the receive turn that brings SEND OK (that turn and a long
		// send's rendering together would run long), but from the dispatcher's
		// turn and the channel's right after it: nothing is left to prepare.
		const before = h.fake.written.length;
		h.fake.pump();
		assert.is(h.fake.written.length, before, `${name}: not in the turn of SEND OK`);
		assert.is(turnsUntilWritten(h), 2, `${name}: prepared ahead`);
		assert.ok(h.fake.written.includes(command(second)), name);
		h.settle();
		assert.is(socket.stats.sent, first.length + second.length, name);
		assert.equal(h.fake.unexpected, [], name);
	}
});

// Sockets 0 and 1 open in direct push mode.
function twoSockets() {
	const h = ready({ txBufferSize: 4096 });
	h.fake.expect(OPEN(0));
	const a = h.open({ mode: 1 });
	h.fake.expect(OPEN(1));
	const b = h.open({ mode: 1 }, "1,0");
	h.settle();
	return { h, a, b };
}

test("hex sends of two sockets share the stage: both go whole, one after the other", () => {
	const { h, a, b } = twoSockets();
	const first = binary(512, 1),
		second = binary(300, 2);
	h.fake.expect("AT+QISENDEX=0,512," + hexOf(first), SEND_OK).expect("AT+QISENDEX=1,300," + hexOf(second), SEND_OK);
	a.write(bytes(first));
	b.write(bytes(second));
	h.settle();
	assert.is(a.stats.sent, 512);
	assert.is(b.stats.sent, 300);
	assert.equal(h.fake.unexpected, []);
});

test("a socket whose connection ends while its hex send is prepared frees the stage for the others", () => {
	const { h, a, b } = twoSockets();
	a.write(bytes(binary(512, 1)));
	// The turn that asked for the send took the stage and began the digits.
	assert.ok(h.clock.fireOne());
	assert.is(h.fake.written.filter((line) => line.startsWith("AT+QISENDEX")).length, 0);
	// The peer ends socket 0's connection: nothing more is sent on it, and
	// the socket stays until the app has read what came and closed it.
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.fake.send('\r\n+QIURC: "recv",0,2,6869\r\n\r\n+QIURC: "closed",0\r\n');
	const data = binary(100, 3);
	h.fake.expect("AT+QISENDEX=1,100," + hexOf(data), SEND_OK);
	b.write(bytes(data));
	h.advance(1000);
	assert.is(b.stats.sent, 100);
	assert.is(a.stats.sent, 0);
	assert.is(a.readable, 2);
	assert.equal(h.fake.unexpected, []);
});

test.run();
