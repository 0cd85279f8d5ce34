// The demo's "cloud": a collector that receives sensor reports over UDP and
// TCP on loopback and acknowledges each one. The report format is the sensor
// app's (firmware/app/report.ts): one text line "R,<device>,<seq>,<uptime>,<sample>"
// answered by "A,<seq>".
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";

export interface Reading {
	transport: "udp" | "tcp";
	device: string;
	seq: number;
	uptimeMs: number;
	sample: number;
	receivedAt: number;
}

export interface CollectorOptions {
	host?: string; // default 127.0.0.1
	udpPort?: number; // default 0: any free port
	tcpPort?: number;
	// Ignore the first N reports (no ack), to show the app's retry.
	dropFirst?: number;
	onReading?: (reading: Reading) => void;
}

const REPORT = /^R,([A-Za-z0-9_-]{1,32}),(\d+),(\d+),(-?\d+(?:\.\d+)?)$/;

export class Collector {
	readonly readings: Reading[] = [];
	rejected = 0;
	udpPort = 0;
	tcpPort = 0;
	#udp: UdpSocket | null = null;
	#tcp: Server | null = null;
	#clients = new Set<Socket>();
	#toDrop: number;
	#options: CollectorOptions;

	constructor(options: CollectorOptions = {}) {
		this.#options = options;
		this.#toDrop = options.dropFirst ?? 0;
	}

	get host(): string {
		return this.#options.host ?? "127.0.0.1";
	}

	async start(): Promise<this> {
		const udp = createSocket(this.host.includes(":") ? "udp6" : "udp4");
		this.#udp = udp;
		udp.on("message", (message, from) => {
			const ack = this.#accept(message.toString("latin1").trim(), "udp");
			if (ack !== null) udp.send(ack, from.port, from.address);
		});
		await new Promise<void>((resolve) => udp.bind(this.#options.udpPort ?? 0, this.host, resolve));
		this.udpPort = udp.address().port;

		const tcp = createServer((socket) => {
			this.#clients.add(socket);
			let pending = "";
			socket.on("data", (data) => {
				pending += data.toString("latin1");
				for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
					const ack = this.#accept(pending.slice(0, end).trim(), "tcp");
					pending = pending.slice(end + 1);
					if (ack !== null) socket.write(ack);
				}
			});
			socket.on("error", () => {});
			socket.on("close", () => this.#clients.delete(socket));
		});
		this.#tcp = tcp;
		await new Promise<void>((resolve) => tcp.listen(this.#options.tcpPort ?? 0, this.host, resolve));
		this.tcpPort = (tcp.address() as { port: number }).port;
		return this;
	}

	async close(): Promise<void> {
		this.#udp?.close();
		for (const socket of this.#clients) socket.destroy();
		await new Promise<void>((resolve) => (this.#tcp ? this.#tcp.close(() => resolve()) : resolve()));
	}

	#accept(text: string, transport: "udp" | "tcp"): string | null {
		const match = REPORT.exec(text);
		if (!match) {
			this.rejected++;
			return null;
		}
		const reading: Reading = {
			transport,
			device: match[1],
			seq: Number(match[2]),
			uptimeMs: Number(match[3]),
			sample: Number(match[4]),
			receivedAt: Date.now(),
		};
		if (this.#toDrop > 0) {
			this.#toDrop--;
			return null;
		}
		this.readings.push(reading);
		this.#options.onReading?.(reading);
		return `A,${reading.seq}\n`;
	}
}
