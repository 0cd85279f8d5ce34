// The fuzzer's core, runtime-agnostic (no Node APIs): a seeded PRNG, input
// generators (random bytes, every response and URC form of the manual,
// mutations of them, random chunkings), and three targets, each checked
// against properties on every iteration:
//
//   reader   the Reader alone: no exception escapes receive(); any split of
//            the same bytes gives the same events; the ring stays within its
//            capacity; after garbage (and the stall cut-off) the next line is
//            read as it should be.
//   channel  the Channel with a responder that answers late or not at all,
//            with or without garbage on the line: no exception; the queue
//            stays bounded; every command ends exactly once, by its deadline;
//            without garbage, no command ever gets another command's answer;
//            after garbage the next round trip succeeds.
//   modem    the whole BC20 driver with four sockets (TCP/UDP, buffer/push)
//            against a scripted module whose output is interleaved with
//            garbage and damaged: no exception; socket states legal; buffers
//            and datagram queues within their bounds; afterwards, with a
//            clean line, the modem is ready again, a command round trip
//            succeeds and a new socket echoes bytes exactly. A socket never
//            sees bytes of an earlier socket on the same connectID: it is
//            empty when opened and when connected, and the app never reads
//            more from it than was stored while it was this socket's.
//
// Every iteration runs from one 32-bit seed, so a failure reproduces with
// `npm run fuzz -- --target <t> --replay <seed>`.
import { ascii } from "../../firmware/at/ascii.js";
import { CommandQueue } from "../support/command-queue.js";
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
import { DROP_PAYLOAD, Reader } from "../../firmware/at/reader.js";
import { DONE_OK, type Result, statusName } from "../../firmware/at/result.js";
import { BC20Error } from "../../firmware/bc20/errors.js";
import { BC20, type BC20Options } from "../../firmware/bc20/modem.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { EventLog, feed, randomCuts } from "../at/reader-cases.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { bytes, latin1, prng } from "../support/bytes.js";
import { ScriptedBC20 } from "../support/reliability-module.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";
import * as U from "../../firmware/bc20/urcs.js";
import { BC20_LINES } from "../../firmware/bc20/urcs.js";

export type Random = () => number;
export const TARGETS = ["reader", "channel", "modem"] as const;
export type Target = (typeof TARGETS)[number];

export interface Failure {
	target: Target;
	seed: number;
	property: string;
	detail: string;
}

export interface IterationOutcome {
	bytes: number;
	failure: Failure | null;
}

// ---- generators ----

export function int(random: Random, n: number): number {
	return Math.floor(random() * n);
}

export function pick<T>(random: Random, list: readonly T[]): T {
	return list[int(random, list.length)];
}

// Bytes that matter to an AT parser, for biased random input.
const SPICY = [
	"\r",
	"\n",
	"\r\n",
	'"',
	",",
	";",
	":",
	" ",
	"+",
	"0",
	"1",
	"5",
	"9",
	"\x00",
	"\x1a",
	"\x1b",
	"\xff",
	"OK",
	"ERROR",
	"SEND OK",
	'+QIURC: "recv",0',
	"+QIRD: ",
	"RDY",
	"+QIOPEN: 0,",
	"AT",
];

export function randomBytes(random: Random, length: number): string {
	let s = "";
	while (s.length < length) {
		s += random() < 0.25 ? pick(random, SPICY) : String.fromCharCode(int(random, 256));
	}
	return s.slice(0, length);
}

// Payload bytes rich in what breaks naive parsers.
const HOSTILE = [
	"\r\nOK\r\n",
	'+QIURC: "recv",0,5\r\n',
	"SEND OK",
	"\r\nERROR\r\n",
	"\x00",
	"\x1a",
	"\xff",
	'"',
	",",
	"\r",
	"\n",
	"+QIRD: 5,0,",
	"RDY\r\n",
];

export function hostileText(random: Random, length: number): string {
	let s = "";
	while (s.length < length) s += random() < 0.3 ? pick(random, HOSTILE) : String.fromCharCode(int(random, 256));
	return s.slice(0, length);
}

export function hexText(data: string): string {
	let s = "";
	for (let i = 0; i < data.length; i++) {
		const c = data.charCodeAt(i) & 255;
		s += (c < 16 ? "0" : "") + c.toString(16).toUpperCase();
	}
	return s;
}

