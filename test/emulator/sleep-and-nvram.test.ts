/** Sleep (AT+QSCLK, wake by UART or PSM_EINT) and NVRAM persistence. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UdpPeer, waitFor } from "../support/loopback-servers.js";
import { framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");
const ERROR = framed("ERROR");

test("QSCLK=2: light sleep after the idle time; the first byte only wakes the UART", async () => {
	const m = await ModuleHarness.boot({ sleepAfterMs: 40 });
	m.expectViolations("malformed");
	try {
		await m.command("AT+QATWAKEUP=1");
		await m.command("AT+QSCLK=2");
		await waitFor(() => m.emulator.sleep === "light", "light sleep");
		m.sendLine("AT");
		// "A" is lost: the module reads "T", which is no command.
		assert.is(await m.until(ERROR), `${framed("+QATWAKEUP")}T\r${ERROR}`);
		assert.is(m.emulator.sleep, "awake");
		assert.is(await m.command("AT"), `AT\r${OK}`);
	} finally {
		await m.close();
	}
});

test("QSCLK=1 without PSM (AT+CPSMS=0): only light sleep, which the UART wakes", async () => {
	const m = await ModuleHarness.boot({ sleepAfterMs: 20 });
	m.expectViolations("malformed");
	try {
		await m.command("AT+QSCLK=1");
		await waitFor(() => m.emulator.sleep === "light", "light sleep");
		m.sendLine("AT"); // its first byte only wakes the UART
		assert.is(await m.until("ERROR\r\n"), "T\r\r\nERROR\r\n");
	} finally {
		await m.close();
	}
});

test("QSCLK=1 with PSM: deep sleep ignores the UART, and a datagram sent to it meanwhile is lost, until wakeByPin()", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot({ sleepAfterMs: 40 });
	m.expectViolations("deaf-uart");
	try {
		await m.command('AT+CPSMS=1,,,"00100001","00000000"');
		await m.command("AT+QATWAKEUP=1");
		await m.command("AT+QNBIOTEVENT=1,1");
		await m.command(`AT+QIOPEN=1,0,"UDP","127.0.0.1",${peer.port},0,0`, "+QIOPEN: 0,0\r\n");
		await m.command("AT+QISEND=0,1,x", "SEND OK\r\n");
		await waitFor(() => peer.datagrams.length === 1, "datagram");
		await waitFor(() => m.emulator.sleep === "deep", "deep sleep");
		assert.is(await m.until('"ENTER PSM"\r\n'), framed('+QNBIOTEVENT: "ENTER PSM"'));
		m.sendLine("AT");
		await peer.sendTo(Buffer.from("wake"), peer.datagrams[0]!.from.port);
		assert.is(await m.quiet(40), "", "nothing while in deep sleep");
		await waitFor(() => m.emulator.stats.psmLostBytes === 4, "the datagram to reach the sleeping module's address");
		m.emulator.wakeByPin();
		assert.is(await m.until('"EXIT PSM"\r\n'), framed("+QATWAKEUP", '+QNBIOTEVENT: "EXIT PSM"'));
		assert.is(await m.command("AT"), `AT\r${OK}`);
		assert.not.match(m.output, /recv/, "the datagram is not delivered on waking");
		assert.ok(m.emulator.stats.bytesIgnored >= 3);
	} finally {
		await m.close();
		await peer.close();
	}
});

test("QSCLK=0: the module never sleeps", async () => {
	const m = await ModuleHarness.boot({ sleepAfterMs: 20 });
	try {
		await m.command("AT+QSCLK=0");
		await new Promise((resolve) => setTimeout(resolve, 60));
		assert.is(m.emulator.sleep, "awake");
		assert.is(await m.command("AT"), `AT\r${OK}`);
	} finally {
		await m.close();
	}
});

test("NVRAM: QICFG and QISWTMD settings survive a reboot; without a file a new emulator starts fresh", async () => {
	const peer = await UdpPeer.start(false);
	const m = await ModuleHarness.boot();
	try {
		await m.command('AT+QICFG="dataformat",0,1');
		await m.command('AT+QICFG="showlength",1');
		await m.command(`AT+QIOPEN=1,2,"UDP","127.0.0.1",${peer.port}`, "+QIOPEN: 2,0\r\n");
		await m.command("AT+QISWTMD=2,1");
		m.emulator.reboot();
		await m.until("+IP: 127.0.0.1\r\n");
		assert.match(await m.command('AT+QICFG="dataformat"'), '+QICFG: "dataformat",0,1');
		assert.match(await m.command('AT+QICFG="showlength"'), '+QICFG: "showlength",1');
		// ID 2 opens in the access mode QISWTMD saved.
		await m.command(`AT+QIOPEN=1,2,"UDP","127.0.0.1",${peer.port}`, "+QIOPEN: 2,0\r\n");
		assert.match(await m.command("AT+QISTATE=1,2"), /,2,1,1\r\n/);
	} finally {
		await m.close();
		await peer.close();
	}
	const fresh = await ModuleHarness.boot();
	try {
		assert.match(await fresh.command('AT+QICFG="dataformat"'), '+QICFG: "dataformat",0,0');
	} finally {
		await fresh.close();
	}
});

test("NVRAM file: settings survive a new emulator; a damaged file means factory defaults", async () => {
	const directory = mkdtempSync(join(tmpdir(), "bc20-nvram-"));
	const nvramPath = join(directory, "nvram.json");
	try {
		const first = await ModuleHarness.boot({ nvramPath });
		await first.command('AT+QICFG="viewmode",1');
		await first.close();
		assert.is(JSON.parse(readFileSync(nvramPath, "utf8")).viewMode, 1);

		const second = await ModuleHarness.boot({ nvramPath });
		try {
			assert.match(await second.command('AT+QICFG="viewmode"'), '+QICFG: "viewmode",1');
		} finally {
			await second.close();
		}

		const { writeFileSync } = await import("node:fs");
		writeFileSync(nvramPath, "{ not json");
		const third = await ModuleHarness.boot({ nvramPath });
		try {
			assert.match(await third.command('AT+QICFG="viewmode"'), '+QICFG: "viewmode",0');
		} finally {
			await third.close();
		}
	} finally {
		rmSync(directory, { recursive: true, force: true });
	}
});

test.run();
