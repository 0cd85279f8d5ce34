/**
 * Received data in every mode: buffer access (URC policy, nodes, showlength,
 * viewmode, buff full, peer close), direct push (viewmode 0/1, 512-byte
 * pieces), hex receive format, mode switching, and binary payloads that look
 * like protocol text arriving byte-exact.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpPeer, UdpPeer, waitFor } from "../support/loopback-servers.js";
import { framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");

/** Bytes a careless reader would take for protocol: CR, LF, a final result, a URC, NUL, Ctrl-Z, 0xFF, and every byte value. */
const TRICKY = Buffer.concat([
	Buffer.from('\r\n\r\nOK\r\n+QIURC: "recv",0\r\nSEND OK\r\nERROR\r\n', "latin1"),
	Buffer.from([0x00, 0x1a, 0xff, 0x0d, 0x00, 0x0a]),
	Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

/** Opens connect ID 0 as UDP towards `peer` and returns the emulator's local port (learnt from a first datagram). */
async function openUdp(m: ModuleHarness, peer: UdpPeer, accessMode: 0 | 1): Promise<number> {
	await m.command(`AT+QIOPEN=1,0,"UDP","127.0.0.1",${peer.port},0,${accessMode}`, "+QIOPEN: 0,0\r\n");
	await m.command("AT+QISEND=0,5,hello", "SEND OK\r\n");
	await waitFor(() => peer.datagrams.length > 0, "first datagram");
	return peer.datagrams[0]!.from.port;
}

/** Reads connect ID `id` until "+QIRD: 0", returning the concatenated data (view mode 0, no showlength). */
async function drain(m: ModuleHarness, id = 0): Promise<string> {
	let data = "";
	for (;;) {
		m.sendLine(`AT+QIRD=${id},512`);
		const header = await m.until(/\+QIRD: \d+\r\n/);
		const length = Number(/\+QIRD: (\d+)/.exec(header)![1]);
		if (length === 0) {
			await m.until(OK);
			return data;
		}
		data += (await m.until(length + 2 + OK.length)).slice(0, length);
	}
}

test("buffer mode: one URC until drained; QIRD never spans nodes (datagram boundaries)", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from("first"), port);
		assert.is(await m.until('"recv",0\r\n'), framed('+QIURC: "recv",0'));
		await peer.sendTo(Buffer.from("second!"), port);
		await waitFor(() => m.emulator.stats.sockets[0]!.bytesReceived === 12, "second datagram");
		assert.is(await m.quiet(30), "", "no second URC while data is unread");
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 5")}first\r\n${OK}`);
		assert.is(await m.command("AT+QIRD=0,3"), `AT+QIRD=0,3\r${framed("+QIRD: 3")}sec\r\n${OK}`);
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 4")}ond!\r\n${OK}`);
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 0")}${OK}`);
		// Drained: the next arrival is announced again.
		await peer.sendTo(Buffer.from("third"), port);
		assert.is(await m.until('"recv",0\r\n'), framed('+QIURC: "recv",0'));
	} finally {
		await m.close();
		await peer.close();
	}
});

