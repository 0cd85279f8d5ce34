/**
 * One of the module's five socket services (connect IDs 0-4): the real Node
 * socket behind it, its state as AT+QISTATE reports it, and its receive-side
 * bookkeeping. What the host sees (URCs, +QIRD) is decided by the TCP/IP
 * service; this class only moves bytes and reports what happened.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, isIP, type Socket as TcpSocket } from "node:net";
import { TcpipError, type TcpipErrorCode } from "./error-codes.js";
import type { Bit } from "./nvram.js";
import { ReceiveBuffer } from "./receive-buffer.js";

export type ServiceType = "TCP" | "UDP";

export type PauseReason = "buffer" | "uart";

/** <socket_state> of AT+QISTATE. */
export const SocketState = { Initial: 0, Opening: 1, Connected: 2, Closing: 3 } as const;
export type SocketStateValue = (typeof SocketState)[keyof typeof SocketState];

export interface SocketServiceEvents {
	/** Bytes from the network: one TCP chunk or one UDP datagram. */
	arrived(bytes: Buffer): void;
	/** The TCP peer closed the connection, or it broke. */
	peerClosed(): void;
}

export interface SocketServiceSettings {
	readonly id: number;
	readonly type: ServiceType;
	/** The address or name the host gave, shown by AT+QISTATE until it is resolved. */
	readonly remote: string;
	readonly remotePort: number;
	/** The local port the host asked for (0 = any); AT+QISTATE shows this, as in manual example 4.2.1. */
	readonly localPort: number;
	readonly accessMode: Bit;
	readonly bufferSize: number;
}

function openErrorCode(error: NodeJS.ErrnoException): TcpipErrorCode {
	switch (error.code) {
		case "EADDRINUSE":
			return TcpipError.PortBusy;
		case "EADDRNOTAVAIL":
		case "EACCES":
			return TcpipError.SocketBindFailed;
		case "ETIMEDOUT":
			return TcpipError.OperationTimeout;
		default:
			return TcpipError.SocketConnectFailed;
	}
}

export class SocketService {
	readonly id: number;
	readonly type: ServiceType;
	readonly remotePort: number;
	readonly localPort: number;
	/** Shown by AT+QISTATE: the host's text until resolved, then the address in use. */
	remoteAddress: string;
	state: SocketStateValue = SocketState.Opening;
	accessMode: Bit;
	/** A QISEND/QISENDEX whose SEND OK has not been reported yet. */
	sendPending = false;
	/** Output mark just after the last SEND OK/SEND FAIL: the host may send again once it heard it. */
	sendResultMark = 0;
	/** Output mark after which the host knows the socket is no longer open (see endReason). */
	endMark: number | undefined;
	/** How the host learnt that: "was reported closed (...)", for violation reports. */
	endReason = "";
	/** Date.now() of the last byte sent or received: NAT bindings expire after an idle period. */
	lastTraffic = 0;
	/** The carrier's NAT forgot this flow: the connection is dead on the network, the module does not know yet. */
	natExpired = false;
	/** TCP data the peer sent while the module was in PSM (and after it, in order): delivered at the peer's retransmission after waking. */
	readonly deferred: Buffer[] = [];
	/** Date.now() when the first deferred byte was sent by the peer. */
	deferredSince = 0;
	readonly buffer: ReceiveBuffer;
	/** TCP data that did not fit in the buffer; the socket stays paused while there is any. */
	readonly held: Buffer[] = [];
	/** "buff full" was reported and the buffer has not been drained since. */
	fullReported = false;

	private readonly pauses = new Set<PauseReason>();
	private tcp: TcpSocket | undefined;
	private udp: UdpSocket | undefined;
	private closingByHost = false;
	/** Ends a connect still in progress; set while one is. */
	private abandonConnect: (() => void) | undefined;

	constructor(
		settings: SocketServiceSettings,
		private readonly events: SocketServiceEvents,
	) {
		this.id = settings.id;
		this.type = settings.type;
		this.remoteAddress = settings.remote;
		this.remotePort = settings.remotePort;
		this.localPort = settings.localPort;
		this.accessMode = settings.accessMode;
		this.buffer = new ReceiveBuffer(settings.bufferSize);
	}

	/** The socket stopped being usable; the host knows once it heard the output up to `mark`. Only the first reason counts. */
	ended(mark: number, reason: string): void {
		if (this.endMark !== undefined) return;
		this.endMark = mark;
		this.endReason = reason;
	}

