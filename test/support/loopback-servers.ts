// Loopback peers for end-to-end tests: echo servers, an HTTP server and a
// tiny MQTT broker. Every server listens on 127.0.0.1 and port 0.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";

export interface Peer {
	port: number;
	close(): Promise<void>;
}

function track(server: Server): Set<Socket> {
	const sockets = new Set<Socket>();
	server.on("connection", (s) => {
		sockets.add(s);
		s.on("close", () => sockets.delete(s));
		s.on("error", () => {});
		s.setNoDelay(true);
	});
	return sockets;
}

async function listen(server: Server): Promise<Peer> {
	const sockets = track(server);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return {
		port: (server.address() as { port: number }).port,
		close: () => new Promise((resolve) => {
			for (const s of sockets) s.destroy();
			server.close(() => resolve());
		}),
	};
}

// Echoes everything; with `closeAfter`, closes once that many bytes came back.
export function tcpEcho(closeAfter = 0): Promise<Peer> {
	return listen(createServer((socket) => {
		let n = 0;
		socket.on("data", (data) => {
			socket.write(data);
			n += data.length;
			if (closeAfter > 0 && n >= closeAfter) socket.end();
		});
		socket.on("error", () => {});
	}));
}

// Keeps everything it receives.
export async function sink(): Promise<Peer & { received(): Buffer }> {
	const chunks: Buffer[] = [];
	const peer = await listen(createServer((socket) => socket.on("data", (data) => chunks.push(data))));
	return { ...peer, received: () => Buffer.concat(chunks) };
}

// Sends what it is told to on the (first) accepted connection, waiting for it if need be.
export async function source(): Promise<Peer & { send(bytes: Uint8Array): Promise<void> }> {
	let connected: (socket: Socket) => void = () => {};
	const connection = new Promise<Socket>((resolve) => connected = resolve);
	const peer = await listen(createServer((socket) => connected(socket)));
	return {
		...peer,
		async send(bytes) {
			(await connection).write(bytes);
		},
	};
}

export async function udpEcho(): Promise<Peer> {
	const socket: UdpSocket = createSocket("udp4");
	socket.on("message", (message, from) => socket.send(message, from.port, from.address));
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
	return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

// Sends `body` for GET /data with Content-Length, then closes.
export function httpServer(body: Uint8Array): Promise<Peer> {
	const server = createHttpServer((request, response) => {
		if (request.url !== "/data") {
			response.writeHead(404).end();
			return;
		}
		response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
		response.end(Buffer.from(body));
	});
	return listen(server as unknown as Server);
}

export interface Broker extends Peer {
	published: { topic: string; payload: Uint8Array }[];
}

// Enough MQTT 3.1.1 for CONNECT/CONNACK, PUBLISH QoS 1/PUBACK, DISCONNECT.
export async function mqttBroker(): Promise<Broker> {
	const published: Broker["published"] = [];
	const peer = await listen(createServer((socket) => {
		let pending = Buffer.alloc(0);
		socket.on("data", (data) => {
			pending = Buffer.concat([pending, data]);
			for (;;) {
				if (pending.length < 2) return;
				let length = 0, multiplier = 1, at = 1;
				for (;;) {
					const digit = pending[at++];
					length += (digit & 127) * multiplier;
					multiplier *= 128;
					if (!(digit & 128)) break;
				}
				if (pending.length < at + length) return;
				const type = pending[0] >> 4;
				const body = pending.subarray(at, at + length);
				pending = pending.subarray(at + length);
				if (type === 1) socket.write(Buffer.from([0x20, 2, 0, 0]));
				else if (type === 3) {
					const topicLength = body.readUInt16BE(0);
					const topic = body.subarray(2, 2 + topicLength).toString("latin1");
					const id = body.readUInt16BE(2 + topicLength);
					published.push({ topic, payload: Uint8Array.from(body.subarray(4 + topicLength)) });
					socket.write(Buffer.from([0x40, 2, id >> 8, id & 255]));
				}
				else if (type === 14) socket.end();
			}
		});
		socket.on("error", () => {});
	}));
	return { ...peer, published };
}

// Bytes that break naive parsers: CR, LF, "OK" lines, URC look-alikes, NUL, Ctrl-Z, 0xFF.
export function hostilePayload(length: number, seed = 1): Uint8Array {
	const motifs = ["\r\nOK\r\n", "+QIURC: \"recv\",0,5\r\n", "SEND OK", "\r\nERROR\r\n", "\x00\x1a\xff", "\"", ",", "\r", "\n"];
	const out = new Uint8Array(length);
	let a = seed >>> 0;
	const random = () => {
		a = (a * 1664525 + 1013904223) >>> 0;
		return a / 4294967296;
	};
	let i = 0;
	while (i < length) {
		if (random() < 0.3) {
			const motif = motifs[Math.floor(random() * motifs.length)];
			for (let k = 0; k < motif.length && i < length; k++) out[i++] = motif.charCodeAt(k);
		}
		else out[i++] = Math.floor(random() * 256);
	}
	return out;
}