test("buffer mode with showlength: URC length of the arrival, remaining length of the node", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		await m.command('AT+QICFG="showlength",1');
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from("abcdefgh"), port);
		assert.is(await m.until('"recv",0,8\r\n'), framed('+QIURC: "recv",0,8'));
		await peer.sendTo(Buffer.from("xyz"), port);
		await waitFor(() => m.emulator.stats.sockets[0]!.bytesReceived === 11, "second datagram");
		assert.is(await m.command("AT+QIRD=0,5"), `AT+QIRD=0,5\r${framed("+QIRD: 5,3")}abcde\r\n${OK}`);
		assert.is(await m.command("AT+QIRD=0,5"), `AT+QIRD=0,5\r${framed("+QIRD: 3,0")}fgh\r\n${OK}`);
		await m.command('AT+QICFG="viewmode",1');
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 3,0,xyz")}${OK}`);
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 0")}${OK}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("buffer mode, view mode 1 without showlength", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		await m.command('AT+QICFG="viewmode",1');
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from("a,b\r\nc"), port);
		await m.until('"recv",0\r\n');
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 6,a,b\r\nc")}${OK}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("hex receive format in buffer and push mode (length still counts bytes)", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		assert.is(await m.command('AT+QICFG="dataformat",0,1'), `AT+QICFG="dataformat",0,1\r${OK}`);
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from([0x00, 0xab, 0x0d]), port);
		await m.until('"recv",0\r\n');
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("+QIRD: 3")}00AB0D\r\n${OK}`);
		await m.command("AT+QISWTMD=0,1");
		await peer.sendTo(Buffer.from("hi"), port);
		assert.is(await m.until("6869\r\n"), `${framed('+QIURC: "recv",0,2')}6869\r\n`);
		await m.command('AT+QICFG="viewmode",1');
		await peer.sendTo(Buffer.from("hi"), port);
		assert.is(await m.until("6869\r\n"), framed('+QIURC: "recv",0,2,6869'));
	} finally {
		await m.close();
		await peer.close();
	}
});

test("direct push splits an arrival into URCs of at most 512 bytes", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		const port = await openUdp(m, peer, 1);
		const datagram = Buffer.alloc(1300, "z");
		await peer.sendTo(datagram, port);
		const expected = [512, 512, 276].map((n) => `${framed(`+QIURC: "recv",0,${n}`)}${"z".repeat(n)}\r\n`).join("");
		assert.is(await m.until(expected.length), expected);
		assert.is(m.emulator.stats.sockets[0]!.bytesDelivered, 1300);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("buff full: UDP datagrams that do not fit are dropped and counted; reported once", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot({ socketBufferSize: 16 });
	try {
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from("0123456789"), port);
		await m.until('"recv",0\r\n');
		await peer.sendTo(Buffer.from("ABCDEFGHIJ"), port);
		assert.is(await m.until('"buff full"\r\n'), framed('+QIURC: "recv",0,"buff full"'));
		await peer.sendTo(Buffer.from("KLMNOPQRST"), port);
		await waitFor(() => m.emulator.stats.udpDropped === 2, "second drop");
		assert.is(await m.quiet(20), "", "buff full is reported once");
		assert.is(await drain(m), "0123456789");
		await peer.sendTo(Buffer.from("after"), port);
		assert.is(await m.until('"recv",0\r\n'), framed('+QIURC: "recv",0'));
	} finally {
		await m.close();
		await peer.close();
	}
});

test("buff full: TCP pauses instead of dropping, and every byte arrives in order", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot({ socketBufferSize: 1000 });
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 0,0\r\n");
		const data = Buffer.from(Array.from({ length: 50_000 }, (_, i) => 0x41 + (i % 26)));
		(await peer.connection()).write(data);
		await m.until('"recv",0\r\n');
		await m.until('"buff full"\r\n');
		let received = "";
		while (received.length < data.length) received += await drain(m);
		assert.is(received, data.toString("latin1"));
		assert.is(m.emulator.stats.sockets[0]!.bytesDelivered, data.length);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("direct push over a paced UART: TCP reading waits for the UART, every byte arrives in order", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot({ baud: 921_600, socketBufferSize: 2048 });
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`, "+QIOPEN: 0,0\r\n");
		const data = Buffer.from(Array.from({ length: 30_000 }, (_, i) => i % 251));
		(await peer.connection()).write(data);
		let received = "";
		while (received.length < data.length) {
			const header = await m.until(/\r\n\+QIURC: "recv",0,\d+\r\n/);
			const length = Number(/,(\d+)\r\n$/.exec(header)![1]);
			assert.ok(length <= 512);
			received += (await m.until(length + 2)).slice(0, length);
		}
		assert.is(received, data.toString("latin1"));
	} finally {
		await m.close();
		await peer.close();
	}
});

