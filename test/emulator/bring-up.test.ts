/**
 * Boot output, the UART (echo, terminators, line length, chunking, pacing)
 * and the bring-up commands.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { FAST, framed, ModuleHarness, checkViolationsAfterEach } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");
const ERROR = framed("ERROR");

test("boot: boot-ROM noise, RDY, +CFUN, +CPIN, then +IP once attached; input before RDY is ignored", async () => {
	const m = new ModuleHarness({ bootGarbage: true, bootDelayMs: 20, ownAddress: "127.0.0.2" });
	m.emulator.start();
	m.sendLine("AT");
	const boot = await m.until("+IP: 127.0.0.2\r\n");
	try {
		const rdy = boot.indexOf("\r\nRDY\r\n");
		assert.ok(rdy > 0, "noise comes first");
		const noise = Buffer.from(boot.slice(0, rdy), "latin1");
		assert.ok(noise.includes(0x00) && noise.includes(0xff));
		assert.is(boot.slice(rdy), framed("RDY", "+CFUN: 1", "+CPIN: READY", "+IP: 127.0.0.2"));
		assert.is(m.emulator.stats.bytesIgnored, 3);
		assert.equal(m.emulator.commands, []);
	} finally {
		await m.close();
	}
});

test("echo reflects the bytes received; ATE0/ATE1 switch it", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		assert.is(await m.command("AT"), `AT\r${OK}`);
		assert.is(await m.command("ATE0"), `ATE0\r${OK}`);
		assert.is(await m.command("AT"), OK);
		assert.is(await m.command("ATE1"), OK);
		assert.is(await m.command("AT"), `AT\r${OK}`);
		assert.is(await m.command("ATE2"), `ATE2\r${ERROR}`);
	} finally {
		await m.close();
	}
	const quiet = await ModuleHarness.boot({ echo: false });
	try {
		assert.is(await quiet.command("AT"), OK);
	} finally {
		await quiet.close();
	}
});

test("command lines: CR, CRLF or LF; case-insensitive AT; several per write; byte by byte; empty lines ignored", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("overlap");
	const events: string[] = [];
	m.emulator.on("command", (line) => events.push(line));
	try {
		m.send("at\r\nAt+cgmr\n\r\r");
		assert.is(
			await m.until(/Revision[^\r]*\r\n\r\nOK\r\n/),
			`at\r\n${OK}At+cgmr\n${framed("Revision: BC20JAR01A04")}${OK}`,
		);
		for (const byte of Buffer.from("AT+CPIN?\r")) m.send(Buffer.from([byte]));
		assert.is(await m.until(/OK\r\n/), `\r\rAT+CPIN?\r${framed("+CPIN: READY")}${OK}`);
		assert.equal(m.emulator.commands, ["at", "At+cgmr", "AT+CPIN?"]);
		assert.equal(events, m.emulator.commands);
	} finally {
		await m.close();
	}
});

test("unknown commands, non-AT lines and overlong lines get ERROR; overlong lines are not recorded", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed", "unknown-command");
	try {
		for (const line of ["AT+NOPE", "ATX9", "hello", "AT+CFUN?x", "AT+QIOPEN"]) {
			assert.is(await m.command(line), `${line}\r${ERROR}`, line);
		}
		const long = `AT+QISEND=0,1100,${"x".repeat(1100)}`;
		assert.is(await m.command(long), `${long}\r${ERROR}`);
		assert.not.ok(m.emulator.commands.includes(long));
		assert.is(await m.command("AT"), `AT\r${OK}`, "the line after an overlong one is read normally");
	} finally {
		await m.close();
	}
});

test("bring-up commands and their forms", async () => {
	const m = await ModuleHarness.boot(
		{ attachDelayMs: 200, identity: { imei: "867724030000005", imsi: "460001234567890" } },
		false,
	);
	m.expectViolations("malformed");
	try {
		assert.is(await m.command("AT+CEREG?"), `AT+CEREG?\r${framed("+CEREG: 0,2")}${OK}`, "searching");
		assert.is(await m.command("AT+CGATT?"), `AT+CGATT?\r${framed("+CGATT: 0")}${OK}`);
		assert.is(await m.command("AT+CGPADDR=1"), `AT+CGPADDR=1\r${OK}`, "no address yet");
		await m.until("+IP: 127.0.0.1\r\n");
		const expectations: [string, string[]][] = [
			["ATI", ["Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A04"]],
			["AT+CGMR", ["Revision: BC20JAR01A04"]],
			["AT+CGSN=1", ["+CGSN: 867724030000005"]],
			["AT+CGSN=?", ["+CGSN: (0-3)"]],
			["AT+CFUN?", ["+CFUN: 1"]],
			["AT+CIMI", ["460001234567890"]],
			["AT+CPIN?", ["+CPIN: READY"]],
			["AT+CEREG?", ["+CEREG: 0,1"]],
			["AT+CEREG=?", ["+CEREG: (0-5)"]],
			["AT+CGATT?", ["+CGATT: 1"]],
			["AT+CGPADDR=1", ["+CGPADDR: 1,127.0.0.1"]],
			["AT+CGPADDR", ["+CGPADDR: 1,127.0.0.1"]],
			["AT+QSCLK?", ["+QSCLK: 1"]],
			["AT+QSCLK=0", []],
			["AT+QSCLK?", ["+QSCLK: 0"]],
			["AT+QSCLK=?", ["+QSCLK: (0-2)"]],
			["AT+CPSMS?", ['+CPSMS: 0,,,"00111000","00100010"']],
			['AT+CPSMS=1,,,"00000100","00000001"', []],
			["AT+CPSMS?", ['+CPSMS: 1,,,"00000100","00000001"']],
			["AT+QATWAKEUP=1", []],
			["AT+QATWAKEUP?", ["+QATWAKEUP: 1"]],
			["AT+QNBIOTEVENT=1,1", []],
			["AT+QNBIOTEVENT?", ["+QNBIOTEVENT: 1,1"]],
			["AT+CEREG=2", []],
			["AT+CEREG?", ['+CEREG: 2,1,"1A2D","0CE1B3F5",9']],
		];
		for (const [command, lines] of expectations) {
			assert.is(await m.command(command), `${command}\r${framed(...lines)}${OK}`, command);
		}
		for (const command of [
			"AT+QSCLK=3",
			"AT+CFUN=2",
			"AT+CEREG=6",
			'AT+CPSMS=1,,,"12"',
			"AT+QATWAKEUP=2",
			"AT+QRST=0",
			"AT+CGPADDR=2",
		]) {
			assert.is(await m.command(command), `${command}\r${ERROR}`, command);
		}
	} finally {
		await m.close();
	}
});

test("CFUN=0 drops registration (+CEREG URC) and TCP/IP; CFUN=1 searches and attaches again", async () => {
	const m = await ModuleHarness.boot();
	try {
		await m.command("AT+CEREG=1");
		assert.is(await m.command("AT+CFUN=0"), `AT+CFUN=0\r${framed("+CEREG: 0")}${OK}`);
		assert.is(await m.command("AT+CIMI"), `AT+CIMI\r${ERROR}`);
		assert.is(await m.command("AT+CGATT?"), `AT+CGATT?\r${framed("+CGATT: 0")}${OK}`);
		assert.is(await m.command('AT+QIDNSGIP=1,"localhost"'), `AT+QIDNSGIP=1,"localhost"\r${ERROR}`);
		assert.is(
			await m.command("AT+CFUN=1", "+IP: 127.0.0.1\r\n"),
			`AT+CFUN=1\r${framed("+CEREG: 2")}${OK}${framed("+CEREG: 1", "+IP: 127.0.0.1")}`,
		);
		assert.is(await m.command("AT+CGATT=0"), `AT+CGATT=0\r${framed("+CEREG: 0")}${OK}`);
		assert.is(
			await m.command("AT+CGATT=1", "+IP: 127.0.0.1\r\n"),
			`AT+CGATT=1\r${framed("+CEREG: 2")}${OK}${framed("+CEREG: 1", "+IP: 127.0.0.1")}`,
		);
	} finally {
		await m.close();
	}
});

test("AT+QRST=1 answers OK, then reboots (echo back on, boot output again)", async () => {
	const m = await ModuleHarness.boot();
	try {
		await m.command("ATE0");
		assert.is(
			await m.command("AT+QRST=1", "+IP: 127.0.0.1\r\n"),
			`${OK}${framed("RDY", "+CFUN: 1", "+CPIN: READY", "+IP: 127.0.0.1")}`,
		);
		assert.is(await m.command("AT"), `AT\r${OK}`);
		assert.is(m.emulator.stats.reboots, 1);
	} finally {
		await m.close();
	}
});

test("chunkSize 1 delivers output one byte per 'data' event", async () => {
	const emulator = new BC20Emulator({ ...FAST, chunkSize: 1 });
	const sizes: number[] = [];
	let text = "";
	emulator.on("data", (chunk) => {
		sizes.push(chunk.length);
		text += chunk.toString("latin1");
	});
	emulator.start();
	while (!text.includes("+IP:")) await new Promise((resolve) => setTimeout(resolve, 5));
	await emulator.close();
	assert.ok(sizes.length > 20);
	assert.ok(sizes.every((size) => size === 1));
});

test("baud pacing: output takes the line's time (10 bits per byte)", async () => {
	const m = await ModuleHarness.boot({ baud: 9600 });
	try {
		const started = performance.now();
		const answer = await m.command("ATI");
		const elapsed = performance.now() - started;
		const lineTime = (answer.length * 10 * 1000) / 9600;
		assert.ok(elapsed >= lineTime * 0.9, `${elapsed} ms for ${answer.length} bytes (line time ${lineTime} ms)`);
		assert.ok(elapsed < lineTime * 3 + 50, `${elapsed} ms is far slower than the line`);
	} finally {
		await m.close();
	}
});

test.run();