	/** Connects to `address`; `done` gets 0 or the manual's error code, exactly once. */
	connect(address: string, timeoutMs: number, done: (error: TcpipErrorCode) => void): void {
		this.remoteAddress = address;
		let settled = false;
		const settle = (error: TcpipErrorCode): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			this.abandonConnect = undefined;
			// A failed open keeps its connect ID (the host must AT+QICLOSE it) but no socket.
			if (error !== TcpipError.None) void this.destroy();
			done(error);
		};
		const timer = setTimeout(() => settle(TcpipError.OperationTimeout), timeoutMs);
		this.abandonConnect = () => settle(TcpipError.SocketConnectFailed);
		if (this.type === "TCP") this.connectTcp(address, settle);
		else this.connectUdp(address, settle);
	}

	/** Sends; `done` reports whether the bytes reached the protocol stack. */
	write(bytes: Buffer, done: (ok: boolean) => void): void {
		if (this.tcp !== undefined && !this.tcp.destroyed) {
			this.tcp.write(bytes, (error) => done(error == null));
		} else if (this.udp !== undefined) {
			this.udp.send(bytes, (error) => done(error == null));
		} else {
			setImmediate(() => done(false));
		}
	}

	/**
	 * Stops reading from the network (TCP only: the peer's window closes and it
	 * retransmits later; nothing is lost) until every reason given is lifted:
	 * "buffer" (receive buffer full), "uart" (push output backlog).
	 */
	pause(reason: PauseReason): void {
		this.pauses.add(reason);
		this.tcp?.pause();
	}

	resume(reason: PauseReason): void {
		this.pauses.delete(reason);
		if (this.pauses.size === 0) this.tcp?.resume();
	}

	/**
	 * The connection died on the network side (a NAT binding expired): the peer
	 * is told with a reset, as the server would learn from the RST its own
	 * retransmission or the module's next segment draws.
	 */
	reset(): void {
		this.closingByHost = true;
		const tcp = this.tcp;
		this.tcp = undefined;
		tcp?.resetAndDestroy();
	}

	/** Closes gracefully (FIN after pending writes); `done` runs once the socket is really closed. */
	close(done: () => void): void {
		const [tcp, udp] = this.detach();
		if (tcp !== undefined && !tcp.destroyed) {
			tcp.once("close", () => done());
			if (tcp.connecting) {
				// Nothing to say goodbye to yet: abandon the connection attempt.
				tcp.destroy();
			} else {
				tcp.once("finish", () => tcp.destroy());
				tcp.end();
			}
		} else if (udp !== undefined) {
			udp.close(() => done());
		} else {
			setImmediate(done);
		}
	}

	/** Drops the socket at once, reporting nothing (reboot, detach, emulator shutdown). */
	destroy(): Promise<void> {
		return new Promise((resolve) => {
			const [tcp, udp] = this.detach();
			if (tcp !== undefined && !tcp.destroyed) {
				tcp.once("close", () => resolve());
				tcp.destroy();
			} else if (udp !== undefined) {
				udp.close(() => resolve());
			} else {
				resolve();
			}
		});
	}

	/** The host ends the socket: its handles are taken from it, and a connect under way is given up. */
	private detach(): [TcpSocket | undefined, UdpSocket | undefined] {
		this.closingByHost = true;
		const handles: [TcpSocket | undefined, UdpSocket | undefined] = [this.tcp, this.udp];
		this.tcp = undefined;
		this.udp = undefined;
		// The owner has moved the socket out of Opening, so this result reaches nobody; it ends the wait.
		this.abandonConnect?.();
		return handles;
	}

	private connectTcp(address: string, settle: (error: TcpipErrorCode) => void): void {
		const socket = connect({
			host: address,
			port: this.remotePort,
			family: isIP(address),
			...(this.localPort !== 0 ? { localPort: this.localPort } : {}),
		});
		this.tcp = socket;
		// Each QISEND becomes its own segment, as on the module: no Nagle coalescing.
		socket.setNoDelay(true);
		socket.once("connect", () => settle(TcpipError.None));
		socket.on("data", (chunk: Buffer) => this.events.arrived(chunk));
		socket.on("error", (error: NodeJS.ErrnoException) => settle(openErrorCode(error)));
		socket.once("close", () => {
			if (this.closingByHost || this.tcp !== socket) return;
			this.events.peerClosed();
		});
	}

	private connectUdp(address: string, settle: (error: TcpipErrorCode) => void): void {
		const socket = createSocket(isIP(address) === 6 ? "udp6" : "udp4");
		this.udp = socket;
		// Before connect() this is a bind failure; afterwards ICMP errors, which UDP ignores.
		socket.on("error", (error: NodeJS.ErrnoException) => settle(openErrorCode(error)));
		socket.on("message", (datagram: Buffer) => this.events.arrived(datagram));
		socket.bind(this.localPort, () => {
			// Typed as () => void, but Node passes an error when the connect fails.
			socket.connect(this.remotePort, address, (error?: NodeJS.ErrnoException) =>
				settle(error ? openErrorCode(error) : TcpipError.None),
			);
		});
	}
}
