// Recorded reader transcripts: module output and the exact events it must
// produce. Runtime-agnostic (no Node APIs) so the same checks run on Node and
// inside XS. Strings carry one byte per char code.
import { ascii } from "../../firmware/at/ascii.js";
import type { Line } from "../../firmware/at/line.js";
import { type PayloadSink, Reader, type ReaderEvents } from "../../firmware/at/reader.js";
import { bytes, hex, prng } from "../support/bytes.js";
import { BC20_LINES } from "../../firmware/bc20/urcs.js";

export interface ReaderCase {
	name: string;
	input: string;
	expect: string[];
	viewMode?: number;
	showLength?: boolean;
	hexReceive?: boolean;
	armed?: string;
	push?: number[]; // sockets in direct-push mode
	capacity?: number;
}

// Records events as strings; payload pieces of one run are joined, so the
// log does not depend on how the input was chunked.
export class EventLog implements ReaderEvents {
	events: string[] = [];
	push: number[];
	#data = "";

	constructor(push: number[] = []) {
		this.push = push;
	}

	onLine(line: Line): void {
		this.events.push(
			`${BC20_LINES.kindName(line.kind)}|${line.text()}${line.payloadLength ? `|n=${line.payloadLength}` : ""}`,
		);
	}

	isDirectPush(id: number): boolean {
		return this.push.indexOf(id) >= 0;
	}

	onPayloadStart(id: number, n: number): PayloadSink {
		this.#data = "";
		this.events.push(`start ${id} ${n}`);
		return this;
	}

	onPayload(src: Uint8Array, start: number, end: number): void {
		this.#data += hex(src, start, end);
	}

	onPayloadEnd(missing: number, bad: number): void {
		this.events.push(`data ${this.#data}`, `end ${missing} ${bad}`);
	}
}

export function makeReader(c: ReaderCase, log: EventLog): Reader {
	const reader = new Reader(log, BC20_LINES, c.capacity ?? 64);
	reader.viewMode = c.viewMode ?? 0;
	reader.showLength = c.showLength ?? false;
	reader.receiveHex = c.hexReceive ?? false;
	reader.armed = c.armed ? ascii(c.armed) : null;
	return reader;
}

const HOSTILE = '\r\nOK\r\n+QIURC: "recv",0\r\nSEND OK\x00\x1a\xff",' + "\r\n";

// 600 bytes in hex receive format, longer than the 256 bytes the reader
// decodes at a time, with digits that are not hex on a pair's high digit, on
// its low one, on both, and at the scratch's end: each decodes as 0 and is
// counted, wherever the chunks are cut.
function badHexAcrossTheScratch(): ReaderCase {
	const length = 600;
	const digits = hex(Uint8Array.from({ length }, (_, i) => (i * 7) & 255))
		.toUpperCase()
		.split("");
	for (const [at, c] of [
		[2, "G"],
		[11, "x"],
		[40, "?"],
		[41, "\x00"],
		[511, "Z"],
		[512, " "],
		[1199, "g"],
	] as const)
		digits[at] = c;
	let data = "";
	for (let i = 0; i < digits.length; i += 2) {
		const value = (d: string) => (/[0-9A-F]/.test(d) ? parseInt(d, 16) : 0);
		data += ((value(digits[i]) << 4) | value(digits[i + 1])).toString(16).padStart(2, "0");
	}
	return {
		name: "hex receive: digits that are not hex decode as 0 and are counted, across the decoder's scratch",
		push: [1],
		hexReceive: true,
		viewMode: 1,
		input: `\r\n+QIURC: "recv",1,${length},${digits.join("")}\r\n`,
		expect: [`recv|+QIURC: "recv",1,${length}|n=${length}`, `start 1 ${length}`, `data ${data}`, "end 0 7"],
	};
}
const hostileHex = hex(bytes(HOSTILE));

