// Faults at exact points, with a scripted module and virtual time (the
// emulator cannot place them this precisely, or they depend on timing there):
// second-stage lines that never come, resync probes that time out, a module
// that answers everything late, damaged headers and notices, a reboot in the
// middle of a payload. Same rules as the fault matrix: recover or report a
// clear error, nothing hangs, no byte lost or misattributed silently.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { E_DATA_LOST, E_REBOOTED, E_SEND_UNKNOWN, E_TIMEOUT } from "../../firmware/bc20/errors.js";
import { expectBringUp, hexOf, OK, ready } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

const OPEN = (id: number, mode = 0) => "AT+QIOPEN=1," + id + ',"TCP","127.0.0.1",9000,0,' + mode;
const REBOOT = "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n";

test("a SEND OK that never comes: that send is reported unknown, and the next send on the socket is not taken for it", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,first", OK); // no SEND OK, ever
	socket.write(bytes("first"));
	h.advance(11000);
	assert.equal(h.takeLog(), ["0 warning 1007 0+5", "0 writable 2048"]);
	// The old SEND OK may still come for another SEND OK deadline: until then
	// no send goes to this socket (manual 4.1.2: a QISEND while one is pending
	// gets ERROR). After it, this SEND OK is the new send's.
	h.fake.expect("AT+QISEND=0,6,second", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("second"));
	h.advance(1000);
	assert.equal(h.fake.written.slice(-1), ["AT+QISEND=0,5,first"], "no send while the first one's SEND OK is owed");
	h.advance(10000);
	assert.equal(h.takeLog(), ["0 writable 2048"], "the second send completed once the wait was over");
	assert.equal(socket.stats, { written: 11, sent: 6, failed: 0, unknown: 5, received: 0, lost: 0 });
	assert.equal(h.fake.unexpected, []);
});

test("a CLOSE OK that never comes does not make the next close of that connectID time out", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const a = h.open({});
	h.fake.expect("AT+QICLOSE=0", OK); // no CLOSE OK, ever
	a.close();
	h.advance(11000);
	assert.is(a.state, INITIAL);
	h.takeLog();
	h.fake.expect(OPEN(0));
	const b = h.open({});
	h.takeLog();
	h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	b.close();
	h.advance(1000);
	assert.equal(h.takeLog(), ["0 closed"], "the second close completed at once");
	assert.equal(h.fake.unexpected, []);
});

test("after resync probes time out, every command still ends, and none fails without being written", () => {
	const h = ready();
	let started = 0;
	const results: string[] = [];
	// The app retries a command that timed out.
	const run = (attempt: number) => {
		started++;
		h.modem.command("AT+CGMR", { timeout: 100 }, (error, lines) => {
			results.push(error === null ? lines.join() : String(error.code));
			if (error !== null && attempt < 4) run(attempt + 1);
		});
	};
	h.fake.expect("AT+CGMR", ""); // no answer
	h.fake.expect("AT+CGATT?", "").expect("AT+CGATT?", ""); // two probes: no answer either
	h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK).always("AT+CGSN=1", "\r\n+CGSN: 867724030000000\r\n" + OK);
	h.fake.always("AT+CGMR", "\r\nRevision: BC20JAR01A04\r\n" + OK);
	run(0);
	run(0);
	h.advance(60000);
	const written = h.fake.written.filter((l) => l === "AT+CGMR").length;
	const timeouts = results.filter((r) => r === String(E_TIMEOUT)).length;
	assert.is(
		results.length,
		started,
		`${started} commands started, ${results.length} ended: ${JSON.stringify(results)}`,
	);
	assert.ok(
		timeouts <= written,
		`${timeouts} timeouts reported for ${written} AT+CGMR lines written: a command failed without being written`,
	);
});

test("a module that answers everything 2 s late: a stale probe answer is not taken for the next probe's", () => {
	const h = ready();
	const results: [string, unknown, string[]][] = [];
	h.fake.expect("AT+CGMR", ""); // stalls
	h.fake.expect("AT+CGATT?", ""); // probe 1, written for AT+CGMI: stalled too
	h.modem.command("AT+CGMR", { timeout: 100 }, (e, lines) => results.push(["CGMR", e?.code ?? null, lines]));
	h.modem.command("AT+CGMI", { timeout: 100 }, (e, lines) => results.push(["CGMI", e?.code ?? null, lines]));
	h.advance(1200);
	assert.equal(
		results.map((r) => r.slice(0, 2)),
		[
			["CGMR", E_TIMEOUT],
			["CGMI", E_TIMEOUT],
		],
	);
	// AT+CIMI: a second probe goes first; with it, the module wakes up and
	// answers, in order, AT+CGMR, probe 1, then probe 2.
	h.fake.expect(
		/^AT\+C(GATT\?|GSN=1|EREG\?|FUN\?|SQ|PSMS\?|CLK\?)$/,
		(line) =>
			"\r\nRevision: BC20JAR01A04\r\n" +
			OK +
			"\r\n+CGATT: 1\r\n" +
			OK +
			({
				"AT+CGATT?": "\r\n+CGATT: 1\r\n",
				"AT+CGSN=1": "\r\n+CGSN: 867724030000000\r\n",
				"AT+CEREG?": "\r\n+CEREG: 0,1\r\n",
				"AT+CFUN?": "\r\n+CFUN: 1\r\n",
				"AT+CSQ": "\r\n+CSQ: 20,0\r\n",
				"AT+CPSMS?": "\r\n+CPSMS: 0\r\n",
				"AT+CCLK?": '\r\n+CCLK: "26/12/07,03:00:00+00"\r\n',
			}[line] ?? "") +
			OK,
	);
	h.fake.always("AT+CIMI", "\r\n460001234567890\r\n" + OK);
	h.modem.command("AT+CIMI", (e, lines) => results.push(["CIMI", e?.code ?? null, lines]));
	h.advance(3000);
	assert.equal(results[2], ["CIMI", null, ["460001234567890"]], "AT+CIMI must get its own answer");
});

