/**
 * A minimal SNTP client (RFC 4330) for AT+QNTP: one 48-byte client request
 * over UDP, and the server's transmit timestamp from the first reply that
 * answers that request.
 */
import { createSocket } from "node:dgram";
import { isIP } from "node:net";

const PACKET_LENGTH = 48;
/** Seconds from the NTP era (1900-01-01) to the Unix epoch (1970-01-01). */
const NTP_TO_UNIX_SECONDS = 2_208_988_800;
/** LI 0, version 4, mode 3 (client). */
const CLIENT_REQUEST_HEADER = (4 << 3) | 3;
const MODE_SERVER = 4;
const ORIGINATE_OFFSET = 24;
const TRANSMIT_OFFSET = 40;

function writeTimestamp(packet: Buffer, offset: number, unixMs: number): void {
	const seconds = Math.floor(unixMs / 1000) + NTP_TO_UNIX_SECONDS;
	const fraction = Math.floor(((unixMs % 1000) / 1000) * 2 ** 32);
	packet.writeUInt32BE(seconds >>> 0, offset);
	packet.writeUInt32BE(fraction >>> 0, offset + 4);
}

function readTimestamp(packet: Buffer, offset: number): number {
	const seconds = packet.readUInt32BE(offset) - NTP_TO_UNIX_SECONDS;
	const fraction = packet.readUInt32BE(offset + 4) / 2 ** 32;
	return Math.round((seconds + fraction) * 1000);
}

export type SntpOutcome = { ok: true; unixMs: number } | { ok: false; timedOut: true };

/**
 * Asks `address:port` for the time. Resolves with the server's time, or with
 * a time-out after `timeoutMs` (also when `signal` aborts). Replies that are
 * not a server reply to this very request are ignored.
 */
export function querySntp(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<SntpOutcome> {
	return new Promise((resolve) => {
		const socket = createSocket(isIP(address) === 6 ? "udp6" : "udp4");
		const request = Buffer.alloc(PACKET_LENGTH);
		request[0] = CLIENT_REQUEST_HEADER;
		writeTimestamp(request, TRANSMIT_OFFSET, Date.now());

		const finish = (outcome: SntpOutcome): void => {
			clearTimeout(timer);
			signal.removeEventListener("abort", giveUp);
			socket.close();
			resolve(outcome);
		};
		const giveUp = (): void => finish({ ok: false, timedOut: true });
		const timer = setTimeout(giveUp, timeoutMs);
		signal.addEventListener("abort", giveUp);

		socket.on("message", (reply) => {
			if (reply.length < PACKET_LENGTH || (reply[0]! & 0x07) !== MODE_SERVER || reply[1] === 0) return;
			if (
				!reply
					.subarray(ORIGINATE_OFFSET, ORIGINATE_OFFSET + 8)
					.equals(request.subarray(TRANSMIT_OFFSET, TRANSMIT_OFFSET + 8))
			)
				return;
			finish({ ok: true, unixMs: readTimestamp(reply, TRANSMIT_OFFSET) });
		});
		// ICMP "port unreachable" and the like: keep waiting, as a module would, until the time-out.
		socket.on("error", () => undefined);
		socket.send(request, port, address);
	});
}
