// The UART bytes each transfer costs, computed from the AT formats the driver
// and the module use (BC20 TCP/IP AT manual, 2.1.4-2.1.5 and 2.2.1), and the
// line-rate ideal that follows: the payload bytes per second a UART at `baud`
// (8N1: baud/10 bytes per second) could carry in the busier direction with
// that framing and nothing else.
//
//   send, text    host → module  AT+QISEND=<id>,<k>,<k bytes>\r          (k <= 1024)
//   send, binary  host → module  AT+QISENDEX=<id>,<k>,<2k hex digits>\r  (k <= 512)
//                 module → host  \r\nOK\r\n\r\nSEND OK\r\n
//   receive       module → host  \r\n+QIURC: "recv",<id>,<n>,<data>\r\n  (direct push, view mode 1;
//                                <data> is n bytes, or 2n hex digits in hex receive format; n <= 512)
import { MAX_SEND_HEX, MAX_SEND_TEXT } from "../firmware/bc20/commands.js";

// Largest payload of one direct-push URC (the module cuts pushed data into
// URCs of at most this many bytes; the emulator does the same).
export const MAX_PUSH = 512;

const latin1Length = (text: string) => Buffer.byteLength(text, "latin1");

export interface Framing {
	// Payload bytes per transfer (the largest the format allows).
	payload: number;
	// UART bytes per transfer, each direction.
	hostToModule: number;
	moduleToHost: number;
	// The direction that limits the rate.
	bottleneck: "host → module" | "module → host";
}

export function sendFraming(id: number, hex: boolean, k = hex ? MAX_SEND_HEX : MAX_SEND_TEXT): Framing {
	const head = `${hex ? "AT+QISENDEX" : "AT+QISEND"}=${id},${k},`;
	const hostToModule = latin1Length(head) + (hex ? 2 * k : k) + latin1Length("\r");
	const moduleToHost = latin1Length("\r\nOK\r\n") + latin1Length("\r\nSEND OK\r\n");
	return {
		payload: k,
		hostToModule,
		moduleToHost,
		bottleneck: hostToModule >= moduleToHost ? "host → module" : "module → host",
	};
}

export function pushUrcBytes(id: number, n: number, hex: boolean): number {
	return latin1Length(`\r\n+QIURC: "recv",${id},${n},`) + (hex ? 2 * n : n) + latin1Length("\r\n");
}

export function receiveFraming(id: number, hex: boolean, n = MAX_PUSH): Framing {
	return { payload: n, hostToModule: 0, moduleToHost: pushUrcBytes(id, n, hex), bottleneck: "module → host" };
}

// Payload bytes per second at the line rate with this framing.
export function idealBytesPerSecond(baud: number, framing: Framing): number {
	const lineBytes = Math.max(framing.hostToModule, framing.moduleToHost);
	return (baud / 10) * (framing.payload / lineBytes);
}
