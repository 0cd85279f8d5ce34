/**
 * The emulated module records what the host does that the manual forbids,
 * with the time, the command line and why; what the host may do (a command
 * after the previous final result arrived, input while booting, a probe
 * after a command the module never answered) is not recorded.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Violation } from "../../host-sim/emulator/bc20-emulator.js";
import { TcpPeer } from "../support/loopback-servers.js";
import { checkViolationsAfterEach, FAST, framed, ModuleHarness } from "./module-harness.js";

checkViolationsAfterEach(test);

test("a command written before the previous final result arrived: recorded with its time, text and why; counted; an event", async () => {
	// Paced at 9600 baud, the answer to ATI takes ~60 ms to arrive.
	const m = await ModuleHarness.boot({ baud: 9600 });
	m.expectViolations("overlap");
	const events: Violation[] = [];
	m.emulator.on("violation", (v) => events.push(v));
	try {
		m.sendLine("ATI");
		await m.until("ATI\r");
		m.sendLine("AT+CGMR");
		await m.until(/Revision[^\n]*\n\r\nOK\r\n[\s\S]*Revision[^\n]*\n\r\nOK\r\n/, 3000);
		assert.is(m.emulator.violations.length, 1);
		const v = m.emulator.violations[0]!;
		assert.is(v.kind, "overlap");
		assert.is(v.command, "AT+CGMR");
		assert.match(v.reason, /before the final result of "ATI"/);
		assert.ok(Number.isInteger(v.atMs) && v.atMs >= 0);
		assert.is(m.emulator.stats.violations, 1);
		assert.equal(events, m.emulator.violations);
	} finally {
		await m.close();
	}
});

test("commands one at a time, each after its final result arrived, byte by byte at 9600 baud: nothing recorded", async () => {
	const m = await ModuleHarness.boot({ baud: 9600, chunkSize: 1 });
	try {
		for (const line of ["ATE0", "AT+CGMR", "AT+CEREG?", "AT+CGATT?"]) await m.command(line);
		assert.equal(m.emulator.violations, []);
	} finally {
		await m.close();
	}
});

test("input while booting, and a probe after a withheld or delayed command, are not violations", async () => {
	const m = new ModuleHarness(FAST);
	try {
		m.emulator.start();
		m.sendLine("AT");
		await m.until(/\+IP: [^\r]*\r\n/);
		m.emulator.withhold("AT+CGMR");
		m.sendLine("AT+CGMR");
		await m.until("AT+CGMR\r");
		m.sendLine("AT");
		await m.until(framed("OK"));
		m.emulator.delay("AT+CGMI", 100);
		m.send("AT+CGMI\rAT+CGSN=1\r");
		await m.until(/\+CGSN: \d+\r\n\r\nOK\r\n/);
		assert.equal(m.emulator.violations, []);
	} finally {
		await m.close();
	}
});

// A send while SEND OK is pending: manual-examples.test.ts (4.1.2).
test("sends on a socket still opening, and after the host closed it", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	m.expectViolations("socket-not-open", "overlap");
	try {
		m.send(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,0\rAT+QISEND=0,1,a\r`);
		await m.until("+QIOPEN: 0,0\r\n");
		assert.equal(
			m.emulator.violations.map((v) => v.kind),
			["overlap", "socket-not-open"],
		);
		assert.match(m.emulator.violations[1]!.reason, /still opening/);
		await m.command("AT+QISEND=0,1,a", "SEND OK\r\n");
		await m.command("AT+QICLOSE=0", "CLOSE OK\r\n");
		await m.command("AT+QISEND=0,1,d");
		const kinds = m.emulator.violations.map((v) => v.kind);
		assert.is(kinds.filter((k) => k === "socket-not-open").length, 2, JSON.stringify(m.emulator.violations));
		assert.match(m.emulator.violations.at(-1)!.reason, /connect ID 0 is not open/);
	} finally {
		await m.close();
		await peer.close();
	}
});

test('a send whose line began before the "closed" URC reached the host is not a violation; one begun after it is', async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	m.expectViolations("socket-not-open");
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 0,0\r\n");
		m.send("AT+QISEND=0,1,"); // the host starts a send: the lines cross on the wire
		(await peer.connection()).destroy();
		await m.until('+QIURC: "closed",0\r\n');
		m.send("x\r");
		await m.until(/ERROR\r\n/);
		assert.equal(m.emulator.violations, []);
		await m.command("AT+QISEND=0,1,y", "ERROR\r\n");
		assert.equal(
			m.emulator.violations.map((v) => v.kind),
			["socket-not-open"],
		);
		assert.match(m.emulator.violations[0]!.reason, /reported closed/);
	} finally {
		await m.close();
		await peer.close();
	}
});

test.run();
