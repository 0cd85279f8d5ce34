// The command channel: one command on the wire, the bounded queue, deadlines,
// URCs between any two lines, second stages, resync after a timeout, reboot.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ascii } from "../../firmware/at/ascii.js";
import { Channel, type ChannelEvents } from "../../firmware/at/channel.js";
import {
	type Command,
	type CommandSpec,
	type CommandWriter,
	spec,
	THEN_CLOSE_OK,
	THEN_SEND_RESULT,
	THEN_URC,
	URC_COMPLETES,
	URC_NOT_MINE,
} from "../../firmware/at/command.js";
import type { Line } from "../../firmware/at/line.js";
import { DROP_PAYLOAD } from "../../firmware/at/reader.js";
import { DONE_CANCELLED, type Result, statusName } from "../../firmware/at/result.js";
import { bytes, hex, latin1 } from "../support/bytes.js";
import { CommandQueue } from "../support/command-queue.js";
import { VirtualClock } from "../support/virtual-clock.js";
import * as U from "../../firmware/bc20/urcs.js";
import { BC20_LINES } from "../../firmware/bc20/urcs.js";

class TextCommand implements Command {
	results: string[] = [];
	responses: string[] = [];
	late: string[] = [];
	data = "";
	constructor(
		readonly spec: CommandSpec,
		readonly line: string,
		readonly urcId = -1,
	) {}
	render(out: CommandWriter): void {
		out.text(this.line);
	}
	onResponse(line: Line): void {
		this.responses.push(line.text());
	}
	onUrc(line: Line): number {
		if (line.kind === U.URC_QIOPEN && line.int(0) === this.urcId) return URC_COMPLETES;
		return URC_NOT_MINE;
	}
	onPayloadStart(): void {}
	onPayload(b: Uint8Array, s: number, e: number): void {
		this.data += hex(b, s, e);
	}
	onPayloadEnd(missing: number): void {
		if (missing) this.data += `|missing ${missing}`;
	}
	onDone(result: Result): void {
		this.results.push(
			statusName(result.status) +
				(result.code ? ` ${result.code}` : "") +
				(result.lines.length ? ` ${JSON.stringify(result.lines)}` : ""),
		);
	}
	onLate(kind: number): void {
		this.late.push(BC20_LINES.kindName(kind));
	}
}

const PLAIN = spec("AT", null, 300);
const STATE = spec("AT+QISTATE?", ascii("+QISTATE:"), 300, 0, 0, true);
const SEND = spec("AT+QISEND", null, 300, THEN_SEND_RESULT, 1000);
const CLOSE = spec("AT+QICLOSE", null, 300, THEN_CLOSE_OK, 1000);
const OPEN = spec("AT+QIOPEN", ascii("+QIOPEN:"), 300, THEN_URC, 60000);
const READ = spec("AT+QIRD", ascii("+QIRD:"), 300);

function setup(queueSize = 4, wakeAfterIdleMs = 0) {
	const written: string[] = [];
	const urcs: string[] = [];
	let reboots = 0;
	const clock = new VirtualClock();
	const queue = new CommandQueue(queueSize);
	const events: ChannelEvents = {
		nextCommand: () => queue.nextCommand(),
		onUrc: (line) => urcs.push(line.text()),
		onReboot: () => reboots++,
		onRebooted() {},
		isDirectPush: () => false,
		onPushStart: () => DROP_PAYLOAD,
		onPushEnd() {},
		onPushLoss() {},
	};
	const channel = new Channel({
		lines: BC20_LINES,
		transport: { write: (b, s, e) => written.push(latin1(b, s, e)) },
		clock,
		events,
		graceMs: 0,
		wakeAfterIdleMs,
	});
	queue.channel = channel;
	// A command submitted outside a turn goes out from a turn of the clock.
	const submit = queue.submit.bind(queue);
	queue.submit = (command) => {
		submit(command);
		clock.advance(0);
	};
	const feed = (text: string) => channel.receive(bytes(text));
	return { channel, queue, clock, written, urcs, feed, reboots: () => reboots };
}

test("one command on the wire; the next is written only after the first ends", () => {
	const { queue, written, feed } = setup();
	const a = new TextCommand(PLAIN, "AT"),
		b = new TextCommand(PLAIN, "ATE0");
	queue.submit(a);
	queue.submit(b);
	assert.equal(written, ["AT\r"]);
	feed("\r\nOK\r\n");
	assert.equal(a.results, ["OK"]);
	assert.equal(written, ["AT\r", "ATE0\r"]);
	feed("\r\nERROR\r\n");
	assert.equal(b.results, ["ERROR"]);
});

