// The --trace output: every byte, readable, timed, with its direction.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TransportError, type HostTransport } from "../../host-sim/transport/host-transport.js";
import { traced } from "../../host-sim/transport/trace.js";
import { bytes, latin1 } from "../support/bytes.js";

// A transport whose module side the test drives by hand.
class Loop implements HostTransport {
	onData: ((chunk: Uint8Array) => void) | null = null;
	onClose: ((error: TransportError | null) => void) | null = null;
	readonly description = "loop";
	written = "";
	failOpen: TransportError | null = null;
	async open(): Promise<void> {
		if (this.failOpen) throw this.failOpen;
	}
	async close(): Promise<void> {
		this.onClose?.(null);
	}
	write(data: Uint8Array, start: number, end: number): void {
		this.written += latin1(data, start, end);
	}
}

function setup(): { inner: Loop; outer: HostTransport; lines: string[]; clock: { ms: number } } {
	const inner = new Loop();
	const lines: string[] = [];
	const clock = { ms: 5000 };
	const outer = traced(
		inner,
		(line) => lines.push(line),
		() => clock.ms,
	);
	return { inner, outer, lines, clock };
}

test("both directions, timed from the start of the trace, one line per AT line", async () => {
	const { inner, outer, lines, clock } = setup();
	const received: string[] = [];
	outer.onData = (chunk) => received.push(latin1(chunk));
	await outer.open();
	clock.ms += 12;
	outer.write(bytes('xAT+QIOPEN=1,0,"TCP","127.0.0.1",9000\r\nx'), 1, 39);
	clock.ms += 1033.4;
	inner.onData!(bytes("\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n"));
	assert.equal(lines, [
		"   0.000 * open loop",
		'   0.012 > AT+QIOPEN=1,0,"TCP","127.0.0.1",9000\\r\\n',
		"   1.045 < \\r\\n",
		"   1.045 < OK\\r\\n",
		"   1.045 < \\r\\n",
		"   1.045 < +QIOPEN: 0,0\\r\\n",
	]);
	assert.is(inner.written, 'AT+QIOPEN=1,0,"TCP","127.0.0.1",9000\r\n', "bytes pass through unchanged");
	assert.equal(received, ["\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n"]);
});

test("non-printable bytes as \\xNN, a backslash doubled; a line without LF shown once the other side speaks", async () => {
	const { inner, outer, lines } = setup();
	outer.write(bytes("AB\x00\xff\x1a\t\\r\x7f"), 0, 9);
	inner.onData!(bytes("> "));
	assert.equal(lines, ["   0.000 > AB\\x00\\xFF\\x1A\\x09\\\\r\\x7F"]);
	await outer.close();
	assert.equal(lines.slice(1), ["   0.000 < > ", "   0.000 * closed"], "the prompt, at the close");
});

test("a line split over many chunks is one trace line, stamped at its first byte", () => {
	const { inner, outer, lines, clock } = setup();
	outer.onData = () => {};
	for (const piece of ["\r", "\nO", "K\r", "\n\r\n+CEREG: ", "0,1\r\n"]) {
		inner.onData!(bytes(piece));
		clock.ms += 7;
	}
	outer.write(bytes("AT"), 0, 2);
	clock.ms += 7;
	outer.write(bytes("\r"), 0, 1);
	outer.write(bytes("\rAT+CGMR\r"), 0, 9);
	assert.equal(
		lines,
		[
			"   0.000 < \\r\\n",
			"   0.007 < OK\\r\\n",
			"   0.021 < \\r\\n",
			"   0.021 < +CEREG: 0,1\\r\\n",
			"   0.035 > AT\\r",
			"   0.042 > \\r",
		],
		"the host's lines end with CR",
	);
	outer.write(bytes("AT\r\n"), 0, 4);
	assert.equal(lines.slice(6), ["   0.042 > AT+CGMR\\r", "   0.042 > AT\\r\\n"], "or CR LF");
});

test("an unfinished line is shown after a moment of silence", async () => {
	const { inner, outer, lines } = setup();
	outer.onData = () => {};
	inner.onData!(bytes("\r\n> "));
	assert.equal(lines, ["   0.000 < \\r\\n"]);
	await new Promise((resolve) => setTimeout(resolve, 300));
	assert.equal(lines, ["   0.000 < \\r\\n", "   0.000 < > "]);
});

test("open failures and closes, with their reasons", async () => {
	const { inner, outer, lines } = setup();
	const closes: (TransportError | null)[] = [];
	outer.onClose = (error) => closes.push(error);
	inner.failOpen = new TransportError("no such port /dev/ttyUSB9");
	await outer.open().then(
		() => assert.unreachable("open() should have failed"),
		(error: Error) => assert.is(error, inner.failOpen),
	);
	inner.failOpen = null;
	await outer.open();
	const hangUp = new TransportError("tcp://127.0.0.1:2000: the bridge closed the connection");
	inner.onClose!(hangUp);
	await outer.close();
	assert.equal(lines, [
		"   0.000 * open failed: no such port /dev/ttyUSB9",
		"   0.000 * open loop",
		"   0.000 * closed: tcp://127.0.0.1:2000: the bridge closed the connection",
		"   0.000 * closed",
	]);
	assert.equal(closes, [hangUp, null]);
	assert.is(outer.description, "loop");
});

test.run();
