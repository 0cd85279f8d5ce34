// The sensor app against a collector that is not there or hangs up: it must
// report the failure, keep cycling, and deliver once the collector is back.
// (Before the fix a refused TCP open stalled the app for good, and resends
// after a dropped connection went nowhere.)
import { createServer, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Collector } from "../../host-sim/cloud/collector.js";
import type { Session } from "../../host-sim/modem-session.js";
import { boot, closedPort, runApp } from "./sensor-harness.js";

let session: Session;

test.before(async () => {
	session = await boot();
});

test.after(async () => {
	await session.close();
});

test("TCP collector refusing connections: report 1 fails, the app goes on, later reports reach the collector once it listens", async () => {
	const port = await closedPort();
	let collector: Collector | null = null;
	try {
		const run = await runApp(session, {
			config: { protocol: "tcp", port, reports: 3, retries: 1, ackTimeoutMs: 100, intervalMs: 300 },
			stallMs: 8000,
			onLog: (line) => {
				// The collector comes up only after the first report gave up.
				if (line.startsWith("report 1: not acknowledged")) {
					collector = new Collector({ tcpPort: port });
					void collector.start();
				}
			},
		});
		const { summary, log } = run;
		assert.ok(
			log.some((l) => /Socket connect failed \(566\)/.test(l)),
			`the refusal is logged:\n${log.join("\n")}`,
		);
		assert.ok(log.includes("report 1: no ack, reconnecting and resending (1/1)"), "the retry reopens");
		assert.ok(
			log.some((l) => l.startsWith("report 1: not acknowledged after 1 resends")),
			"report 1 is given up",
		);
		assert.is(summary.reports, 3);
		assert.is(summary.lost, 1);
		assert.is(summary.acked, 2);
		assert.equal(
			collector!.readings.map((r) => r.seq),
			[2, 3],
		);
	} finally {
		await (collector as Collector | null)?.close();
	}
});

test("TCP collector that hangs up on the first report: the retry reconnects and resends, and the report is acknowledged", async () => {
	let connections = 0;
	const seen: string[] = [];
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		const first = ++connections === 1;
		let pending = "";
		socket.on("error", () => {});
		socket.on("data", (data) => {
			pending += data.toString("latin1");
			for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
				const line = pending.slice(0, end);
				pending = pending.slice(end + 1);
				seen.push(line);
				if (first)
					socket.destroy(); // reads the report, never answers
				else socket.write(`A,${line.split(",")[2]}\n`);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	try {
		const port = (server.address() as { port: number }).port;
		const { summary, log } = await runApp(session, {
			config: { protocol: "tcp", port, reports: 2, retries: 2, ackTimeoutMs: 250 },
			stallMs: 8000,
		});
		assert.ok(
			log.some((l) => l.startsWith("connection to the collector ended")),
			"the hang-up is noticed",
		);
		assert.ok(log.includes("report 1: no ack, reconnecting and resending (1/2)"), log.join("\n"));
		assert.is(summary.acked, 2, log.join("\n"));
		assert.is(summary.lost, 0);
		assert.is(summary.resends, 1);
		assert.is(connections, 2, "one reconnection");
		assert.equal(
			seen.map((l) => l.split(",")[2]),
			["1", "1", "2"],
			"report 1 went twice, report 2 once",
		);
	} finally {
		for (const s of sockets) s.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
});

test("a setup command the module leaves unanswered is logged once, by its error, and the reports still go", async () => {
	const port = await closedPort();
	const collector = new Collector({ udpPort: port });
	await collector.start();
	try {
		session.emulator!.withhold("AT+QSCLK");
		const { summary, log } = await runApp(session, {
			config: { protocol: "udp", port, reports: 1, sleep: "light" },
			stallMs: 8000,
		});
		const failed = log.filter((l) => l.includes("AT+QSCLK"));
		assert.equal(failed, ["AT+QSCLK=2: No answer from the module in time (1001)"], log.join("\n"));
		assert.is(summary.acked, 1);
	} finally {
		await collector.close();
	}
});

test.run();
