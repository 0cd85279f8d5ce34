/**
 * AT+QPING without ICMP. Sending ICMP echo requests needs raw sockets, which
 * need privileges this emulator should not ask for. A TCP connection attempt
 * makes the same round trip: the SYN is answered by the host's SYN-ACK (port
 * open) or RST (ECONNREFUSED, port closed), and either answer proves the host
 * reachable and times the round trip. Only silence (time-out) or an
 * unreachable network counts as a lost request.
 */
import { connect } from "node:net";
import { performance } from "node:perf_hooks";

/** Round-trip time in whole milliseconds, or undefined when the request was lost. */
export function tcpPing(
	address: string,
	port: number,
	timeoutMs: number,
	signal: AbortSignal,
): Promise<number | undefined> {
	return new Promise((resolve) => {
		const started = performance.now();
		const socket = connect({ host: address, port });
		const finish = (answered: boolean): void => {
			clearTimeout(timer);
			signal.removeEventListener("abort", lose);
			socket.destroy();
			resolve(answered ? Math.round(performance.now() - started) : undefined);
		};
		const lose = (): void => finish(false);
		const timer = setTimeout(lose, timeoutMs);
		signal.addEventListener("abort", lose);
		socket.once("connect", () => finish(true));
		socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNREFUSED"));
	});
}
