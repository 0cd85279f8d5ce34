/**
 * Every TCP/IP command in its test, read and write forms, parameter checks,
 * the <err> codes of QIOPEN and QIGETERROR, DNS, NTP and ping.
 */
import { createSocket } from "node:dgram";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpPeer, UdpPeer, unusedTcpPort, waitFor } from "../support/loopback-servers.js";
import { SntpServer } from "../../host-sim/cloud/sntp-server.js";
import { framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";
import { MANUAL_TEST_FORMS } from "../support/manual-test-forms.js";

checkViolationsAfterEach(test);

const OK = framed("OK");
const ERROR = framed("ERROR");

async function lastError(m: ModuleHarness): Promise<string> {
	const answer = await m.command("AT+QIGETERROR");
	return /\+QIGETERROR: ([^\r]*)/.exec(answer)![1]!;
}

test("test forms answer as in the manual", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("unknown-command");
	try {
		for (const [command, lines] of MANUAL_TEST_FORMS) {
			assert.is(await m.command(command), `${command}\r${framed(...lines)}${OK}`, command);
		}
		// Forms the manual does not define.
		for (const command of ["AT+QIOPEN?", "AT+QIRD?", "AT+QISEND", "AT+QICFG?"]) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
		}
	} finally {
		await m.close();
	}
});

test("QIOPEN parameter checks and their error codes", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		const cases: [string, string][] = [
			['AT+QIOPEN=2,0,"TCP","127.0.0.1",80', "552,invalid parameters"],
			['AT+QIOPEN=1,5,"TCP","127.0.0.1",80', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"SCTP","127.0.0.1",80', "552,invalid parameters"],
			["AT+QIOPEN=1,0,TCP,127.0.0.1,80", "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","127.0.0.1",0', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","127.0.0.1",65536', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","127.0.0.1",80,70000', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","127.0.0.1",80,0,2', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","",80', "552,invalid parameters"],
			['AT+QIOPEN=1,0,"TCP","127.0.0.1",80,0,0,1', "555,operation not supported"],
		];
		for (const [command, error] of cases) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
			assert.is(await lastError(m), error, command);
		}
	} finally {
		await m.close();
	}
});