test("response lines are collected; +CME ERROR carries its code", () => {
	const { queue, feed } = setup();
	const a = new TextCommand(STATE, "AT+QISTATE?"),
		b = new TextCommand(STATE, "AT+QISTATE?");
	queue.submit(a);
	queue.submit(b);
	feed(
		'\r\n+QISTATE: 0,"TCP","127.0.0.1",8062,1234,2,1,0\r\n\r\n+QISTATE: 1,"UDP","127.0.0.1",9,0,2,1,1\r\n\r\nOK\r\n',
	);
	feed("\r\n+CME ERROR: 552\r\n");
	assert.equal(a.results, [
		'OK ["+QISTATE: 0,\\"TCP\\",\\"127.0.0.1\\",8062,1234,2,1,0","+QISTATE: 1,\\"UDP\\",\\"127.0.0.1\\",9,0,2,1,1"]',
	]);
	assert.equal(b.results, ["+CME ERROR 552"]);
});

test("URCs between any two lines go to the URC handler and never complete the command", () => {
	const { queue, feed, urcs } = setup();
	const a = new TextCommand(STATE, "AT+QISTATE?");
	queue.submit(a);
	feed('\r\n+QIURC: "recv",1\r\n\r\n+QISTATE: 0,"TCP","127.0.0.1",1,2,2,1,0\r\n\r\n+QIURC: "closed",2\r\n\r\nOK\r\n');
	assert.equal(urcs, ['+QIURC: "recv",1', '+QIURC: "closed",2']);
	assert.equal(a.responses, ['+QISTATE: 0,"TCP","127.0.0.1",1,2,2,1,0']);
	assert.equal(a.results.length, 1);
	const send = new TextCommand(SEND, "AT+QISEND=0,2,hi");
	queue.submit(send);
	feed('\r\nOK\r\n\r\n+QIURC: "recv",0\r\n');
	assert.equal(send.results, [], "OK alone does not end a send");
	feed("\r\n+CEREG: 1\r\n\r\nSEND OK\r\n");
	assert.equal(send.results, ["OK"]);
	assert.equal(urcs.slice(2), ['+QIURC: "recv",0', "+CEREG: 1"]);
});

test("SEND FAIL and CLOSE OK end their second stage", () => {
	const { queue, feed } = setup();
	const send = new TextCommand(SEND, "AT+QISEND=0,1,x"),
		close = new TextCommand(CLOSE, "AT+QICLOSE=0");
	queue.submit(send);
	queue.submit(close);
	feed("\r\nOK\r\n\r\nSEND FAIL\r\n");
	assert.equal(send.results, ["SEND FAIL"]);
	feed("\r\nOK\r\n");
	assert.equal(close.results, []);
	feed("\r\nCLOSE OK\r\n");
	assert.equal(close.results, ["OK"]);
});

test("+QIOPEN for another socket does not complete an open; its own does", () => {
	const { queue, feed, urcs, clock } = setup();
	const open = new TextCommand(OPEN, 'AT+QIOPEN=1,0,"TCP","127.0.0.1",9,0,0', 0);
	queue.submit(open);
	feed("\r\nOK\r\n");
	clock.advance(30000);
	feed('\r\n+QIOPEN: 3,566\r\n\r\n+QIURC: "recv",1\r\n');
	assert.equal(open.results, []);
	feed("\r\n+QIOPEN: 0,0\r\n");
	assert.equal(open.results, ["OK"]);
	assert.equal(urcs, ["+QIOPEN: 3,566", '+QIURC: "recv",1']);
});

test("every stage has a deadline", () => {
	const { queue, feed, clock } = setup();
	const a = new TextCommand(PLAIN, "AT");
	queue.submit(a);
	clock.advance(299);
	assert.equal(a.results, []);
	clock.advance(3); // the deadline, and the millisecond in which input that waited is read first
	assert.equal(a.results, ["timeout"]);
	const send = new TextCommand(SEND, "AT+QISEND=0,1,x");
	queue.submit(send); // the probe goes first, see the resync test
	feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	feed("\r\nOK\r\n");
	clock.advance(999);
	assert.equal(send.results, []);
	clock.advance(2);
	assert.equal(send.results, ["timeout"]);
});

