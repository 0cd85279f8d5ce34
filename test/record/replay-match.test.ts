// What a replay tolerates in the host's command lines (replay-match.ts): the
// connectID a host picks, bound one to one, and the data of a send; nothing else.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReplayMatcher } from "../../host-sim/record/replay-match.js";

test("equal lines match; any other difference does not", () => {
	const m = new ReplayMatcher();
	assert.ok(m.match("AT+CSQ", "AT+CSQ"));
	assert.not.ok(m.match("AT+CSQ", "AT+CGMR"));
	assert.not.ok(m.match(`AT+QIOPEN=1,0,"TCP","127.0.0.1",7000,0,0`, `AT+QIOPEN=1,0,"TCP","127.0.0.1",7001,0,0`));
	assert.not.ok(m.match(`AT+QIOPEN=1,0,"TCP","127.0.0.1",7000,0,0`, `AT+QIOPEN=1,0,"UDP","127.0.0.1",7000,0,0`));
});

test("another connectID is bound at its first command and followed after, in commands and in the module's answers", () => {
	const m = new ReplayMatcher();
	assert.ok(m.match(`AT+QIOPEN=1,0,"TCP","127.0.0.1",7000,0,0`, `AT+QIOPEN=1,3,"TCP","127.0.0.1",7000,0,0`));
	assert.is(m.answer(Buffer.from(`\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n`)).toString(), `\r\nOK\r\n\r\n+QIOPEN: 3,0\r\n`);
	assert.is(
		m.answer(Buffer.from(`+QIURC: "recv",0,5\r\n+QIURC: "closed",0\r\n`)).toString(),
		`+QIURC: "recv",3,5\r\n+QIURC: "closed",3\r\n`,
	);
	assert.ok(m.match("AT+QIRD=0,512", "AT+QIRD=3,512"));
	assert.not.ok(m.match("AT+QICLOSE=0", "AT+QICLOSE=0"), "recorded 0 is the host's 3 now");
	assert.ok(m.match("AT+QICLOSE=0", "AT+QICLOSE=3"));
	// One to one: recorded 1 cannot become the host's 3 too.
	assert.not.ok(m.match(`AT+QIOPEN=1,1,"UDP","127.0.0.1",7000,0,0`, `AT+QIOPEN=1,3,"UDP","127.0.0.1",7000,0,0`));
	assert.ok(m.match(`AT+QIOPEN=1,1,"UDP","127.0.0.1",7000,0,0`, `AT+QIOPEN=1,1,"UDP","127.0.0.1",7000,0,0`));
});

test("a send matches on its connectID whatever its data; the rest of other socket commands must be equal", () => {
	const m = new ReplayMatcher();
	assert.ok(m.match(`AT+QISEND=0,12,uptime=1234`, `AT+QISEND=0,13,uptime=12345`));
	assert.ok(m.match(`AT+QISENDEX=0,2,0A0B`, `AT+QISENDEX=0,3,0A0B0C`));
	assert.not.ok(m.match(`AT+QISEND=0,12,uptime=1234`, `AT+QISEND=1,12,uptime=1234`));
	assert.not.ok(m.match(`AT+QISEND=0,2,ab`, `AT+QISENDEX=0,1,AB`));
	assert.not.ok(m.match("AT+QIRD=0,512", "AT+QIRD=0,256"));
});

test.run();