export const READER_CASES: ReaderCase[] = [
	{
		name: "final results",
		input: "\r\nOK\r\n\r\nERROR\r\n\r\n+CME ERROR: 552\r\n\r\nSEND OK\r\n\r\nSEND FAIL\r\n\r\nCLOSE OK\r\n",
		expect: [
			"OK|OK",
			"ERROR|ERROR",
			"+CME ERROR|+CME ERROR: 552",
			"SEND OK|SEND OK",
			"SEND FAIL|SEND FAIL",
			"CLOSE OK|CLOSE OK",
		],
	},
	{
		name: "a final result must match whole",
		input: "\r\nOKAY\r\n\r\nERRORS\r\n",
		expect: ["noise|OKAY", "noise|ERRORS"],
	},
	{
		// A line is looked up by its first bytes and its head's length: the rest must match too.
		name: "lines that start like a table row but differ further on",
		input:
			'\r\nSEND OX\r\n\r\nCLOSE OKAY\r\n\r\n+CME ERRXR: 1\r\n\r\n+QIOPEX: 0,0\r\n\r\n+QIURC:"recv",0\r\n' +
			'\r\n+QIURC: "recx",0\r\n\r\n+CEREG 1\r\n',
		expect: [
			"noise|SEND OX",
			"noise|CLOSE OKAY",
			"urc|+CME ERRXR: 1",
			"urc|+QIOPEX: 0,0",
			'+QIURC|+QIURC:"recv",0',
			'+QIURC|+QIURC: "recx",0',
			"urc|+CEREG 1",
		],
	},
	{
		name: "every URC kind",
		input:
			'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",1\r\n\r\n+QIURC: "dnsgip",0,1,600\r\n' +
			'\r\n+QIURC: "pdpdeact",1\r\n\r\n+QIURC: "other",3\r\n\r\n+QIOPEN: 0,0\r\n\r\n+QPING: 0,4,4,0,1,2,1\r\n' +
			'\r\n+QNTP: 0,"18/04/20,11:08:20+32"\r\n\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+CFUN: 1\r\n\r\n+IP: 127.0.0.1\r\n' +
			'\r\n+CEREG: 1\r\n\r\n+CSCON: 0\r\n\r\n+QATWAKEUP\r\n\r\n+QATSLEEP\r\n\r\n+QNBIOTEVENT: "ENTER PSM"\r\n\r\n+XYZ: 1\r\n',
		expect: [
			'recv|+QIURC: "recv",0',
			'closed|+QIURC: "closed",1',
			'dnsgip|+QIURC: "dnsgip",0,1,600',
			'pdpdeact|+QIURC: "pdpdeact",1',
			'+QIURC|+QIURC: "other",3',
			"+QIOPEN|+QIOPEN: 0,0",
			"+QPING|+QPING: 0,4,4,0,1,2,1",
			'+QNTP|+QNTP: 0,"18/04/20,11:08:20+32"',
			"RDY|RDY",
			"+CPIN|+CPIN: READY",
			"+CFUN|+CFUN: 1",
			"+IP|+IP: 127.0.0.1",
			"+CEREG|+CEREG: 1",
			"+CSCON|+CSCON: 0",
			"+QATWAKEUP|+QATWAKEUP",
			"+QATSLEEP|+QATSLEEP",
			'+QNBIOTEVENT|+QNBIOTEVENT: "ENTER PSM"',
			"urc|+XYZ: 1",
		],
	},
	{
		name: "echo on: the command comes back, then its response",
		armed: "+QISTATE:",
		input: 'AT+QISTATE=1,0\r\r\n+QISTATE: 0,"TCP","127.0.0.1",8062,1234,2,1,0\r\n\r\nOK\r\n',
		expect: ["echo|AT+QISTATE=1,0", 'response|+QISTATE: 0,"TCP","127.0.0.1",8062,1234,2,1,0', "OK|OK"],
	},
	{
		name: "the armed prefix wins over a URC table entry",
		armed: "+CEREG:",
		input: "\r\n+CEREG: 0,1\r\n\r\nOK\r\n",
		expect: ["response|+CEREG: 0,1", "OK|OK"],
	},
	{
		name: "QIRD view mode 0 (manual 4.1.3)",
		armed: "+QIRD:",
		input: "\r\n+QIRD: 10\r\n1234567890\r\nOK\r\n\r\n+QIRD: 0\r\n\r\nOK\r\n",
		expect: [
			"response|+QIRD: 10|n=10",
			"start -1 10",
			"data 31323334353637383930",
			"end 0 0",
			"OK|OK",
			"response|+QIRD: 0",
			"OK|OK",
		],
	},
	{
		name: "QIRD view mode 0 with showlength",
		armed: "+QIRD:",
		showLength: true,
		input: "\r\n+QIRD: 10,2\r\n1234567890\r\nOK\r\n",
		expect: ["response|+QIRD: 10,2|n=10", "start -1 10", "data 31323334353637383930", "end 0 0", "OK|OK"],
	},
	{
		name: "QIRD view mode 1 with showlength (manual 4.1.3)",
		armed: "+QIRD:",
		viewMode: 1,
		showLength: true,
		input: "\r\n+QIRD: 10,2,0123456789\r\nOK\r\n",
		expect: ["response|+QIRD: 10,2|n=10", "start -1 10", "data 30313233343536373839", "end 0 0", "OK|OK"],
	},
	{
		name: "QIRD view mode 1 without showlength, data starting with digits and commas",
		armed: "+QIRD:",
		viewMode: 1,
		input: "\r\n+QIRD: 6,12,3,\r\n\r\nOK\r\n",
		expect: ["response|+QIRD: 6|n=6", "start -1 6", "data 31322c332c0d", "end 0 0", "OK|OK"],
	},
	{
		name: "QIRD test command response in view mode 1 is not a header",
		armed: "+QIRD:",
		viewMode: 1,
		input: "\r\n+QIRD: (0-4),(1-512)\r\n\r\nOK\r\n",
		expect: ["response|+QIRD: (0-4),(1-512)", "OK|OK"],
	},
	{
		name: "direct push view mode 0 (manual 4.2.3)",
		push: [0],
		input: '\r\n+QIURC: "recv",0,5\r\n12345\r\n',
		expect: ['recv|+QIURC: "recv",0,5|n=5', "start 0 5", "data 3132333435", "end 0 0"],
	},
	{
		name: "direct push view mode 1 (manual 4.2.3)",
		push: [0],
		viewMode: 1,
		input: '\r\n+QIURC: "recv",0,12,012345678901\r\n',
		expect: ['recv|+QIURC: "recv",0,12|n=12', "start 0 12", "data 303132333435363738393031", "end 0 0"],
	},
	{
		name: "buffer-mode recv with length is a notice, not a payload header",
		push: [1],
		showLength: true,
		input: '\r\n+QIURC: "recv",0,12\r\n\r\n+QIURC: "recv",0,"buff full"\r\n',
		expect: ['recv|+QIURC: "recv",0,12', 'recv|+QIURC: "recv",0,"buff full"'],
	},
	{
		name: "in view mode 1 a recv notice at a line end carries no payload even for a push socket",
		push: [0],
		viewMode: 1,
		showLength: true,
		input: '\r\n+QIURC: "recv",0,12\r\n',
		expect: ['recv|+QIURC: "recv",0,12'],
	},
	{
		name: "hex receive format decodes 2n digits",
		armed: "+QIRD:",
		hexReceive: true,
		input: "\r\n+QIRD: 5\r\n48656C6c6F\r\nOK\r\n",
		expect: ["response|+QIRD: 5|n=5", "start -1 5", "data 48656c6c6f", "end 0 0", "OK|OK"],
	},
	{
		name: "hex receive format counts bad digits",
		push: [2],
		hexReceive: true,
		input: '\r\n+QIURC: "recv",2,2\r\n4G0z\r\n',
		expect: ['recv|+QIURC: "recv",2,2|n=2', "start 2 2", "data 4000", "end 0 2"],
	},
	{
		name: "hostile payload bytes are data, never lines (QIRD)",
		armed: "+QIRD:",
		input: `\r\n+QIRD: ${HOSTILE.length}\r\n${HOSTILE}\r\nOK\r\n`,
		expect: [
			`response|+QIRD: ${HOSTILE.length}|n=${HOSTILE.length}`,
			`start -1 ${HOSTILE.length}`,
			`data ${hostileHex}`,
			"end 0 0",
			"OK|OK",
		],
	},
	{
		name: "hostile payload bytes are data, never lines (push, view mode 1)",
		push: [4],
		viewMode: 1,
		input: `\r\n+QIURC: "recv",4,${HOSTILE.length},${HOSTILE}\r\n\r\n+QIURC: "closed",4\r\n`,
		expect: [
			`recv|+QIURC: "recv",4,${HOSTILE.length}|n=${HOSTILE.length}`,
			`start 4 ${HOSTILE.length}`,
			`data ${hostileHex}`,
			"end 0 0",
			'closed|+QIURC: "closed",4',
		],
	},
	badHexAcrossTheScratch(),
	{
		name: "hostile payload in hex receive format",
		push: [3],
		hexReceive: true,
		input: `\r\n+QIURC: "recv",3,${HOSTILE.length}\r\n${hostileHex.toUpperCase()}\r\n`,
		expect: [
			`recv|+QIURC: "recv",3,${HOSTILE.length}|n=${HOSTILE.length}`,
			`start 3 ${HOSTILE.length}`,
			`data ${hostileHex}`,
			"end 0 0",
		],
	},
	{
		name: "NUL bytes and boot-ROM garbage before RDY",
		input: "\x00\x00\xff\xfe\x10\x8c boot\r\n\x00\r\nRDY\r\n\r\n+CFUN: 1\r\n",
		expect: ["noise|\xff\xfe\x10\x8c boot", "RDY|RDY", "+CFUN|+CFUN: 1"],
	},
	{
		name: "a line longer than the ring is dropped and the next line survives",
		capacity: 16,
		input: '\r\n+QIURC: "dnsgip","this-line-is-far-too-long"\r\n\r\nOK\r\n',
		expect: ["OK|OK"],
	},
	{
		name: "lines ended by a bare LF, or many CRs, still parse",
		input: "OK\n\r\r\rERROR\r\r\n",
		expect: ["OK|OK", "ERROR|ERROR"],
	},
];

