// What a socket is, in numbers: the manual's states and access modes, the
// driver's limits, and the statistics every socket keeps. No behaviour here:
// the socket's parts (socket-slot.ts, its receiver and transmitter, socket.ts,
// the net classes, the CLI) share these without importing each other.

// <socket_state> of AT+QISTATE.
export const INITIAL = 0;
export const OPENING = 1;
export const CONNECTED = 2;
export const CLOSING = 3;

// <access_mode>.
export const BUFFER_MODE = 0;
export const PUSH_MODE = 1;

// Datagrams a UDP socket keeps per direction.
export const DATAGRAMS = 32;
// Consecutive read timeouts after which a socket stops reading.
export const READ_ATTEMPTS = 3;

// The most bytes one pushed header can announce (see the reader).
export const MAX_PUSH = 1460;

export interface SocketStats {
	// Bytes taken by write().
	written: number;
	// Bytes the module confirmed with SEND OK.
	sent: number;
	// Bytes reported not sent (SEND FAIL, ERROR) or dropped when the socket failed.
	failed: number;
	// Bytes whose send timed out and was not settled by a late SEND OK / SEND FAIL.
	unknown: number;
	// Bytes stored in the receive ring.
	received: number;
	// Received bytes lost (ring full in direct push, datagram too big, aborted
	// payloads, damaged headers) or delivered but perhaps wrong (a run with a
	// damaged hex digit or a dropped byte: all of its bytes count).
	lost: number;
}

export function newStats(): SocketStats {
	return { written: 0, sent: 0, failed: 0, unknown: 0, received: 0, lost: 0 };
}

export function stateName(state: number, appClosed = false): string {
	if (appClosed) return "closing";
	return state === INITIAL ? "closed" : state === OPENING ? "opening" : state === CONNECTED ? "connected" : "closing";
}