// Every fixed response and URC form of the manual (chapters 2 and 4), framed
// as the module prints them, plus boot output and echoes.
export const CORPUS: readonly string[] = [
	"\r\nOK\r\n",
	"\r\nERROR\r\n",
	"\r\n+CME ERROR: 552\r\n",
	"\r\n+CME ERROR: 3\r\n",
	"\r\nSEND OK\r\n",
	"\r\nSEND FAIL\r\n",
	"\r\nCLOSE OK\r\n",
	'\r\n+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-1)\r\n',
	"\r\n+QIOPEN: 0,0\r\n",
	"\r\n+QIOPEN: 1,566\r\n",
	"\r\n+QIOPEN: 2,565\r\n",
	"\r\n+QIOPEN: 4,563\r\n",
	"\r\n+QICLOSE: (0-4)\r\n",
	'\r\n+QISTATE: 0,"TCP","127.0.0.1",8062,1234,2,1,0\r\n',
	'\r\n+QISTATE: 1,"UDP","127.0.0.1",9000,0,2,1,1\r\n',
	"\r\n+QISEND: (0-4),(1-1024),<data>\r\n",
	"\r\n+QISENDEX: (0-4),(1-512),<hex_string>\r\n",
	"\r\n+QIRD: (0-4),(1-512)\r\n",
	"\r\n+QIRD: 0\r\n",
	"\r\n+QISWTMD: (0-4),(0-1)\r\n",
	'\r\n+QPING: (1-3),"<host>"[,(1-255)[,(1-10)[,(32-200)]]]\r\n',
	'\r\n+QPING: 0,"127.0.0.1",32,192,255\r\n',
	"\r\n+QPING: 0,4,4,0,192,479,287\r\n",
	"\r\n+QPING: 569\r\n",
	"\r\n+QPING: 565\r\n",
	'\r\n+QNTP: (1-3),"<server>"[,<port>[,(0-1)]]\r\n',
	'\r\n+QNTP: 0,"18/04/20,11:08:20+32"\r\n',
	"\r\n+QNTP: 569\r\n",
	'\r\n+QIDNSGIP: (1-3),"<hostname>"\r\n',
	'\r\n+QIURC: "dnsgip",0,1,600\r\n',
	'\r\n+QIURC: "dnsgip","127.0.0.1"\r\n',
	'\r\n+QIURC: "dnsgip",565,0,0\r\n',
	'\r\n+QICFG: "dataformat",(0,1),(0,1)\r\n',
	'\r\n+QICFG: "dataformat",0,1\r\n',
	'\r\n+QICFG: "viewmode",1\r\n',
	'\r\n+QICFG: "showlength",1\r\n',
	"\r\n+QIGETERROR: 552,invalid parameters\r\n",
	"\r\n+QIGETERROR: 0,operation successful\r\n",
	'\r\n+QIURC: "recv",0\r\n',
	'\r\n+QIURC: "recv",1,12\r\n',
	'\r\n+QIURC: "recv",2,"buff full"\r\n',
	'\r\n+QIURC: "closed",0\r\n',
	'\r\n+QIURC: "closed",3\r\n',
	'\r\n+QIURC: "pdpdeact",1\r\n',
	"\r\nRDY\r\n",
	"\r\n+CFUN: 1\r\n",
	"\r\n+CPIN: READY\r\n",
	"\r\n+IP: 10.0.0.2\r\n",
	"\r\n+CEREG: 0,1\r\n",
	"\r\n+CEREG: 2\r\n",
	"\r\n+CGATT: 1\r\n",
	'\r\n+CGPADDR: 1,"10.0.0.2"\r\n',
	"\r\n+CSCON: 1\r\n",
	"\r\n+QATWAKEUP\r\n",
	"\r\n+QATSLEEP\r\n",
	'\r\n+QNBIOTEVENT: "ENTER PSM"\r\n',
	'\r\n+QNBIOTEVENT: "EXIT PSM"\r\n',
	"AT+QIRD=0,512\r",
	"AT+QISEND=0,5,hello\r",
	"AT\r",
	"\x00\xff\xfe\x1b\x80\r\n\x00\xc0\xff\x55\xaa\r",
];

export interface Framing {
	viewMode: number;
	showLength: boolean;
	hexReceive: boolean;
	pushIds: readonly number[];
}

// A valid element whose shape depends on the receive settings: a +QIRD
// response with its data, a direct-push URC with its data, a buffer-mode
// notice, or a fixed corpus entry.
export function validElement(random: Random, f: Framing): string {
	const kind = int(random, 10);
	const payload = () => hostileText(random, 1 + int(random, random() < 0.8 ? 40 : 512));
	const data = (p: string) => (f.hexReceive ? hexText(p) : p);
	if (kind === 0) {
		const p = payload();
		const header = f.showLength ? `+QIRD: ${p.length},${int(random, 600)}` : `+QIRD: ${p.length}`;
		return "\r\n" + header + (f.viewMode === 1 ? "," : "\r\n") + data(p) + "\r\n\r\nOK\r\n";
	}
	if (kind === 1) {
		const p = payload();
		const id = f.pushIds.length > 0 && random() < 0.8 ? pick(random, f.pushIds) : int(random, 5);
		return `\r\n+QIURC: "recv",${id},${p.length}` + (f.viewMode === 1 ? "," : "\r\n") + data(p) + "\r\n";
	}
	if (kind === 2)
		return `\r\n+QIURC: "recv",${int(random, 5)}` + (f.showLength ? "," + (1 + int(random, 1500)) : "") + "\r\n";
	return pick(random, CORPUS);
}

const NUMBERS = ["0", "-1", "1", "99999999999", "4294967296", "2147483647", "512", "513", "1025", "65536", ""];

