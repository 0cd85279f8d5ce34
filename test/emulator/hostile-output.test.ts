/**
 * Seedable hostile output: 1-3-byte writes (trickle), URCs between the lines
 * of a response (interleaveUrcs: real events only), and a chosen line damaged
 * (faults.damageLines, RDY among them).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { TcpPeer } from "../support/loopback-servers.js";
import { checkViolationsAfterEach, FAST, framed, ModuleHarness } from "./module-harness.js";

checkViolationsAfterEach(test);

async function chunkSizes(seed: number): Promise<{ sizes: number[]; text: string }> {
	const m = new ModuleHarness({ trickle: true, seed });
	const sizes: number[] = [];
	m.emulator.on("data", (chunk) => sizes.push(chunk.length));
	try {
		m.emulator.start();
		await m.until(/\+IP: [^\r]*\r\n/);
		await m.command("ATI");
		return { sizes, text: m.output };
	} finally {
		await m.close();
	}
}

test("trickle: every write is 1-3 bytes, sizes reproducible for a seed, the bytes unchanged", async () => {
	const a = await chunkSizes(7);
	const b = await chunkSizes(7);
	const c = await chunkSizes(8);
	assert.ok(
		a.sizes.every((n) => n >= 1 && n <= 3),
		JSON.stringify(a.sizes),
	);
	assert.equal(
		[1, 2, 3].map((n) => a.sizes.includes(n)),
		[true, true, true],
	);
	assert.equal(a.sizes, b.sizes);
	assert.not.equal(a.sizes, c.sizes);
	assert.is(a.text, c.text);
	assert.ok(a.text.endsWith(framed("Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A04", "OK")));
});

test("interleaveUrcs: with +CEREG reports on, a response may carry a re-report of the current registration between its lines", async () => {
	const m = await ModuleHarness.boot({ interleaveUrcs: 1 });
	try {
		await m.command("AT+CEREG=1");
		const answer = await m.command("ATI");
		const urc = answer.indexOf(framed("+CEREG: 1"));
		assert.ok(urc > answer.indexOf("Quectel_Ltd") && urc < answer.indexOf("\r\nOK\r\n"), JSON.stringify(answer));
		assert.is(
			answer.replace(framed("+CEREG: 1"), ""),
			"ATI\r" + framed("Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A04", "OK"),
		);
		assert.ok(m.emulator.stats.urcsInterleaved >= 1);
		await m.command("AT+CEREG=0");
		const quiet = await m.command("ATI");
		assert.not.match(quiet, /CEREG/, "reports off: nothing to re-report");
	} finally {
		await m.close();
	}
});

test("interleaveUrcs: data pushed while a command is answered goes between that response's lines, intact and in order", async () => {
	const peer = await TcpPeer.start(false);
	const m = await ModuleHarness.boot({ interleaveUrcs: 1 });
	try {
		await m.command(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,1`);
		await m.until("+QIOPEN: 0,0\r\n");
		(await peer.connection()).write("hello");
		while (m.emulator.stats.sockets[0]!.bytesReceived < 5) await new Promise((resolve) => setImmediate(resolve));
		const answer = await m.command("AT+CGMR");
		// View mode 0: the header, CR LF, the data, CR LF.
		assert.is(
			answer,
			"AT+CGMR\r" + framed("Revision: BC20JAR01A04") + '\r\n+QIURC: "recv",0,5\r\nhello\r\n' + framed("OK"),
		);
	} finally {
		await m.close();
		await peer.close();
	}
});

function bootOutput(
	options: ConstructorParameters<typeof BC20Emulator>[0],
): Promise<{ text: string; emulator: BC20Emulator }> {
	const emulator = new BC20Emulator({ ...FAST, ...options });
	let text = "";
	emulator.on("data", (chunk) => (text += chunk.toString("latin1")));
	emulator.start();
	return new Promise((resolve) => {
		const check = setInterval(() => {
			if (!text.includes("+CPIN: READY\r\n")) return;
			clearInterval(check);
			resolve({ text, emulator });
		}, 2);
	});
}

test("damageLines: the chosen line (RDY) is damaged, one byte, the same way for a seed; the others are intact", async () => {
	const a = await bootOutput({ seed: 3, faults: { damageLines: [{ prefix: "RDY" }] } });
	const b = await bootOutput({ seed: 3, faults: { damageLines: [{ prefix: "RDY" }] } });
	const dropped = await bootOutput({ seed: 3, faults: { damageLines: [{ prefix: "RDY", drop: true }] } });
	try {
		assert.not.ok(a.text.includes("\r\nRDY\r\n"), JSON.stringify(a.text));
		assert.is(a.text, b.text);
		assert.ok(a.text.endsWith(framed("+CFUN: 1", "+CPIN: READY")));
		assert.is(a.text.length, framed("RDY", "+CFUN: 1", "+CPIN: READY").length);
		assert.is(dropped.text.length, framed("RDY", "+CFUN: 1", "+CPIN: READY").length - 1);
		assert.is(a.emulator.stats.linesDamaged, 1);
	} finally {
		await Promise.all([a.emulator.close(), b.emulator.close(), dropped.emulator.close()]);
	}
});

test("damageLines with an occurrence: the second RDY (after a reboot) is damaged, the first is not; OK lines can be chosen too", async () => {
	const m = await ModuleHarness.boot({
		faults: {
			damageLines: [
				{ prefix: "RDY", occurrence: 2 },
				{ prefix: "OK", occurrence: 2 },
			],
		},
	});
	try {
		assert.ok(m.output.includes("\r\nRDY\r\n"));
		assert.is(await m.command("AT"), "AT\r" + framed("OK"));
		const damaged = await m.command("AT", /\r\n[^\r]*\r\n$/);
		assert.ok(damaged.startsWith("AT\r\r\n") && !damaged.includes("OK"), JSON.stringify(damaged));
		m.emulator.reboot();
		const reboot = await m.until("+CPIN: READY\r\n");
		assert.not.ok(reboot.includes("\r\nRDY\r\n"), JSON.stringify(reboot));
		assert.is(m.emulator.stats.linesDamaged, 2);
	} finally {
		await m.close();
	}
});

test.run();
