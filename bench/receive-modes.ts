// AT commands per KB received by a TCP socket in each BC20 access mode: a
// loopback peer sends 64 KB through the emulated module at 921600 baud to the
// TCP class, whose client reads everything at once in onReadable. In buffer
// access mode (the TCP class's default) every chunk costs an AT+QIRD; in
// direct push mode the module pushes "+QIURC: \"recv\"" lines and the host
// sends (almost) nothing. Both modes run in the same process, one after the
// other; the figures are counts, not times.
import { TCP } from "../firmware/net/tcp.js";
import { openSession } from "../host-sim/modem-session.js";
import { hostilePayload, source } from "../test/support/loopback-servers.js";
import { fixed, type Section, type SectionResult } from "./section.js";

const BAUD = 921600;
const BYTES = 64 * 1024;

interface ModeFigures {
	commands: number; // AT command lines sent from the first byte sent by the peer to the last byte read
	commandsPerKB: number;
	seconds: number;
	byteExact: boolean;
}

async function receive(mode: 0 | 1): Promise<ModeFigures> {
	const session = await openSession({ baud: BAUD });
	const peer = await source();
	try {
		const body = hostilePayload(BYTES, 31);
		const got = new Uint8Array(BYTES);
		let at = 0;
		let connected: () => void = () => {};
		const ready = new Promise<void>((resolve) => connected = resolve);
		const done = new Promise<void>((resolve, reject) => {
			const tcp: TCP = new TCP({
				modem: session.modem, address: "127.0.0.1", port: peer.port, mode,
				onWritable: () => connected(),
				onReadable(count: number) {
					tcp.read(got.subarray(at, at + count));
					at += count;
					if (at >= BYTES) {
						tcp.close();
						resolve();
					}
				},
				onError: () => reject(tcp.lastError ?? new Error("receive-modes: socket error")),
			});
		});
		await ready;
		const commandsBefore = session.modem.commandsSent;
		const t0 = performance.now();
		await peer.send(body);
		await done;
		const seconds = (performance.now() - t0) / 1000;
		const commands = session.modem.commandsSent - commandsBefore;
		return { commands, commandsPerKB: commands / (BYTES / 1024), seconds, byteExact: Buffer.compare(Buffer.from(got), Buffer.from(body)) === 0 };
	}
	finally {
		await peer.close();
		await session.close();
	}
}

async function run(): Promise<SectionResult> {
	const buffer = await receive(0);
	const push = await receive(1);
	const row = (name: string, f: ModeFigures) => [name, String(f.commands), fixed(f.commandsPerKB), fixed(f.seconds), f.byteExact ? "yes" : "NO"];
	return {
		table: {
			columns: ["access mode", "AT commands", "per KB", "seconds", "byte-exact"],
			rows: [row("buffer (AT+QIRD, TCP default)", buffer), row("direct push (+QIURC recv)", push)],
		},
		notes: [`${BYTES / 1024} KB from a loopback peer at ${BAUD} baud, read at once in onReadable; commands counted by modem.commandsSent`],
		data: { baud: BAUD, bytes: BYTES, buffer, push },
		targets: [],
	};
}

export const receiveModes: Section = { key: "receiveModes", title: "AT commands per KB received: buffer access vs direct push", run };
