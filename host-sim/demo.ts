// `npm start` / `bc20 demo`: the firmware's sensor app on the host simulator.
// Loopback "cloud" services (a UDP and a TCP collector, an SNTP server), an
// emulated BC20 with real sockets behind it, and the very SensorApp the ESP32
// runs, on the Node platform, then the naive open/send/close cycle peer
// drivers use, on the same emulated network. When the session is recorded,
// the demo prints what each report cost in charge and writes the recording's
// timeline page. Finishes by itself; exit code 0 when every report reached
// the collector.
import { readFileSync, writeFileSync } from "node:fs";
import { SensorApp, type SensorConfig, type SensorSummary } from "../firmware/app/sensor-app.js";
import type { BC20 } from "../firmware/bc20/modem.js";
import { Collector } from "./cloud/collector.js";
import { SntpServer } from "./cloud/sntp-server.js";
import type { CurrentModel } from "./energy/current-model.js";
import { naiveCycle } from "./energy/naive-cycle.js";
import { openSession, type Session } from "./modem-session.js";
import { NodeClock } from "./node-clock.js";
import type { Recorder } from "./record/recorder.js";
import { parseRecording } from "./timeline/read-recording.js";
import { energyLines, timeline } from "./timeline/timeline.js";

// The carrier's NAT binding lifetime, scaled from the ~60 s NB-IoT networks
// give (Zephyr issue #25935) so the demo runs in seconds: a TCP connection
// idle across a sleep longer than this is gone when the module wakes.
const DEMO_NAT_MS = 1500;

export interface DemoOptions {
	log: (line: string) => void;
	trace?: (line: string) => void;
	reports?: number; // per protocol (default 3)
	intervalMs?: number; // default 400
	// Records the session, with the demo's lines as notes and the app's
	// reports and wake pulses; closed when the demo ends.
	record?: Recorder;
	timelinePath?: string; // default: the recording's path with .html
	// The energy model and the battery-life projection's report interval and capacity.
	energy: { model: CurrentModel; intervalS: number; capacityMAh: number };
}

function run(app: SensorApp): Promise<SensorSummary> {
	return new Promise((resolve) => app.start(resolve));
}

function ntp(modem: BC20, port: number): Promise<string> {
	return new Promise((resolve, reject) =>
		modem.ntp("127.0.0.1", { port }, (error, time) => {
			if (error || !time) reject(error);
			else resolve(`${new Date(time.utc).toISOString()} (module text "${time.text}")`);
		}),
	);
}

