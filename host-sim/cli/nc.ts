// bc20 nc [-u] [--buffer] HOST PORT: a socket through the module, netcat style. stdin
// goes to the socket, the socket's data to stdout, binary-safe.
//   It ends when the peer closes (TCP), or MS (--wait, default 1000) after
//   stdin ended, the module settled every byte written (SEND OK, SEND FAIL,
//   or no answer in time) and nothing came for MS: whatever the peer does, nc
//   ends within a bound once stdin has ended.
//   UDP sends each stdin chunk as datagrams of at most 512 bytes (the most
//   AT+QISENDEX carries, and binary data goes as hex).
// Exit 0 only when every stdin byte was sent (SEND OK). Otherwise one line
// on stderr says how many of the bytes read from stdin were not sent and how
// many are of unknown fate (written, but no SEND OK / SEND FAIL came), and
// why; the exit code is 1. Every byte received has been written to stdout by then.
// Received bytes lost or perhaps damaged on the line also make the exit code
// 1: that line counts them (a count no smaller than the damage), or says
// their number is unknown and the stream ended at the gap.
// Ctrl-C ends it the same way, with the bytes each way, exit 130. Every end
// waits for the module to close the socket (AT+QICLOSE).
import { E_PEER_CLOSED } from "../../firmware/bc20/errors.js";
import type { BC20Error } from "../../firmware/bc20/errors.js";
import { BUFFER_MODE, CLOSING, PUSH_MODE } from "../../firmware/bc20/socket-constants.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { type ParsedArgs, UsageError, hostArgument, intOption, portNumber } from "./args.js";
import { connect } from "./connect.js";
import { ExitStatus } from "./exit-status.js";
import { linkIsLost, onLinkLost } from "./link.js";
import type { StatusLine } from "./status-line.js";
import { TransferProgress } from "./transfer-progress.js";

const DATAGRAM_MAX = 512;

export interface NcStreams {
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
	// Progress while it runs (null: none, stderr is not a terminal).
	status: StatusLine | null;
}