// One to three random edits of `s`.
export function mutate(random: Random, s: string): string {
	const edits = 1 + int(random, 3);
	for (let e = 0; e < edits; e++) {
		const at = int(random, s.length + 1);
		switch (int(random, 9)) {
			case 0: // flip a bit
				if (s.length > 0) {
					const i = Math.min(at, s.length - 1);
					s = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << int(random, 8))) + s.slice(i + 1);
				}
				break;
			case 1: // drop a byte
				s = s.slice(0, at) + s.slice(at + 1);
				break;
			case 2: // insert a byte that matters
				s = s.slice(0, at) + pick(random, SPICY) + s.slice(at);
				break;
			case 3: // cut short
				s = s.slice(0, at);
				break;
			case 4: {
				// change a number
				const m = /\d+/.exec(s.slice(at));
				if (m) {
					const i = at + m.index;
					s = s.slice(0, i) + pick(random, NUMBERS) + s.slice(i + m[0].length);
				}
				break;
			}
			case 5: {
				// repeat a slice
				const n = int(random, 40);
				s = s.slice(0, at + n) + s.slice(at, at + n) + s.slice(at + n);
				break;
			}
			case 6: // a line break in the middle
				s = s.slice(0, at) + pick(random, ["\r\n", "\r", "\n"]) + s.slice(at);
				break;
			case 7: // a quote or comma
				s = s.slice(0, at) + pick(random, ['"', ","]) + s.slice(at + 1);
				break;
			default: // a burst of random bytes
				s = s.slice(0, at) + randomBytes(random, 1 + int(random, 30)) + s.slice(at);
		}
	}
	return s;
}

// A stream of `elements` pieces: random bytes, valid elements, mutated ones.
export function garbage(random: Random, f: Framing, elements: number): string {
	let s = "";
	for (let i = 0; i < elements; i++) {
		const r = random();
		if (r < 0.2) s += randomBytes(random, 1 + int(random, random() < 0.9 ? 80 : 1200));
		else if (r < 0.6) s += validElement(random, f);
		else s += mutate(random, validElement(random, f));
	}
	return s;
}

// Chunk boundaries for `length` bytes: sizes from 1 to a random maximum.
export function chunking(random: Random, length: number): number[] {
	return randomCuts(length, random, 1 + int(random, pick(random, [1, 4, 32, 300])));
}

function framing(random: Random): Framing {
	const pushIds: number[] = [];
	for (let id = 0; id < 5; id++) if (random() < 0.4) pushIds.push(id);
	return { viewMode: int(random, 2), showLength: random() < 0.5, hexReceive: random() < 0.5, pushIds };
}

// ---- the reader target ----

function readerRun(
	f: Framing,
	capacity: number,
	armed: string | null,
	input: Uint8Array,
	cuts: number[],
	headIndex: number,
	check: (reader: Reader) => void,
): { events: string[]; reader: Reader } {
	const log = new EventLog([...f.pushIds]);
	const reader = new Reader(log, BC20_LINES, capacity);
	reader.viewMode = f.viewMode;
	reader.showLength = f.showLength;
	reader.receiveHex = f.hexReceive;
	reader.armed = armed === null ? null : ascii(armed);
	reader.ring.rewind(headIndex);
	let at = 0;
	for (const cut of [...cuts, input.length]) {
		reader.receive(input, at, cut);
		check(reader);
		at = cut;
	}
	return { events: log.events, reader };
}

export function readerIteration(seed: number): IterationOutcome {
	const random = prng(seed);
	const f = framing(random);
	const capacity = pick(random, [16, 64, 256]);
	const armed = pick(random, [null, "+QIRD:", "+QISTATE:", "+CEREG:"]);
	const text = garbage(random, f, 1 + int(random, 40));
	const input = bytes(text);
	const fail = (property: string, detail: string): IterationOutcome => ({
		bytes: input.length,
		failure: { target: "reader", seed, property, detail },
	});
	let bound = "";
	const check = (reader: Reader) => {
		if (
			bound === "" &&
			(reader.ring.count > reader.ring.capacity || reader.ring.count < 0 || reader.payloadRemaining < 0)
		)
			bound = `ring ${reader.ring.count}/${reader.ring.capacity}, payload remaining ${reader.payloadRemaining}`;
	};
	let whole: { events: string[]; reader: Reader };
	try {
		whole = readerRun(f, capacity, armed, input, [], 0, check);
	} catch (error) {
		return fail("no exception escapes receive()", String((error as Error)?.stack ?? error));
	}
	if (bound !== "") return fail("the ring and the payload count stay within their bounds", bound);
	// Any split of the same bytes, at any wrap-around offset, gives the same events.
	for (let run = 0; run < 3; run++) {
		const cuts = chunking(random, input.length);
		const headIndex = int(random, capacity);
		let split: string[];
		try {
			split = readerRun(f, capacity, armed, input, cuts, headIndex, check).events;
		} catch (error) {
			return fail("no exception escapes receive()", String((error as Error)?.stack ?? error));
		}
		if (bound !== "") return fail("the ring and the payload count stay within their bounds", bound);
		const a = JSON.stringify(whole.events),
			b = JSON.stringify(split);
		if (a !== b) {
			let i = 0;
			while (i < whole.events.length && whole.events[i] === split[i]) i++;
			return fail(
				"any split of the input gives the same events",
				`cuts ${JSON.stringify(cuts.slice(0, 40))} head ${headIndex}: first difference at event ${i}: ` +
					`whole ${JSON.stringify(whole.events[i])} vs split ${JSON.stringify(split[i])}`,
			);
		}
	}
	// Resync: end the line, let the stall cut-off end any payload run, then a
	// clean final result must be read as such.
	const resync = new EventLog([...f.pushIds]);
	const probe = new Reader(resync, BC20_LINES, capacity);
	probe.viewMode = f.viewMode;
	probe.showLength = f.showLength;
	probe.receiveHex = f.hexReceive;
	probe.armed = armed === null ? null : ascii(armed);
	feed(probe, input, []);
	probe.receive(bytes("\r\n"));
	probe.abortPayload();
	resync.events.length = 0;
	probe.receive(bytes("\r\nOK\r\n"));
	if (resync.events.length !== 1 || resync.events[0] !== "OK|OK")
		return fail(
			"after garbage the reader resyncs at the next line",
			`events after resync: ${JSON.stringify(resync.events)}`,
		);
	return { bytes: input.length * 4, failure: null };
}

