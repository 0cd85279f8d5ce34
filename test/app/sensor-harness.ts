// Runs the firmware's SensorApp against the emulated BC20 on loopback, the way
// `bc20 demo` does, and turns "the app stalled" into a test failure instead of
// a hang: every run must end (onDone) within its bound.
import { createServer } from "node:net";
import {
	type SensorConfig,
	type SensorPlatform,
	SensorApp,
	type SensorSummary,
} from "../../firmware/app/sensor-app.js";
import { openSession, type Session } from "../../host-sim/modem-session.js";
import { NodeClock } from "../../host-sim/node-clock.js";
import type { BC20EmulatorOptions } from "../../host-sim/emulator/bc20-emulator.js";

export interface Run {
	summary: SensorSummary;
	log: string[];
	commands: string[]; // AT command lines the module parsed during the run
}

export interface RunOptions {
	config: Partial<SensorConfig> & Pick<SensorConfig, "protocol" | "port">;
	stallMs: number; // the whole run must end within this
	onLog?: (line: string) => void;
	pulseWakePin?: SensorPlatform["pulseWakePin"];
}

export function boot(emulator: BC20EmulatorOptions = {}): Promise<Session> {
	return openSession({ baud: 921600, emulator: { attachDelayMs: 20, ...emulator } });
}

export function runApp(session: Session, options: RunOptions): Promise<Run> {
	const clock = new NodeClock();
	const log: string[] = [];
	const firstCommand = session.emulator!.commands.length;
	const app = new SensorApp(
		{
			device: "test-sensor",
			host: "127.0.0.1",
			intervalMs: 100,
			ackTimeoutMs: 150,
			retries: 2,
			reports: 3,
			sleep: "none",
			...options.config,
		},
		{
			modem: session.modem,
			clock,
			sample: () => 20,
			uptimeMs: () => clock.now(),
			log: (line) => {
				log.push(line);
				options.onLog?.(line);
			},
			pulseWakePin: options.pulseWakePin,
		},
	);
	return new Promise((resolve, reject) => {
		const stalled = setTimeout(() => {
			app.stop();
			reject(new Error(`the app stalled: no summary after ${options.stallMs} ms; its log:\n  ${log.join("\n  ")}`));
		}, options.stallMs);
		app.start((summary) => {
			clearTimeout(stalled);
			resolve({ summary, log, commands: session.emulator!.commands.slice(firstCommand) });
		});
	});
}

// A loopback port nothing listens on (connections to it are refused).
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