test("a late answer is never taken for the next command's: the probe resyncs", () => {
	const { channel, queue, feed, clock, written } = setup();
	const a = new TextCommand(STATE, "AT+QISTATE?");
	queue.submit(a);
	clock.advance(400);
	assert.equal(a.results, ["timeout"]);
	const b = new TextCommand(PLAIN, 'AT+QICFG="viewmode",1');
	queue.submit(b);
	assert.equal(written.slice(1), ["AT+CGATT?\r"], "the probe is written before the next command");
	// The timed-out command's answer arrives late, then the probe's.
	feed('\r\n+QISTATE: 0,"TCP","127.0.0.1",1,2,2,1,0\r\n\r\nERROR\r\n');
	assert.equal(b.results, []);
	assert.equal(a.late, ["ERROR"]);
	feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	assert.equal(written.slice(2), ['AT+QICFG="viewmode",1\r']);
	feed("\r\nOK\r\n");
	assert.equal(b.results, ["OK"]);
	assert.equal(channel.stats.lateFinals, 1);
});

test("the probe's answer with its response line damaged (its colon lost) still resyncs: no wait for the next probe", () => {
	const { queue, feed, clock, written } = setup();
	const a = new TextCommand(STATE, "AT+QISTATE?");
	queue.submit(a);
	clock.advance(400);
	const b = new TextCommand(PLAIN, 'AT+QICFG="viewmode",1');
	queue.submit(b);
	assert.equal(written.slice(1), ["AT+CGATT?\r"]);
	feed("\r\n+CGATT 1\r\n\r\nOK\r\n");
	assert.equal(written.slice(2), ['AT+QICFG="viewmode",1\r'], "the command went after the probe's OK");
	feed("\r\nOK\r\n");
	assert.equal(b.results, ["OK"]);
});

test("the probe avoids a prefix the timed-out command could answer with", () => {
	const { queue, clock, written } = setup();
	queue.submit(new TextCommand(spec("AT+CGATT?", ascii("+CGATT:"), 300), "AT+CGATT?"));
	clock.advance(500);
	queue.submit(new TextCommand(PLAIN, "AT"));
	assert.equal(written, ["AT+CGATT?\r", "AT+CGSN=1\r"]);
});

test("a late SEND OK after a second-stage timeout is consumed as late, not as the next send's", () => {
	const { queue, feed, clock } = setup();
	const a = new TextCommand(SEND, "AT+QISEND=0,1,a");
	queue.submit(a);
	feed("\r\nOK\r\n");
	clock.advance(1001);
	assert.equal(a.results, ["timeout"]);
	const b = new TextCommand(SEND, "AT+QISEND=0,1,b");
	queue.submit(b);
	feed("\r\nOK\r\n\r\nSEND OK\r\n");
	assert.equal(a.late, ["SEND OK"], "the first SEND OK belongs to the timed-out send");
	assert.equal(b.results, []);
	feed("\r\nSEND OK\r\n");
	assert.equal(b.results, ["OK"]);
});

test("a silent module: the probe times out, the command waiting for it fails as not sent, and nothing polls while idle", () => {
	const { channel, queue, clock, written } = setup();
	queue.submit(new TextCommand(PLAIN, "AT"));
	clock.advance(400);
	const b = new TextCommand(PLAIN, "ATE0");
	queue.submit(b);
	clock.advance(400);
	assert.equal(b.results, ["not sent (module silent)"]);
	clock.advance(10000);
	assert.equal(written, ["AT\r", "AT+CGATT?\r"]);
	assert.is(queue.count, 0);
	assert.is(channel.busy, false);
});

test("after a probe went unanswered the next probe waits until the module speaks (or a backoff): a silent spell leaves few probes behind", () => {
	const { queue, clock, written, feed } = setup();
	queue.submit(new TextCommand(PLAIN, "AT"));
	clock.advance(400); // AT times out
	queue.submit(new TextCommand(PLAIN, "AT"));
	clock.advance(400); // its probe times out
	const c = new TextCommand(PLAIN, "AT");
	queue.submit(c);
	clock.advance(100);
	assert.equal(written, ["AT\r", "AT+CGATT?\r"], "no new probe while the module is silent");
	feed("\r\n+CFUN: 1\r\n");
	assert.equal(written, ["AT\r", "AT+CGATT?\r", "AT+CGSN=1\r"], "the module spoke: probe with another prefix");
	feed("\r\n+CGATT: 0\r\n\r\nOK\r\n"); // the first probe's late answer
	assert.equal(written.length, 3);
	feed("\r\n+CGSN: 866123456789012\r\n\r\nOK\r\n");
	assert.equal(written[3], "AT\r");
	feed("\r\nOK\r\n");
	assert.equal(c.results, ["OK"]);
});