// ---- the channel target ----

const T_PLAIN = spec("AT+CGMR", null, 300);
const T_CSQ = spec("AT+CSQ", ascii("+CSQ:"), 300);
const T_READ = spec("AT+QIRD", ascii("+QIRD:"), 300);
const T_SEND = spec("AT+QISEND", null, 300, THEN_SEND_RESULT, 1000);
const T_CLOSE = spec("AT+QICLOSE", null, 300, THEN_CLOSE_OK, 1000);
const T_OPEN = spec("AT+QIOPEN", null, 300, THEN_URC, 3000);
const T_SPECS = [T_PLAIN, T_CSQ, T_READ, T_SEND, T_CLOSE, T_OPEN];

// A command that records how it ended and what answer it got. Its line
// carries a token; the responder puts the token in the answer, so an answer
// given to the wrong command is seen.
class TokenCommand implements Command {
	done = 0;
	status = -1;
	responses: number[] = [];
	data = "";
	constructor(
		readonly spec: CommandSpec,
		readonly token: number,
		readonly submittedAt: number,
	) {}
	render(out: CommandWriter): void {
		out.text(this.spec.name + "=" + this.token);
	}
	onResponse(line: Line): void {
		this.responses.push(line.int(0));
	}
	onUrc(line: Line): number {
		if (line.kind === U.URC_QIOPEN && line.int(0) === this.token) return URC_COMPLETES;
		return URC_NOT_MINE;
	}
	onPayload(b: Uint8Array, s: number, e: number): void {
		this.data += latin1(b, s, e);
	}
	onDone(result: Result): void {
		this.done++;
		this.status = result.status;
		this.trace?.(
			`${this.spec.name}=${this.token} done: ${statusName(result.status)} ${JSON.stringify(this.responses)}`,
		);
	}
	trace?: (line: string) => void;
}

const PROBES: { [line: string]: string } = {
	"AT+CGATT?": "\r\n+CGATT: 1\r\n\r\nOK\r\n",
	"AT+CGSN=1": "\r\n+CGSN: 867724030000000\r\n\r\nOK\r\n",
	// Read commands a fixed channel may use as further probes.
	"AT+CEREG?": "\r\n+CEREG: 0,1\r\n\r\nOK\r\n",
	"AT+CFUN?": "\r\n+CFUN: 1\r\n\r\nOK\r\n",
	"AT+CSQ": "\r\n+CSQ: 20,0\r\n\r\nOK\r\n",
	"AT+CPSMS?": '\r\n+CPSMS: 0,,,"00000000","00000000"\r\n\r\nOK\r\n',
	"AT+CCLK?": '\r\n+CCLK: "26/12/07,03:00:00+00"\r\n\r\nOK\r\n',
};

// What the module would answer to `line`: token-carrying for the test commands.
function answer(line: string): string {
	if (PROBES[line] !== undefined) return PROBES[line];
	const m = /^(AT\+[A-Z]+)=(\d+)$/.exec(line);
	if (!m) return "\r\nERROR\r\n";
	const token = m[2];
	switch (m[1]) {
		case "AT+CSQ":
			return `\r\n+CSQ: ${token},0\r\n\r\nOK\r\n`;
		case "AT+QIRD":
			return `\r\n+QIRD: ${token.length}\r\n${token}\r\n\r\nOK\r\n`;
		case "AT+QISEND":
			return "\r\nOK\r\n\r\nSEND OK\r\n";
		case "AT+QICLOSE":
			return "\r\nOK\r\n\r\nCLOSE OK\r\n";
		case "AT+QIOPEN":
			return `\r\nOK\r\n\r\n+QIOPEN: ${token},0\r\n`;
		default:
			return "\r\nOK\r\n";
	}
}

