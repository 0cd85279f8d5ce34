// Helpers for the end-to-end fault tests: the driver against the emulated
// BC20 (real loopback sockets behind it), sockets whose callbacks log what
// the app heard, loopback peers that record what they received, and waits
// that fail the test instead of hanging. Loopback addresses only.
import { createServer, type Socket as NetSocket } from "node:net";
import type { BC20Error } from "../../firmware/bc20/errors.js";
import type { BC20, OpenOptions } from "../../firmware/bc20/modem.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import type { BC20EmulatorOptions } from "../../host-sim/emulator/bc20-emulator.js";
import { openSession, type Session, type SessionOptions } from "../../host-sim/modem-session.js";
import { concat, SocketLog } from "./reliability-accounting.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

// A module that takes a realistic while to boot (the BC20 takes seconds; the
// driver cuts a payload off after 250 ms of silence, so a reboot in the middle
// of data is seen as one only if the banner comes later than that).
export const FAULT_EMULATOR: BC20EmulatorOptions = { bootDelayMs: 400, attachDelayMs: 50 };

export async function faultSession(options: SessionOptions = {}): Promise<Session> {
	return openSession({
		baud: 921600,
		readyTimeoutMs: 10000,
		...options,
		emulator: { ...FAULT_EMULATOR, ...options.emulator },
	});
}

// Resolves with the promise's value, or fails after `ms`: nothing may hang.
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`hung: ${what} (no outcome within ${ms} ms)`)), ms);
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(error) => {
				clearTimeout(timer);
				reject(error);
			},
		);
	});
}

// Waits until `condition()` holds, checking every 5 ms; fails after `ms`.
export function until(condition: () => boolean, ms: number, what: string): Promise<void> {
	const started = Date.now();
	return new Promise<void>((resolve, reject) => {
		const check = () => {
			let ok = false;
			try {
				ok = condition();
			} catch (error) {
				reject(error);
				return;
			}
			if (ok) resolve();
			else if (Date.now() - started > ms) reject(new Error(`hung: ${what} (no outcome within ${ms} ms)`));
			else setTimeout(check, 5);
		};
		check();
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface LoggedSocket {
	socket: Socket;
	log: SocketLog;
	// The bytes the app wrote (what write() took), in order.
	written(): Uint8Array;
	// Starts writing `data` as fast as the socket takes it.
	send(data: Uint8Array): void;
	// Resolves once the socket ended (onError or onClose).
	ended(ms: number): Promise<void>;
	connected(ms: number): Promise<void>;
	// Reads what waits (after a pause).
	drainNow(): void;
}

// Opens a socket whose callbacks record everything in a SocketLog; reads
// as soon as data is readable unless `paused()` says not to.
export function openLogged(
	modem: BC20,
	options: Partial<OpenOptions> & { host?: string; port: number },
	paused: () => boolean = () => false,
): LoggedSocket {
	const log = new SocketLog();
	const taken: Uint8Array[] = [];
	let source: Uint8Array | null = null;
	let offset = 0;
	const buffer = new Uint8Array(65536);
	let connected = false;
	const pump = (socket: Socket) => {
		while (source !== null && offset < source.length && socket.state === CONNECTED) {
			const n = socket.write(source, offset, source.length);
			if (n === 0) break;
			taken.push(source.slice(offset, offset + n));
			offset += n;
		}
	};
	const drain = (socket: Socket) => {
		if (paused()) return;
		for (;;) {
			const n = socket.read(buffer);
			if (n === 0) break;
			log.received.push(buffer.slice(0, n));
		}
	};
	const socket = modem.open({
		host: "127.0.0.1",
		...options,
		onConnected() {
			connected = true;
		},
		onWritable() {
			pump(this);
		},
		onReadable() {
			drain(this);
		},
		onWarning(error: BC20Error) {
			log.warnings.push(error);
		},
		onError(error: BC20Error) {
			log.error = error;
		},
		onClose() {
			log.closed = true;
		},
	} as OpenOptions);
	return {
		socket,
		log,
		written: () => concat(taken),
		send(data) {
			source = data;
			offset = 0;
			pump(socket);
		},
		ended: (ms) => until(() => log.ended, ms, `socket ${socket.id} to end`),
		connected: (ms) => until(() => connected || log.ended, ms, `socket ${socket.id} to connect`),
		drainNow: () => drain(socket),
	};
}

export interface Sink {
	port: number;
	// Bytes received on each connection, in order.
	received: Buffer[][];
	connections: NetSocket[];
	all(index?: number): Buffer;
	close(): Promise<void>;
}

// A TCP peer on 127.0.0.1 that records what it receives; `onConnection` may
// send or close.
export async function sink(onConnection?: (socket: NetSocket, index: number) => void): Promise<Sink> {
	const received: Buffer[][] = [];
	const connections: NetSocket[] = [];
	const server = createServer((socket) => {
		const index = connections.length;
		connections.push(socket);
		received.push([]);
		socket.on("data", (d) => received[index].push(d));
		socket.on("error", () => {});
		onConnection?.(socket, index);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return {
		port: (server.address() as { port: number }).port,
		received,
		connections,
		all: (index = 0) => Buffer.concat(received[index] ?? []),
		close: () =>
			new Promise((resolve) => {
				for (const s of connections) s.destroy();
				server.close(() => resolve());
			}),
	};
}

// Deterministic bytes of every value, rich in CR, LF and "OK".
export function pattern(length: number, seed = 1): Uint8Array {
	const out = new Uint8Array(length);
	let a = seed >>> 0;
	const motif = '\r\nOK\r\n+QIURC: "recv",0,5\r\nSEND OK\x00\x1a\xff",';
	for (let i = 0; i < length; i++) {
		a = (a * 1664525 + 1013904223) >>> 0;
		out[i] = a >>> 24 < 80 ? motif.charCodeAt(i % motif.length) : a >>> 24;
	}
	return out;
}

// After a fault: the modem is ready (again) and a new TCP socket echoes a
// payload byte for byte. Returns "" or what failed.
export async function roundTrip(modem: BC20, echoPort: number, ms = 8000): Promise<string> {
	try {
		await until(() => modem.state === "ready", ms, "the modem to be ready again");
		const payload = pattern(1500, 99);
		const s = openLogged(modem, { port: echoPort });
		s.send(payload);
		await until(() => s.log.receivedBytes.length >= payload.length || s.log.ended, ms, "the echo of 1500 bytes");
		const back = s.log.receivedBytes;
		s.socket.state !== INITIAL && s.socket.close();
		await s.ended(ms);
		if (Buffer.compare(Buffer.from(back), Buffer.from(payload)) !== 0)
			return `echo after the fault differs: ${back.length} bytes back (${s.log.describe()})`;
		return "";
	} catch (error) {
		return String((error as Error).message);
	}
}
