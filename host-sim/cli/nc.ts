// bc20 nc [-u] HOST PORT: a socket through the module, netcat style. stdin
// goes to the socket, the socket's data to stdout, binary-safe.
//   TCP ends once stdin has ended, every byte written was settled by the
//   module (SEND OK, or reported failed), and the peer closed; with --wait MS
//   it also ends after MS idle once stdin ended and all was sent.
//   UDP sends each stdin chunk as datagrams of at most 512 bytes (the most
//   AT+QISENDEX carries, and binary data goes as hex) and ends MS
//   (--wait, default 1000) after stdin ended and the last byte was sent or received.
// Exit 0 only when every stdin byte was sent (SEND OK) and every byte received
// reached stdout intact. When some were not sent (the peer closed first, SEND
// FAIL), one line on stderr says how many and the exit code is 1; every byte
// received has been written to stdout by then. Received bytes lost or
// perhaps damaged on the line are counted in that line too (a count no
// smaller than the damage), or said to be of unknown number when the stream
// had to end at a gap.
import { E_PEER_CLOSED } from "../../firmware/bc20/errors.js";
import type { BC20Error } from "../../firmware/bc20/errors.js";
import { PUSH_MODE } from "../../firmware/bc20/socket-slot.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { type ParsedArgs, UsageError, intOption, portNumber } from "./args.js";
import { connect } from "./connect.js";

const DATAGRAM_MAX = 512;

export interface NcStreams {
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
}

export async function nc(args: ParsedArgs, streams: NcStreams): Promise<number> {
	if (args.positional.length !== 2) throw new UsageError("usage: bc20 nc [-u] HOST PORT [--wait MS]");
	const [host, portText] = args.positional;
	const port = portNumber(portText, "PORT");
	const udp = args.flags.has("-u");
	const wait = args.options.has("--wait") ? intOption(args, "--wait", 1000, 0, 3600000) : udp ? 1000 : -1;
	const session = await connect(args);
	try {
		return await new Promise<number>((resolve, reject) => {
			const pending: Uint8Array[] = []; // stdin data not yet taken by the socket
			let stdinBytes = 0; // read from stdin
			let sendProblem = ""; // the first warning about bytes not sent (the end line counts them)
			let receivedLost = 0; // received bytes lost or perhaps damaged
			let receivedGap = false; // ... and some of unknown number
			let stdinEnded = false;
			let peerClosed = false;
			let idle: ReturnType<typeof setTimeout> | undefined;
			let socket: Socket;
			const into = new Uint8Array(4096);

			const settled = () => {
				// An ended socket has settled every byte (failures were reported).
				if (socket.state === 0) return pending.length === 0;
				const s = socket.stats;
				return pending.length === 0 && s.sent + s.failed + s.unknown === s.written;
			};
			const finishIfDone = () => {
				if (!stdinEnded || !settled()) return;
				if (!udp && peerClosed) {
					finishSent();
					return;
				}
				if (wait >= 0) {
					clearTimeout(idle);
					idle = setTimeout(finishSent, wait);
				}
			};
			// The end: exit 0 if every byte read from stdin was sent, else say how many were not.
			const finishSent = () => {
				const unsent = stdinBytes - socket.stats.sent;
				const unknown = socket.stats.unknown;
				if (stdinEnded && unsent === 0) {
					if (receivedLost === 0 && !receivedGap) finish(0);
					else finish(1, new Error(receivedLoss()));
					return;
				}
				const perhaps = unknown > 0 ? ` (${unknown} perhaps: no SEND OK / SEND FAIL came)` : "";
				finish(1, new Error((!stdinEnded
					? `the peer closed the connection before the end of stdin: ${unsent} of the ${stdinBytes} bytes read from stdin not sent${perhaps}, the rest not read`
					: peerClosed ? `the peer closed the connection: ${unsent} of the ${stdinBytes} bytes from stdin not sent${perhaps}`
					: `${unsent} of the ${stdinBytes} bytes from stdin not sent${perhaps}${sendProblem ? ` (first: ${sendProblem})` : ""}`) +
					(receivedLost > 0 || receivedGap ? "; " + receivedLoss() : "")));
			};
			const receivedLoss = () => receivedGap
				? `received bytes lost (count unknown${receivedLost > 0 ? `, at least ${receivedLost}` : ""}): the stream ended at the gap`
				: `${receivedLost} received bytes lost or damaged on the line`;
			const finish = (code: number, error?: Error) => {
				clearTimeout(idle);
				streams.stdin.removeListener("data", onStdin);
				if (socket.state !== 0) socket.close();
				if (error) reject(error);
				else resolve(code);
			};
			const pump = () => {
				while (pending.length > 0) {
					const head = pending[0];
					const taken = socket.writable > 0 ? socket.write(head, 0, head.length) : 0;
					if (taken === head.length) pending.shift();
					else {
						if (taken > 0) pending[0] = head.subarray(taken);
						streams.stdin.pause(); // backpressure until onWritable
						return;
					}
				}
				streams.stdin.resume();
				finishIfDone();
			};
			const onStdin = (chunk: Buffer) => {
				const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
				stdinBytes += bytes.length;
				if (udp) for (let at = 0; at < bytes.length; at += DATAGRAM_MAX) pending.push(bytes.subarray(at, at + DATAGRAM_MAX));
				else pending.push(bytes);
				if (socket.state === 2) pump();
				else streams.stdin.pause();
			};
			socket = session.modem.open({
				type: udp ? "udp" : "tcp",
				host, port,
				mode: PUSH_MODE,
				onWritable() {
					pump();
				},
				onReadable() {
					for (let n = socket.read(into, 0, into.length); n > 0; n = socket.readable > 0 ? socket.read(into, 0, into.length) : 0)
						streams.stdout.write(Buffer.from(into.subarray(0, n)));
					finishIfDone();
				},
				onWarning(warning: BC20Error) {
					// Bytes not sent, and bytes received but lost, are counted in the one
					// line that ends nc.
					if (warning.lost > 0) receivedLost += warning.lost;
					else if (warning.lost < 0) receivedGap = true;
					if (warning.count > 0) sendProblem ||= warning.message;
					else process.stderr.write(`bc20 nc: ${warning.message}\n`);
				},
				onError(error: BC20Error) {
					if (error.code === E_PEER_CLOSED) {
						// The socket has ended: every byte written is settled, nothing more can
						// be sent, and what was received has been read.
						peerClosed = true;
						finishSent();
						return;
					}
					if (error.lost !== 0 || receivedLost > 0 || receivedGap) {
						if (error.lost < 0) receivedGap = true;
						finish(1, new Error(`${error.message}; ${receivedLoss()}`));
						return;
					}
					finish(1, error);
				},
			});
			streams.stdin.on("data", onStdin);
			streams.stdin.once("end", () => {
				stdinEnded = true;
				if (socket.state === 2) pump();
			});
		});
	}
	finally {
		await session.close();
	}
}
