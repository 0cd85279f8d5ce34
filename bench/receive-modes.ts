// AT commands per KB received by a TCP socket in each BC20 access mode: a
// loopback peer sends 64 KB through the emulated module at 921600 baud to the
// TCP class, whose client reads everything at once in onReadable. In buffer
// access mode (the TCP class's default) every chunk costs an AT+QIRD; in
// direct push mode the module pushes "+QIURC: \"recv\"" lines and the host
// sends (almost) nothing, but what the socket's 2 KB receive buffer cannot
// take between two turns of the app is lost and ends the stream (onError), so
// the table says how much arrived intact (and shows direct push with an 8 KB
// receive buffer, the modem's rxBufferSize). Both modes run in the same process,
// one after the other; the figures are counts, not times.
import { TCP } from "../firmware/net/tcp.js";
import { openSession } from "../host-sim/modem-session.js";
import { hostilePayload, source } from "../test/support/loopback-servers.js";
import { fixed, type Section, type SectionResult } from "./section.js";

const BAUD = 921600;
const BYTES = 64 * 1024;

interface ModeFigures {
	received: number; // bytes read before the stream ended or completed
	commands: number; // AT command lines sent from the first byte sent by the peer to the last byte read
	commandsPerKB: number; // per KB received
	seconds: number;
	byteExact: boolean; // what was received is the start of what was sent
	error: string; // why the stream ended early, or ""
}

async function receive(mode: 0 | 1, rxBufferSize = 2048): Promise<ModeFigures> {
	const session = await openSession({ baud: BAUD, modem: { rxBufferSize } });
	const peer = await source();
	try {
		const body = hostilePayload(BYTES, 31);
		const got = new Uint8Array(BYTES);
		let at = 0,
			error = "";
		let connected: () => void = () => {};
		const ready = new Promise<void>((resolve) => (connected = resolve));
		const done = new Promise<void>((resolve) => {
			const tcp: TCP = new TCP({
				modem: session.modem,
				address: "127.0.0.1",
				port: peer.port,
				mode,
				onWritable: () => connected(),
				onReadable(count: number) {
					tcp.read(got.subarray(at, at + count));
					at += count;
					if (at >= BYTES) {
						tcp.close();
						resolve();
					}
				},
				onError() {
					error = tcp.lastError?.message ?? "socket error";
					tcp.close();
					resolve();
				},
			});
		});
		await ready;
		const commandsBefore = session.modem.commandsSent;
		const t0 = performance.now();
		await peer.send(body);
		await done;
		const seconds = (performance.now() - t0) / 1000;
		const commands = session.modem.commandsSent - commandsBefore;
		const byteExact = Buffer.compare(Buffer.from(got.subarray(0, at)), Buffer.from(body.subarray(0, at))) === 0;
		return { received: at, commands, commandsPerKB: commands / Math.max(1, at / 1024), seconds, byteExact, error };
	} finally {
		await peer.close();
		await session.close();
	}
}

async function run(): Promise<SectionResult> {
	const buffer = await receive(0);
	const push = await receive(1);
	const push8 = await receive(1, 8192);
	const row = (name: string, f: ModeFigures) => [
		name,
		fixed(f.received / 1024),
		String(f.commands),
		fixed(f.commandsPerKB),
		fixed(f.seconds),
		f.byteExact ? "yes" : "NO",
	];
	const ended = [
		["buffer", buffer],
		["direct push", push],
		["direct push, 8 KB buffer", push8],
	]
		.filter(([, f]) => (f as ModeFigures).error)
		.map(
			([name, f]) =>
				`${name}: the stream ended after ${(f as ModeFigures).received} bytes (${(f as ModeFigures).error})`,
		);
	return {
		table: {
			columns: ["access mode", "KB received", "AT commands", "per KB", "seconds", "byte-exact"],
			rows: [
				row("buffer (AT+QIRD, TCP default)", buffer),
				row("direct push (+QIURC recv)", push),
				row("direct push, 8 KB receive buffer", push8),
			],
		},
		notes: [
			`${BYTES / 1024} KB sent by a loopback peer at ${BAUD} baud, read at once in onReadable; commands counted by modem.commandsSent`,
			...ended,
		],
		data: { baud: BAUD, bytes: BYTES, buffer, push, push8 },
		targets: [],
	};
}

export const receiveModes: Section = {
	key: "receiveModes",
	title: "AT commands per KB received: buffer access vs direct push",
	run,
};
