// Security: no user input becomes an AT command. Every value that reaches the
// wire (host names for QIOPEN, QPING, QNTP and QIDNSGIP, raw command lines,
// socket payloads, options) is tried with CR, LF, quotes, commas,
// semicolons, Ctrl-Z, ESC, non-ASCII and over-long values. The emulated BC20
// records every command line it parsed: refused values must add none and
// throw a BC20Error (E_ARGUMENT) at once; accepted payloads must add exactly
// the driver's own send commands (unsafe bytes as hex) and arrive intact.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Error, E_ARGUMENT } from "../../firmware/bc20/errors.js";
import { isTextByte } from "../../firmware/bc20/send-command.js";
import { checkCommandLine } from "../../firmware/bc20/validate.js";
import { Harness, hexOf, OK } from "../support/bc20-harness.js";
import { bytes, latin1 } from "../support/bytes.js";
import { tcpEcho, udpEcho } from "../support/loopback-servers.js";
import { faultSession, openLogged, sleep, until } from "../support/reliability-session.js";

// The characters that could end, split, chain or quote a command line, or
// that a parser may treat specially.
const VECTORS: [string, string][] = [
	["CR", "\r"],
	["LF", "\n"],
	["CR LF", "\r\n"],
	["quote", '"'],
	["comma", ","],
	["semicolon", ";"],
	["Ctrl-Z", "\x1a"],
	["ESC", "\x1b"],
	["NUL", "\x00"],
	["backslash", "\\"],
	["space", " "],
	["non-ASCII", "\u00e9"],
	["non-Latin-1", "\u2028"],
];

function refusal(fn: () => unknown): BC20Error | string {
	try {
		fn();
	} catch (error) {
		return error instanceof BC20Error ? error : "threw " + String(error);
	}
	return "accepted";
}

function refusedWith(fn: () => unknown, what: string): void {
	const r = refusal(fn);
	assert.ok(r instanceof BC20Error && r.code === E_ARGUMENT, `${what}: ${r instanceof BC20Error ? r.message : r}`);
	assert.ok((r as BC20Error).message.length > 10, "the error says what is wrong");
}

// Hostile variants of a valid value: each vector inside it, and an injection
// that would chain a command if the value went out raw.
function hostile(valid: string): [string, string][] {
	const out: [string, string][] = [];
	for (const [name, c] of VECTORS) {
		out.push([`${name} inside`, valid.slice(0, 2) + c + valid.slice(2)]);
		out.push([`${name} at the end`, valid + c]);
	}
	out.push(["an injected command (CR)", valid + '"\rAT+QICLOSE=0\r']);
	out.push(["an injected command (quote, comma)", valid + '",1,1,32\r\nAT+QPOWD=1\r\n']);
	out.push(["an injected command (semicolon)", valid + '";+QICLOSE=0;"']);
	out.push(["over-long", valid + ".a".repeat(200)]);
	out.push(["empty", ""]);
	return out;
}

test("host names for QIOPEN, QPING, QNTP and QIDNSGIP: hostile values are refused with E_ARGUMENT; the module parses nothing", async () => {
	const session = await faultSession();
	try {
		const { modem, emulator } = session;
		await sleep(50);
		const before = emulator!.commands.length;
		let tried = 0;
		for (const [name, host] of hostile("localhost")) {
			const label = JSON.stringify(host) + " (" + name + ")";
			refusedWith(() => modem.open({ host, port: 80 }), "open " + label);
			refusedWith(() => modem.open({ type: "udp", host, port: 80 }), "open udp " + label);
			refusedWith(() => modem.ping(host, {}, () => {}), "ping " + label);
			refusedWith(() => modem.ntp(host, {}, () => {}), "ntp " + label);
			refusedWith(() => modem.resolve(host, () => {}), "resolve " + label);
			tried += 5;
		}
		for (const value of [undefined, null, 42, {}, ["localhost"], new String("localhost")]) {
			refusedWith(() => modem.open({ host: value as never, port: 80 }), "open " + String(value));
			refusedWith(() => modem.ping(value as never, {}, () => {}), "ping " + String(value));
		}
		await sleep(200);
		assert.ok(tried > 100);
		assert.equal(emulator!.commands.slice(before), [], "the module parsed a command line");
	} finally {
		await session.close();
	}
});

