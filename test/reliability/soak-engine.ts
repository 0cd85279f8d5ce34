// The hostile payload soak: random binary payloads rich in CR, LF,
// "\r\nOK\r\n", "+QIURC: \"recv\",0", "SEND OK", quotes, commas, 0x00, 0x1A and
// 0xFF go from the app through the driver and the emulated BC20 to loopback
// echo peers and back, over TCP and UDP, in buffer access and direct push
// modes, in hex and text receive formats, and are compared byte for byte.
// Used by scripts/soak.ts (npm run soak) and test/reliability/soak.test.ts.
import type { BC20, BC20Options } from "../../firmware/bc20/modem.js";
import { openSession } from "../../host-sim/modem-session.js";
import { tcpEcho, udpEcho } from "../support/loopback-servers.js";
import { prng } from "../support/bytes.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

const MOTIFS = [
	"\r\nOK\r\n",
	'+QIURC: "recv",0',
	'+QIURC: "recv",0,5\r\n',
	"SEND OK",
	"\r\nSEND OK\r\n",
	'"',
	",",
	"\x00",
	"\x1a",
	"\xff",
	"\r",
	"\n",
	"\r\n",
	"+QIRD: 5,0,",
	"\r\nERROR\r\n",
	"RDY",
];

// `length` bytes, about a third of them from the motifs above.
export function hostilePayload(length: number, seed: number): Uint8Array {
	const random = prng(seed);
	const out = new Uint8Array(length);
	let i = 0;
	while (i < length) {
		if (random() < 0.35) {
			const motif = MOTIFS[Math.floor(random() * MOTIFS.length)];
			for (let k = 0; k < motif.length && i < length; k++) out[i++] = motif.charCodeAt(k);
		} else out[i++] = Math.floor(random() * 256);
	}
	return out;
}

export interface SoakRun {
	name: string;
	// Payload bytes echoed (each went app -> peer -> app).
	bytes: number;
	// Bytes that came back different or not at all (TCP), or datagrams that
	// did (UDP): must be 0.
	mismatches: number;
	seconds: number;
	detail: string;
}

export interface SoakOptions {
	// Payload bytes per run (8 runs).
	bytesPerRun: number;
	seed?: number;
	baud?: number;
	// Gives up on a run when nothing moves for this long (default 5000 ms).
	stallMs?: number;
	onRun?: (run: SoakRun) => void;
}

interface Setting {
	name: string;
	modem: Partial<Omit<BC20Options, "transport" | "clock">>;
}

// Two receive settings, each with every transport and access mode.
export const SETTINGS: readonly Setting[] = [
	{
		name: "hex receive, view mode 1, showlength 1, text sends",
		modem: { receiveHex: true, viewMode: 1, showLength: true, textSend: true },
	},
	{
		name: "text receive, view mode 0, showlength 0, hex sends",
		modem: { receiveHex: false, viewMode: 0, showLength: false, textSend: false },
	},
];

function since(t0: number): number {
	return (performance.now() - t0) / 1000;
}

async function tcpRun(
	modem: BC20,
	port: number,
	mode: number,
	total: number,
	seed: number,
	stallMs: number,
): Promise<Omit<SoakRun, "name">> {
	const t0 = performance.now();
	const payload = hostilePayload(total, seed);
	const back = new Uint8Array(total);
	let sent = 0,
		got = 0,
		lastProgress = performance.now();
	let ended = "";
	const socket = modem.open({
		type: "tcp",
		host: "127.0.0.1",
		port,
		mode,
		onWritable() {
			while (sent < total) {
				const n = this.write(payload, sent, total);
				if (n === 0) break;
				sent += n;
				lastProgress = performance.now();
			}
		},
		onReadable() {
			for (;;) {
				const n = got < total ? this.read(back, got, total) : this.read(new Uint8Array(4096));
				if (n === 0) break;
				got += n;
				lastProgress = performance.now();
			}
		},
		onWarning(e) {
			if (ended === "") ended = "warning: " + e.message;
		},
		onError(e) {
			ended = "error: " + e.message;
		},
	});
	await new Promise<void>((resolve) => {
		const check = () => {
			if (got >= total || ended.startsWith("error") || performance.now() - lastProgress > stallMs) resolve();
			else setTimeout(check, 10);
		};
		check();
	});
	if (socket.state !== INITIAL) socket.close();
	let mismatches = total - Math.min(got, total);
	let first = -1;
	for (let i = 0; i < Math.min(got, total); i++) {
		if (back[i] !== payload[i]) {
			mismatches++;
			if (first < 0) first = i;
		}
	}
	const detail =
		mismatches === 0
			? ""
			: `${got} of ${total} bytes back${first >= 0 ? `, first difference at ${first}` : ""}${ended ? "; " + ended : ""}`;
	return { bytes: Math.min(got, total), mismatches, seconds: since(t0), detail };
}

