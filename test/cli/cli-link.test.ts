// The link to the module goes away (the emulator killed, a bridge that hangs
// up, a busy `bc20 sim`): one line saying what was lost, nc's summary of the
// bytes not sent, exit 1, never a stack trace.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";
import { sink } from "../support/loopback-servers.js";

const LOST = /^bc20: lost the link to tcp:\/\/127\.0\.0\.1:\d+/;

// `bc20 ...args` with stdin left open; `until(stdout)` says when to call `then`.
function runUntil(
	args: string[],
	until: (stdout: string) => boolean,
	then: (stdin: NodeJS.WritableStream) => void,
	spawned?: (child: { kill(signal: string): void }) => void,
) {
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
		const child = spawn(process.execPath, ["--import", "tsx", "host-sim/cli.ts", ...args], {
			stdio: ["pipe", "pipe", "pipe"],
		});
		spawned?.(child as { kill(signal: string): void });
		let stdout = "";
		let stderr = "";
		let fired = false;
		const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
		child.stdout.on("data", (d) => {
			stdout += d;
			if (!fired && until(stdout)) {
				fired = true;
				then(child.stdin);
			}
		});
		child.stderr.on("data", (d) => (stderr += d));
		child.stdin.on("error", () => {});
		child.on("close", (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
		if (until("")) {
			fired = true;
			then(child.stdin);
		}
	});
}

test("a busy bc20 sim (another client holds it): one line, exit 1", async () => {
	const sim = await simServer();
	const holder = connect({ host: "127.0.0.1", port: sim.port });
	try {
		await new Promise((resolve) => holder.once("connect", resolve));
		const run = await runCli(["--port", `tcp://127.0.0.1:${sim.port}`, "at", "AT"]);
		assert.is(run.code, 1, run.stderr);
		assert.match(run.stderr, LOST);
		// What bc20 sim told it, in the same line.
		assert.match(
			run.stderr,
			/\(it said: bc20 sim: busy: another client \(127\.0\.0\.1:\d+\) has the module's UART\)\n$/,
		);
		assert.is(run.stderr.trim().split("\n").length, 1, run.stderr);
	} finally {
		holder.destroy();
		sim.child.kill("SIGKILL");
	}
});

test("the emulator killed mid-nc: one line with the summary of the bytes not sent, exit 1", async () => {
	const sim = await simServer();
	const peer = await sink();
	try {
		const run = await runUntil(
			["--port", `tcp://127.0.0.1:${sim.port}`, "nc", "127.0.0.1", String(peer.port)],
			() => true,
			(stdin) => {
				stdin.write("hello\n");
				// Once the peer has the bytes, the module is gone.
				const poll = setInterval(() => {
					if (peer.received().length < 6) return;
					clearInterval(poll);
					sim.child.kill("SIGKILL");
				}, 20);
			},
		);
		assert.is(run.code, 1, run.stderr);
		assert.match(run.stderr, LOST);
		// The peer has them: not "not sent" (their SEND OK may not have come).
		assert.match(run.stderr, /: 0 of the 6 bytes read from stdin not sent/, run.stderr);
		assert.is(run.stderr.trim().split("\n").length, 1, run.stderr);
	} finally {
		sim.child.kill("SIGKILL");
		await peer.close();
	}
});

test("monitor: the link goes, it says so and exits 1", async () => {
	const sim = await simServer();
	try {
		const run = await runUntil(
			["--port", `tcp://127.0.0.1:${sim.port}`, "monitor"],
			(stdout) => stdout.includes("watching"),
			() => sim.child.kill("SIGKILL"),
		);
		assert.is(run.code, 1, run.stderr);
		assert.match(run.stderr, LOST);
		assert.is(run.stderr.trim().split("\n").length, 1, run.stderr);
	} finally {
		sim.child.kill("SIGKILL");
	}
});

test("Ctrl-C in nc: the module socket closed (AT+QICLOSE), the summary of both ways, exit 130", async () => {
	const peer = await sink();
	let child: { kill(signal: string): void } | undefined;
	try {
		const run = await runUntil(
			["--trace", "nc", "127.0.0.1", String(peer.port)],
			() => true,
			(stdin) => {
				stdin.write("hello\n");
				const poll = setInterval(() => {
					if (peer.received().length < 6) return;
					clearInterval(poll);
					child?.kill("SIGINT");
				}, 20);
			},
			(spawned) => (child = spawned),
		);
		assert.is(run.code, 130, run.stderr);
		const lines = run.stderr.trim().split("\n");
		assert.ok(
			lines.some((line) => line.includes("> AT+QICLOSE=0")),
			"the socket closed on the module",
		);
		assert.match(
			lines[lines.length - 1],
			/^bc20: interrupted after 6 bytes sent and 0 received: 0 of the 6 bytes read from stdin not sent/,
		);
		assert.is(lines.filter((line) => line.startsWith("bc20:")).length, 1, run.stderr);
	} finally {
		await peer.close();
	}
});

test.run();
