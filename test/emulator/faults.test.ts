/** Each fault the emulator can inject, as the host sees it. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator, type BC20EmulatorOptions } from "../../host-sim/emulator/bc20-emulator.js";
import { TcpPeer, waitFor } from "../support/loopback-servers.js";
import { FAST, framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");
const BOOT = framed("RDY", "+CFUN: 1", "+CPIN: READY");

/** Runs a fixed script of commands and returns all output, once the module has gone quiet. */
async function scriptedOutput(options: BC20EmulatorOptions): Promise<{ output: Buffer; emulator: BC20Emulator }> {
	// No attach during the script, so every run produces the same bytes in the same order.
	const emulator = new BC20Emulator({ ...FAST, attachDelayMs: 60_000, ...options });
	const chunks: Buffer[] = [];
	emulator.on("data", (chunk) => chunks.push(chunk));
	emulator.start();
	await waitFor(() => emulator.ready, "RDY");
	for (let i = 0; i < 20; i++) emulator.write(Buffer.from("ATI\r"));
	let seen = -1;
	while (seen !== emulator.stats.bytesOut + emulator.stats.bytesDropped) {
		seen = emulator.stats.bytesOut + emulator.stats.bytesDropped;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	await emulator.close();
	return { output: Buffer.concat(chunks), emulator };
}

test("dropRate and corruptRate damage output bytes, reproducibly for a seed", async () => {
	const clean = await scriptedOutput({});
	const dropped = await scriptedOutput({ faults: { dropRate: 0.05 }, seed: 7 });
	const droppedAgain = await scriptedOutput({ faults: { dropRate: 0.05 }, seed: 7 });
	const corrupted = await scriptedOutput({ faults: { corruptRate: 0.05 }, seed: 7 });
	assert.ok(dropped.emulator.stats.bytesDropped > 0);
	assert.is(dropped.output.length, clean.output.length - dropped.emulator.stats.bytesDropped);
	assert.ok(dropped.output.equals(droppedAgain.output), "same seed, same damage");
	assert.is(corrupted.output.length, clean.output.length);
	let differing = 0;
	for (let i = 0; i < clean.output.length; i++) if (clean.output[i] !== corrupted.output[i]) differing++;
	assert.ok(differing > 0);
	assert.is(differing, corrupted.emulator.stats.bytesCorrupted);
});

test("reboot(): sockets vanish without URCs, boot output again, settings from NVRAM", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot();
	try {
		await m.command('AT+QICFG="viewmode",1');
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
		const server = await peer.connection();
		const serverClosed = new Promise((resolve) => server.once("close", resolve));
		m.emulator.reboot();
		assert.is(await m.until("+IP: 127.0.0.1\r\n"), `${BOOT}${framed("+IP: 127.0.0.1")}`);
		await serverClosed;
		assert.is(await m.command("AT+QISTATE?"), `AT+QISTATE?\r${OK}`);
		assert.match(await m.command('AT+QICFG="viewmode"'), '+QICFG: "viewmode",1');
		assert.is(m.emulator.stats.reboots, 1);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("rebootAfterCommands: the module reboots right after answering the Nth command line", async () => {
	const m = await ModuleHarness.boot({ faults: { rebootAfterCommands: 2 } });
	try {
		assert.is(await m.command("AT"), `AT\r${OK}`);
		m.sendLine("AT+CGMR");
		m.sendLine("AT");
		assert.is(await m.until("+CPIN: READY\r\n"), `AT+CGMR\r${framed("Revision: BC20JAR01A04")}${OK}${BOOT}`);
		assert.equal(m.emulator.commands, ["AT", "AT+CGMR"], "input after the reboot point was never read");
	} finally {
		await m.close();
	}
});

test("rebootAfterCommand with cutResponseAfter: a reboot in the middle of a response", async () => {
	const m = await ModuleHarness.boot();
	try {
		m.emulator.rebootAfterCommand("ATI", { cutResponseAfter: 20 });
		const full = `${framed("Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A04")}${OK}`;
		assert.is(await m.command("ATI", "+CPIN: READY\r\n"), `ATI\r${full.slice(0, 20)}${BOOT}`);
		m.emulator.rebootAfterCommand("AT+CGMR");
		assert.is(
			await m.command("AT+CGMR", "+CPIN: READY\r\n"),
			`AT+CGMR\r${framed("Revision: BC20JAR01A04")}${OK}${BOOT}`,
		);
	} finally {
		await m.close();
	}
});

test("withhold: the matching command is read but never answered; the next one is", async () => {
	const m = await ModuleHarness.boot();
	try {
		m.emulator.withhold("AT+CGMR");
		m.sendLine("AT+CGMR");
		assert.is(await m.quiet(50), "AT+CGMR\r");
		assert.is(
			await m.command("AT+CGMR"),
			`AT+CGMR\r${framed("Revision: BC20JAR01A04")}${OK}`,
			"only the next one is withheld",
		);
		assert.equal(m.emulator.commands, ["AT+CGMR", "AT+CGMR"]);
	} finally {
		await m.close();
	}
});

test("delay: the matching command is answered late; input behind it waits", async () => {
	const m = await ModuleHarness.boot();
	try {
		m.emulator.delay("AT+CPIN", 80);
		const started = performance.now();
		m.send("AT+CPIN?\rAT\r");
		assert.is(await m.until(/OK\r\n[^]*OK\r\n/), `AT+CPIN?\r${framed("+CPIN: READY")}${OK}AT\r${OK}`);
		assert.ok(performance.now() - started >= 75);
	} finally {
		await m.close();
	}
});

test("injectUrcBetweenLines: after the first information line, or before the final result", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot();
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
		await m.command(`AT+QIOPEN=1,1,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 1,0\r\n");
		m.emulator.injectUrcBetweenLines("+CEREG: 1");
		const answer = await m.command("AT+QISTATE?");
		assert.match(
			answer,
			/^AT\+QISTATE\?\r\r\n\+QISTATE: 0,[^\r]*\r\n\r\n\+CEREG: 1\r\n\r\n\+QISTATE: 1,[^\r]*\r\n\r\nOK\r\n$/,
		);
		m.emulator.injectUrcBetweenLines('+QIURC: "recv",3');
		assert.is(await m.command("AT"), `AT\r${framed('+QIURC: "recv",3')}${OK}`);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("failNextSend: OK then SEND FAIL, nothing sent; the following send works", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
		m.emulator.failNextSend();
		assert.is(
			await m.command("AT+QISEND=0,3,abc", /SEND (OK|FAIL)\r\n/),
			`AT+QISEND=0,3,abc\r${OK}${framed("SEND FAIL")}`,
		);
		assert.is(
			await m.command("AT+QISENDEX=0,1,41", /SEND (OK|FAIL)\r\n/),
			`AT+QISENDEX=0,1,41\r${OK}${framed("SEND OK")}`,
		);
		assert.is((await peer.receivedAtLeast(1)).toString(), "A");
		assert.is(m.emulator.stats.sockets[0]!.sendFail, 1);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("pdpDeact: sockets to Closing, pdpdeact URC, 570 until re-attached", async () => {
	const peer = await TcpPeer.start();
	const m = await ModuleHarness.boot({ attachDelayMs: 60 });
	try {
		await m.command("AT+CEREG=1");
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
		m.emulator.pdpDeact();
		assert.is(await m.until("+CEREG: 2\r\n"), framed('+QIURC: "pdpdeact",1', "+CEREG: 2"));
		assert.match(await m.command("AT+QISTATE=1,0"), `,${peer.port},0,3,1,0`);
		assert.is(await m.command("AT+CGATT?"), `AT+CGATT?\r${framed("+CGATT: 0")}${OK}`);
		await m.command('AT+QIOPEN=1,1,"TCP","127.0.0.1",80');
		assert.match(await m.command("AT+QIGETERROR"), "+QIGETERROR: 570,PDP context broken down");
		assert.is(await m.until("+IP: 127.0.0.1\r\n"), framed("+CEREG: 1", "+IP: 127.0.0.1"));
		await m.command("AT+QICLOSE=0", "CLOSE OK\r\n");
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port}`, "+QIOPEN: 0,0\r\n");
	} finally {
		await m.close();
		await peer.close();
	}
});

test("injectUrc emits an arbitrary line now", async () => {
	const m = await ModuleHarness.boot();
	try {
		m.emulator.injectUrc('+QIURC: "closed",4');
		assert.is(await m.until("4\r\n"), framed('+QIURC: "closed",4'));
	} finally {
		await m.close();
	}
});

test.run();
