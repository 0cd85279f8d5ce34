/**
 * Loopback stand-ins for the manual's public servers: a TCP server (echoing
 * or silent) and a UDP echo server, all on 127.0.0.1 with OS-chosen ports.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";

export class TcpPeer {
  /** Connections accepted, in order. */
  readonly connections: Socket[] = [];
  /** Everything received, over all connections. */
  received = Buffer.alloc(0);

  /** `echo`: write back whatever arrives (may be changed at any time). */
  private constructor(private readonly server: Server, public echo: boolean) {}

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

  /** The index-th accepted connection, once it exists. */
  async connection(index = 0): Promise<Socket> {
    await waitFor(() => this.connections.length > index, `connection ${index}`);
    return this.connections[index]!;
  }

  /** Waits until `count` bytes have been received in total. */
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

/** Polls `condition` every 5 ms for up to `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export class UdpPeer {
  readonly datagrams: { data: Buffer; from: RemoteInfo }[] = [];

  private constructor(private readonly socket: UdpSocket, readonly echo: boolean) {}

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

  /** Sends a datagram to `port` on 127.0.0.1 (the emulator's socket: see datagrams[i].from). */
  sendTo(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve) => this.socket.send(data, port, "127.0.0.1", () => resolve()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A free TCP port on 127.0.0.1 that nothing listens on (for "connection refused"). */
export async function unusedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const NTP_TO_UNIX_SECONDS = 2_208_988_800;

/** A one-purpose SNTP server: answers every client request with the time `unixMs`. */
export class SntpServer {
  requests = 0;

  private constructor(private readonly socket: UdpSocket) {}

  static async start(unixMs: number): Promise<SntpServer> {
    const socket = createSocket("udp4");
    const server = new SntpServer(socket);
    socket.on("message", (request, from) => {
      if (request.length < 48 || (request[0]! & 0x07) !== 3) return;
      server.requests++;
      const reply = Buffer.alloc(48);
      reply[0] = (4 << 3) | 4; // version 4, mode 4 (server)
      reply[1] = 1; // stratum 1
      request.copy(reply, 24, 40, 48); // originate = the client's transmit timestamp
      reply.writeUInt32BE(Math.floor(unixMs / 1000) + NTP_TO_UNIX_SECONDS, 40);
      reply.writeUInt32BE(Math.floor(((unixMs % 1000) / 1000) * 2 ** 32), 44);
      socket.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return server;
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
