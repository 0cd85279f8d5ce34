// The emulated module's fault options on the bc20 command line, each shown to
// have its documented effect end to end: through `bc20 sim --listen` (a
// driver or a raw TCP client on the other side) or `--port sim`.
import { connect, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";
import { assertSimSawNoViolations, stopSim } from "../support/emulator-violations.js";
import { tcpEcho } from "../support/loopback-servers.js";

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

async function bc20(args: string[], input?: Uint8Array, timeoutMs = 10000): Promise<Run> {
	const run = await runCli(args, input, timeoutMs);
	return { code: run.code, stdout: run.stdout.toString("latin1"), stderr: run.stderr };
}

// Runs `work` against `bc20 sim`; then, unless the run is known to break the
// protocol (`strict` false), asserts the module recorded no violation.
async function withSim(extra: string[], work: (port: number) => Promise<void>, strict = true): Promise<void> {
	const sim = await simServer(extra);
	let report: Promise<string>;
	try {
		await work(sim.port);
	} finally {
		report = stopSim(sim.child);
	}
	if (strict) assertSimSawNoViolations(await report);
}

// A raw TCP client on the emulated UART: what the module sends, as latin1 text.
interface Uart {
	send(text: string): void;
	received(): string;
	// Waits until what came since the last clear() matches; returns it.
	until(pattern: RegExp, timeoutMs?: number): Promise<string>;
	clear(): void;
	close(): void;
}

async function uart(port: number): Promise<Uart> {
	const socket: Socket = connect(port, "127.0.0.1");
	await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
	let text = "";
	socket.setEncoding("latin1").on("data", (d: string) => (text += d));
	const self: Uart = {
		send: (line) => socket.write(line, "latin1"),
		received: () => text,
		clear: () => (text = ""),
		close: () => socket.destroy(),
		async until(pattern, timeoutMs = 3000) {
			const deadline = performance.now() + timeoutMs;
			while (!pattern.test(text)) {
				if (performance.now() > deadline) throw new Error(`no ${pattern} from the module; got ${JSON.stringify(text)}`);
				await sleep(10);
			}
			return text;
		},
	};
	// The module boots when the sim starts: "AT" until it answers (once, so one
	// command line was read), each time waiting for the answer (a second AT
	// before the first OK would be two commands on the wire, and its OK would
	// come after clear()); then its "+IP:" URC (attached), so that it does not
	// come in the middle of what the test reads.
	// It boots 50 ms after the sim starts: an AT before that would be lost
	// and need a second, and --reboot-after-commands counts on exactly one.
	await sleep(300);
	for (let attempt = 0; !/OK\r\n/.test(text); attempt++) {
		if (attempt === 3) throw new Error(`the module never answered AT: ${JSON.stringify(text)}`);
		self.send("AT\r");
		await self.until(/OK\r\n/, 3000).catch(() => {});
	}
	await self.until(/\+IP: [^\r]*\r\n/, 2000);
	self.clear();
	return self;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The module's bytes in a --trace (stderr), joined: "<" lines after the first line matching `from`.
function tracedFromModule(stderr: string, from: RegExp): string {
	const lines = stderr.split("\n");
	const start = lines.findIndex((line) => from.test(line));
	return lines
		.slice(start + 1)
		.filter((line) => / < /.test(line))
		.map((line) => line.slice(line.indexOf(" < ") + 3))
		.join("");
}

test("--help documents every fault option", async () => {
	const run = await bc20(["--help"]);
	for (const word of [
		"--reboot-after-commands N",
		"--reboot-on PREFIX",
		"--cut-response BYTES",
		"--withhold PREFIX",
		"--delay PREFIX=MS",
		"--urc-in-response PREFIX=LINE",
		"--fail-send N",
		"--reboot-after MS",
		"--pdpdeact-after MS",
		"--urc-after MS=LINE",
		"--trickle",
		"--interleave-urcs R",
		"--damage-line PREFIX[:N]",
		"--boot-answer MODE",
		"--nat-timeout MS",
	])
		assert.ok(run.stdout.includes(word), word);
});

test("--withhold PREFIX: that command is never answered (a one-line timeout, exit 1), the next one is", async () => {
	await withSim(["--withhold", "AT+CGMR"], async (port) => {
		const withheld = await bc20(["--port", `tcp://127.0.0.1:${port}`, "at", "AT+CGMR", "--timeout", "500"]);
		assert.is(withheld.code, 1);
		assert.is(withheld.stdout, "");
		assert.match(withheld.stderr, /^bc20: AT\+CGMR: No answer from the module in time \(1001\)\n$/);
		const answered = await bc20(["--port", `tcp://127.0.0.1:${port}`, "at", "AT+CGMR", "--timeout", "500"]);
		assert.is(answered.code, 0, answered.stderr);
		assert.match(answered.stdout, /^Revision: \S+\nOK\n$/);
	});
});

test("--delay PREFIX=MS: that command is answered MS late", async () => {
	const [late, tooLate] = await Promise.all([
		bc20(["--trace", "at", "AT+CGMR", "--delay", "AT+CGMR=900"]),
		bc20(["at", "AT+CGMR", "--delay", "AT+CGMR=1500", "--timeout", "500"]),
	]);
	assert.is(late.code, 0, late.stderr);
	assert.match(late.stdout, /^Revision: \S+\nOK\n$/);
	// From the command to its answer, in the trace's seconds.
	const sent = Number(/^\s*([\d.]+) > AT\+CGMR\\r/m.exec(late.stderr)?.[1]);
	let answered = NaN,
		joined = "";
	for (const line of late.stderr.split("\n")) {
		const chunk = /^\s*([\d.]+) < (.*)$/.exec(line);
		if (chunk && (joined += chunk[2]).includes("Revision")) {
			answered = Number(chunk[1]);
			break;
		}
	}
	assert.ok(answered - sent >= 0.85, `answered after ${answered - sent} s: ${late.stderr}`);
	assert.is(tooLate.code, 1);
	assert.match(tooLate.stderr, /^bc20: AT\+CGMR: No answer from the module in time \(1001\)\n$/);
});

test("--reboot-on PREFIX: the module reboots (RDY) right after answering that command", async () => {
	await withSim(["--reboot-on", "AT+CGMR"], async (port) => {
		const module = await uart(port);
		try {
			module.send("AT+CGMR\r");
			const text = await module.until(/RDY\r\n/);
			assert.match(text, /^AT\+CGMR\r\r\nRevision: \S+\r\n\r\nOK\r\n\r\nRDY\r\n/, JSON.stringify(text));
		} finally {
			module.close();
		}
	});
});

test("--cut-response BYTES: with --reboot-on, only BYTES bytes of the answer get out before the reboot", async () => {
	await withSim(["--reboot-on", "AT+CGMR", "--cut-response", "5"], async (port) => {
		const module = await uart(port);
		try {
			module.send("AT+CGMR\r");
			const text = await module.until(/RDY\r\n/);
			// The echo, then "\r\nRev" (5 bytes), then the boot output.
			assert.match(text, /^AT\+CGMR\r\r\nRev\r\nRDY\r\n/, JSON.stringify(text));
		} finally {
			module.close();
		}
	});
});

test("--reboot-after-commands N: the module reboots right after answering its Nth command line", async () => {
	await withSim(["--reboot-after-commands", "3"], async (port) => {
		const module = await uart(port); // command 1: the AT that got OK
		try {
			module.send("AT+CGMR\r"); // 2
			await module.until(/OK\r\n/);
			await sleep(200);
			assert.not.match(module.received(), /RDY/, "no reboot after the 2nd");
			module.clear();
			module.send("AT+CGMR\r"); // 3
			const text = await module.until(/RDY\r\n/);
			assert.match(text, /^AT\+CGMR\r\r\nRevision: \S+\r\n\r\nOK\r\n\r\nRDY\r\n/, JSON.stringify(text));
		} finally {
			module.close();
		}
	});
});

test("--reboot-after MS and --urc-after MS=LINE (--port sim): a reboot and a URC, MS after the first command", async () => {
	const run = await bc20([
		"monitor",
		"--seconds",
		"3",
		"--attach-delay",
		"0",
		"--urc-after",
		'700=+QIURC: "hello"',
		"--reboot-after",
		"1100",
	]);
	assert.is(run.code, 0, run.stderr);
	// The last time `line` came (monitor shows the boot's RDY too, from the first byte).
	const at = (line: string) =>
		Number(
			[...run.stdout.matchAll(new RegExp(`^([\\d.]+) ${line.replace(/[+"]/g, "\\$&")}$`, "gm"))].pop()?.[1] ?? NaN,
		);
	// The first command is the probe after the boot, written once the AT the
	// booting module never answered passed its deadline (about 0.5 s).
	assert.ok(at('+QIURC: "hello"') >= 0.7 && at('+QIURC: "hello"') < 1.4, run.stdout);
	assert.ok(at("RDY") >= 1.1, run.stdout);
	assert.ok(at("RDY") > at('+QIURC: "hello"'), run.stdout);
});

test("--pdpdeact-after MS (bc20 sim): the network drops the context, the module re-attaches", async () => {
	await withSim(["--attach-delay", "0", "--pdpdeact-after", "1000"], async (port) => {
		const run = await bc20(["--port", `tcp://127.0.0.1:${port}`, "monitor", "--seconds", "2"]);
		assert.is(run.code, 0, run.stderr);
		assert.match(run.stdout, /^the module answers[^]*\n[\d.]+ \+QIURC: "pdpdeact",1\n[^]*\+IP: 127\.0\.0\.1\n/);
	});
});

test("--urc-in-response PREFIX=LINE: the URC comes inside that command's answer, which stays intact", async () => {
	const run = await bc20(["--trace", "at", "AT+CGMR", "--urc-in-response", 'AT+CGMR=+QIURC: "closed",4']);
	assert.is(run.code, 0, run.stderr);
	assert.match(run.stdout, /^Revision: \S+\nOK\n$/);
	const answer = tracedFromModule(run.stderr, / > AT\+CGMR\\r/);
	// bc20 at leaves echo as the module has it: on, after boot.
	assert.match(answer, /^AT\+CGMR\\r\\r\\nRevision: \S+\\r\\n\\r\\n\+QIURC: "closed",4\\r\\n\\r\\nOK\\r\\n/);
});

test("--fail-send N: the Nth AT+QISEND(EX) gets SEND FAIL; nc says how many bytes were not sent, exit 1", async () => {
	const echo = await tcpEcho(); // never closes: nc ends --wait ms after the last byte
	try {
		// Bytes that go as hex, 512 to an AT+QISENDEX: sends of 512, 512 and 476 bytes.
		const payload = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7 + (i >> 5)) % 32));
		const run = await bc20(["nc", "127.0.0.1", String(echo.port), "--wait", "300", "--fail-send", "2"], payload);
		assert.is(run.code, 1);
		assert.match(
			run.stderr,
			/^bc20: 512 of the 1500 bytes from stdin not sent \(first: socket 0: SEND FAIL[^\n]*\)\n$/,
		);
		const expected = Buffer.concat([payload.subarray(0, 512), payload.subarray(1024)]);
		assert.equal(Buffer.compare(Buffer.from(run.stdout, "latin1"), expected), 0, "the 2nd send's bytes are missing");
	} finally {
		await echo.close();
	}
});