async function udpRun(
	modem: BC20,
	port: number,
	mode: number,
	total: number,
	seed: number,
	stallMs: number,
): Promise<Omit<SoakRun, "name">> {
	const t0 = performance.now();
	const random = prng(seed);
	const datagrams: Uint8Array[] = [];
	for (let n = 0; n < total;) {
		const size = Math.min(total - n, 1 + Math.floor(random() * 512));
		datagrams.push(hostilePayload(size, seed * 7919 + datagrams.length));
		n += size;
	}
	const back: Uint8Array[] = [];
	let next = 0,
		lastProgress = performance.now(),
		ended = "";
	// A few datagrams in flight at a time: UDP has no flow control, and a
	// full module buffer drops datagrams (the fault tests cover that).
	const window = 4;
	const socket = modem.open({
		type: "udp",
		host: "127.0.0.1",
		port,
		mode,
		onWritable() {
			pump(this);
		},
		onReadable() {
			while (this.nextDatagramLength >= 0) {
				const d = new Uint8Array(this.nextDatagramLength);
				this.read(d);
				back.push(d);
				lastProgress = performance.now();
			}
			pump(this);
		},
		onWarning(e) {
			if (ended === "") ended = "warning: " + e.message;
		},
		onError(e) {
			ended = "error: " + e.message;
		},
	});
	function pump(s: typeof socket) {
		while (
			next < datagrams.length &&
			next - back.length < window &&
			s.state === CONNECTED &&
			s.write(datagrams[next]) > 0
		) {
			next++;
			lastProgress = performance.now();
		}
	}
	await new Promise<void>((resolve) => {
		const check = () => {
			if (back.length >= datagrams.length || ended.startsWith("error") || performance.now() - lastProgress > stallMs)
				resolve();
			else setTimeout(check, 10);
		};
		check();
	});
	if (socket.state !== INITIAL) socket.close();
	let mismatches = Math.max(0, datagrams.length - back.length) + Math.max(0, back.length - datagrams.length);
	let bytes = 0,
		first = -1;
	for (let i = 0; i < Math.min(back.length, datagrams.length); i++) {
		const a = datagrams[i],
			b = back[i];
		let same = a.length === b.length;
		for (let k = 0; same && k < a.length; k++) same = a[k] === b[k];
		if (same) bytes += a.length;
		else {
			mismatches++;
			if (first < 0) first = i;
		}
	}
	const detail =
		mismatches === 0
			? ""
			: `${back.length} of ${datagrams.length} datagrams back${first >= 0 ? `, first different: #${first}` : ""}${ended ? "; " + ended : ""}`;
	return { bytes, mismatches, seconds: since(t0), detail: detail || `${datagrams.length} datagrams` };
}

export async function soak(options: SoakOptions): Promise<SoakRun[]> {
	const runs: SoakRun[] = [];
	const seed = options.seed ?? 1;
	const stallMs = options.stallMs ?? 5000;
	const tcp = await tcpEcho(),
		udp = await udpEcho();
	try {
		for (const [s, setting] of SETTINGS.entries()) {
			const session = await openSession({ baud: options.baud ?? 921600, modem: setting.modem, readyTimeoutMs: 10000 });
			try {
				for (const transport of ["TCP", "UDP"] as const) {
					for (const mode of [0, 1]) {
						const runSeed = seed * 16 + s * 4 + (transport === "UDP" ? 2 : 0) + mode;
						const result =
							transport === "TCP"
								? await tcpRun(session.modem, tcp.port, mode, options.bytesPerRun, runSeed, stallMs)
								: await udpRun(session.modem, udp.port, mode, options.bytesPerRun, runSeed, stallMs);
						const run = { name: `${transport} ${mode ? "direct push" : "buffer"}, ${setting.name}`, ...result };
						if (run.mismatches === 0 && transport === "TCP") run.detail = "";
						runs.push(run);
						options.onRun?.(run);
					}
				}
			} finally {
				await session.close();
			}
		}
	} finally {
		await tcp.close();
		await udp.close();
	}
	return runs;
}
