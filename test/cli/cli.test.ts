// The bc20 command as a user runs it: `bc20 sim --listen` serving the emulated
// UART over TCP, `bc20 --port tcp://...` talking to it, `nc` through the
// module to a loopback echo server, and the one-line errors and exit codes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";
import { assertSimSawNoViolations, stopSim } from "../support/emulator-violations.js";
import { hostilePayload, tcpEcho, udpEcho } from "../support/loopback-servers.js";

const bc20 = runCli;

test("--help documents every command", async () => {
	const run = await bc20(["--help"]);
	assert.is(run.code, 0);
	for (const word of [
		"at 'AT+...'",
		"nc [-u] HOST PORT",
		"ping HOST",
		"dns HOST",
		"ntp SERVER",
		"state",
		"monitor",
		"demo",
		"sim",
		"--trace",
		"tcp://HOST:PORT",
	])
		assert.ok(run.stdout.toString().includes(word), word);
});

test("bc20 sim + --port tcp:// + nc: binary data through the module to an echo server and back", async () => {
	const sim = await simServer();
	const echo = await tcpEcho(4000);
	try {
		const payload = hostilePayload(4000, 77);
		const run = await bc20(["--port", `tcp://127.0.0.1:${sim.port}`, "nc", "127.0.0.1", String(echo.port)], payload);
		assert.is(run.stderr, "");
		assert.is(run.code, 0);
		assert.equal(Buffer.compare(run.stdout, Buffer.from(payload)), 0, "byte-exact");
		assertSimSawNoViolations(await stopSim(sim.child));
	} finally {
		sim.child.kill("SIGTERM");
		await echo.close();
	}
});

test("nc -u sends datagrams and prints the answers", async () => {
	const echo = await udpEcho();
	try {
		const payload = hostilePayload(1200, 5);
		const run = await bc20(["nc", "-u", "127.0.0.1", String(echo.port), "--wait", "300"], payload);
		assert.is(run.code, 0, run.stderr);
		assert.equal(Buffer.compare(run.stdout, Buffer.from(payload)), 0);
	} finally {
		await echo.close();
	}
});

test("at: response lines and OK (exit 0), ERROR (exit 1); --trace shows the bytes on stderr", async () => {
	const ok = await bc20(["--trace", "at", "AT+CPIN?"]);
	assert.is(ok.code, 0);
	assert.equal(ok.stdout.toString().trim().split("\n"), ["+CPIN: READY", "OK"]);
	// The trace shows each direction's bytes as they came, in whatever chunks.
	const traced = (direction: string) =>
		ok.stderr
			.split("\n")
			.filter((line) => line.includes(` ${direction} `))
			.map((line) => line.slice(line.indexOf(` ${direction} `) + 3))
			.join("");
	assert.ok(traced(">").includes("AT+CPIN?\\r"), traced(">"));
	assert.ok(traced("<").includes("+CPIN: READY\\r\\n"), traced("<"));
	// An unknown command on purpose: the module answers ERROR and records it.
	const error = await bc20(["at", "AT+NOSUCHTHING"], undefined, 30000, true);
	assert.is(error.code, 1);
	assert.is(error.stdout.toString().trim(), "ERROR");
	assert.is(error.violations.length, 1, error.violations.join("\n"));
	assert.match(error.violations[0], /unknown-command "AT\+NOSUCHTHING"/);
});

test("failures are one clear line and a non-zero exit code", async () => {
	const echo = await tcpEcho();
	const closedPort = echo.port;
	await echo.close();
	const cases: [string[], RegExp, number][] = [
		[["nc", "127.0.0.1", String(closedPort)], /^bc20: AT\+QIOPEN: socket 0: Socket connect failed \(566\)\n$/, 1],
		[["dns", "no-such-host.invalid"], /^bc20: .*DNS parse failed \(565\)/, 1],
		[["dns", "--host", "collector.example=", "collector.example"], /^bc20: .*DNS parse failed \(565\)/, 1],
		[["dns", "--host", "collector.example", "collector.example"], /^bc20: --host must be NAME=ADDRESS/, 2],
		[["--port", "/dev/ttyBC20-none", "at", "AT"], /^bc20: no such port \/dev\/ttyBC20-none\n$/, 1],
		[
			["--port", `tcp://127.0.0.1:${closedPort}`, "at", "AT"],
			/^bc20: cannot connect to tcp:\/\/127\.0\.0\.1:\d+: connection refused/,
			1,
		],
		[["at", "AT\r\nAT+QPOWD=1"], /^bc20: .*command/, 1],
		[["frobnicate"], /^bc20: unknown command "frobnicate"/, 2],
		[["nc", "127.0.0.1"], /^bc20: usage: bc20 nc/, 2],
	];
	for (const [args, pattern, code] of cases) {
		const run = await bc20(args);
		assert.match(run.stderr, pattern, `${args.join(" ")}: ${run.stderr}`);
		assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
		assert.is(run.code, code, args.join(" "));
	}
});

test("ping, dns, ntp, state and monitor print their results and exit 0", async () => {
	const { SntpServer } = await import("../../host-sim/cloud/sntp-server.js");
	const sntp = await new SntpServer(() => Date.UTC(2026, 4, 6, 7, 8, 9)).start();
	try {
		const ping = await bc20(["ping", "127.0.0.1", "--count", "2", "--timeout", "1"]);
		assert.is(ping.code, 0, ping.stderr);
		assert.match(
			ping.stdout.toString(),
			/reply from 127\.0\.0\.1: bytes=32 time=\d+ms ttl=255\n[^]*127\.0\.0\.1: 2 sent, 2 received, 0 lost/,
		);
		const dns = await bc20(["dns", "localhost"]);
		assert.is(dns.stdout.toString(), "127.0.0.1\n");
		const listed = await bc20(["dns", "--host", "collector.example=127.0.0.2,::1", "collector.example"]);
		assert.is(listed.stdout.toString(), "127.0.0.2\n::1\n", listed.stderr);
		const ntp = await bc20(["ntp", "127.0.0.1", "--ntp-port", String(sntp.port)]);
		assert.is(ntp.code, 0, ntp.stderr);
		assert.match(
			ntp.stdout.toString(),
			/^2026-05-06T07:08:09\.000Z \(module: "26\/05\/06,07:08:09\+00", zone 0 h\)\n$/,
		);
		const state = await bc20(["state"]);
		assert.is(state.stdout.toString(), "no sockets open\n");
		const monitor = await bc20(["monitor", "--seconds", "1"]);
		assert.is(monitor.code, 0, monitor.stderr);
		assert.match(monitor.stdout.toString(), /^the module answers on emulated BC20; watching/m);
	} finally {
		sntp.close();
	}
});

test("the module never answers: a clear line, not a hang", async () => {
	// A bridge that accepts the connection and never says anything.
	const { createServer } = await import("node:net");
	const silent = createServer(() => {}).listen(0, "127.0.0.1");
	await new Promise((r) => silent.once("listening", r));
	try {
		const port = (silent.address() as { port: number }).port;
		const run = await bc20(["--port", `tcp://127.0.0.1:${port}`, "--sync", "2", "at", "AT"]);
		assert.is(run.code, 1);
		assert.match(run.stderr, /^bc20: .*(answer|respond)/i);
	} finally {
		silent.close();
	}
});

test.run();
