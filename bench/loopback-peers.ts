// Loopback TCP peers for the end-to-end sections (127.0.0.1, port 0): a sink
// that keeps what it receives, and a source that sends what it is told to
// once a connection is there.
import { createServer, type Server, type Socket } from "node:net";

export interface Sink {
	port: number;
	received(): Buffer;
	close(): Promise<void>;
}

export interface Source {
	port: number;
	// Sends bytes on the (first) accepted connection, waiting for it if need be.
	send(bytes: Uint8Array): Promise<void>;
	close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<{ port: number; close(): Promise<void> }> {
	server.on("connection", (s) => {
		sockets.add(s);
		s.on("close", () => sockets.delete(s));
		s.on("error", () => {});
		s.setNoDelay(true);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return {
		port: (server.address() as { port: number }).port,
		close: () => new Promise((resolve) => {
			for (const s of sockets) s.destroy();
			server.close(() => resolve());
		}),
	};
}

export async function sink(): Promise<Sink> {
	const chunks: Buffer[] = [];
	const sockets = new Set<Socket>();
	const server = createServer((socket) => socket.on("data", (data) => chunks.push(data)));
	const { port, close } = await listen(server, sockets);
	return { port, received: () => Buffer.concat(chunks), close };
}

export async function source(): Promise<Source> {
	const sockets = new Set<Socket>();
	let connected: (socket: Socket) => void = () => {};
	const connection = new Promise<Socket>((resolve) => connected = resolve);
	const server = createServer((socket) => connected(socket));
	const { port, close } = await listen(server, sockets);
	return {
		port,
		async send(bytes) {
			(await connection).write(bytes);
		},
		close,
	};
}
