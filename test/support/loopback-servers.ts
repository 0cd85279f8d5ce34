// Loopback peers for tests: echo servers, recording TCP and UDP peers, an HTTP
// server, a WebSocket echo server and a tiny MQTT broker. Every server listens
// on 127.0.0.1 and port 0.
import { createHash } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";

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
		close: () =>
			new Promise((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}

// Echoes everything; with `closeAfter`, closes once that many bytes came back.
export function tcpEcho(closeAfter = 0): Promise<Peer> {
	return listen(
		createServer((socket) => {
			let n = 0;
			socket.on("data", (data) => {
				socket.write(data);
				n += data.length;
				if (closeAfter > 0 && n >= closeAfter) socket.end();
			});
			socket.on("error", () => {});
		}),
	);
}

// Sends `reply` as soon as a connection comes, then closes.
export function sender(reply: Uint8Array): Promise<Peer> {
	return listen(createServer((socket) => socket.end(Buffer.from(reply))));
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
	const connection = new Promise<Socket>((resolve) => (connected = resolve));
	const peer = await listen(createServer((socket) => connected(socket)));
	return {
		...peer,
		async send(bytes) {
			(await connection).write(bytes);
		},
	};
}

// Echoes every datagram.
export function udpEcho(): Promise<Peer> {
	return UdpPeer.start(true);
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
	keepAlives: number[]; // seconds, from each CONNECT
	pings: number; // PINGREQs answered
}

// Enough MQTT 3.1.1 for CONNECT/CONNACK, PUBLISH QoS 1/PUBACK,
// PINGREQ/PINGRESP, DISCONNECT.
export async function mqttBroker(): Promise<Broker> {
	const published: Broker["published"] = [];
	const keepAlives: number[] = [];
	const counts = { pings: 0 };
	const peer = await listen(
		createServer((socket) => {
			let pending = Buffer.alloc(0);
			socket.on("data", (data) => {
				pending = Buffer.concat([pending, data]);
				for (;;) {
					if (pending.length < 2) return;
					let length = 0,
						multiplier = 1,
						at = 1;
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
					if (type === 1) {
						keepAlives.push(body.readUInt16BE(8)); // after the protocol name "MQTT", its level and the flags
						socket.write(Buffer.from([0x20, 2, 0, 0]));
					} else if (type === 12) {
						counts.pings++;
						socket.write(Buffer.from([0xd0, 0]));
					} else if (type === 3) {
						const topicLength = body.readUInt16BE(0);
						const topic = body.subarray(2, 2 + topicLength).toString("latin1");
						const id = body.readUInt16BE(2 + topicLength);
						published.push({ topic, payload: Uint8Array.from(body.subarray(4 + topicLength)) });
						socket.write(Buffer.from([0x40, 2, id >> 8, id & 255]));
					} else if (type === 14) socket.end();
				}
			});
			socket.on("error", () => {});
		}),
	);
	return {
		...peer,
		published,
		keepAlives,
		get pings() {
			return counts.pings;
		},
	};
}

// Bytes that break naive parsers: CR, LF, "OK" lines, URC look-alikes, NUL, Ctrl-Z, 0xFF.
export function hostilePayload(length: number, seed = 1): Uint8Array {
	const motifs = [
		"\r\nOK\r\n",
		'+QIURC: "recv",0,5\r\n',
		"SEND OK",
		"\r\nERROR\r\n",
		"\x00\x1a\xff",
		'"',
		",",
		"\r",
		"\n",
	];
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
		} else out[i++] = Math.floor(random() * 256);
	}
	return out;
}

export interface WebSocketServer extends Peer {
	received: { opcode: number; data: Uint8Array }[]; // data frames, unmasked
	unmaskedFrames: number; // client frames without the mask bit (RFC 6455 forbids them)
}