export function channelIteration(seed: number, trace?: (line: string) => void): IterationOutcome {
	const random = prng(seed);
	const withGarbage = random() < 0.5;
	const clock = new VirtualClock();
	// Answers wait in a queue, in order (a module answers in order). The
	// module is usually prompt, sometimes stalls (600-1400 ms, long enough for
	// the command and up to two resync probes to time out) and then answers
	// everything at once, and now and then never answers a command.
	const answers: { at: number; text: string }[] = [];
	let stalledUntil = -Infinity;
	const transport = {
		write(b: Uint8Array, s: number, e: number) {
			const line = latin1(b, s, e).replace(/\r/g, "");
			if (line === "") return;
			trace?.(`${clock.time} > ${line}`);
			const r = random();
			if (r < 0.03) return; // never answered
			if (r < 0.13 && clock.time > stalledUntil + 2000) stalledUntil = clock.time + 600 + int(random, 800);
			const last = answers.length > 0 ? answers[answers.length - 1].at : clock.time;
			answers.push({ at: Math.max(last, stalledUntil, clock.time + int(random, 50)), text: answer(line) });
		},
	};
	const queueSize = 1 + int(random, 4);
	const queue = new CommandQueue(queueSize);
	const events: ChannelEvents = {
		nextCommand: () => queue.nextCommand(),
		onUrc() {},
		onReboot() {},
		onRebooted() {},
		isDirectPush: () => false,
		onPushStart: () => DROP_PAYLOAD,
		onPushEnd() {},
		onPushLoss() {},
	};
	const channel = new Channel({ lines: BC20_LINES, transport, clock, events, lineCapacity: 64, wakeAfterIdleMs: 0 });
	queue.channel = channel;
	const f: Framing = { viewMode: 0, showLength: false, hexReceive: false, pushIds: [] };
	const commands: TokenCommand[] = [];
	let token = 100000 + int(random, 100000);
	let fed = 0;
	let failure: Failure | null = null;
	const fail = (property: string, detail: string) => {
		if (failure === null) failure = { target: "channel", seed, property, detail };
	};
	const guard = (what: string, fn: () => void) => {
		try {
			fn();
		} catch (error) {
			fail("no exception escapes receive() or a timer", what + ": " + String((error as Error)?.stack ?? error));
		}
	};
	const deliver = (text: string) => {
		const input = bytes(text);
		fed += input.length;
		trace?.(`${clock.time} < ${JSON.stringify(text)}`);
		let at = 0;
		for (const cut of [...chunking(random, input.length), input.length]) {
			guard("receive", () => channel.receive(input, at, cut));
			at = cut;
		}
	};
	const releaseDue = () => {
		while (answers.length > 0 && answers[0].at <= clock.time) deliver((answers.shift() as { text: string }).text);
	};
	const advance = (ms: number) => {
		const end = clock.time + ms;
		for (let guardLoop = 0; guardLoop < 100000; guardLoop++) {
			releaseDue();
			if (clock.fireOne()) continue;
			const next = Math.min(clock.nextAt(), answers.length > 0 ? answers[0].at : Infinity);
			if (next > end) break;
			clock.moveTo(next);
		}
		clock.moveTo(end);
		releaseDue();
		while (clock.fireOne()) releaseDue();
	};
	const submit = (command: TokenCommand) => {
		try {
			queue.submit(command);
			commands.push(command);
		} catch (error) {
			// A full queue is refused at once: that is the documented behaviour.
			if (!(error instanceof Error) || !/queue full/.test(error.message))
				fail("submit throws only for a full queue", String(error));
			if (queue.count < queue.size)
				fail("submit refuses only when the queue is full", `queued ${queue.count}, queue ${queue.size}`);
		}
	};
	const steps = 5 + int(random, 30);
	for (let i = 0; i < steps && failure === null; i++) {
		const r = random();
		if (r < 0.45) {
			const command = new TokenCommand(pick(random, T_SPECS), token++, clock.time);
			command.trace = trace;
			submit(command);
		} else if (r < 0.6 && withGarbage) deliver(garbage(random, f, 1 + int(random, 6)));
		else advance(int(random, 700));
		if (channel.reader.ring.count > channel.reader.ring.capacity) fail("the line ring stays within its capacity", "");
	}
	// Quiet: every command must end by its deadline (the longest is 3 s + grace; with resync probes, a few of them).
	advance(30000);
	for (const c of commands) {
		if (c.done !== 1) fail("every command ends exactly once", `${c.spec.name}=${c.token} ended ${c.done} times`);
	}
	if (!withGarbage) {
		for (const c of commands) {
			if (c.status !== DONE_OK) continue;
			const foreign = c.spec === T_CSQ ? c.responses.find((t) => t !== c.token) : undefined;
			if (foreign !== undefined)
				fail("no command takes another command's answer", `${c.spec.name}=${c.token} got the answer for ${foreign}`);
			if (c.spec === T_READ && c.data !== "" && c.data !== String(c.token))
				fail(
					"no command takes another command's answer",
					`${c.spec.name}=${c.token} got data ${JSON.stringify(c.data)}`,
				);
			if (c.spec === T_CSQ && c.responses.length === 0)
				fail(
					"no command takes another command's answer",
					`${c.spec.name}=${c.token} ended OK without its response line (another command's OK)`,
				);
		}
	}
	// Resync: with everything answered on time now, the next round trip
	// succeeds (once the line the garbage left unfinished has ended).
	if (failure === null) {
		deliver("\r\n");
		advance(1000);
		const last = new TokenCommand(T_CSQ, token++, clock.time);
		answers.length = 0;
		const prompt = transport.write;
		transport.write = (b: Uint8Array, s: number, e: number) => {
			const line = latin1(b, s, e).replace(/\r/g, "");
			if (line !== "") answers.push({ at: clock.time, text: answer(line) });
		};
		submit(last);
		advance(5000);
		transport.write = prompt;
		if (last.status !== DONE_OK || last.responses.join() !== String(last.token))
			fail(
				"after garbage and timeouts the next round trip succeeds",
				`status ${statusName(last.status)}, responses ${JSON.stringify(last.responses)} for token ${last.token}`,
			);
	}
	return { bytes: fed, failure };
}

// ---- the modem target ----

interface AppSocket {
	socket: Socket;
	udp: boolean;
	ended: boolean;
	// Bytes the app read from it.
	read: number;
}

const LEGAL_STATES = [0, 1, 2, 3];

