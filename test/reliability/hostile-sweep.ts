// The driver against the strict emulator in its hostile settings, one seed
// at a time: output trickled in 1-3-byte writes, URCs between response
// lines, a module that answers what the host wrote during boot after its
// banner (or never), a damaged RDY. Each seed boots the module, echoes a TCP
// payload and a few UDP datagrams, and checks what a user relies on: data
// byte-exact or its loss reported, never two commands on the wire (the
// emulator's protocol-violation record; a resync probe written while a
// boot-time command was unanswered is the one overlap allowed), and an end
// within a bound. Used by hostile-sweep.test.ts (a few seeds) and npm run soak
// (many).
import type { BC20EmulatorOptions } from "../../host-sim/emulator/bc20-emulator.js";
import { openSession } from "../../host-sim/modem-session.js";
import { hostilePayload, tcpEcho, udpEcho } from "../support/loopback-servers.js";
import { prng } from "../support/bytes.js";
import { describeViolation } from "../../host-sim/emulator/bc20-emulator.js";
import { INITIAL } from "../../firmware/bc20/socket-constants.js";

export interface SweepResult {
	seed: number;
	settings: string;
	// Empty when every check held.
	problems: string[];
}

export function hostileSettings(seed: number): BC20EmulatorOptions {
	const random = prng(seed);
	const bootAnswers = ["ignore", "after-banner", "never"] as const;
	return {
		seed,
		trickle: random() < 0.6,
		interleaveUrcs: random() < 0.6 ? 0.3 : 0,
		bootAnswer: bootAnswers[Math.floor(random() * 3)],
		faults: random() < 0.3 ? { damageLines: [{ prefix: "RDY" }] } : {},
	};
}

function describe(options: BC20EmulatorOptions): string {
	const damaged = (options.faults?.damageLines ?? []).map((d) => d.prefix).join(",");
	return (
		`trickle ${options.trickle ? "on" : "off"}, URCs between lines ${options.interleaveUrcs ?? 0}, boot answer ${options.bootAnswer}` +
		(damaged ? `, damaged ${damaged}` : "")
	);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no end within ${ms} ms: ${what}`)), ms);
		promise.then(
			(v) => {
				clearTimeout(timer);
				resolve(v);
			},
			(e) => {
				clearTimeout(timer);
				reject(e);
			},
		);
	});
}

export async function sweepSeed(seed: number, bytes = 3000): Promise<SweepResult> {
	const options = hostileSettings(seed);
	const problems: string[] = [];
	const tcp = await tcpEcho(),
		udp = await udpEcho();
	const session = await within(
		openSession({ baud: 921600, emulator: options, readyTimeoutMs: 20000 }),
		30000,
		"bring-up",
	);
	try {
		// TCP: echo byte-exact, or the loss reported.
		const payload = hostilePayload(bytes, seed);
		const back: number[] = [];
		let sent = 0,
			failed = "";
		await within(
			new Promise<void>((resolve) => {
				const socket = session.modem.open({
					type: "tcp",
					host: "127.0.0.1",
					port: tcp.port,
					onWritable() {
						while (sent < payload.length) {
							const n = this.write(payload, sent, payload.length);
							if (n === 0) break;
							sent += n;
						}
					},
					onReadable() {
						const into = new Uint8Array(512);
						for (let n = this.read(into, 0, into.length); n > 0; n = this.read(into, 0, into.length))
							back.push(...into.subarray(0, n));
						if (back.length >= payload.length) {
							this.close();
							resolve();
						}
					},
					onWarning(warning) {
						failed ||= warning.message;
					},
					onError(error) {
						failed ||= error.message;
						resolve();
					},
					onClose() {
						resolve();
					},
				});
				void socket;
			}),
			30000,
			"the TCP echo",
		);
		const same = back.length === payload.length && back.every((b, i) => b === payload[i]);
		if (!same && failed === "")
			problems.push(
				`TCP: ${back.length} of ${payload.length} bytes came back ${back.length === payload.length ? "altered" : ""} with no loss reported`,
			);
		// UDP: three datagrams; each comes back intact or its loss is counted.
		let received = 0,
			unsent = 0,
			altered = 0;
		const datagram = hostilePayload(200, seed + 1);
		await within(
			new Promise<void>((resolve) => {
				let written = 0;
				const quiet = () =>
					setTimeout(() => {
						if (socket.state !== INITIAL) socket.close();
						resolve();
					}, 1500);
				const socket = session.modem.open({
					type: "udp",
					host: "127.0.0.1",
					port: udp.port,
					mode: 1,
					onWritable() {
						while (written < 3 && this.write(datagram, 0, datagram.length) > 0) written++;
						if (written === 3) quiet();
					},
					onReadable() {
						const into = new Uint8Array(512);
						while (this.nextDatagramLength >= 0) {
							const n = this.read(into, 0, into.length);
							received++;
							if (n !== datagram.length || into.subarray(0, n).some((b, i) => b !== datagram[i])) altered++;
						}
					},
					onWarning(warning) {
						if (warning.count > 0) unsent++;
					},
					onError() {
						resolve();
					},
				});
			}),
			30000,
			"the UDP datagrams",
		);
		if (altered > 0) problems.push(`UDP: ${altered} datagrams came back altered`);
		if (received + unsent === 0) problems.push("UDP: no datagram came back and none was reported lost");
		const violations = session.emulator?.violations ?? [];
		for (const v of violations) problems.push("protocol: " + describeViolation(v));
	} catch (error) {
		problems.push((error as Error).message);
	} finally {
		await session.close();
		await tcp.close();
		await udp.close();
	}
	return { seed, settings: describe(options), problems };
}