export function webSocketAccept(key: string): string {
	return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

// A WebSocket echo server: answers an Upgrade on any path with 101 and echoes
// every text and binary frame (unmasked, as a server sends); answers a close
// frame with a close frame, then ends the connection.
export async function webSocketEcho(): Promise<WebSocketServer> {
	const received: WebSocketServer["received"] = [];
	const server = createHttpServer((_request, response) => response.writeHead(426).end());
	const result: WebSocketServer = { port: 0, close: async () => {}, received, unmaskedFrames: 0 };
	server.on("upgrade", (request, socket: Socket, head: Buffer) => {
		socket.on("error", () => {});
		socket.setNoDelay(true);
		socket.write(
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
				`Sec-WebSocket-Accept: ${webSocketAccept(String(request.headers["sec-websocket-key"]))}\r\n\r\n`,
		);
		let pending = Buffer.from(head);
		const frames = (data: Buffer) => {
			pending = Buffer.concat([pending, data]);
			for (;;) {
				if (pending.length < 2) return;
				const masked = (pending[1] & 128) !== 0;
				let length = pending[1] & 127,
					at = 2;
				if (length === 126) {
					if (pending.length < 4) return;
					length = pending.readUInt16BE(2);
					at = 4;
				} else if (length === 127) {
					if (pending.length < 10) return;
					length = Number(pending.readBigUInt64BE(2));
					at = 10;
				}
				if (pending.length < at + (masked ? 4 : 0) + length) return;
				const mask = masked ? pending.subarray(at, at + 4) : Buffer.alloc(4);
				at += masked ? 4 : 0;
				const data = Buffer.from(pending.subarray(at, at + length).map((b, i) => b ^ mask[i & 3]));
				const opcode = pending[0] & 15;
				pending = pending.subarray(at + length);
				if (!masked) result.unmaskedFrames++;
				const header =
					length < 126
						? Buffer.from([0x80 | opcode, length])
						: Buffer.from([0x80 | opcode, 126, length >> 8, length & 255]);
				if (opcode === 1 || opcode === 2) {
					received.push({ opcode, data: Uint8Array.from(data) });
					socket.write(Buffer.concat([header, data]));
				} else if (opcode === 8) {
					socket.end(Buffer.concat([header, data]));
					return;
				}
			}
		};
		socket.on("data", frames);
		frames(Buffer.alloc(0));
	});
	const peer = await listen(server as unknown as Server);
	return Object.assign(result, peer);
}

// A TCP server that keeps every connection and everything received (echoing it when asked).
export class TcpPeer {
	// Connections accepted, in order.
	readonly connections: Socket[] = [];
	// Everything received, over all connections.
	received = Buffer.alloc(0);

	// `echo`: write back whatever arrives (may be changed at any time).
	private constructor(
		private readonly server: Server,
		public echo: boolean,
	) {}

	static async start(echo = true): Promise<TcpPeer> {
		const server = createServer();
		const peer = new TcpPeer(server, echo);
		server.on("connection", (socket) => peer.accept(socket));
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		return peer;
	}

	get port(): number {
		return (this.server.address() as AddressInfo).port;
	}

	// The index-th accepted connection, once it exists.
	async connection(index = 0): Promise<Socket> {
		await waitFor(() => this.connections.length > index, `connection ${index}`);
		return this.connections[index]!;
	}

	// Waits until `count` bytes have been received in total.
	async receivedAtLeast(count: number): Promise<Buffer> {
		await waitFor(() => this.received.length >= count, `${count} bytes at the peer`);
		return this.received;
	}

	close(): Promise<void> {
		for (const socket of this.connections) socket.destroy();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}

	private accept(socket: Socket): void {
		socket.setNoDelay(true);
		socket.on("error", () => undefined);
		socket.on("data", (chunk: Buffer) => {
			this.received = Buffer.concat([this.received, chunk]);
			if (this.echo) socket.write(chunk);
		});
		this.connections.push(socket);
	}
}

// Polls `condition` every 5 ms for up to `timeoutMs`.
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

// A UDP socket that keeps every datagram and its sender (echoing it when asked).
export class UdpPeer {
	readonly datagrams: { data: Buffer; from: RemoteInfo }[] = [];

	private constructor(
		private readonly socket: UdpSocket,
		readonly echo: boolean,
	) {}

	static async start(echo = true): Promise<UdpPeer> {
		const socket = createSocket("udp4");
		const peer = new UdpPeer(socket, echo);
		socket.on("message", (data, from) => {
			peer.datagrams.push({ data, from });
			if (echo) socket.send(data, from.port, from.address);
		});
		await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
		return peer;
	}

	get port(): number {
		return this.socket.address().port;
	}

	// Sends a datagram to `port` on 127.0.0.1 (the emulator's socket: see datagrams[i].from).
	sendTo(data: Buffer, port: number): Promise<void> {
		return new Promise((resolve) => this.socket.send(data, port, "127.0.0.1", () => resolve()));
	}

	close(): Promise<void> {
		return new Promise((resolve) => this.socket.close(() => resolve()));
	}
}

// A free TCP port on 127.0.0.1 that nothing listens on (for "connection refused").
export async function unusedTcpPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as AddressInfo).port;
	await new Promise((resolve) => server.close(resolve));
	return port;
}