// Four probes go unanswered (the module stalls): every probe prefix is owed.
function fourProbesOwed(s: ReturnType<typeof setup>) {
	s.queue.submit(new TextCommand(PLAIN, "AT"));
	s.clock.advance(400); // AT times out
	for (const backoff of [0, 500, 1000, 2000]) {
		s.queue.submit(new TextCommand(PLAIN, "AT"));
		s.clock.advance(backoff + 400); // the backoff passes, the probe times out
	}
	assert.equal(s.written, ["AT\r", "AT+CGATT?\r", "AT+CGSN=1\r", "AT+CPSMS?\r", "AT+CCLK?\r"]);
}

const CSQ = spec("AT+CSQ", ascii("+CSQ:"), 300);

test("a late answer of an owed probe, split across turns, is never taken for a new probe's: no prefix is reused while owed", () => {
	const s = setup();
	fourProbesOwed(s);
	const next = new TextCommand(CSQ, "AT+CSQ");
	s.queue.submit(next);
	// The old AT+CCLK? is answered at last, its line cut in two turns.
	s.feed('\r\n+CCLK: "26/12');
	assert.equal(s.written.length, 5, "every prefix is owed: no probe that its late answer could pass for");
	s.feed('/07,03:00:00+00"\r\n');
	assert.equal(s.written.slice(5), ["AT+CGATT?\r"], "its answer came: the probes are settled, a probe goes");
	s.feed("\r\nOK\r\n"); // the old probe's OK belongs to the past
	assert.equal(s.written.length, 6);
	s.feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	assert.equal(s.written.slice(6), ["AT+CSQ\r"]);
	s.feed("\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
	assert.equal(next.responses, ["+CSQ: 20,0"]);
	assert.equal(next.results, ["OK"]);
	assert.equal(s.urcs, [], "a late probe answer is not a URC");
});

test("a late answer of an owed probe settles it and the probes written before it, not those after", () => {
	const s = setup();
	fourProbesOwed(s);
	s.queue.submit(new TextCommand(CSQ, "AT+CSQ"));
	s.feed('\r\n+CPSMS: 0,,,"00000000","00000000"\r\n');
	assert.equal(s.written.slice(5), ["AT+CGATT?\r"], "CGATT, CGSN and CPSMS are settled");
	s.clock.advance(400); // the probe times out: CGATT is owed again
	s.queue.submit(new TextCommand(CSQ, "AT+CSQ"));
	s.feed("\r\nOK\r\n"); // the module speaks
	assert.equal(s.written.slice(6), ["AT+CGSN=1\r"], "CCLK is still owed: the next free prefix");
});

test("when every prefix stays owed, a probe goes once the oldest is too old to be answered, and the module is resynced", () => {
	const s = setup();
	fourProbesOwed(s);
	const next = new TextCommand(PLAIN, "ATE0");
	s.queue.submit(next);
	s.feed("\r\n+CEREG: 1\r\n"); // the module speaks, but answers no probe
	s.clock.advance(2000);
	assert.equal(s.written.length, 5, "no probe while every prefix is owed");
	for (let waited = 0; s.written.length === 5 && waited < 10000; waited += 10) s.clock.advance(10);
	assert.equal(s.written.slice(5), ["AT+CGATT?\r"], "the oldest owed prefix expired");
	s.feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	s.feed("\r\nOK\r\n");
	assert.equal(s.written.slice(6), ["ATE0\r"]);
	assert.equal(next.results, ["OK"]);
});

test("RDY with a command on the wire: it fails as rebooted, nothing is written until its answer came, and that answer is not taken for the next command's", () => {
	const s = setup();
	const a = new TextCommand(SEND, "AT+QISEND=0,1,a"),
		b = new TextCommand(PLAIN, "AT");
	s.queue.submit(a);
	s.queue.submit(b);
	s.feed("\r\n\x00\xff\r\nRDY\r\n");
	assert.equal(a.results, ["module rebooted"]);
	assert.equal(b.results, [], "the owner's queued command is the owner's to fail or keep");
	assert.is(s.reboots(), 1);
	assert.equal(s.urcs, ["RDY"]);
	// Never two commands on the wire: the module may answer it (its banner
	// crossed the command on the line, or it came during the boot).
	assert.equal(s.written, ["AT+QISEND=0,1,a\r"], "nothing while the cut command's answer may come");
	s.feed("\r\nOK\r\n");
	assert.equal(s.written.slice(1), ["AT+CGATT?\r"], "then a probe before the next command");
	s.feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	assert.equal(s.written.slice(2), ["AT\r"]);
	s.feed("\r\nOK\r\n");
	assert.equal(b.results, ["OK"]);
	assert.is(s.channel.stats.strayFinals, 0);
});

test("boot: an AT written before RDY and answered after the banner is never taken for the AT that follows", () => {
	const s = setup();
	const first = new TextCommand(PLAIN, "AT");
	s.queue.submit(first);
	s.feed("\r\nRDY\r\n");
	assert.equal(first.results, ["module rebooted"]);
	const again = new TextCommand(PLAIN, "AT");
	s.queue.submit(again);
	s.feed("\r\nOK\r\n"); // the first AT's answer, after the banner
	assert.equal(again.results, []);
	assert.equal(s.written, ["AT\r", "AT+CGATT?\r"]);
	s.feed("\r\n+CGATT: 0\r\n\r\nOK\r\n");
	assert.equal(s.written.slice(2), ["AT\r"]);
	s.feed("\r\nOK\r\n");
	assert.equal(again.results, ["OK"]);
});

test("RDY with nothing on the wire needs no probe", () => {
	const s = setup();
	s.feed("\r\nRDY\r\n");
	const c = new TextCommand(PLAIN, "AT");
	s.queue.submit(c);
	s.feed("\r\nOK\r\n");
	assert.equal(c.results, ["OK"]);
	assert.equal(s.written, ["AT\r"]);
});

test("cancelAll fails the command on the wire; the owner decides what goes next", () => {
	const { channel, queue, written } = setup();
	const a = new TextCommand(PLAIN, "AT"),
		b = new TextCommand(PLAIN, "ATE0");
	queue.submit(a);
	queue.submit(b);
	channel.cancelAll(DONE_CANCELLED);
	assert.equal(a.results, ["cancelled"]);
	assert.equal(b.results, []);
	assert.equal(written, ["AT\r", "ATE0\r"]);
});

test("a command submitted from a reboot-failure callback survives and goes out after the probe", () => {
	const s = setup();
	const again = new TextCommand(PLAIN, "AT");
	const first = new TextCommand(PLAIN, "ATI");
	first.onDone = (result) => {
		first.results.push(statusName(result.status));
		s.queue.submit(again);
	};
	s.queue.submit(first);
	s.feed("\r\nRDY\r\n");
	assert.equal(first.results, ["module rebooted"]);
	s.clock.advance(100);
	assert.equal(s.written, ["ATI\r"], "nothing while the cut command may still be answered");
	s.clock.advance(450); // its deadline (300 ms and the grace) passed unanswered
	assert.equal(s.written, ["ATI\r", "AT+CGATT?\r"]);
	s.feed("\r\n+CGATT: 1\r\n\r\nOK\r\n");
	assert.equal(s.written.slice(2), ["AT\r"]);
	s.feed("\r\nOK\r\n");
	assert.equal(again.results, ["OK"]);
});

test("a completion is told from the top of the turn: the reader stops after the final line, and a command started from onDone is written when the turn ends", () => {
	const s = setup();
	const next = new TextCommand(PLAIN, "ATE0");
	const first = new TextCommand(PLAIN, "AT");
	let urcsAtDone = -1,
		writesAtDone = -1;
	first.onDone = (result) => {
		first.results.push(statusName(result.status));
		urcsAtDone = s.urcs.length;
		s.queue.submit(next);
		writesAtDone = s.written.length;
	};
	s.queue.submit(first);
	s.feed('\r\nOK\r\n\r\n+QIURC: "closed",0\r\n');
	assert.is(urcsAtDone, 0, "the URC after the OK is handed up after the command was told");
	assert.equal(s.urcs, ['+QIURC: "closed",0']);
	assert.is(writesAtDone, 1, "nothing is written from inside onDone");
	assert.equal(s.written, ["AT\r", "ATE0\r"]);
});

test("a stalled payload is cut off and its missing bytes are reported", () => {
	const { channel, queue, feed, clock } = setup();
	const read = new TextCommand(READ, "AT+QIRD=0,512");
	queue.submit(read);
	feed("\r\n+QIRD: 10\r\n1234");
	clock.advance(260);
	assert.equal(read.data, "31323334|missing 6");
	assert.is(channel.stats.payloadBytesLost, 6);
	feed("\r\nOK\r\n");
	assert.equal(read.results, ["OK"]);
});

// A host that was not scheduled for a while (a loaded PC, a long collection)
// runs its timers before it reads the input that waited meanwhile (libuv's
// timer phase comes before its I/O poll): that input may be the very bytes
// the deadline waits for.
test("after a host stall, a payload whose bytes waited in the OS is not cut off", () => {
	const { channel, queue, feed, clock } = setup();
	const read = new TextCommand(READ, "AT+QIRD=0,512");
	queue.submit(read);
	feed("\r\n+QIRD: 10\r\n1234");
	clock.moveTo(clock.time + 1000);
	clock.fireOne();
	feed("567890\r\nOK\r\n");
	clock.advance(300);
	assert.equal(read.data, "31323334353637383930");
	assert.equal(read.results, ["OK"]);
	assert.is(channel.stats.payloadBytesLost, 0);
});

test("after a host stall, an answer that waited in the OS is not a timeout", () => {
	const { queue, feed, clock, written } = setup();
	const at = new TextCommand(PLAIN, "AT");
	queue.submit(at);
	clock.moveTo(clock.time + 1000);
	clock.fireOne();
	feed("\r\nOK\r\n");
	clock.advance(300);
	assert.equal(at.results, ["OK"]);
	assert.equal(written, ["AT\r"], "no probe: nothing was late");
});

test("a late +QIRD payload still reaches the read that asked for it", () => {
	const { queue, feed, clock } = setup();
	const read = new TextCommand(READ, "AT+QIRD=0,512");
	queue.submit(read);
	clock.advance(400);
	assert.equal(read.results, ["timeout"]);
	queue.submit(new TextCommand(PLAIN, "AT"));
	feed("\r\n+QIRD: 3\r\nOK\n\r\nOK\r\n");
	assert.equal(read.data, "4f4b0a");
	assert.equal(read.late, ["OK"]);
});

test("a command that cannot be rendered fails without touching the wire", () => {
	const { queue, written } = setup();
	const huge = new TextCommand(PLAIN, "AT" + "x".repeat(2000));
	queue.submit(huge);
	assert.equal(huge.results, ["not sent"]);
	assert.equal(written, []);
});

test("after an idle line a command is preceded by a lone CR (a sleeping module loses its first byte)", () => {
	const { queue, feed, clock, written } = setup(4, 100);
	queue.submit(new TextCommand(PLAIN, "AT"));
	feed("\r\nOK\r\n");
	queue.submit(new TextCommand(PLAIN, "ATE0"));
	feed("\r\nOK\r\n");
	clock.advance(150);
	queue.submit(new TextCommand(PLAIN, "AT+CPIN?"));
	assert.equal(written, ["\rAT\r", "ATE0\r", "\rAT+CPIN?\r"]);
});

test("a long +QIRD payload still arriving is not cut off by the command deadline", () => {
	const { queue, feed, clock } = setup();
	const read = new TextCommand(READ, "AT+QIRD=0,512");
	queue.submit(read);
	feed("\r\n+QIRD: 30\r\n");
	for (let i = 0; i < 30; i++) {
		clock.advance(50); // 1.5 s in all, far past the 300 ms deadline
		feed("x");
	}
	feed("\r\nOK\r\n");
	assert.equal(read.results, ["OK"]);
	assert.is(read.data.length, 60);
});

test("a send that timed out before its OK: a late OK makes its SEND FAIL owed, so a later read never takes it", () => {
	const { channel, queue, feed, clock, written } = setup();
	const a = new TextCommand(SEND, "AT+QISEND=0,5,hello");
	queue.submit(a);
	clock.advance(400);
	assert.equal(a.results, ["timeout"]);
	const read = new TextCommand(READ, "AT+QIRD=1,512");
	queue.submit(read);
	assert.equal(written.slice(1), ["AT+CGATT?\r"]);
	// The send's late OK, then the probe's answer.
	feed("\r\nOK\r\n\r\n+CGATT: 1\r\n\r\nOK\r\n");
	assert.equal(a.late, ["OK"]);
	assert.equal(written.slice(2), ["AT+QIRD=1,512\r"]);
	// The send's SEND FAIL comes while the read is on the wire: it is the send's.
	feed("\r\nSEND FAIL\r\n\r\n+QIRD: 0\r\n\r\nOK\r\n");
	assert.equal(a.late, ["OK", "SEND FAIL"]);
	assert.equal(read.results, ["OK"]);
	assert.is(channel.stats.strayFinals, 0);
});

test.run();
