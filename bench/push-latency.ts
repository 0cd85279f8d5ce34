// Section 5: latency on Node from the last byte of a direct-push "recv" URC
// to the application's onReadable. A loopback peer sends one small packet at
// a time to a direct-push TCP socket (the driver's defaults: text receive
// format, view mode 1); the next goes once the app has read the last one and
// the URC's closing CR LF has come through, so every URC meets a quiet line.
//
// The last byte that matters is the last data byte: the driver ends the
// payload run, and calls onReadable, when it has the announced n bytes,
// without waiting for the CR LF that closes the URC. Three spans per packet:
//
// - driver: from the chunk carrying that byte entering modem.receive to
//   onReadable (inside the same call: the driver's own cost);
// - pipe: from the emulator emitting that chunk ('data' event) to
//   modem.receive (the pipe transport hands chunks over with setImmediate,
//   as a UART's bytes would come from the event loop);
// - end to end: emulator 'data' event to onReadable, the sum.
import type { Socket } from "../firmware/bc20/socket.js";
import { openBenchSession } from "./e2e-session.js";
import { pushUrcBytes } from "./framing.js";
import { source } from "../test/support/loopback-servers.js";
import type { Section, SectionResult } from "./section.js";

const BAUD = 115200;
const PACKET = 16;
const WARMUP = 50;
const SAMPLES = 1200;

export interface Distribution {
	median: number; // microseconds
	p99: number;
	mean: number;
	max: number;
}

function distribution(valuesMs: number[]): Distribution {
	const us = valuesMs.map((v) => v * 1000).sort((a, b) => a - b);
	const at = (q: number) => us[Math.min(us.length - 1, Math.ceil(q * us.length) - 1)];
	return { median: at(0.5), p99: at(0.99), mean: us.reduce((a, b) => a + b, 0) / us.length, max: us[us.length - 1] };
}

async function run(): Promise<SectionResult> {
	const urcBytes = pushUrcBytes(0, PACKET, false);
	const lastDataByte = urcBytes - 2; // position (1-based) of the last data byte in the URC
	const peer = await source();
	let emitted = 0,
		delivered = 0;
	let tEmit = -1,
		tDeliver = -1;
	let onQuiet: (() => void) | null = null;
	const session = await openBenchSession({
		baud: BAUD,
		onEmit(chunk) {
			const before = emitted;
			emitted += chunk.length;
			if (before < lastDataByte && emitted >= lastDataByte) tEmit = performance.now();
		},
		onDeliver(chunk) {
			const before = delivered;
			delivered += chunk.length;
			if (before < lastDataByte && delivered >= lastDataByte) tDeliver = performance.now();
			if (delivered === urcBytes && onQuiet) setImmediate(onQuiet);
		},
	});
	const driver: number[] = [],
		pipe: number[] = [],
		endToEnd: number[] = [];
	try {
		const packet = new Uint8Array(PACKET);
		const into = new Uint8Array(2048);
		await new Promise<void>((resolve, reject) => {
			let sample = 0,
				read = false;
			const timer = setTimeout(() => reject(new Error(`push latency: stuck at sample ${sample}`)), 60_000);
			const next = () => {
				if (!read) return;
				if (emitted !== urcBytes || delivered !== urcBytes) {
					reject(
						new Error(`push latency: ${emitted} bytes emitted / ${delivered} delivered for a ${urcBytes}-byte URC`),
					);
					return;
				}
				if (++sample === WARMUP + SAMPLES) {
					clearTimeout(timer);
					resolve();
					return;
				}
				emitted = delivered = 0;
				tEmit = tDeliver = -1;
				read = false;
				packet.fill(sample & 0xff);
				peer.send(packet).catch(reject);
			};
			onQuiet = next;
			session.modem.open({
				host: "127.0.0.1",
				port: peer.port,
				mode: 1,
				onConnected() {
					read = true;
					emitted = delivered = urcBytes;
					next();
				},
				onReadable(this: Socket) {
					const tApp = performance.now();
					const n = this.read(into);
					if (n !== PACKET || into[0] !== (sample & 0xff) || tDeliver < 0 || tEmit < 0) {
						reject(new Error(`push latency: sample ${sample} read ${n} bytes (${tEmit}, ${tDeliver})`));
						return;
					}
					if (sample >= WARMUP) {
						driver.push(tApp - tDeliver);
						pipe.push(tDeliver - tEmit);
						endToEnd.push(tApp - tEmit);
					}
					read = true;
					if (delivered === urcBytes) setImmediate(next);
				},
				onWarning: (error) => reject(error),
				onError: (error) => reject(error),
			});
		});
	} finally {
		await session.close();
		await peer.close();
	}
	const spans = { driver: distribution(driver), pipe: distribution(pipe), endToEnd: distribution(endToEnd) };
	const us = (x: number) => x.toFixed(x < 10 ? 1 : 0);
	const row = (name: string, d: Distribution) => [name, us(d.median), us(d.p99), us(d.mean), us(d.max)];
	return {
		table: {
			columns: ["span (us)", "median", "p99", "mean", "max"],
			rows: [
				row("driver: modem.receive -> onReadable", spans.driver),
				row("pipe: emulator 'data' -> modem.receive", spans.pipe),
				row("end to end: emulator 'data' -> onReadable", spans.endToEnd),
			],
		},
		notes: [
			`${SAMPLES} samples after ${WARMUP} warm-up: ${PACKET}-byte TCP packets, one at a time, pushed as ` +
				`${urcBytes}-byte +QIURC: "recv" URCs (text receive format, view mode 1) at ${BAUD} baud`,
			`timed from the chunk carrying the URC's last data byte (byte ${lastDataByte} of ${urcBytes}: the driver does ` +
				"not wait for the closing CR LF); every URC was checked to arrive alone on a quiet line",
		],
		data: { baud: BAUD, packetBytes: PACKET, urcBytes, samples: SAMPLES, warmup: WARMUP, microseconds: spans },
		targets: [],
	};
}

export const pushLatency: Section = {
	key: "pushLatency",
	title: '5. Latency on Node: direct-push "recv" URC to onReadable (microseconds, lower is better)',
	run,
};