export function modemIteration(seed: number, trace?: (line: string) => void): IterationOutcome {
	const random = prng(seed);
	const clock = new VirtualClock();
	const module = new ScriptedBC20();
	if (trace !== undefined) {
		const write = module.write.bind(module);
		module.write = (data, start, end) => {
			trace(`${clock.time} > ${JSON.stringify(latin1(data, start, end))}`);
			write(data, start, end);
		};
	}
	const options: Partial<BC20Options> = {
		receiveHex: random() < 0.5,
		viewMode: int(random, 2),
		showLength: random() < 0.5,
		textSend: random() < 0.7,
		lineCapacity: pick(random, [128, 512]),
		rxBufferSize: pick(random, [1024, 2048]),
		txBufferSize: pick(random, [256, 2048]),
		queueSize: 1 + int(random, 8),
	};
	const rxCap = options.rxBufferSize as number,
		txCap = options.txBufferSize as number;
	const modem = new BC20({ transport: module, clock, ...options });
	let failure: Failure | null = null;
	let fed = 0;
	let damage = 0; // probability that a chunk of module output is damaged
	const fail = (property: string, detail: string) => {
		if (failure === null) failure = { target: "modem", seed, property, detail };
	};
	const guard = (what: string, fn: () => void) => {
		try {
			fn();
		} catch (error) {
			fail(
				"no exception escapes receive(), a timer or a callback",
				what + ": " + String((error as Error)?.stack ?? error),
			);
		}
	};
	// App calls may refuse with a BC20Error (a clear error); anything else is a bug.
	const app = (what: string, fn: () => void) => {
		try {
			fn();
		} catch (error) {
			if (!(error instanceof BC20Error))
				fail("app calls throw only BC20Errors", what + ": " + String((error as Error)?.stack ?? error));
		}
	};
	const deliverText = (text: string) => {
		const input = bytes(text);
		fed += input.length;
		trace?.(`${clock.time} < ${JSON.stringify(text)}`);
		let at = 0;
		for (const cut of [...chunking(random, input.length), input.length]) {
			guard("receive", () => modem.receive(input, at, cut));
			at = cut;
		}
	};
	const pumpModule = () => {
		for (let n = 0; n < 1000 && module.pendingOutput > 0; n++) {
			let text = module.take(1 + int(random, 400));
			if (damage > 0 && random() < damage) text = random() < 0.2 ? "" : mutate(random, text);
			deliverText(text);
		}
	};
	const settle = () => {
		for (let n = 0; n < 100000; n++) {
			pumpModule();
			let fired = false;
			guard("timer", () => void (fired = clock.fireOne()));
			if (!fired && module.pendingOutput === 0) return;
		}
		fail("the driver settles", "endless activity at one instant");
	};
	const advance = (ms: number) => {
		const end = clock.time + ms;
		settle();
		for (let n = 0; n < 100000; n++) {
			const at = clock.nextAt();
			if (at > end) break;
			clock.moveTo(at);
			settle();
		}
		clock.moveTo(end);
		settle();
	};
	const settings: Framing = {
		viewMode: options.viewMode as number,
		showLength: options.showLength as boolean,
		hexReceive: options.receiveHex as boolean,
		pushIds: [1, 3],
	};

	let readyCount = 0;
	const errors: BC20Error[] = [];
	guard("start", () => modem.start({ onReady: () => void readyCount++, onError: (e) => void errors.push(e) }));
	advance(5000);
	if (modem.state !== "ready") {
		return {
			bytes: fed,
			failure: { target: "modem", seed, property: "bring-up on a clean line", detail: modem.state },
		};
	}

	const sockets: AppSocket[] = [];
	const scratch = new Uint8Array(4096);
	const open = (udp: boolean, mode: number, onData?: (text: string) => void): AppSocket | null => {
		let entry: AppSocket | null = null;
		app("open", () => {
			const s: AppSocket = {
				socket: modem.open({
					type: udp ? "udp" : "tcp",
					host: "127.0.0.1",
					port: 9000,
					mode,
					onConnected() {
						if (this.readable !== 0)
							fail(
								"a socket never sees bytes of an earlier socket",
								`socket ${this.id} holds ${this.readable} bytes when it connects`,
							);
					},
					onReadable() {
						for (let n = 0; n < 100; n++) {
							let got = 0;
							app("read", () => void (got = this.read(scratch)));
							if (got === 0) break;
							s.read += got;
							onData?.(latin1(scratch, 0, got));
						}
					},
					onError(e) {
						trace?.(`${clock.time} socket ${this.id} error ${e.message}`);
						s.ended = true;
					},
					onClose() {
						trace?.(`${clock.time} socket ${this.id} closed`);
						s.ended = true;
					},
					onWarning(e) {
						trace?.(`${clock.time} socket ${this.id} warning ${e.message}`);
					},
				}),
				udp,
				ended: false,
				read: 0,
			};
			if (s.socket.readable !== 0)
				fail(
					"a socket never sees bytes of an earlier socket",
					`socket ${s.socket.id} holds ${s.socket.readable} bytes when it opens`,
				);
			sockets.push(s);
			entry = s;
		});
		return entry;
	};
	open(false, 0);
	open(false, 1);
	open(true, 0);
	open(true, 1);
	advance(1000);

	const checkBounds = () => {
		for (const s of sockets) {
			const socket = s.socket;
			if (!LEGAL_STATES.includes(socket.state)) fail("socket states stay legal", `state ${socket.state}`);
			if (socket.readable < 0 || socket.readable > rxCap)
				fail("receive buffers stay within their bound", `readable ${socket.readable} of ${rxCap}`);
			if (socket.writable < 0 || socket.writable > txCap)
				fail("transmit buffers stay within their bound", `writable ${socket.writable} of ${txCap}`);
			if (socket.datagrams < 0 || socket.datagrams > 32)
				fail("datagram queues stay within their bound", `datagrams ${socket.datagrams}`);
			if (socket.state === INITIAL && socket.readable !== 0)
				fail("socket states stay legal", "a closed socket holds data");
			const st = socket.stats;
			if (st.sent + st.failed + st.unknown > st.written) fail("send accounting", JSON.stringify(st));
			// Every byte read was stored while the connectID was this socket's.
			if (s.read > st.received)
				fail(
					"a socket never sees bytes of an earlier socket",
					`socket ${socket.id} read ${s.read} bytes, but only ${st.received} were received for it`,
				);
		}
	};

	// The storm: garbage between the module's lines, damaged module output, app traffic, time.
	damage = random() < 0.5 ? 0.1 + random() * 0.4 : 0;
	const steps = 10 + int(random, 50);
	for (let i = 0; i < steps && failure === null; i++) {
		const r = random();
		if (r < 0.3) deliverText(garbage(random, settings, 1 + int(random, 8)));
		else if (r < 0.5) {
			const live = sockets.filter((s) => s.socket.state === CONNECTED);
			if (live.length > 0) {
				const s = pick(random, live);
				const data = bytes(hostileText(random, 1 + int(random, s.udp ? 300 : 1500)));
				app("write", () => void s.socket.write(data));
			}
		} else if (r < 0.55)
			app("ping", () => modem.ping("127.0.0.1", { count: 1 + int(random, 3), timeout: 1 }, () => {}));
		else if (r < 0.6) app("resolve", () => modem.resolve("localhost", () => {}));
		else if (r < 0.65) app("command", () => modem.command("ATI", { timeout: 100 + int(random, 2000) }, () => {}));
		else if (r < 0.7) {
			const s = pick(random, sockets);
			app("close", () => s.socket.close());
		} else if (r < 0.73) {
			const s = pick(random, sockets);
			app("setMode", () => s.socket.setMode(int(random, 2), () => {}));
		} else if (r < 0.76) open(random() < 0.5, int(random, 2));
		else if (r < 0.78) {
			module.reboot();
		} else advance(int(random, 800));
		checkBounds();
	}
	if (failure !== null) return { bytes: fed, failure };

	// Quiet: a clean line from now on. Everything started must end. (The
	// storm may have left a line unfinished: its end comes first.)
	damage = 0;
	deliverText("\r\n");
	trace?.(`${clock.time} ---- quiet`);
	advance(200000);
	checkBounds();
	if ((modem.state as string) === "failed") {
		guard("start", () => modem.start({ onReady: () => void readyCount++, onError: (e) => void errors.push(e) }));
		advance(200000);
	}
	if (modem.state !== "ready") fail("after garbage the modem is ready again", `state ${modem.state}`);
	if (failure !== null) return { bytes: fed, failure };

	// A command round trip. (Text lines that are not responses reach a raw
	// command too: a line the storm left unfinished may complete now.)
	let answer: string[] | null = null;
	let answerError: BC20Error | null = null;
	app("command", () =>
		modem.command("AT+CSQ", (e, lines) => {
			answerError = e;
			answer = lines;
		}),
	);
	advance(10000);
	if (answerError !== null || answer === null || (answer as string[])[(answer as string[]).length - 1] !== "+CSQ: 20,0")
		fail("after garbage the next command round trip succeeds", `error ${answerError}, lines ${JSON.stringify(answer)}`);

	// A data round trip on a fresh socket. The module may still hold a
	// connectID the storm made the driver give up (a false ERROR for its
	// QIOPEN): that open fails with a clear error (563) and the driver closes
	// the ID, so a second try must work.
	for (const s of sockets) if (s.socket.state !== INITIAL) app("close", () => s.socket.close());
	advance(60000);
	for (const s of sockets) {
		if (s.socket.state !== INITIAL)
			fail("every socket closes when asked", `socket ${s.socket.id} state ${s.socket.state}`);
	}
	if (failure !== null) return { bytes: fed, failure };
	const payload = bytes(hostileText(random, 1 + int(random, 3000)));
	const mode = int(random, 2);
	let echoed = "";
	let fresh: AppSocket | null = null;
	for (let attempt = 0; attempt < 3 && (fresh === null || fresh.socket.state !== CONNECTED); attempt++) {
		fresh = open(false, mode, (text) => void (echoed += text));
		advance(5000);
	}
	if (fresh === null || fresh.socket.state !== CONNECTED)
		fail("after garbage a new socket connects", `state ${fresh?.socket.state}`);
	else {
		const socket = fresh.socket;
		let written = 0;
		for (let n = 0; n < 200 && written < payload.length; n++) {
			app("write", () => void (written += socket.write(payload, written)));
			advance(200);
		}
		advance(10000);
		if (echoed !== latin1(payload))
			fail(
				"after garbage a new socket moves bytes exactly",
				`sent ${written} of ${payload.length} bytes, got ${echoed.length}${echoed.length === payload.length ? " (different)" : ""}`,
			);
	}
	checkBounds();
	return { bytes: fed, failure };
}

