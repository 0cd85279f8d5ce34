// A minimal SNTP server on loopback (RFC 4330 server mode) so AT+QNTP in the
// emulator has a real NTP exchange to make in the demo and the tests.
import { createSocket, type Socket } from "node:dgram";

const NTP_EPOCH_OFFSET = 2208988800; // seconds from 1900-01-01 to 1970-01-01

export class SntpServer {
	port = 0;
	requests = 0;
	#socket: Socket | null = null;
	#now: () => number;

	// `now` gives the time to serve, in Unix milliseconds (a test can fix it).
	constructor(now: () => number = Date.now) {
		this.#now = now;
	}

	async start(host = "127.0.0.1", port = 0): Promise<this> {
		const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
		this.#socket = socket;
		socket.on("message", (request, from) => {
			if (request.length < 48) return;
			this.requests++;
			const reply = Buffer.alloc(48);
			reply[0] = (0 << 6) | (4 << 3) | 4; // no leap warning, version 4, mode 4 (server)
			reply[1] = 1; // stratum 1
			reply[3] = 0xec; // precision
			reply.write("LOCL", 12, "latin1"); // reference id
			request.copy(reply, 24, 40, 48); // originate = client's transmit time
			const time = this.#now();
			writeTimestamp(reply, 16, time);
			writeTimestamp(reply, 32, time);
			writeTimestamp(reply, 40, time);
			socket.send(reply, from.port, from.address);
		});
		await new Promise<void>((resolve) => socket.bind(port, host, resolve));
		this.port = socket.address().port;
		return this;
	}

	close(): void {
		this.#socket?.close();
		this.#socket = null;
	}
}

function writeTimestamp(buffer: Buffer, offset: number, unixMs: number): void {
	const seconds = Math.floor(unixMs / 1000) + NTP_EPOCH_OFFSET;
	const fraction = Math.floor(((unixMs % 1000) / 1000) * 2 ** 32);
	buffer.writeUInt32BE(seconds >>> 0, offset);
	buffer.writeUInt32BE(fraction >>> 0, offset + 4);
}
