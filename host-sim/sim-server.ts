/**
 * Serves one emulated module's UART as a raw TCP byte stream, so a driver (or
 * a terminal) elsewhere can talk to it as to a serial port: bytes from the
 * client go into the module, the module's output goes to the client.
 *
 * A UART has one other end, so there is one client at a time: while one is
 * connected, a further client is told so in one line of text (BUSY) and
 * closed at once. While nobody is connected the module's output is lost, as
 * on an unplugged serial line.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";

/** What is served: a module's UART (the emulator, or a replayed recording). */
export interface UartModule {
	write(bytes: Uint8Array): void;
	on(event: "data", listener: (chunk: Buffer) => void): unknown;
	off(event: "data", listener: (chunk: Buffer) => void): unknown;
}

export interface SimServerOptions {
	/** Address to listen on. Default "127.0.0.1" (loopback only). */
	host?: string;
	/** Port to listen on; 0 picks a free one. Default 0. */
	port?: number;
	/** Each client that connects, leaves, or is refused (another one is connected), as "HOST:PORT". */
	onClient?: (event: "connected" | "left" | "refused", client: string) => void;
}

/** What a client that finds the module taken reads before the connection ends. */
export function busyLine(holder: string): string {
	return `bc20 sim: busy: another client (${holder}) has the module's UART`;
}

function peerName(socket: Socket): string {
	const host = socket.remoteAddress ?? "?";
	return `${host.includes(":") ? `[${host}]` : host}:${socket.remotePort ?? "?"}`;
}

export interface SimServer {
	readonly host: string;
	/** The port actually bound. */
	readonly port: number;
	/** Disconnects the client and stops listening. The emulator itself is left to its owner. */
	close(): Promise<void>;
}

/** Starts serving `emulator`'s UART; resolves once listening. */
export function serveEmulatorUart(emulator: UartModule, options: SimServerOptions = {}): Promise<SimServer> {
	const host = options.host ?? "127.0.0.1";
	let client: Socket | undefined;
	const toClient = (chunk: Buffer): void => {
		client?.write(chunk);
	};

	let holder = "";
	const server = createServer((socket) => {
		const name = peerName(socket);
		socket.on("error", () => socket.destroy());
		if (client !== undefined) {
			options.onClient?.("refused", name);
			socket.end(`\r\n${busyLine(holder)}\r\n`);
			return;
		}
		client = socket;
		holder = name;
		options.onClient?.("connected", name);
		socket.setNoDelay(true);
		socket.on("data", (chunk: Buffer) => emulator.write(chunk));
		socket.once("close", () => {
			if (client !== socket) return;
			client = undefined;
			options.onClient?.("left", name);
		});
	});
	emulator.on("data", toClient);

	return new Promise((resolve, reject) => {
		server.once("error", (error) => {
			emulator.off("data", toClient);
			reject(error);
		});
		server.listen(options.port ?? 0, host, () => {
			resolve({
				host,
				port: (server.address() as AddressInfo).port,
				close: () =>
					new Promise<void>((closed) => {
						emulator.off("data", toClient);
						client?.destroy();
						server.close(() => closed());
					}),
			});
		});
	});
}
