// The commands that look (at, state, info, monitor, ping, dns, ntp) leave a
// running module as they found it: a socket another program opened stays
// open, and no setting is written (no ATE0, no AT+QICFG=, no AT+QICLOSE).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { openSession } from "../../host-sim/modem-session.js";
import { serveEmulatorUart } from "../../host-sim/sim-server.js";
import { runCli } from "../support/cli-process.js";
import { tcpEcho } from "../support/loopback-servers.js";

const WRITES = /^(ATE0|AT\+QICFG=|AT\+QICLOSE)/i;

test("at, state, info, monitor, ping and dns on a module with a socket open: it stays open, nothing is written", async () => {
	const emulator = new BC20Emulator({ bootDelayMs: 5, attachDelayMs: 20 });
	const server = await serveEmulatorUart(emulator);
	emulator.start();
	const peer = await tcpEcho();
	const port = `tcp://127.0.0.1:${server.port}`;
	try {
		// Another program (here: the driver in this process) opens socket 0 and
		// goes away without closing it, as a crashed device would.
		const session = await openSession({ port });
		await new Promise<void>((resolve, reject) =>
			session.modem.open({
				host: "127.0.0.1",
				port: peer.port,
				onConnected: () => resolve(),
				onError: (error) => reject(error),
			}),
		);
		await session.close();
		const before = emulator.commands.length;

		const state = await runCli(["--port", port, "state"]);
		assert.is(state.code, 0, state.stderr);
		assert.match(
			state.stdout.toString(),
			new RegExp(`^0  TCP  127\\.0\\.0\\.1:${peer.port}  local \\d+  connected  buffer\\n$`),
		);
		const json = await runCli(["--port", port, "state", "--json"]);
		assert.equal(
			JSON.parse(json.stdout.toString()).sockets.map((s: { connectId: number; state: string }) => [
				s.connectId,
				s.state,
			]),
			[[0, "connected"]],
		);
		const at = await runCli(["--port", port, "at", "AT+QISTATE?"]);
		assert.is(at.code, 0, at.stderr);
		assert.match(
			at.stdout.toString(),
			new RegExp(`^\\+QISTATE: 0,"TCP","127\\.0\\.0\\.1",${peer.port},\\d+,2,.*\\nOK\\n$`),
			at.stdout.toString(),
		);
		for (const args of [
			["info"],
			["monitor", "--seconds", "1"],
			["ping", "127.0.0.1", "--count", "1"],
			["dns", "localhost"],
		]) {
			const run = await runCli(["--port", port, ...args]);
			assert.is(run.code, 0, `${args[0]}: ${run.stderr}`);
		}
		const sent = emulator.commands.slice(before);
		assert.equal(
			sent.filter((line) => WRITES.test(line)),
			[],
			sent.join(" | "),
		);
		assert.ok(
			sent.includes("AT+QISTATE?") && sent.includes("AT+CGSN=1") && sent.includes('AT+QPING=1,"127.0.0.1",4,1,32'),
			sent.join(" | "),
		);
		const after = await runCli(["--port", port, "state"]);
		assert.match(after.stdout.toString(), /^0  TCP .* connected /, "still open");
	} finally {
		await server.close();
		await emulator.close();
		await peer.close();
	}
});

test("nc, which needs a clean slate, still brings the module up: echo off, settings written, stray sockets closed", async () => {
	const peer = await tcpEcho(5);
	try {
		const run = await runCli(["--trace", "nc", "127.0.0.1", String(peer.port)], Buffer.from("hello"));
		assert.is(run.code, 0, run.stderr);
		for (const command of ["ATE0", 'AT+QICFG="dataformat",0,0', "AT+QISTATE?"])
			assert.ok(run.stderr.includes(`> ${command}\\r`), command);
	} finally {
		await peer.close();
	}
});

test("monitor prints the module's unsolicited lines only, from the first byte: the boot banner, not the replies to its AT", async () => {
	const run = await runCli(["--trace", "monitor", "--seconds", "1", "--urc-after", '300=+QIURC: "hello"']);
	assert.is(run.code, 0, run.stderr);
	const lines = run.stdout
		.toString()
		.split("\n")
		.filter((line) => /^\d+\.\d{3} /.test(line))
		.map((line) => line.replace(/^\S+ /, ""));
	assert.equal(lines, ["RDY", "+CFUN: 1", "+CPIN: READY", "+IP: 127.0.0.1", '+QIURC: "hello"']);
	// The driver did send commands, and got answers, that monitor did not print.
	assert.match(run.stderr, / < OK\\r\\n/);
});

test.run();