export async function demo(options: DemoOptions): Promise<number> {
	const { record } = options;
	const log = (line: string) => {
		options.log(line);
		record?.note(line);
	};
	const reports = options.reports ?? 3;
	const collector = await new Collector({
		dropFirst: 1, // the first report gets no ack: watch the app resend it
		onReading: (r) =>
			log(
				`  collector <- ${r.transport} report #${r.seq} from ${r.device}: sample ${r.sample}, uptime ${r.uptimeMs} ms`,
			),
	}).start();
	const sntp = await new SntpServer().start();
	log(
		`cloud: UDP collector 127.0.0.1:${collector.udpPort}, TCP collector 127.0.0.1:${collector.tcpPort}, SNTP 127.0.0.1:${sntp.port}`,
	);
	let session: Session | null = null;
	let ok = false;
	try {
		log("powering the emulated BC20 (115200 baud) and bringing it up...");
		session = await openSession({
			baud: 115200,
			trace: options.trace,
			record,
			emulator: { bootGarbage: true, sleepAfterMs: 150, natTimeoutMs: DEMO_NAT_MS },
		});
		const { modem, emulator } = session;
		log(`module ready: registered, attached, address ${session.ready?.address}`);
		log(`network time via AT+QNTP: ${await ntp(modem, sntp.port)}`);

		const clock = new NodeClock();
		const started = clock.now();
		let sample = 21.5;
		const platform = {
			modem,
			clock,
			sample: () => (sample = Math.round((sample + (Math.random() - 0.5)) * 10) / 10),
			uptimeMs: () => clock.now() - started,
			log: (text: string) => log(`  sensor: ${text}`),
			pulseWakePin: () => {
				record?.wakePulse();
				emulator?.wakeByPin();
			},
			onReport: (seq: number, acked: boolean, commands: number) => record?.report(seq, acked, commands),
		};
		const base: Omit<SensorConfig, "protocol" | "port" | "sleep"> = {
			device: "demo-sensor",
			host: "127.0.0.1",
			intervalMs: options.intervalMs ?? 400,
			ackTimeoutMs: 300,
			retries: 3,
			reports,
		};
		log(`sensor app over UDP, light sleep between reports (AT+QSCLK=2: the wake-up byte is lost and absorbed):`);
		const udp = await run(
			new SensorApp({ ...base, protocol: "udp", port: collector.udpPort, sleep: "light" }, platform),
		);
		log(
			`sensor app over TCP, PSM between reports (AT+QSCLK=1, woken by a PSM_EINT pulse), sleeps shorter than the network's NAT timeout (${DEMO_NAT_MS} ms here, ~60 s on NB-IoT): the connection survives them:`,
		);
		const tcp = await run(new SensorApp({ ...base, protocol: "tcp", port: collector.tcpPort, sleep: "psm" }, platform));
		const longSleep = DEMO_NAT_MS + 700;
		log(
			`sensor app over TCP, PSM sleeps of ${longSleep} ms, longer than the NAT timeout: the idle connection is gone at wake (the send draws a reset, then "closed"), so the app reopens and resends:`,
		);
		const tcpLong = await run(
			new SensorApp(
				{ ...base, protocol: "tcp", port: collector.tcpPort, sleep: "psm", intervalMs: longSleep, reports: 2 },
				platform,
			),
		);

		log(
			`naive cycle, as peer drivers do it (AT+QIOPEN, AT+QISEND, AT+QICLOSE per report), PSM between reports, on the same network:`,
		);
		const naive = await naiveCycle({
			modem,
			clock,
			host: "127.0.0.1",
			port: collector.tcpPort,
			device: "naive-sensor",
			reports,
			intervalMs: base.intervalMs,
			ackTimeoutMs: 2000,
			wakeMs: 100,
			pulseWakePin: platform.pulseWakePin,
			sample: platform.sample,
			uptimeMs: platform.uptimeMs,
			onReport: (seq, acked, commands) => {
				log(`  naive: report ${seq}: ${acked ? "acknowledged" : "not acknowledged"}, ${commands} AT commands`);
				platform.onReport(seq, acked, commands);
			},
		});

		for (const [name, s] of [
			["UDP", udp],
			["TCP, short sleeps", tcp],
			["TCP, long sleeps", tcpLong],
		] as const) {
			log(
				`${name}: ${s.acked}/${s.reports} reports acknowledged, ${s.resends} resends, ${s.atPerReport.toFixed(1)} AT commands per report`,
			);
		}
		log(
			`naive open/send/close: ${naive.acked}/${naive.reports} reports acknowledged, ${naive.atPerReport.toFixed(1)} AT commands per report`,
		);
		const expected = 3 * reports + 2;
		ok =
			udp.acked === reports &&
			tcp.acked === reports &&
			tcpLong.acked === 2 &&
			naive.acked === reports &&
			collector.readings.length === expected;
		log(
			ok
				? `demo finished: the collector has all ${collector.readings.length} readings`
				: "demo finished with missing readings",
		);
		if (emulator) log(`network: ${emulator.stats.natExpired} TCP connection(s) lost to NAT expiry across sleep`);
	} finally {
		await session?.close();
		sntp.close();
		await collector.close();
		if (record) {
			record.close();
			options.log(`session recorded to ${record.path}`);
		}
	}
	if (record) energyReport(record.path, options.timelinePath ?? record.path.replace(/(\.jsonl?)?$/, ".html"), options);
	return ok ? 0 : 1;
}

// What each report cost, from the recording just made, and its timeline page.
function energyReport(recordPath: string, timelinePath: string, options: DemoOptions): void {
	const { log } = options;
	const { model, intervalS, capacityMAh } = options.energy;
	const t = timeline(parseRecording(readFileSync(recordPath, "utf8"), recordPath), {
		model,
		intervalS,
		capacityMAh,
		title: "bc20 demo",
	});
	log(
		`energy per report (module current model in µA: ${Object.entries(model)
			.map(([k, v]) => `${k} ${v}`)
			.join(", ")}; the first report of each run, which carries its set-up, left out):`,
	);
	for (const line of energyLines(t)) log(`  ${line}`);
	const runs = t.energy.runs;
	const kept = runs.find((r) => r.label.startsWith("sensor app over TCP, PSM between reports"));
	const naive = runs.find((r) => r.label.startsWith("naive cycle"));
	if (kept && naive)
		log(
			`keeping the TCP connection open across PSM costs ${kept.uAh.toFixed(2)} µAh per report against ${naive.uAh.toFixed(2)} µAh for open, send, close (${((1 - kept.uAh / naive.uAh) * 100).toFixed(0)}% less)`,
		);
	writeFileSync(timelinePath, t.html);
	log(`timeline: ${timelinePath}`);
}
