// What a socket's receiver and transmitter see of the connection they serve
// (socket-slot.ts): its settings, whether anybody still listens, and the
// application's callbacks. An interface of its own, so that the parts import
// the lifecycle's shape, never the lifecycle itself (no import cycle).
import type { Result } from "../at/result.js";
import type { Dispatcher } from "./dispatcher.js";
import type { BC20Error } from "./errors.js";
import type { SocketStats } from "./socket-constants.js";

export interface SocketLink {
	readonly id: number;
	readonly dispatcher: Dispatcher;
	// The manual's state (socket-constants.ts) and access mode.
	readonly state: number;
	readonly mode: number;
	readonly udp: boolean;
	readonly stats: SocketStats;
	// The application closed the socket: nobody reads or hears any more.
	readonly appClosed: boolean;
	// A mode switch is waiting or on the wire.
	readonly switching: boolean;
	// One of the socket's commands ended: the wire is free for its next.
	idle(): void;
	// A warning for the application (dropped once the socket ended).
	warn(code: number, detail: string, offset: number, count: number, lost: number): void;
	// A warning for a command that failed, explained by AT+QIGETERROR if need be.
	explainWarning(result: Result, command: string, offset: number, count: number): void;
	// A TCP stream has a gap (received bytes lost): it ends there, with `detail`.
	streamBroken(detail: string): void;
	// onReadable (unless the socket ended) and onWritable (while it is
	// connected and not closed by the application).
	tellReadable(): void;
	tellWritable(): void;
}

// What the slot knows of the application's handle of the socket (socket.ts's
// Socket, which keeps the statistics across the slot's reuse).
export interface SocketHandle {
	readonly stats: SocketStats;
}

// The application's callbacks, called with `this` the application's handle of
// the socket (socket.ts's Socket): a type parameter, so that the slot needs
// no import of the handle's module.
export interface SocketCallbacksOf<Owner> {
	// AT+QIOPEN succeeded: the socket is Connected (onWritable follows).
	onConnected?(this: Owner): void;
	// Received data is buffered: `bytes` in total (UDP: in `datagrams` datagrams).
	onReadable?(this: Owner, bytes: number, datagrams: number): void;
	// Room in the transmit buffer: after connecting and after each send.
	onWritable?(this: Owner, bytes: number): void;
	// Something went wrong but the socket lives on: a send failed or timed out
	// (error.offset/count say which written bytes), received data was lost
	// (error.lost), or the module's receive buffer is full (E_BUFFER_FULL).
	onWarning?(this: Owner, error: BC20Error): void;
	// The connection ended other than by close(): the open failed, the peer
	// closed (E_PEER_CLOSED), the data connection dropped (570), the module
	// rebooted. Comes after the received data has been read.
	onError?(this: Owner, error: BC20Error): void;
	// close() completed.
	onClose?(this: Owner): void;
}