test("raw command lines: hostile ones are refused with E_ARGUMENT; an accepted one is exactly one command line", async () => {
	const session = await faultSession();
	try {
		const { modem, emulator } = session;
		await sleep(50);
		const before = emulator!.commands.length;
		// Quotes, commas, spaces and backslashes belong in raw commands
		// (AT+QPING=1,"host"); what could end or chain a line does not.
		const breaking = VECTORS.filter(([, c]) => !/^["\\, ]$/.test(c));
		const bad = [
			...breaking.map(([, c]) => "AT+CGMR" + c),
			...breaking.map(([, c]) => "AT" + c + "+CGMR"),
			"AT+CGMR\rAT+QICLOSE=0",
			"AT+CGMR\r\nAT+QIRD=0,5",
			"AT+CGMR;+QICLOSE=0",
			"AT+CGMR\x1a",
			"ATI\x1bAT+QPOWD=1",
			"AT+QICLOSE=0",
			"at+qiclose=0",
			"AT +QICLOSE = 0",
			"AT+QISEND=0,3,abc",
			"AT+QISENDEX=0,1,41",
			"AT+QIRD=0,512",
			'AT+QIOPEN=1,0,"TCP","127.0.0.1",80',
			"AT+QISWTMD=0,1",
			'AT+QICFG="viewmode",0',
			"AT" + "A".repeat(2000),
			"",
			"A",
			"+CGMR",
			"CGMR",
		];
		for (const line of bad) refusedWith(() => modem.command(line, () => {}), JSON.stringify(line.slice(0, 40)));
		for (const value of [undefined, null, 42, {}, ["AT"]])
			refusedWith(() => modem.command(value as never, () => {}), String(value));
		await sleep(200);
		assert.equal(emulator!.commands.slice(before), [], "the module parsed a command line");
		const answers: unknown[] = [];
		modem.command("AT+CGMR", (e, lines) => answers.push([e, lines]));
		await until(() => answers.length === 1, 3000, "AT+CGMR");
		assert.equal(emulator!.commands.slice(before), ["AT+CGMR"]);
	} finally {
		await session.close();
	}
});

test("a raw command cannot change how the module frames lines or answers (S3/S4/S5, V0, Q1, &F, Z, +IPR, chained basic commands)", () => {
	// After ATS3=48 the module would end a command line at every "0": a text
	// payload "...0AT+QPOWD=1..." would become a command. After ATV0 or ATQ1 no
	// answer reads as OK; after AT+IPR the UART speed changes under the driver.
	const dangerous = [
		"ATS3=48",
		"ATS4=65",
		"ATS5=8",
		"ATV0",
		"ATQ1",
		"AT&F",
		"ATZ",
		"AT+IPR=9600",
		"AT+ICF=2,0",
		"ATE0V0",
		"ATE1S3=65",
		"ATI S3=48",
	];
	const accepted = dangerous.filter((line) => !(refusal(() => checkCommandLine(line, 1000)) instanceof BC20Error));
	assert.equal(accepted, [], "accepted as raw commands");
});

test("socket payloads with every hostile byte go as hex or verbatim text, never as an extra command, and arrive intact (TCP and UDP)", async () => {
	const session = await faultSession({ modem: { textSend: true } });
	const tcp = await tcpEcho(),
		udp = await udpEcho();
	try {
		const { modem, emulator } = session;
		const payloads: Uint8Array[] = [];
		for (const [, c] of VECTORS) {
			const s = "abc" + c + "AT+QICLOSE=0" + c + '"AT+QPOWD=1";,x';
			payloads.push(bytes(unescape(encodeURIComponent(s)))); // UTF-8 for the non-Latin-1 ones
		}
		payloads.push(
			bytes("AT+QICLOSE=0"),
			bytes("\r\nAT+QICLOSE=0\r\n"),
			bytes("\x1a\x1b\x00\xff"),
			bytes("a".repeat(1000) + "\r"),
		);
		const before = emulator!.commands.length;
		// TCP: one stream.
		const stream = new Uint8Array(payloads.reduce((n, p) => n + p.length, 0));
		payloads.reduce((at, p) => (stream.set(p, at), at + p.length), 0);
		const t = openLogged(modem, { port: tcp.port });
		t.send(stream);
		await until(() => t.log.receivedBytes.length >= stream.length || t.log.ended, 8000, "the TCP echo");
		assert.is(Buffer.compare(Buffer.from(t.log.receivedBytes), Buffer.from(stream)), 0, t.log.describe());
		// UDP: one datagram each (a datagram that must go as hex holds at most 512 bytes).
		const datagrams = payloads.filter((p) => p.length <= 512);
		const back: string[] = [];
		const queue = datagrams.slice();
		const u = modem.open({
			type: "udp",
			host: "127.0.0.1",
			port: udp.port,
			onWritable() {
				while (queue.length > 0 && this.write(queue[0]) > 0) queue.shift();
			},
			onReadable() {
				while (this.nextDatagramLength >= 0) {
					const d = new Uint8Array(this.nextDatagramLength);
					this.read(d);
					back.push(latin1(d));
				}
			},
		});
		await until(() => back.length === datagrams.length, 8000, "the UDP echoes");
		assert.equal(back.sort(), datagrams.map((p) => latin1(p)).sort());
		t.socket.close();
		u.close();
		await t.ended(5000);
		await sleep(100);
		// Every line the module parsed is one of the driver's own, and a text
		// send carries only bytes no parser can misread.
		const lines = emulator!.commands.slice(before);
		const own =
			/^AT\+(QIOPEN=1,\d,"(TCP|UDP)","127\.0\.0\.1",\d+,0,0|QISENDEX=\d,\d+,[0-9A-F]+|QISEND=\d,\d+,.*|QIRD=\d,\d+|QICLOSE=\d)$/s;
		for (const line of lines) {
			assert.ok(own.test(line), "a command line the driver did not mean to send: " + JSON.stringify(line.slice(0, 80)));
			const m = /^AT\+QISEND=\d,(\d+),(.*)$/s.exec(line);
			if (m) {
				assert.is(m[2].length, Number(m[1]));
				for (let i = 0; i < m[2].length; i++)
					assert.ok(isTextByte(m[2].charCodeAt(i)), "unsafe byte in a text send: " + JSON.stringify(m[2]));
			}
		}
		assert.is(lines.filter((l) => l.startsWith("AT+QICLOSE")).length, 2, "only the two closes the test asked for");
	} finally {
		await session.close();
		await tcp.close();
		await udp.close();
	}
});

// Options: strings, NaN, negative, huge, fractional, wrong types. Checked
// against the scripted module, which records every line written.
const BAD_NUMBERS: unknown[] = [
	"80",
	"80\r\nAT+QICLOSE=0",
	NaN,
	-1,
	1e12,
	1.5,
	Infinity,
	null,
	{},
	[80],
	true,
	2 ** 53,
];

function ready(): Harness {
	const h = new Harness();
	h.bringUp();
	return h;
}

test("options (ports, ids, modes, counts, timeouts) that are strings, NaN, negative, huge or fractional are refused and send nothing", () => {
	const h = ready();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const socket = h.open({});
	const before = h.fake.written.length;
	const m = h.modem;
	let tried = 0;
	for (const v of BAD_NUMBERS) {
		const label = typeof v === "string" ? JSON.stringify(v) : String(v);
		const cases: [string, () => unknown][] = [
			["open port", () => m.open({ host: "127.0.0.1", port: v as number })],
			["open localPort", () => m.open({ host: "127.0.0.1", port: 80, localPort: v as number })],
			["open mode", () => m.open({ host: "127.0.0.1", port: 80, mode: v as number })],
			["open connectId", () => m.open({ host: "127.0.0.1", port: 80, connectId: v as number })],
			["open contextId", () => m.open({ host: "127.0.0.1", port: 80, contextId: v as number })],
			["ping timeout", () => m.ping("127.0.0.1", { timeout: v as number }, () => {})],
			["ping count", () => m.ping("127.0.0.1", { count: v as number }, () => {})],
			["ping size", () => m.ping("127.0.0.1", { size: v as number }, () => {})],
			["ntp port", () => m.ntp("127.0.0.1", { port: v as number }, () => {})],
			["command timeout", () => m.command("AT+CGMR", { timeout: v as number }, () => {})],
			["configure viewMode", () => m.configure({ viewMode: v as number }, () => {})],
			["queryState connectId", () => m.queryState({ connectId: v as number }, () => {})],
			["queryState contextId", () => m.queryState({ contextId: v as number }, () => {})],
			["setMode", () => socket.setMode(v as number, () => {})],
		];
		for (const [what, fn] of cases) {
			// A string or a fraction that happens to be valid JSON is still refused: no coercion.
			refusedWith(fn, `${what} ${label}`);
			tried++;
		}
	}
	for (const v of ["true", 1, "1", null, {}]) {
		refusedWith(() => m.configure({ receiveHex: v as boolean }, () => {}), "configure receiveHex " + String(v));
		refusedWith(() => m.ntp("127.0.0.1", { autoSetTime: v as boolean }, () => {}), "ntp autoSetTime " + String(v));
	}
	refusedWith(() => m.open({ host: "127.0.0.1", port: 80, type: "tcp\r" as "tcp" }), "open type");
	h.settle();
	assert.ok(tried > 150);
	assert.equal(h.fake.written.slice(before), [], "a command line was written");
});

test("write() and read() take bytes and integer offsets only: never send zeros, never drop what they cannot store", () => {
	const h = ready();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const socket = h.open({});
	h.fake.always(/^AT\+QISENDEX?=/, OK + "\r\nSEND OK\r\n");
	const data = bytes("hello");
	// [what, call, the bytes a lenient driver may send instead of refusing]
	const wrong: [string, () => unknown, string | null][] = [
		["a string instead of bytes", () => socket.write("hello" as never), "hello"],
		["an array of strings", () => socket.write(["h", "e"] as never), "he"],
		["a string start", () => socket.write(data, "0" as never, 5), "hello"],
		["a string end", () => socket.write(data, 0, "5" as never), "hello"],
		["a fractional start", () => socket.write(data, 0.5, 5), null],
		["NaN", () => socket.write(data, NaN, 5), null],
		["start after end", () => socket.write(data, 4, 2), null],
		["end past the data", () => socket.write(data, 0, 99), null],
	];
	const problems: string[] = [];
	for (const [what, fn, lenient] of wrong) {
		const r = refusal(fn);
		h.settle();
		const sent = h.fake.written.filter((l) => l.startsWith("AT+QISEND"));
		const refused = r instanceof BC20Error && r.code === E_ARGUMENT && sent.length === 0;
		const exact =
			lenient !== null &&
			sent.length === 1 &&
			(sent[0] === `AT+QISEND=0,${lenient.length},${lenient}` ||
				sent[0] === `AT+QISENDEX=0,${lenient.length},${hexOf(lenient)}`);
		if (!refused && !exact)
			problems.push(`write() with ${what}: ${r instanceof BC20Error ? r.message : r}, sent ${JSON.stringify(sent)}`);
		h.fake.written.length = 0;
	}
	// read() with a string start: the data must not vanish.
	h.fake.always(
		"AT+QIRD=0,512",
		(() => {
			let first = true;
			return () => {
				const reply = first ? "\r\n+QIRD: 5,0,68656C6C6F\r\n" + OK : "\r\n+QIRD: 0\r\n" + OK;
				first = false;
				return reply;
			};
		})(),
	);
	h.fake.send('\r\n+QIURC: "recv",0,5\r\n');
	h.settle();
	const into = new Uint8Array(8);
	const r = refusal(() => socket.read(into, "0" as never, 8));
	if (!(r instanceof BC20Error)) {
		if (latin1(into, 0, 5) !== "hello")
			problems.push(`read() with a string start: ${r}, returned nothing usable and the data is gone`);
	} else if (h.readAll(socket) !== "hello") problems.push("read() refused, but the data is gone");
	assert.equal(problems, []);
});

test.run();