// Splitters: each returns the chunk boundaries to feed.
export function feed(reader: Reader, input: Uint8Array, cuts: number[]): void {
	let at = 0;
	for (const cut of cuts) {
		reader.receive(input, at, cut);
		at = cut;
	}
	reader.receive(input, at, input.length);
}

export function randomCuts(length: number, random: () => number, maxChunk: number): number[] {
	const cuts: number[] = [];
	let at = 0;
	while (at < length) {
		at += 1 + Math.floor(random() * maxChunk);
		if (at < length) cuts.push(at);
	}
	return cuts;
}

export function everyByte(length: number): number[] {
	const cuts: number[] = [];
	for (let i = 1; i < length; i++) cuts.push(i);
	return cuts;
}

export interface CaseOutcome {
	name: string;
	ok: boolean;
	detail: string;
}

function compare(name: string, how: string, got: string[], want: string[]): CaseOutcome {
	const a = JSON.stringify(got),
		b = JSON.stringify(want);
	return { name: `${name} [${how}]`, ok: a === b, detail: a === b ? "" : `got  ${a}\nwant ${b}` };
}

// Runs one case whole, byte by byte, byte by byte from every wrap-around
// offset of the ring, and with random chunkings; every run must produce exactly `expect`.
export function checkCase(c: ReaderCase, seed: number, randomRuns: number): CaseOutcome[] {
	const input = bytes(c.input);
	const outcomes: CaseOutcome[] = [];
	const run = (how: string, cuts: number[], headIndex: number) => {
		const log = new EventLog(c.push);
		const reader = makeReader(c, log);
		reader.ring.rewind(headIndex);
		feed(reader, input, cuts);
		outcomes.push(compare(c.name, how, log.events, c.expect));
	};
	run("whole", [], 0);
	run("1-byte chunks", everyByte(input.length), 0);
	const capacity = c.capacity ?? 64;
	// Fed byte by byte, every line passes through the ring: each start offset
	// makes its lines wrap at a different place.
	const bytewise = everyByte(input.length);
	for (let offset = 1; offset < capacity; offset++) run(`ring offset ${offset}, 1-byte chunks`, bytewise, offset);
	const random = prng(seed);
	for (let i = 0; i < randomRuns; i++) {
		run(
			`random chunks #${i} seed ${seed}`,
			randomCuts(input.length, random, 1 + Math.floor(random() * 40)),
			Math.floor(random() * capacity),
		);
	}
	return outcomes;
}