// ---- memory ----

// What waits while the garbage flows: nothing, a raw command with a long
// timeout whose answer never comes, or a DNS lookup whose header never comes
// (with address lines in the garbage).
export type MemoryCase = "idle" | "raw command waiting" | "DNS lookup waiting";
export const MEMORY_CASES: readonly MemoryCase[] = ["idle", "raw command waiting", "DNS lookup waiting"];

// Whether retained heap grows with input, from modemRetainedBytes after N
// (`small`) and 4N (`large`) bytes. Heap readings move by a few hundred KB
// either way between runs (even below the baseline); a leak per line is
// megabytes at 2 MB of input (the bugs this caught retained 1.6 MB and 28 MB).
export function retainedGrows(small: number, large: number): boolean {
	return large - Math.max(small, 0) >= 1024 * 1024;
}

// Retained heap after feeding `length` bytes of line garbage to a ready
// modem, minus the heap before. `heapUsed` must collect garbage first (Node:
// global.gc() then process.memoryUsage().heapUsed).
export function modemRetainedBytes(seed: number, length: number, heapUsed: () => number, what: MemoryCase): number {
	const random = prng(seed);
	const clock = new VirtualClock();
	const module = new ScriptedBC20();
	const modem = new BC20({ transport: module, clock });
	modem.start({ onReady() {}, onError() {} });
	const settle = () => {
		for (let n = 0; n < 10000; n++) {
			if (module.pendingOutput > 0) {
				const input = bytes(module.take(1 << 20));
				modem.receive(input, 0, input.length);
			} else if (!clock.fireOne()) return;
		}
	};
	for (let t = 0; t < 50; t++) {
		settle();
		clock.moveTo(clock.nextAt() === Infinity ? clock.time + 100 : clock.nextAt());
	}
	settle();
	if (modem.state !== "ready") throw new Error("memory probe: the modem is not ready");
	// The raw command is never answered; the lookup gets its OK but never its
	// "dnsgip" header.
	const write = module.write.bind(module);
	module.write = (data, start, end) => {
		const line = latin1(data, start, end);
		if (/^\r?AT\+CGMR/.test(line)) return;
		if (/^\r?AT\+QIDNSGIP/.test(line)) module.send("\r\nOK\r\n");
		else write(data, start, end);
	};
	if (what === "raw command waiting") modem.command("AT+CGMR", { timeout: 600000 }, () => {});
	if (what === "DNS lookup waiting") modem.resolve("example", () => {});
	settle();
	const chunk = bytes(garbageLines(random, 64 * 1024, what === "DNS lookup waiting"));
	const before = heapUsed();
	for (let fed = 0; fed < length; fed += chunk.length) modem.receive(chunk, 0, chunk.length);
	const after = heapUsed();
	modem.close();
	return after - before;
}

