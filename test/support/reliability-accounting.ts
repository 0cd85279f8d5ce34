// Byte accounting for the fault tests: every byte the app wrote is delivered
// to the peer exactly once, in order, or reported (not sent, or outcome
// unknown) with its stream offset; every byte the peer sent reaches the app
// exactly once, in order, or is reported lost. Runtime-agnostic.
import { BC20Error, E_SEND_UNKNOWN } from "../../firmware/bc20/errors.js";
import type { SocketStats } from "../../firmware/bc20/socket-constants.js";

// A range of written bytes a report covers.
export interface Reported {
	offset: number;
	count: number;
	// "failed": the driver says these bytes were not sent; "unknown": they
	// may or may not have been.
	kind: "failed" | "unknown";
	what: string;
}

// What the app heard about one socket.
export class SocketLog {
	readonly warnings: BC20Error[] = [];
	error: BC20Error | null = null;
	closed = false;
	readonly received: Uint8Array[] = [];

	get ended(): boolean {
		return this.error !== null || this.closed;
	}

	get receivedBytes(): Uint8Array {
		return concat(this.received);
	}

	// The written ranges the warnings and the final error account for.
	reportedRanges(): Reported[] {
		const out: Reported[] = [];
		for (const w of this.warnings) {
			if (w.count <= 0 || w.offset < 0) continue;
			out.push({
				offset: w.offset,
				count: w.count,
				kind: w.code === E_SEND_UNKNOWN ? "unknown" : "failed",
				what: w.message,
			});
		}
		const e = this.error;
		if (e !== null && e.count > 0 && e.offset >= 0)
			out.push({ offset: e.offset, count: e.count, kind: "failed", what: e.message });
		return out.sort((a, b) => a.offset - b.offset);
	}

	// Received bytes reported lost: a count, or -1 when some were lost but
	// how many is unknown.
	reportedLost(): number {
		let lost = 0;
		for (const report of [...this.warnings, ...(this.error ? [this.error] : [])]) {
			if (report.lost < 0) return -1;
			lost += report.lost;
		}
		return lost;
	}

	describe(): string {
		return [
			...this.warnings.map((w) => "warning: " + w.message),
			this.error ? "error: " + this.error.message : "",
			this.closed ? "closed" : "",
		]
			.filter((s) => s !== "")
			.join("; ");
	}
}

export function concat(parts: Uint8Array[]): Uint8Array {
	let n = 0;
	for (const p of parts) n += p.length;
	const out = new Uint8Array(n);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

function equalBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, n: number): boolean {
	if (aStart + n > a.length || bStart + n > b.length) return false;
	for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
	return true;
}

// Checks the transmit side of one TCP connection; returns "" when every
// written byte is accounted for, else what is wrong. `delivered` is what the
// peer received, in order.
export function checkSent(written: Uint8Array, delivered: Uint8Array, stats: SocketStats, log: SocketLog): string {
	if (stats.written !== written.length) return `stats.written ${stats.written}, the app wrote ${written.length}`;
	const settled = stats.sent + stats.failed + stats.unknown;
	if (settled !== stats.written)
		return `sent ${stats.sent} + failed ${stats.failed} + unknown ${stats.unknown} = ${settled}, written ${stats.written}`;
	const ranges = log.reportedRanges();
	for (let i = 1; i < ranges.length; i++) {
		if (ranges[i].offset < ranges[i - 1].offset + ranges[i - 1].count)
			return `reports overlap: ${JSON.stringify(ranges)}`;
	}
	// Walk the written stream: unreported bytes must be delivered, "failed"
	// ones must not be, "unknown" ones may be (whole). Few unknown ranges: try
	// every combination.
	const unknown = ranges.filter((r) => r.kind === "unknown");
	if (unknown.length > 12) return `too many unknown ranges to check (${unknown.length})`;
	let why = "";
	for (let mask = 0; mask < 1 << unknown.length; mask++) {
		let at = 0,
			got = 0,
			ok = true;
		const segments: [number, number][] = [];
		for (const r of ranges) {
			segments.push([at, r.offset]);
			if (r.kind === "unknown" && (mask & (1 << unknown.indexOf(r))) !== 0)
				segments.push([r.offset, r.offset + r.count]);
			at = r.offset + r.count;
		}
		segments.push([at, written.length]);
		for (const [start, end] of segments) {
			if (end <= start) continue;
			if (!equalBytes(written, start, delivered, got, end - start)) {
				ok = false;
				if (why === "") why = `written bytes ${start}..${end} are not what the peer received at ${got}`;
				break;
			}
			got += end - start;
		}
		if (ok && got === delivered.length) return "";
		if (ok && why === "") why = `the peer received ${delivered.length} bytes, the accounted stream has ${got}`;
	}
	return `${why} (reports: ${JSON.stringify(ranges.map((r) => [r.kind, r.offset, r.count]))}, stats ${JSON.stringify(stats)})`;
}

// Checks the receive side: what the app got is what the peer sent with
// some bytes missing (never altered, duplicated or reordered), and missing
// bytes were reported lost (a count that matches, or "count unknown").
// `mayVanish` bytes at the end of the peer's stream may be missing without a
// report (they never reached the module: the connection was reset).
export function checkReceived(peerSent: Uint8Array, appGot: Uint8Array, log: SocketLog, mayVanish = 0): string {
	// appGot must be a subsequence of peerSent made of whole runs.
	let i = 0,
		j = 0;
	while (j < appGot.length) {
		while (i < peerSent.length && peerSent[i] !== appGot[j]) i++;
		if (i === peerSent.length)
			return `the app received ${appGot.length} bytes; from byte ${j} on they are not what the peer sent`;
		i++;
		j++;
	}
	const missing = peerSent.length - appGot.length;
	const lost = log.reportedLost();
	if (missing === 0) return lost > 0 ? `${lost} bytes reported lost but all ${peerSent.length} arrived` : "";
	if (lost < 0) return "";
	if (lost > missing) return `${lost} bytes reported lost, ${missing} missing`;
	if (missing - lost > mayVanish)
		return `${missing} of the ${peerSent.length} bytes the peer sent are missing, ${lost} reported lost (${log.describe()})`;
	return "";
}
