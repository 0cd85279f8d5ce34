// Shared by the transport tests: bounded waits (a hung test should fail, not
// hang) and byte collection from a transport's onData.
import type { HostTransport } from "../../host-sim/transport/host-transport.js";

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the first `count` bytes the transport delivers to onData. */
export function receive(transport: HostTransport, count: number): Promise<Uint8Array> {
	const out = new Uint8Array(count);
	let filled = 0;
	return within(
		new Promise((resolve) => {
			transport.onData = (chunk) => {
				out.set(chunk.subarray(0, count - filled), filled);
				filled += Math.min(chunk.length, count - filled);
				if (filled === count) resolve(out);
			};
		}),
		3000,
		`${count} bytes from ${transport.description}`,
	);
}

/** Every byte value, then CR LF: binary safety in one buffer. */
export function allByteValues(): Uint8Array {
	const out = new Uint8Array(258);
	for (let i = 0; i < 256; i++) out[i] = i;
	out[256] = 0x0d;
	out[257] = 0x0a;
	return out;
}