// Lines that are none of the module's known ones: noise, unknown URCs,
// unknown "+NAME:" lines; with `dns`, address lines of a lookup too.
export function garbageLines(random: Random, length: number, dns = false): string {
	let s = "";
	while (s.length < length) {
		const r = random();
		if (dns && r < 0.3)
			s += `\r\n+QIURC: "dnsgip","10.${int(random, 256)}.${int(random, 256)}.${int(random, 256)}"\r\n`;
		// ("~" first: never a final result, an echo or a URC.)
		else if (r < 0.5) s += "\r\n~" + randomBytes(random, 1 + int(random, 60)).replace(/[\r\n]/g, "x") + "\r\n";
		else if (r < 0.7) s += '\r\n+QIURC: "other",' + int(random, 9) + "\r\n";
		else if (r < 0.85) s += "\r\n+XYZ: " + int(random, 1000) + "\r\n";
		else s += "noise " + int(random, 1e6) + "\r\n";
	}
	return s;
}

// ---- driver ----

export function iterate(target: Target, seed: number, trace?: (line: string) => void): IterationOutcome {
	switch (target) {
		case "reader":
			return readerIteration(seed);
		case "channel":
			return channelIteration(seed, trace);
		default:
			return modemIteration(seed, trace);
	}
}

// Seed of iteration `i` of a run started with `seed` (splitmix-style).
export function iterationSeed(seed: number, i: number): number {
	let x = (seed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
	x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
	x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
	return (x ^ (x >>> 16)) >>> 0;
}

export interface RunSummary {
	seed: number;
	iterations: number;
	bytes: number;
	byTarget: { [target: string]: number };
	failures: Failure[];
}

// Runs the targets in turn until `deadline()` says stop or `maxIterations`.
export function run(
	seed: number,
	keepGoing: (iterations: number) => boolean,
	targets: readonly Target[] = TARGETS,
	onFailure?: (failure: Failure) => void,
): RunSummary {
	const summary: RunSummary = { seed, iterations: 0, bytes: 0, byTarget: {}, failures: [] };
	for (let i = 0; keepGoing(i); i++) {
		const target = targets[i % targets.length];
		const outcome = iterate(target, iterationSeed(seed, i));
		summary.iterations++;
		summary.bytes += outcome.bytes;
		summary.byTarget[target] = (summary.byTarget[target] ?? 0) + 1;
		if (outcome.failure !== null) {
			summary.failures.push(outcome.failure);
			onFailure?.(outcome.failure);
		}
	}
	return summary;
}

export function reproduction(failure: Failure): string {
	return `npm run fuzz -- --target ${failure.target} --replay ${failure.seed}`;
}