test("fault options: bad values are usage errors (exit 2), and they need the emulated module", async () => {
	// As a user meets them: one line, exit 2.
	const cases: [string[], RegExp][] = [
		[["sim", "--listen", "127.0.0.1:0", "--delay", "AT+CGMR"], /^bc20: --delay must be PREFIX=MS, not "AT\+CGMR"\n$/],
		[
			["--port", "tcp://127.0.0.1:9", "at", "AT", "--withhold", "AT"],
			/^bc20: --withhold is for the emulated module only \(bc20 sim, or --port sim\), not --port tcp:\/\/127\.0\.0\.1:9\n$/,
		],
	];
	const runs = await Promise.all(cases.map(([args]) => bc20(args)));
	cases.forEach(([args, pattern], i) => {
		assert.match(runs[i].stderr, pattern, `${args.join(" ")}: ${runs[i].stderr}`);
		assert.is(runs[i].code, 2, args.join(" "));
	});
	// The rest of the checks, in this process.
	const { parseArgs, UsageError } = await import("../../host-sim/cli/args.js");
	const { emulatorOptions } = await import("../../host-sim/cli/connect.js");
	const { faultPlan } = await import("../../host-sim/cli/faults.js");
	const usage: [string[], RegExp][] = [
		[["--delay", "AT+CGMR=soon"], /^--delay: MS must be an integer from 0 to 3600000, not "AT\+CGMR=soon"$/],
		[["--withhold", ""], /^--withhold needs the start of a command line/],
		[["--reboot-on", "AT\r\nAT"], /^--reboot-on needs the start of a command line/],
		[["--cut-response", "3"], /^--cut-response needs --reboot-on PREFIX/],
		[["--fail-send", "0"], /^--fail-send must be an integer from 1 to 1000000/],
		[["--reboot-after", "-5"], /^--reboot-after must be an integer from 0 to 3600000, not "-5"$/],
		[["--pdpdeact-after", "1.5"], /^--pdpdeact-after must be an integer from 0/],
		[["--reboot-after-commands", "0"], /^--reboot-after-commands must be an integer from 1/],
		[["--urc-after", "500"], /^--urc-after must be MS=LINE, not "500"$/],
		[["--urc-after", "x=+QIURC: 1"], /^--urc-after: MS must be an integer/],
		[["--urc-in-response", "AT+CGMR="], /^--urc-in-response: the URC must be one non-empty line/],
		[["--urc-in-response", "AT+CGMR"], /^--urc-in-response must be PREFIX=LINE/],
		[["--interleave-urcs", "2"], /^--interleave-urcs must be a number from 0 to 1/],
		[["--damage-line", "RDY:0"], /^--damage-line must be PREFIX\[:N\]/],
		[["--boot-answer", "later"], /^--boot-answer must be ignore, after-banner, never, not "later"$/],
		[["--nat-timeout", "0"], /^--nat-timeout must be an integer from 1/],
	];
	for (const [argv, pattern] of usage) {
		const args = parseArgs(["at", "AT", ...argv]);
		try {
			emulatorOptions(args);
			faultPlan(args);
			assert.unreachable(argv.join(" "));
		} catch (error) {
			assert.instance(error, UsageError, argv.join(" "));
			assert.match((error as Error).message, pattern, argv.join(" "));
		}
	}
	// And good values: PREFIX=MS splits at the last "=", MS=LINE at the first.
	const plan = faultPlan(
		parseArgs([
			"sim",
			"--delay",
			"AT+QIRD=0=250",
			"--urc-after",
			"10=+X: a=b",
			"--urc-in-response",
			"=+QIURC: 1",
			"--fail-send",
			"2",
			"--fail-send",
			"5",
		]),
	);
	assert.equal(plan.delay, [{ prefix: "AT+QIRD=0", ms: 250 }]);
	assert.equal(plan.urcAfter, [{ ms: 10, line: "+X: a=b" }]);
	assert.equal(plan.urcInResponse, [{ prefix: "", line: "+QIURC: 1" }]);
	assert.equal(plan.failSend, [2, 5]);
	const hostile = emulatorOptions(
		parseArgs([
			"sim",
			"--trickle",
			"--interleave-urcs",
			"0.5",
			"--damage-line",
			"+CPIN: READY",
			"--damage-line",
			"OK:3",
			"--boot-answer",
			"after-banner",
			"--nat-timeout",
			"5000",
		]),
	);
	assert.equal(
		[hostile.trickle, hostile.interleaveUrcs, hostile.bootAnswer, hostile.natTimeoutMs],
		[true, 0.5, "after-banner", 5000],
	);
	assert.equal(hostile.faults?.damageLines, [
		{ prefix: "+CPIN: READY", occurrence: 1 },
		{ prefix: "OK", occurrence: 3 },
	]);
});

test("--trickle, --interleave-urcs 1, --damage-line RDY (--port sim): output in 1-3-byte writes, RDY damaged, the answer still arrives, and the trace still shows whole lines", async () => {
	const run = await bc20([
		"--trace",
		"--trickle",
		"--interleave-urcs",
		"1",
		"--damage-line",
		"RDY",
		"--seed",
		"3",
		"at",
		"AT+CGMR",
	]);
	assert.is(run.code, 0, run.stderr);
	assert.is(run.stdout, "Revision: BC20JAR01A04\nOK\n");
	const lines = run.stderr
		.split("\n")
		.filter((line) => / < /.test(line))
		.map((line) => line.slice(line.indexOf(" < ") + 3));
	// Each trace line is one line of the module's, however few bytes each write carried.
	assert.ok(
		lines.includes("+CPIN: READY\\r\\n") && lines.includes("Revision: BC20JAR01A04\\r\\n"),
		JSON.stringify(lines),
	);
	assert.ok(
		lines.every((line) => line.endsWith("\\n")),
		JSON.stringify(lines),
	);
	assert.not.ok(lines.includes("RDY\\r\\n"), "RDY damaged");
});

test.run();
