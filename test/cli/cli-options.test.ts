// The field options: --json for ping, dns and ntp (one document), --trace-file,
// BC20_PORT, --attach-timeout, and no progress output when stderr is not a
// terminal.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";
import { tcpEcho } from "../support/loopback-servers.js";

test("--json: ping, dns and ntp print one JSON document; --json elsewhere is a usage error (exit 2)", async () => {
	const { SntpServer } = await import("../../host-sim/cloud/sntp-server.js");
	const sntp = await new SntpServer(() => Date.UTC(2026, 4, 6, 7, 8, 9)).start();
	try {
		const ping = await runCli(["ping", "127.0.0.1", "--count", "2", "--json"]);
		assert.is(ping.code, 0, ping.stderr);
		const pinged = JSON.parse(ping.stdout.toString());
		assert.equal(
			[pinged.host, pinged.sent, pinged.received, pinged.replies.length, pinged.replies[0].address],
			["127.0.0.1", 2, 2, 2, "127.0.0.1"],
		);
		const dns = await runCli(["dns", "--host", "collector.example=127.0.0.2,::1", "collector.example", "--json"]);
		assert.equal(JSON.parse(dns.stdout.toString()).addresses, ["127.0.0.2", "::1"]);
		const ntp = await runCli(["ntp", "127.0.0.1", "--ntp-port", String(sntp.port), "--json"]);
		assert.equal(JSON.parse(ntp.stdout.toString()).utc, "2026-05-06T07:08:09.000Z");
		const misuse = await runCli(["at", "AT", "--json"]);
		assert.is(misuse.code, 2);
		assert.match(misuse.stderr, /^bc20: --json is for info, state, ping, dns, ntp/);
	} finally {
		sntp.close();
	}
});

test("--trace-file FILE: whole lines with their times, appended to FILE; nothing on stderr", async () => {
	const dir = mkdtempSync(join(tmpdir(), "bc20-trace-"));
	try {
		const file = join(dir, "trace.log");
		for (let i = 0; i < 2; i++) {
			const run = await runCli(["--trace-file", file, "at", "AT+CGMR"]);
			assert.is(run.code, 0, run.stderr);
			assert.is(run.stderr, "");
		}
		const lines = readFileSync(file, "utf8").split("\n");
		assert.is(lines.filter((line) => line.startsWith("# bc20 --trace-file")).length, 2, "appended");
		assert.ok(
			lines.some((line) => /^ +\d+\.\d{3} > AT\+CGMR\\r$/.test(line)),
			lines.join("\n"),
		);
		assert.ok(
			lines.some((line) => /^ +\d+\.\d{3} < Revision: BC20JAR01A04\\r\\n$/.test(line)),
			lines.join("\n"),
		);
		const bad = await runCli(["--trace-file", join(dir, "no", "such", "dir"), "at", "AT"]);
		assert.is(bad.code, 1);
		assert.match(bad.stderr, /^bc20: cannot write the trace to .*ENOENT\n$/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("BC20_PORT sets the default port; --port wins", async () => {
	const sim = await simServer();
	try {
		let log = "";
		sim.child.stdout?.on("data", (d) => (log += d));
		const env = { BC20_PORT: `tcp://127.0.0.1:${sim.port}` };
		const run = await runCli(["at", "AT+CGMR"], undefined, 30000, false, env);
		assert.is(run.code, 0, run.stderr);
		await new Promise((resolve) => setTimeout(resolve, 100));
		assert.match(log, /^client 127\.0\.0\.1:\d+ connected\n/m);
		const sim2 = await runCli(["--port", "sim", "at", "AT"], undefined, 30000, false, {
			BC20_PORT: "tcp://127.0.0.1:1",
		});
		assert.is(sim2.code, 0, sim2.stderr);
	} finally {
		sim.child.kill("SIGKILL");
	}
});

test("--attach-timeout MS: a module that does not attach in time fails in one line (exit 1)", async () => {
	const run = await runCli(["dns", "localhost", "--attach-timeout", "1000", "--attach-delay", "60000"]);
	assert.is(run.code, 1);
	assert.match(run.stderr, /^bc20: .*after 1000 ms\n$/);
	const bad = await runCli(["dns", "localhost", "--attach-timeout", "10"]);
	assert.is(bad.code, 2);
});

test("stderr not a terminal: no progress of the attach wait or of nc's transfer", async () => {
	const peer = await tcpEcho(5);
	try {
		const nc = await runCli(["nc", "127.0.0.1", String(peer.port), "--attach-delay", "1500"], Buffer.from("hello"));
		assert.is(nc.code, 0, nc.stderr);
		assert.is(nc.stderr, "");
		assert.is(nc.stdout.toString(), "hello");
	} finally {
		await peer.close();
	}
});

test.run();
