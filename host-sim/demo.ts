// `npm start` / `bc20 demo`: the firmware's sensor app on the host simulator.
// Loopback "cloud" services (a UDP and a TCP collector, an SNTP server), an
// emulated BC20 with real sockets behind it, and the very SensorApp the ESP32
// runs, on the Node platform. Finishes by itself; exit code 0 when every
// report reached the collector.
import { SensorApp, type SensorConfig, type SensorSummary } from "../firmware/app/sensor-app.js";
import type { BC20 } from "../firmware/bc20/modem.js";
import { Collector } from "./cloud/collector.js";
import { SntpServer } from "./cloud/sntp-server.js";
import { openSession, type Session } from "./modem-session.js";
import { NodeClock } from "./node-clock.js";

export interface DemoOptions {
	log: (line: string) => void;
	trace?: (line: string) => void;
	reports?: number; // per protocol (default 3)
	intervalMs?: number; // default 400
}

function run(app: SensorApp): Promise<SensorSummary> {
	return new Promise((resolve) => app.start(resolve));
}

function ntp(modem: BC20, port: number): Promise<string> {
	return new Promise((resolve, reject) => modem.ntp("127.0.0.1", { port }, (error, time) => {
		if (error || !time) reject(error);
		else resolve(`${new Date(time.utc).toISOString()} (module text "${time.text}")`);
	}));
}

export async function demo(options: DemoOptions): Promise<number> {
	const { log } = options;
	const reports = options.reports ?? 3;
	const collector = await new Collector({
		dropFirst: 1, // the first report gets no ack: watch the app resend it
		onReading: (r) => log(`  collector <- ${r.transport} report #${r.seq} from ${r.device}: sample ${r.sample}, uptime ${r.uptimeMs} ms`),
	}).start();
	const sntp = await new SntpServer().start();
	log(`cloud: UDP collector 127.0.0.1:${collector.udpPort}, TCP collector 127.0.0.1:${collector.tcpPort}, SNTP 127.0.0.1:${sntp.port}`);
	let session: Session | null = null;
	try {
		log("powering the emulated BC20 (115200 baud) and bringing it up...");
		session = await openSession({
			baud: 115200,
			trace: options.trace,
			emulator: { bootGarbage: true, sleepAfterMs: 150 },
		});
		const { modem, emulator } = session;
		log(`module ready: registered, attached, address ${session.ready?.address}`);
		log(`network time via AT+QNTP: ${await ntp(modem, sntp.port)}`);

		const clock = new NodeClock();
		const started = clock.now();
		let sample = 21.5;
		const platform = {
			modem, clock,
			sample: () => sample = Math.round((sample + (Math.random() - 0.5)) * 10) / 10,
			uptimeMs: () => clock.now() - started,
			log: (text: string) => log(`  sensor: ${text}`),
			pulseWakePin: () => emulator?.wakeByPin(),
		};
		const base: Omit<SensorConfig, "protocol" | "port" | "sleep"> = {
			device: "demo-sensor", host: "127.0.0.1", intervalMs: options.intervalMs ?? 400,
			ackTimeoutMs: 300, retries: 3, reports,
		};
		log(`sensor app over UDP, light sleep between reports (AT+QSCLK=2: the wake-up byte is lost and absorbed):`);
		const udp = await run(new SensorApp({ ...base, protocol: "udp", port: collector.udpPort, sleep: "light" }, platform));
		log(`sensor app over TCP, PSM between reports (AT+QSCLK=1, woken by a PSM_EINT pulse):`);
		const tcp = await run(new SensorApp({ ...base, protocol: "tcp", port: collector.tcpPort, sleep: "psm" }, platform));

		for (const [name, s] of [["UDP", udp], ["TCP", tcp]] as const) {
			log(`${name}: ${s.acked}/${s.reports} reports acknowledged, ${s.resends} resends, ${s.atPerReport.toFixed(1)} AT commands per report`);
		}
		const ok = udp.acked === reports && tcp.acked === reports && collector.readings.length === 2 * reports;
		log(ok ? `demo finished: the collector has all ${collector.readings.length} readings` : "demo finished with missing readings");
		return ok ? 0 : 1;
	}
	finally {
		await session?.close();
		sntp.close();
		await collector.close();
	}
}