test("QIOPEN: refused → 566, the ID stays taken (563) until QICLOSE; then it opens", async () => {
	const port = await unusedTcpPort();
	const m = await ModuleHarness.boot();
	m.expectViolations("socket-in-use");
	const peer = await TcpPeer.start();
	try {
		const open = `AT+QIOPEN=1,1,"TCP","127.0.0.1",${port},0,0`;
		assert.is(await m.command(open, "+QIOPEN: 1,566\r\n"), `${open}\r${OK}${framed("+QIOPEN: 1,566")}`);
		assert.is(await lastError(m), "566,socket connect failed");
		assert.is(
			await m.command("AT+QISTATE=1,1"),
			`AT+QISTATE=1,1\r${framed(`+QISTATE: 1,"TCP","127.0.0.1",${port},0,0,1,0`)}${OK}`,
		);
		const again = `AT+QIOPEN=1,1,"TCP","127.0.0.1",${peer.port},0,0`;
		assert.is(await m.command(again, "+QIOPEN: 1,563\r\n"), `${again}\r${OK}${framed("+QIOPEN: 1,563")}`);
		assert.is(await lastError(m), "563,socket identity has been used");
		await m.command("AT+QICLOSE=1", "CLOSE OK\r\n");
		assert.is(await m.command(again, "+QIOPEN: 1,0\r\n"), `${again}\r${OK}${framed("+QIOPEN: 1,0")}`);
		assert.is(await lastError(m), "0,operation successful");
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QIOPEN: DNS failure → 565; names from the hosts table connect", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot({ hosts: { "nowhere.test": [], "Server.Test": ["127.0.0.1"] } });
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","nowhere.test",${peer.port}`, "+QIOPEN: 0,565\r\n");
		assert.is(await lastError(m), "565,DNS parse failed");
		await m.command("AT+QICLOSE=0", "CLOSE OK\r\n");
		await m.command(`AT+QIOPEN=1,0,"TCP","server.test",${peer.port}`, "+QIOPEN: 0,0\r\n");
		assert.match(await m.command("AT+QISTATE=1,0"), `+QISTATE: 0,"TCP","127.0.0.1",${peer.port},0,2,1,0`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QIOPEN: a busy local port → 574", async () => {
	const blocker = createSocket("udp4");
	await new Promise<void>((resolve) => blocker.bind(0, resolve));
	const busyPort = blocker.address().port;
	const m = await ModuleHarness.boot();
	try {
		await m.command(`AT+QIOPEN=1,3,"UDP","127.0.0.1",9,${busyPort},0`, "+QIOPEN: 3,574\r\n");
		assert.is(await lastError(m), "574,port busy");
	} finally {
		await m.close();
		await new Promise<void>((resolve) => blocker.close(resolve));
	}
});

test("UDP: honours a local port; QISTATE shows UDP", async () => {
	const peer = await UdpPeer.start(false);
	const localPort = await unusedTcpPort();
	const m = await ModuleHarness.boot();
	try {
		await m.command(`AT+QIOPEN=1,4,"UDP","127.0.0.1",${peer.port},${localPort},0`, "+QIOPEN: 4,0\r\n");
		await m.command("AT+QISEND=4,4,ping", "SEND OK\r\n");
		await waitFor(() => peer.datagrams.length === 1, "datagram");
		assert.is(peer.datagrams[0]!.from.port, localPort);
		assert.is(peer.datagrams[0]!.data.toString(), "ping");
		assert.is(
			await m.command("AT+QISTATE=1,4"),
			`AT+QISTATE=1,4\r${framed(`+QISTATE: 4,"UDP","127.0.0.1",${peer.port},${localPort},2,1,0`)}${OK}`,
		);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QICLOSE and QISTATE forms", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		assert.is(
			await m.command("AT+QICLOSE=3", "CLOSE OK\r\n"),
			`AT+QICLOSE=3\r${OK}${framed("CLOSE OK")}`,
			"closing an unused ID",
		);
		assert.is(await m.command("AT+QICLOSE=5"), `AT+QICLOSE=5\r${ERROR}`);
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`, "+QIOPEN: 0,0\r\n");
		await m.command(`AT+QIOPEN=1,3,"TCP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 3,0\r\n");
		const line0 = `+QISTATE: 0,"TCP","127.0.0.1",${peer.port},0,2,1,1`;
		const line3 = `+QISTATE: 3,"TCP","127.0.0.1",${peer.port},0,2,1,0`;
		assert.is(await m.command("AT+QISTATE?"), `AT+QISTATE?\r${framed(line0, line3)}${OK}`);
		assert.is(await m.command("AT+QISTATE=0,1"), `AT+QISTATE=0,1\r${framed(line0, line3)}${OK}`);
		assert.is(await m.command("AT+QISTATE=0,2"), `AT+QISTATE=0,2\r${OK}`);
		assert.is(await m.command("AT+QISTATE=1,3"), `AT+QISTATE=1,3\r${framed(line3)}${OK}`);
		assert.is(await m.command("AT+QISTATE=1,2"), `AT+QISTATE=1,2\r${OK}`);
		assert.is(await m.command("AT+QISTATE=2,1"), `AT+QISTATE=2,1\r${ERROR}`);
		assert.is(await m.command("AT+QISTATE=0,4"), `AT+QISTATE=0,4\r${ERROR}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QISEND / QISENDEX / QIRD parameter checks", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	m.expectViolations("socket-not-open", "malformed");
	try {
		assert.is(await m.command("AT+QISEND=0,3,abc"), `AT+QISEND=0,3,abc\r${ERROR}`, "not open");
		assert.is(await lastError(m), "572,operation not allowed");
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
		const invalid = [
			"AT+QISEND=0,0,",
			`AT+QISEND=0,1025,${"x".repeat(1025)}`,
			"AT+QISEND=0,4,abc",
			'AT+QISEND=0,3,"abcd"',
			"AT+QISEND=5,1,a",
			"AT+QISEND=0,1",
			"AT+QISENDEX=0,2,414",
			"AT+QISENDEX=0,2,41zz",
			`AT+QISENDEX=0,513,${"41".repeat(513)}`,
			"AT+QIRD=0,0",
			"AT+QIRD=0,513",
			"AT+QIRD=0",
		];
		for (const command of invalid) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
			assert.is(await lastError(m), "552,invalid parameters", command);
		}
		await m.command(`AT+QISEND=0,1024,${"y".repeat(1024)}`, "SEND OK\r\n");
		await m.command(`AT+QISEND=0,1024,"${"q".repeat(1024)}"`, "SEND OK\r\n");
		await m.command("AT+QISENDEX=0,3,aBcDeF", "SEND OK\r\n");
		const received = await peer.receivedAtLeast(2051);
		assert.ok(received.subarray(2048).equals(Buffer.from([0xab, 0xcd, 0xef])));
		assert.is(m.emulator.stats.sockets[0]!.bytesSent, 2051);
		assert.is(m.emulator.stats.sockets[0]!.sendOk, 3);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QICFG query and write forms; invalid values", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		assert.is(
			await m.command('AT+QICFG="dataformat"'),
			`AT+QICFG="dataformat"\r${framed('+QICFG: "dataformat",0,0')}${OK}`,
		);
		assert.is(await m.command('AT+QICFG="viewmode"'), `AT+QICFG="viewmode"\r${framed('+QICFG: "viewmode",0')}${OK}`);
		assert.is(
			await m.command('AT+QICFG="showlength"'),
			`AT+QICFG="showlength"\r${framed('+QICFG: "showlength",0')}${OK}`,
		);
		await m.command('AT+QICFG="dataformat",1,1');
		await m.command('AT+QICFG="viewmode",1');
		await m.command('AT+QICFG="showlength",1');
		assert.match(await m.command('AT+QICFG="dataformat"'), '+QICFG: "dataformat",1,1');
		assert.match(await m.command('AT+QICFG="viewmode"'), '+QICFG: "viewmode",1');
		assert.match(await m.command('AT+QICFG="showlength"'), '+QICFG: "showlength",1');
		for (const command of [
			'AT+QICFG="viewmode",2',
			'AT+QICFG="dataformat",1',
			'AT+QICFG="showlength",1,1',
			'AT+QICFG="other",1',
			"AT+QICFG=viewmode,1",
		]) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
		}
	} finally {
		await m.close();
	}
});

test("QIDNSGIP: hosts table, address literal, failure, and Node's resolver (/etc/hosts) as fallback", async () => {
	const m = await ModuleHarness.boot({ hosts: { "multi.test": ["127.0.0.1", "::1"], "nowhere.test": [] } });
	m.expectViolations("malformed");
	try {
		const lookup = 'AT+QIDNSGIP=1,"multi.test"';
		assert.is(
			await m.command(lookup, '"::1"\r\n'),
			`${lookup}\r${OK}${framed('+QIURC: "dnsgip",0,2,600', '+QIURC: "dnsgip","127.0.0.1"', '+QIURC: "dnsgip","::1"')}`,
		);
		assert.match(await m.command('AT+QIDNSGIP=1,"127.0.0.1"', '"dnsgip","127.0.0.1"\r\n'), '+QIURC: "dnsgip",0,1,600');
		assert.match(
			await m.command('AT+QIDNSGIP=1,"nowhere.test"', /dnsgip",565[^\r]*\r\n/),
			framed('+QIURC: "dnsgip",565,0,0'),
		);
		assert.is(await lastError(m), "565,DNS parse failed");
		assert.is(await m.command('AT+QIDNSGIP=2,"multi.test"'), `AT+QIDNSGIP=2,"multi.test"\r${ERROR}`);
		assert.is(await m.command("AT+QIDNSGIP=1,multi.test"), `AT+QIDNSGIP=1,multi.test\r${ERROR}`);
	} finally {
		await m.close();
	}
	// With an empty hosts table, "localhost" goes to Node's resolver, which answers from /etc/hosts.
	const n = await ModuleHarness.boot({ hosts: {} });
	try {
		const answer = await n.command('AT+QIDNSGIP=1,"localhost"', /"dnsgip",\d+,\d+,\d+\r\n/);
		assert.match(answer, /"dnsgip",0,[1-9],600/);
	} finally {
		await n.close();
	}
});

test("QNTP: time-out → 569, DNS failure → 565, success sets the clock (+CCLK)", async () => {
	const silentPort = await unusedTcpPort();
	const time = Date.UTC(2030, 0, 2, 3, 4, 5);
	const ntp = await new SntpServer(() => time).start();
	const m = await ModuleHarness.boot({ ntpTimeoutMs: 100, hosts: { "nowhere.test": [] } });
	m.expectViolations("malformed");
	try {
		assert.match(await m.command(`AT+QNTP=1,"127.0.0.1",${silentPort}`, /\+QNTP: [^\r]*\r\n/), framed("+QNTP: 569"));
		assert.is(await lastError(m), "569,operation timeout");
		assert.match(await m.command('AT+QNTP=1,"nowhere.test"', /\+QNTP: [^\r]*\r\n/), framed("+QNTP: 565"));
		// autosettime 0: the clock stays.
		await m.command(`AT+QNTP=1,"127.0.0.1",${ntp.port},0`, /\+QNTP: 0,[^\r]*\r\n/);
		assert.not.match(await m.command("AT+CCLK?"), "30/01/02");
		await m.command(`AT+QNTP=1,"127.0.0.1",${ntp.port},1`, /\+QNTP: 0,[^\r]*\r\n/);
		assert.match(await m.command("AT+CCLK?"), /\+CCLK: "30\/01\/02,03:04:0\d\+00"/);
		for (const command of ['AT+QNTP=2,"127.0.0.1"', 'AT+QNTP=1,"127.0.0.1",0', 'AT+QNTP=1,"127.0.0.1",123,2']) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
		}
	} finally {
		await m.close();
		await ntp.close();
	}
});

test("QPING: an open port answers too; options; DNS failure; parameter checks", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot({ pingPort: peer.port, hosts: { "nowhere.test": [] } });
	m.expectViolations("malformed");
	try {
		const ping = 'AT+QPING=1,"127.0.0.1",1,2,100';
		const answer = await m.command(ping, /\+QPING: 0,2,\d+,\d+,\d+,\d+,\d+\r\n/);
		assert.match(
			answer,
			/^AT\+QPING=1,"127.0.0.1",1,2,100\r\r\nOK\r\n\r\n\+QPING: 0,"127\.0\.0\.1",100,\d+,255\r\n\r\n\+QPING: 0,"127\.0\.0\.1",100,\d+,255\r\n\r\n\+QPING: 0,2,2,0,/,
		);
		await waitFor(() => peer.connections.length === 2, "two probe connections");
		assert.match(await m.command('AT+QPING=1,"nowhere.test"', /\+QPING: [^\r]*\r\n/), framed("+QPING: 565"));
		for (const command of [
			'AT+QPING=1,"127.0.0.1",0',
			'AT+QPING=1,"127.0.0.1",4,11',
			'AT+QPING=1,"127.0.0.1",4,4,31',
			'AT+QPING=2,"127.0.0.1"',
		]) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
		}
	} finally {
		await m.close();
		await peer.close();
	}
});

test("TCP/IP commands before attach fail with 561; test forms still work", async () => {
	const m = await ModuleHarness.boot({ attachDelayMs: 5000 }, false);
	try {
		assert.is(await m.command('AT+QIOPEN=1,0,"TCP","127.0.0.1",80'), `AT+QIOPEN=1,0,"TCP","127.0.0.1",80\r${ERROR}`);
		assert.is(await lastError(m), "561,open PDP context failed");
		assert.is(await m.command('AT+QIDNSGIP=1,"localhost"'), `AT+QIDNSGIP=1,"localhost"\r${ERROR}`);
		assert.is(await m.command("AT+QIRD=?"), `AT+QIRD=?\r${framed("+QIRD: (0-4),(1-512)")}${OK}`);
	} finally {
		await m.close();
	}
});

test.run();
