// The report cycle most BC20 drivers and their examples use, for the demo to
// compare against: every report opens a TCP connection (AT+QIOPEN), sends
// (AT+QISEND), waits for the collector's ack and closes (AT+QICLOSE), with
// the module in PSM between reports as in the sensor app's TCP run. The
// difference in charge per report is what keeping the socket open buys.
import type { Clock } from "../../firmware/at/seams.js";
import type { BC20 } from "../../firmware/bc20/modem.js";
import { PUSH_MODE } from "../../firmware/bc20/socket-constants.js";
import { decodeAcks, encodeReport } from "../../firmware/app/report.js";
import { TCP } from "../../firmware/net/tcp.js";

export interface NaiveCycleOptions {
	modem: BC20;
	clock: Clock;
	host: string;
	port: number;
	device: string;
	reports: number;
	intervalMs: number;
	ackTimeoutMs: number;
	wakeMs: number; // after a PSM_EINT pulse, before the UART listens
	pulseWakePin(): void;
	sample(): number;
	uptimeMs(): number;
	// A report's outcome, with the AT commands it took.
	onReport(seq: number, acked: boolean, commands: number): void;
}

export interface NaiveSummary {
	reports: number;
	acked: number;
	atPerReport: number;
}

export function naiveCycle(options: NaiveCycleOptions): Promise<NaiveSummary> {
	const { modem, clock } = options;
	const summary: NaiveSummary = { reports: 0, acked: 0, atPerReport: 0 };
	let commands = 0;
	return new Promise((resolve) => {
		const report = (seq: number) => {
			const before = modem.commandsSent;
			let done = false,
				sent = false;
			let timer: unknown = null;
			const finish = (acked: boolean) => {
				if (done) return;
				done = true;
				if (timer !== null) clock.clear(timer);
				socket.close();
				summary.reports++;
				if (acked) summary.acked++;
				// The AT+QICLOSE is queued behind: count it with this report
				// (nothing was opened, nothing is closed).
				const opened = modem.commandsSent - before;
				const used = opened > 0 ? opened + 1 : 0;
				commands += used;
				summary.atPerReport = commands / summary.reports;
				options.onReport(seq, acked, used);
				if (seq >= options.reports) clock.set(() => resolve(summary), options.intervalMs);
				else clock.set(() => wake(seq + 1), options.intervalMs);
			};
			const data = encodeReport({
				device: options.device,
				seq,
				uptimeMs: options.uptimeMs(),
				sample: options.sample(),
			});
			const socket = new TCP({
				modem,
				host: options.host,
				port: options.port,
				mode: PUSH_MODE,
				onWritable() {
					if (!done && !sent) {
						sent = true;
						this.write(data);
					}
				},
				onReadable() {
					const bytes = this.read() as ArrayBuffer | undefined;
					if (bytes && decodeAcks(new Uint8Array(bytes)).includes(seq)) finish(true);
				},
				onError() {
					finish(false);
				},
			});
			timer = clock.set(() => finish(false), options.ackTimeoutMs);
		};
		const wake = (seq: number) => {
			options.pulseWakePin();
			clock.set(() => report(seq), options.wakeMs);
		};
		modem.command("AT+QSCLK=1", () => wake(1));
	});
}