test("peer close: closed URC, state Closing, data still readable, sends refused, QICLOSE frees the ID", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	m.expectViolations("socket-not-open");
	try {
		await m.command(`AT+QIOPEN=1,2,"TCP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 2,0\r\n");
		(await peer.connection()).end("bye");
		assert.is(await m.until('"closed",2\r\n'), framed('+QIURC: "recv",2') + framed('+QIURC: "closed",2'));
		assert.is(
			await m.command("AT+QISTATE?"),
			`AT+QISTATE?\r${framed(`+QISTATE: 2,"TCP","127.0.0.1",${peer.port},0,3,1,0`)}${OK}`,
		);
		assert.is(await m.command("AT+QIRD=2,512"), `AT+QIRD=2,512\r${framed("+QIRD: 3")}bye\r\n${OK}`);
		assert.is(await m.command("AT+QISEND=2,1,x"), `AT+QISEND=2,1,x\r${framed("ERROR")}`);
		assert.match(await m.command("AT+QIGETERROR"), "+QIGETERROR: 567,socket has been closed");
		assert.is(await m.command("AT+QICLOSE=2", "CLOSE OK\r\n"), `AT+QICLOSE=2\r${OK}${framed("CLOSE OK")}`);
		assert.is(await m.command("AT+QISTATE?"), `AT+QISTATE?\r${OK}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QISWTMD: buffered data is pushed after the switch; the mode shows in QISTATE", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	m.expectViolations("wrong-mode", "socket-not-open");
	try {
		const port = await openUdp(m, peer, 0);
		await peer.sendTo(Buffer.from("one"), port);
		await m.until('"recv",0\r\n');
		await peer.sendTo(Buffer.from("two"), port);
		await waitFor(() => m.emulator.stats.sockets[0]!.bytesReceived === 6, "two datagrams");
		assert.is(
			await m.command("AT+QISWTMD=0,1", "two\r\n"),
			`AT+QISWTMD=0,1\r${OK}${framed('+QIURC: "recv",0,3')}one\r\n${framed('+QIURC: "recv",0,3')}two\r\n`,
		);
		assert.match(await m.command("AT+QISTATE=1,0"), /,2,1,1\r\n/);
		assert.is(await m.command("AT+QIRD=0,512"), `AT+QIRD=0,512\r${framed("ERROR")}`, "no QIRD in push mode");
		assert.is(await m.command("AT+QISWTMD=0,0"), `AT+QISWTMD=0,0\r${OK}`);
		await peer.sendTo(Buffer.from("three"), port);
		assert.is(await m.until('"recv",0\r\n'), framed('+QIURC: "recv",0'));
		assert.is(await m.command("AT+QISWTMD?"), `AT+QISWTMD?\r${OK}`);
		assert.is(await m.command("AT+QISWTMD=?"), `AT+QISWTMD=?\r${framed("+QISWTMD: (0-4),(0-1)")}${OK}`);
		assert.is(await m.command("AT+QISWTMD=3,1"), `AT+QISWTMD=3,1\r${framed("ERROR")}`, "no socket on ID 3");
	} finally {
		await m.close();
		await peer.close();
	}
});

test("binary payloads arrive byte-exact in buffer mode (view modes 0 and 1) and push mode (view modes 0 and 1)", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		const port = await openUdp(m, peer, 0);
		const payload = TRICKY.toString("latin1");
		const n = TRICKY.length;

		await peer.sendTo(TRICKY, port);
		await m.until('"recv",0\r\n');
		const readVm0 = `AT+QIRD=0,512\r${framed(`+QIRD: ${n}`)}${payload}\r\n${OK}`;
		m.sendLine("AT+QIRD=0,512");
		assert.is(await m.until(readVm0.length), readVm0);

		await m.command('AT+QICFG="viewmode",1');
		await peer.sendTo(TRICKY, port);
		await m.until('"recv",0\r\n');
		const readVm1 = `AT+QIRD=0,512\r${framed(`+QIRD: ${n},${payload}`)}${OK}`;
		m.sendLine("AT+QIRD=0,512");
		assert.is(await m.until(readVm1.length), readVm1);

		await m.command("AT+QISWTMD=0,1");
		await peer.sendTo(TRICKY, port);
		const pushVm1 = framed(`+QIURC: "recv",0,${n},${payload}`);
		assert.is(await m.until(pushVm1.length), pushVm1);

		await m.command('AT+QICFG="viewmode",0');
		await peer.sendTo(TRICKY, port);
		const pushVm0 = `${framed(`+QIURC: "recv",0,${n}`)}${payload}\r\n`;
		assert.is(await m.until(pushVm0.length), pushVm0);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("binary payloads leave byte-exact: QISENDEX for any byte, QISEND for text with quotes and commas", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 0,0\r\n");
		const chunk = TRICKY.subarray(0, 300);
		await m.command(`AT+QISENDEX=0,${chunk.length},${chunk.toString("hex")}`, "SEND OK\r\n");
		await m.command('AT+QISEND=0,7,a"b,c"d', "SEND OK\r\n");
		await m.command('AT+QISEND=0,2,"OK"', "SEND OK\r\n");
		const expected = Buffer.concat([chunk, Buffer.from('a"b,c"dOK')]);
		assert.ok((await peer.receivedAtLeast(expected.length)).equals(expected));
	} finally {
		await m.close();
		await peer.close();
	}
});

test.run();