export async function nc(args: ParsedArgs, streams: NcStreams): Promise<number> {
	if (args.positional.length !== 2) throw new UsageError("usage: bc20 nc [-u] [--buffer] HOST PORT [--wait MS]");
	const host = hostArgument(args.positional[0], "HOST");
	const portText = args.positional[1];
	const port = portNumber(portText, "PORT");
	const udp = args.flags.has("-u");
	const wait = intOption(args, "--wait", 1000, 0, 3600000);
	const session = await connect(args, "full");
	try {
		return await new Promise<number>((resolve, reject) => {
			const pending: Uint8Array[] = []; // stdin data not yet taken by the socket
			let stdinBytes = 0; // read from stdin
			let sendProblem = ""; // the first warning about bytes not sent (the end line counts them)
			let receivedLost = 0; // received bytes lost or perhaps damaged
			let receivedGap = false; // ... and some of unknown number
			let stdinEnded = false;
			let peerClosed = false;
			let interrupted = false;
			let received = 0; // bytes written to stdout
			let afterClose: (() => void) | null = null; // set while the module closes the socket at the end
			let idle: ReturnType<typeof setTimeout> | undefined;
			let socket: Socket;
			const into = new Uint8Array(4096);
			const progress = streams.status ? new TransferProgress(streams.status, () => performance.now()) : null;
			let ticks: ReturnType<typeof setInterval> | undefined;

			const settled = () => {
				// An ended socket has settled every byte (failures were reported).
				if (socket.state === 0) return pending.length === 0;
				const s = socket.stats;
				return pending.length === 0 && s.sent + s.failed + s.unknown === s.written;
			};
			const finishIfDone = () => {
				if (!stdinEnded || !settled()) return;
				// The driver is ending the socket (a gap in the stream, an error):
				// its onError comes once the module closed it, and says why.
				if (socket.state === CLOSING) return;
				if (!udp && peerClosed) {
					finishSent("");
					return;
				}
				clearTimeout(idle);
				idle = setTimeout(() => socket.state !== CLOSING && finishSent(""), wait);
			};
			// The end: exit 0 if every byte read from stdin was sent, else say how
			// many were not sent and how many are of unknown fate, and why.
			// `ended`: why the socket ended, if it did other than by the peer's close.
			const finishSent = (ended: string) => {
				const s = socket.stats;
				// Written and never settled (the link went first) counts as unknown fate too.
				const unknown = s.written - s.sent - s.failed;
				const notSent = stdinBytes - s.sent - unknown;
				const lossy = receivedLost > 0 || receivedGap;
				if (!interrupted && stdinEnded && ended === "" && notSent === 0 && unknown === 0) {
					if (lossy) finish(1, new ExitStatus(receivedLoss(), 1));
					else finish(0);
					return;
				}
				if (interrupted) ended = `interrupted after ${s.sent} bytes sent and ${received} received`;
				const code = interrupted ? 130 : 1;
				// A socket that never opened: its own error says it all.
				if (ended !== "" && stdinBytes === 0) {
					finish(code, new ExitStatus(ended + (lossy ? "; " + receivedLoss() : ""), code));
					return;
				}
				const perhaps = unknown > 0 ? `, ${unknown} of unknown fate (no SEND OK / SEND FAIL came)` : "";
				const counts = `${notSent} of the ${stdinBytes} bytes ${stdinEnded ? "from" : "read from"} stdin not sent${perhaps}`;
				finish(
					code,
					new ExitStatus(
						(ended !== ""
							? `${ended}: ${counts}${stdinEnded ? "" : ", the rest not read"}`
							: !stdinEnded
								? `the peer closed the connection before the end of stdin: ${counts}, the rest not read`
								: peerClosed
									? `the peer closed the connection: ${counts}`
									: `${counts}${sendProblem ? ` (first: ${sendProblem})` : ""}`) + (lossy ? "; " + receivedLoss() : ""),
						code,
					),
				);
			};
			// A TCP stream ends at its first gap; UDP loses datagrams and goes on.
			const receivedLoss = () =>
				!receivedGap
					? `${receivedLost} received bytes lost or damaged on the line`
					: udp
						? `received datagrams lost (count unknown, at least ${receivedLost} bytes lost or damaged)`
						: `received bytes lost (count unknown${receivedLost > 0 ? `, at least ${receivedLost}` : ""}): the stream ended at the gap`;
			// Ends once the module has closed the socket (AT+QICLOSE), so the
			// module is left with no socket of ours open.
			const finish = (code: number, error?: Error) => {
				if (afterClose) return;
				clearTimeout(idle);
				clearInterval(ticks);
				progress?.done();
				process.removeListener("SIGINT", onInterrupt);
				streams.stdin.removeListener("data", onStdin);
				afterClose = () => (error ? reject(error) : resolve(code));
				if (socket.state !== 0 && !linkIsLost()) socket.close();
				else afterClose();
			};
			// The summary waits for the socket's close: SEND OKs still due come first.
			const onInterrupt = () => {
				interrupted = true;
				streams.stdin.removeListener("data", onStdin);
				if (socket.state === 0 || linkIsLost()) {
					finishSent("");
					return;
				}
				afterClose = () => {
					afterClose = null;
					finishSent("");
				};
				socket.close();
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
				if (udp)
					for (let at = 0; at < bytes.length; at += DATAGRAM_MAX) pending.push(bytes.subarray(at, at + DATAGRAM_MAX));
				else pending.push(bytes);
				if (socket.state === 2) pump();
				else streams.stdin.pause();
			};
			socket = session.modem.open({
				type: udp ? "udp" : "tcp",
				host,
				port,
				mode: args.flags.has("--buffer") ? BUFFER_MODE : PUSH_MODE,
				onWritable() {
					pump();
				},
				onReadable() {
					for (
						let n = socket.read(into, 0, into.length);
						n > 0;
						n = socket.readable > 0 ? socket.read(into, 0, into.length) : 0
					) {
						received += n;
						streams.stdout.write(Buffer.from(into.subarray(0, n)));
					}
					finishIfDone();
				},
				onWarning(warning: BC20Error) {
					// Bytes not sent, and bytes received but lost, are counted in the one
					// line that ends nc.
					if (warning.lost > 0) receivedLost += warning.lost;
					else if (warning.lost < 0) receivedGap = true;
					if (warning.count > 0) sendProblem ||= warning.message;
					else {
						progress?.done();
						process.stderr.write(`bc20 nc: ${warning.message}\n`);
					}
				},
				onClose() {
					afterClose?.();
				},
				onError(error: BC20Error) {
					if (afterClose) {
						afterClose();
						return;
					}
					// The socket has ended: every byte written is settled, nothing more can
					// be sent, and what was received has been read.
					if (error.lost < 0) receivedGap = true;
					if (error.code === E_PEER_CLOSED) {
						peerClosed = true;
						finishSent("");
					} else finishSent(error.message);
				},
			});
			onLinkLost((error) => (afterClose ? afterClose() : finishSent(error.message)));
			if (progress) ticks = setInterval(() => progress.show(socket.stats.sent, received), 1000);
			process.once("SIGINT", onInterrupt);
			streams.stdin.on("data", onStdin);
			streams.stdin.once("end", () => {
				stdinEnded = true;
				if (socket.state === 2) pump();
			});
		});
	} finally {
		await session.close();
	}
}
