/**
 * The manual's chapter 4 examples (4.1-4.5) replayed byte for byte, with
 * loopback servers in place of the manual's public addresses.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpPeer, unusedTcpPort } from "../support/loopback-servers.js";
import { SntpServer } from "../../host-sim/cloud/sntp-server.js";
import { framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");

test("4.1 TCP client in buffer access mode", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot({ socketBufferSize: 64 });
	m.expectViolations("overlap", "send-pending");
	try {
		// 4.1.1 Set up a TCP client connection and enter buffer access mode.
		const localPort = await unusedTcpPort();
		const open = `AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},${localPort},0`;
		assert.is(await m.command(open), `${open}\r${OK}`);
		assert.is(await m.until("+QIOPEN: 0,0\r\n"), framed("+QIOPEN: 0,0"));
		assert.is(
			await m.command("AT+QISTATE=1,0"),
			`AT+QISTATE=1,0\r${framed(`+QISTATE: 0,"TCP","127.0.0.1",${peer.port},${localPort},2,1,0`)}${OK}`,
		);
		assert.is((await peer.connection()).remotePort, localPort);

		// 4.1.2 Send data in buffer access mode.
		assert.is(
			await m.command("AT+QISEND=0,10,1234567890", "SEND OK\r\n"),
			`AT+QISEND=0,10,1234567890\r${OK}${framed("SEND OK")}`,
		);
		assert.is(
			await m.command("AT+QISENDEX=0,5,3031323334", "SEND OK\r\n"),
			`AT+QISENDEX=0,5,3031323334\r${OK}${framed("SEND OK")}`,
		);
		// Two sends back to back: the second comes while SEND OK is pending and gets ERROR.
		m.send("AT+QISEND=0,10,1234567890\rAT+QISEND=0,10,1234567890\r");
		assert.is(
			await m.until("SEND OK\r\n"),
			`AT+QISEND=0,10,1234567890\r${OK}AT+QISEND=0,10,1234567890\r${framed("ERROR")}${framed("SEND OK")}`,
		);
		assert.is((await peer.receivedAtLeast(25)).toString(), "1234567890012341234567890");

		// 4.1.3 Receive data from the remote server in buffer access mode.
		const server = await peer.connection();
		server.write("1234567890");
		assert.is(await m.until('"recv",0\r\n'), framed('+QIURC: "recv",0'));
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 10")}1234567890\r\n${OK}`);
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 0")}${OK}`);
		assert.is(await m.command('AT+QICFG="showlength",1'), `AT+QICFG="showlength",1\r${OK}`);
		server.write("123456789012");
		assert.is(await m.until('"recv",0,12\r\n'), framed('+QIURC: "recv",0,12'));
		assert.is(await m.command("AT+QIRD=0,10"), `AT+QIRD=0,10\r${framed("+QIRD: 10,2")}1234567890\r\n${OK}`);
		// 2 bytes remain; 100 more overflow the 64-byte buffer.
		const flood = Buffer.alloc(100, "x");
		server.write(flood);
		assert.is(await m.until('"buff full"\r\n'), framed('+QIURC: "recv",0,"buff full"'));
		// The host has to read the buffer; nothing is lost.
		let drained = "";
		for (;;) {
			const read = await m.command("AT+QIRD=0,512");
			const header = /\+QIRD: (\d+)(?:,\d+)?\r\n/.exec(read)!;
			if (header[1] === "0") break;
			drained += read.slice(header.index + header[0].length, header.index + header[0].length + Number(header[1]));
		}
		assert.is(drained, `12${flood.toString()}`);

		assert.is(await m.command('AT+QICFG="viewmode",1'), `AT+QICFG="viewmode",1\r${OK}`);
		peer.echo = true;
		assert.is(
			await m.command('AT+QISEND=0,12,"012345678901"', "SEND OK\r\n"),
			`AT+QISEND=0,12,"012345678901"\r${OK}${framed("SEND OK")}`,
		);
		assert.is(await m.until('"recv",0,12\r\n'), framed('+QIURC: "recv",0,12'));
		assert.is(await m.command("AT+QIRD=0,10"), `AT+QIRD=0,10\r${framed("+QIRD: 10,2,0123456789")}${OK}`);

		// 4.1.4 Close the connection.
		assert.is(await m.command("AT+QICLOSE=0", "CLOSE OK\r\n"), `AT+QICLOSE=0\r${OK}${framed("CLOSE OK")}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("4.2 TCP client in direct push mode", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		// 4.2.1 Set up a TCP client connection in direct push mode.
		const open = `AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`;
		assert.is(await m.command(open, "+QIOPEN: 0,0\r\n"), `${open}\r${OK}${framed("+QIOPEN: 0,0")}`);
		assert.is(
			await m.command("AT+QISTATE=1,0"),
			`AT+QISTATE=1,0\r${framed(`+QISTATE: 0,"TCP","127.0.0.1",${peer.port},0,2,1,1`)}${OK}`,
		);

		// 4.2.2 Send data.
		assert.is(
			await m.command("AT+QISEND=0,10,1234567890", "SEND OK\r\n"),
			`AT+QISEND=0,10,1234567890\r${OK}${framed("SEND OK")}`,
		);
		assert.is(
			await m.command("AT+QISENDEX=0,5,3031323334", "SEND OK\r\n"),
			`AT+QISENDEX=0,5,3031323334\r${OK}${framed("SEND OK")}`,
		);
		assert.is((await peer.receivedAtLeast(15)).toString(), "123456789001234");

		// 4.2.3 Receive data: pushed with the URC.
		(await peer.connection()).write("12345");
		assert.is(await m.until("12345\r\n"), `${framed('+QIURC: "recv",0,5')}12345\r\n`);
		assert.is(await m.command('AT+QICFG="viewmode",1'), `AT+QICFG="viewmode",1\r${OK}`);
		peer.echo = true;
		assert.is(
			await m.command('AT+QISEND=0,12,"012345678901"', "SEND OK\r\n"),
			`AT+QISEND=0,12,"012345678901"\r${OK}${framed("SEND OK")}`,
		);
		assert.is(await m.until("012345678901\r\n"), framed('+QIURC: "recv",0,12,012345678901'));

		// 4.2.4 Close the TCP client.
		assert.is(await m.command("AT+QICLOSE=0", "CLOSE OK\r\n"), `AT+QICLOSE=0\r${OK}${framed("CLOSE OK")}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("4.3 ping a remote server", async () => {
	// The manual pings hf.quectel.com; here a made-up name in the hosts table points at loopback.
	const m = await ModuleHarness.boot({ hosts: { "hf.quectel.test": ["127.0.0.1"] } });
	try {
		assert.is(await m.command('AT+QPING=1,"hf.quectel.test"'), `AT+QPING=1,"hf.quectel.test"\r${OK}`);
		const replies = await m.until(/\+QPING: 0,4,4,0,\d+,\d+,\d+\r\n/);
		const lines = replies.split("\r\n").filter((line) => line !== "");
		assert.is(lines.length, 5);
		const times = lines.slice(0, 4).map((line) => {
			const match = /^\+QPING: 0,"127\.0\.0\.1",32,(\d+),255$/.exec(line);
			assert.ok(match, line);
			return Number(match![1]);
		});
		const [min, max, avg] = /,(\d+),(\d+),(\d+)$/.exec(lines[4]!)!.slice(1).map(Number);
		assert.is(min, Math.min(...times));
		assert.is(max, Math.max(...times));
		assert.is(avg, Math.floor(times.reduce((a, b) => a + b) / 4));
	} finally {
		await m.close();
	}
});

test("4.4 synchronize local time", async () => {
	const time = Date.UTC(2018, 3, 20, 11, 8, 20);
	const ntp = await new SntpServer(() => time).start();
	const m = await ModuleHarness.boot({ hosts: { "ntp5.aliyun.test": ["127.0.0.1"] } });
	try {
		// The manual uses the default port 123; the test server has an unprivileged one.
		const command = `AT+QNTP=1,"ntp5.aliyun.test",${ntp.port}`;
		assert.is(
			await m.command(command, /\+QNTP: [^\r]*\r\n/),
			`${command}\r${OK}${framed('+QNTP: 0,"18/04/20,11:08:20+00"')}`,
		);
		assert.is(ntp.requests, 1);
	} finally {
		await m.close();
		await ntp.close();
	}
});

test("4.5 getting the last error code", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		// <connectID> omitted.
		assert.is(
			await m.command('AT+QIOPEN=1,"UDP","127.0.0.1",8063,0,1'),
			`AT+QIOPEN=1,"UDP","127.0.0.1",8063,0,1\r${framed("ERROR")}`,
		);
		assert.is(await m.command("AT+QIGETERROR"), `AT+QIGETERROR\r${framed("+QIGETERROR: 552,invalid parameters")}${OK}`);
	} finally {
		await m.close();
	}
});

test.run();