// A random stream of protocol elements (lines, URCs, QIRD responses and pushes
// with hostile payloads, garbage); returns the stream and the reader settings.
export function randomStream(seed: number, elements: number): ReaderCase {
	const random = prng(seed);
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
	const payload = () => {
		const n = 1 + Math.floor(random() * 80);
		let s = "";
		for (let i = 0; i < n; i++)
			s +=
				random() < 0.3
					? pick(["\r", "\n", "O", "K", "+", "\x00", "\x1a", "\xff", ","])
					: String.fromCharCode(Math.floor(random() * 256));
		return s;
	};
	const viewMode = random() < 0.5 ? 0 : 1;
	const showLength = random() < 0.5;
	let input = "";
	for (let i = 0; i < elements; i++) {
		switch (Math.floor(random() * 8)) {
			case 0:
				input += pick([
					"\r\nOK\r\n",
					"\r\nERROR\r\n",
					"\r\nSEND OK\r\n",
					"\r\nCLOSE OK\r\n",
					"\r\n+CME ERROR: 569\r\n",
				]);
				break;
			case 1:
				input += pick([
					'\r\n+QIURC: "recv",1\r\n',
					'\r\n+QIURC: "closed",2\r\n',
					"\r\n+QIOPEN: 3,566\r\n",
					"\r\n+CEREG: 5\r\n",
				]);
				break;
			case 2: {
				const p = payload();
				const header = showLength ? `+QIRD: ${p.length},0` : `+QIRD: ${p.length}`;
				input += viewMode === 1 ? `\r\n${header},${p}\r\nOK\r\n` : `\r\n${header}\r\n${p}\r\nOK\r\n`;
				break;
			}
			case 3: {
				const p = payload();
				input +=
					viewMode === 1 ? `\r\n+QIURC: "recv",0,${p.length},${p}\r\n` : `\r\n+QIURC: "recv",0,${p.length}\r\n${p}\r\n`;
				break;
			}
			case 4:
				input += "\x00\xff\xfe garbage";
				break;
			case 5:
				input += "AT+QIRD=0,512\r";
				break;
			case 6:
				input += `\r\n+QISTATE: ${Math.floor(random() * 5)},"UDP","127.0.0.1",9000,0,2,1,1\r\n`;
				break;
			default:
				input += "\r\nRDY\r\n";
				break;
		}
	}
	return { name: `random stream seed ${seed}`, input, expect: [], viewMode, showLength, armed: "+QIRD:", push: [0] };
}

// For a random stream the expected events are those of the whole-input run.
export function checkRandomStream(seed: number, elements: number, randomRuns: number): CaseOutcome[] {
	const c = randomStream(seed, elements);
	const log = new EventLog(c.push);
	feed(makeReader(c, log), bytes(c.input), []);
	c.expect = log.events;
	return checkCase(c, seed, randomRuns);
}

// Everything, for a runner on any engine.
export function runAllReaderChecks(randomStreams = 20, randomRuns = 20): { total: number; failures: CaseOutcome[] } {
	const outcomes: CaseOutcome[] = [];
	READER_CASES.forEach((c, i) => outcomes.push(...checkCase(c, 1000 + i, randomRuns)));
	for (let s = 1; s <= randomStreams; s++) outcomes.push(...checkRandomStream(s, 30, randomRuns));
	return { total: outcomes.length, failures: outcomes.filter((o) => !o.ok) };
}
