/**
 * PSM as the network does it: a module in PSM is unreachable. A TCP peer's
 * data gets through only at its retransmission after the module woke; a flow
 * idle longer than the NAT timeout is gone, and the module learns it at its
 * next send (SEND OK, then "closed": the reset that send drew).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TcpPeer, waitFor } from "../support/loopback-servers.js";
import { checkViolationsAfterEach, framed, ModuleHarness } from "./module-harness.js";

checkViolationsAfterEach(test);

/** A module with a TCP connection in direct push mode to `peer`, PSM allowed, asleep after 40 ms idle. */
async function connectedThenAsleep(peer: TcpPeer, natTimeoutMs: number): Promise<ModuleHarness> {
	const m = await ModuleHarness.boot({ sleepAfterMs: 40, natTimeoutMs });
	await m.command('AT+CPSMS=1,,,"00100001","00000000"');
	await m.command("AT+QNBIOTEVENT=1,1");
	await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`, "+QIOPEN: 0,0\r\n");
	await m.until('"ENTER PSM"\r\n');
	return m;
}

test("TCP: what the peer sends during PSM is not delivered on waking, but at the peer's retransmission after it", async () => {
	const peer = await TcpPeer.start(false);
	const m = await connectedThenAsleep(peer, 60_000);
	try {
		(await peer.connection()).write("during sleep");
		await new Promise((resolve) => setTimeout(resolve, 100));
		assert.is(m.unread, "", "nothing reaches a module in PSM");
		m.emulator.wakeByPin();
		assert.is(await m.until('"EXIT PSM"\r\n'), framed('+QNBIOTEVENT: "EXIT PSM"'));
		// Keep it awake (a module back in PSM would miss the retransmission too); the data has not come with the wake-up.
		assert.is(await m.command("AT+QSCLK=0"), "AT+QSCLK=0\r" + framed("OK"));
		assert.not.match(m.output, /during sleep/);
		assert.is(await m.until("during sleep\r\n", 5000), '\r\n+QIURC: "recv",0,12\r\nduring sleep\r\n');
		await m.command("AT+QISEND=0,2,ok", "SEND OK\r\n");
		assert.is(
			(await peer.receivedAtLeast(2)).toString(),
			"ok",
			"the connection survived a sleep shorter than the NAT timeout",
		);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("TCP idle across a sleep longer than the NAT timeout: the next send gets SEND OK, is lost, and the connection is reported closed", async () => {
	const peer = await TcpPeer.start(false);
	const m = await connectedThenAsleep(peer, 150);
	try {
		const server = await peer.connection();
		const reset = new Promise<string>((resolve) =>
			server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "")).once("close", () => resolve("closed")),
		);
		await new Promise((resolve) => setTimeout(resolve, 250));
		m.emulator.wakeByPin();
		await m.until('"EXIT PSM"\r\n');
		assert.is(
			await m.command("AT+QISEND=0,5,hello", '"closed",0\r\n'),
			"AT+QISEND=0,5,hello\r" + framed("OK", "SEND OK", '+QIURC: "closed",0'),
		);
		assert.is(await reset, "ECONNRESET", "the server learns it from a reset");
		assert.is(peer.received.length, 0, "the bytes never reached the server");
		assert.is(m.emulator.stats.natExpired, 1);
		assert.is(m.emulator.stats.natDroppedBytes, 5);
		const state = await m.command("AT+QISTATE=1,0");
		assert.match(state, /\+QISTATE: 0,"TCP","127\.0\.0\.1",\d+,0,3,1,1/, "Closing until AT+QICLOSE");
		await m.command("AT+QICLOSE=0", "CLOSE OK\r\n");
	} finally {
		await m.close();
		await peer.close();
	}
});

test("the NAT timeout also ends a connection left idle while awake; traffic within it keeps the binding", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot({ natTimeoutMs: 200 });
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`, "+QIOPEN: 0,0\r\n");
		for (const piece of ["a", "b", "c"]) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			await m.command(`AT+QISEND=0,1,${piece}`, "SEND OK\r\n");
		}
		await waitFor(() => peer.received.toString() === "abc", "the three bytes");
		await new Promise((resolve) => setTimeout(resolve, 300));
		assert.match(await m.command("AT+QISEND=0,1,d", '"closed",0\r\n'), /SEND OK[\s\S]*"closed",0/);
		assert.is(peer.received.toString(), "abc");
	} finally {
		await m.close();
		await peer.close();
	}
});

test.run();
