// `--record FILE`: what a recording holds for someone reading a session back
// (and for the timeline): the header, the bytes both ways, each command with
// its result, the URCs, each socket's states and the module's power states;
// from `bc20 demo`, the app's reports.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";
import { tcpEcho } from "../support/loopback-servers.js";

const dir = mkdtempSync(join(tmpdir(), "bc20-record-"));
type Event = { t: number; k: string; [key: string]: unknown };

function read(file: string): { header: Record<string, unknown>; events: Event[] } {
	const [header, ...events] = readFileSync(file, "utf8")
		.trimEnd()
		.split("\n")
		.map((line) => JSON.parse(line));
	return { header, events };
}

test("a TCP session: header, bytes both ways, commands with results, the recv URC, the socket's states in order", async () => {
	const peer = await tcpEcho();
	const file = join(dir, "nc.jsonl");
	try {
		const run = await runCli(
			["--port", "sim", "--record", file, "nc", "127.0.0.1", String(peer.port)],
			Buffer.from("ping\n"),
		);
		assert.is(run.code, 0, run.stderr);
	} finally {
		await peer.close();
	}
	const { header, events } = read(file);
	assert.equal(
		{ ...header, started: "" },
		{
			format: "bc20-recording",
			version: 1,
			started: "",
			port: "sim",
			command: `bc20 --port sim --record ${file} nc 127.0.0.1 ${peer.port}`,
		},
	);
	assert.ok(!Number.isNaN(Date.parse(header.started as string)));
	for (let i = 1; i < events.length; i++) assert.ok(events[i].t >= events[i - 1].t, "times never go back");
	const tx = events
		.filter((e) => e.k === "tx")
		.map((e) => e.data)
		.join("");
	const rx = events
		.filter((e) => e.k === "rx")
		.map((e) => e.data)
		.join("");
	// "ping\n" goes as hex, and comes back from the echo pushed as text after its header.
	assert.match(tx, /AT\+QISENDEX=0,5,70696E670A\r/);
	assert.match(rx, /\+QIURC: "recv",0,5,ping\n/);
	const commands = events.filter((e) => e.k === "cmd");
	const done = events.filter((e) => e.k === "done");
	assert.equal(
		done.map((e) => e.id),
		commands.map((e) => e.id).filter((id) => done.some((d) => d.id === id)),
	);
	const open = commands.find((e) => String(e.text).startsWith('AT+QIOPEN=1,0,"TCP"'));
	assert.ok(open);
	assert.is(done.find((e) => e.id === open.id)?.status, "OK");
	assert.ok((done.find((e) => e.id === open.id)?.ms as number) >= 0);
	assert.ok(events.some((e) => e.k === "urc" && e.line === `+QIURC: "recv",0,5`));
	assert.equal(
		events.filter((e) => e.k === "socket").map((e) => `${e.id} ${e.type} ${e.state}`),
		["0 TCP Opening", "0 TCP Connected", "0 TCP Closing", "0 TCP Initial"],
	);
});

test("bc20 demo records its reports, the wake pulses, and the module's light sleep and PSM", async () => {
	const file = join(dir, "demo.jsonl");
	const run = await runCli(["demo", "--reports", "1", "--record", file], undefined, 60000);
	assert.is(run.code, 0, run.stderr);
	assert.match(run.stdout.toString(), `session recorded to ${file}`);
	const { events } = read(file);
	// Three runs of the app: UDP with light sleep, TCP with PSM, TCP with long PSM sleeps (2 reports);
	// then the naive open/send/close cycle.
	assert.equal(
		events.filter((e) => e.k === "report").map((e) => [e.n, e.ok]),
		[
			[1, true],
			[1, true],
			[1, true],
			[2, true],
			[1, true],
		],
	);
	const report = events.find((e) => e.k === "report");
	assert.ok((report?.commands as number) > 0);
	const power = events.filter((e) => e.k === "power");
	assert.ok(power.every((e) => e.by === "module"));
	assert.ok(power.some((e) => e.state === "light-sleep"));
	assert.ok(power.some((e) => e.state === "psm"));
	assert.ok(events.some((e) => e.k === "note" && e.text === "wake pulse on PSM_EINT"));
});

test("bc20 sim --record holds the same bytes, from the module's side, as the host's recording", async () => {
	const hostFile = join(dir, "host.jsonl"),
		moduleFile = join(dir, "module.jsonl");
	const sim = await simServer(["--record", moduleFile]);
	const closed = new Promise((resolve) => sim.child.on("close", resolve));
	try {
		const run = await runCli(["--port", `tcp://127.0.0.1:${sim.port}`, "--record", hostFile, "at", "AT+CGMR"]);
		assert.is(run.code, 0, run.stderr);
	} finally {
		sim.child.kill("SIGINT");
		await closed;
	}
	const bytes = (file: string, k: string) =>
		read(file)
			.events.filter((e) => e.k === k)
			.map((e) => e.data)
			.join("");
	const host = read(hostFile),
		module = read(moduleFile);
	assert.is(host.header.port, `tcp://127.0.0.1:${sim.port}`);
	assert.is(module.header.port, "sim");
	assert.match(bytes(hostFile, "tx"), "AT+CGMR\r");
	assert.is(bytes(moduleFile, "tx"), bytes(hostFile, "tx"));
	// The module's boot banner went out before the host connected: lost, as on an unplugged line.
	assert.match(bytes(hostFile, "rx"), "\r\nOK\r\n");
	// The host leaves once its command is answered: what the module sends later
	// (a +IP URC as it attaches) reaches it in part or not at all. What it got
	// is one unbroken run of what the module sent.
	assert.ok(
		bytes(moduleFile, "rx").includes(bytes(hostFile, "rx")),
		JSON.stringify([bytes(moduleFile, "rx"), bytes(hostFile, "rx")]),
	);
	assert.match(bytes(moduleFile, "rx"), "RDY");
	assert.ok(host.events.some((e) => e.k === "cmd" && e.text === "AT+CGMR"));
	assert.not.ok(
		module.events.some((e) => e.k === "cmd"),
		"commands are the driver's events, in the host's recording",
	);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