test("a reboot in the middle of a +QIRD payload: the bytes read so far reach the app, the rest is reported, the socket ends", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	// 10 bytes announced, 4 sent, then the module is silent (rebooting) and prints its banner.
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,0," + hexOf("data"));
	expectBringUp(h.fake);
	h.fake.send('\r\n+QIURC: "recv",0,10\r\n');
	h.advance(400);
	h.fake.send(REBOOT);
	h.advance(3000);
	const log = h.takeLog();
	assert.ok(log.includes("0 readable 4"), "the 4 bytes read were announced: " + JSON.stringify(log));
	assert.is(h.readAll(socket), "data");
	h.settle();
	const end = h
		.takeLog()
		.concat(log)
		.find((l) => l.startsWith("0 error"));
	assert.ok(end !== undefined && end.startsWith("0 error " + E_REBOOTED), "the socket ended: " + JSON.stringify(log));
	assert.is(socket.state, INITIAL);
	assert.ok(
		socket.stats.lost >= 6 || log.some((l) => / lost -1$/.test(l)) || end!.includes("lost"),
		"the 6 missing bytes are reported",
	);
});

test("a reboot between QISEND's OK and SEND OK: the module took the bytes, so they are reported unknown, not unsent", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", OK + REBOOT);
	expectBringUp(h.fake);
	socket.write(bytes("hello"));
	h.settle();
	const log = h.takeLog();
	assert.ok(log.includes("0 warning " + E_SEND_UNKNOWN + " 0+5"), JSON.stringify(log));
	assert.ok(
		log.some((l) => l.startsWith("0 error " + E_REBOOTED) && !l.includes("unsent")),
		JSON.stringify(log),
	);
	assert.equal(socket.stats, { written: 5, sent: 0, failed: 0, unknown: 5, received: 0, lost: 0 });
});

test('a "recv" notice damaged on the line (a byte dropped): the data is still read', () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	h.fake.always(
		"AT+QIRD=0,512",
		(() => {
			let held = "hello";
			return () => {
				const reply = held === "" ? "\r\n+QIRD: 0\r\n" + OK : "\r\n+QIRD: 5,0," + hexOf(held) + "\r\n" + OK;
				held = "";
				return reply;
			};
		})(),
	);
	// The module will not repeat the notice while it holds the data.
	h.fake.send('\r\n+QIURC: "recv"0,5\r\n');
	h.advance(60000);
	assert.is(h.readAll(socket), "hello", "the 5 bytes stayed in the module: " + JSON.stringify(h.takeLog()));
});

for (const where of ["direct push", "+QIRD"]) {
	test(`a payload length damaged on the line (${where}): the bytes taken for a line are reported lost`, () => {
		const h = ready();
		h.fake.expect(OPEN(0, where === "direct push" ? 1 : 0));
		const socket = h.open({ mode: where === "direct push" ? 1 : 0 });
		h.takeLog();
		// "12" lost a digit on the way: 2 bytes are read, 10 are taken for a line.
		const data = hexOf("hello world!");
		if (where === "direct push") h.fake.send('\r\n+QIURC: "recv",0,2,' + data + "\r\n");
		else {
			h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0," + data + "\r\n" + OK);
			h.fake.always("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
			h.fake.send('\r\n+QIURC: "recv",0,12\r\n');
		}
		h.advance(2000);
		const log = h.takeLog();
		assert.is(h.readAll(socket), "he");
		assert.ok(
			log.some((l) => l.startsWith("0 warning " + E_DATA_LOST) && / lost (-1|10)$/.test(l)),
			"10 bytes vanished without a report: " + JSON.stringify(log),
		);
	});
}

test("a corrupted payload length does not swallow the traffic that follows", () => {
	const h = ready();
	h.fake.expect(OPEN(1, 1));
	h.open({ mode: 1, connectId: 1 }, "1,0");
	h.takeLog();
	const results: unknown[] = [];
	h.fake.expect("AT+CGMR", "");
	h.modem.command("AT+CGMR", (e, lines) => results.push([e?.code ?? null, lines]));
	h.settle();
	// A push header whose length was damaged into a huge number, then the
	// module keeps talking: the answer to AT+CGMR, and URCs every 100 ms.
	h.fake.send('\r\n+QIURC: "recv",1,99999999,' + hexOf("abc") + "\r\n\r\nRevision: BC20JAR01A04\r\n" + OK);
	for (let i = 0; i < 30; i++) {
		h.advance(100);
		h.fake.send("\r\n+CSCON: " + (i & 1) + "\r\n");
	}
	h.settle();
	assert.is(results.length, 1, "AT+CGMR did not end while the module kept talking");
	assert.equal(results[0], [null, ["Revision: BC20JAR01A04"]], "its answer was swallowed as payload");
});

test.run();
