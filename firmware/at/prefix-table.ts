// The constant tables that classify a line by its first bytes (Zephyr
// modem_chat style: data, not code). Order matters: the first match wins, so
// specific prefixes stand before the general ones they share a start with.
import { ascii } from "./ascii.js";
import * as K from "./line-kind.js";

export interface Prefix {
	readonly bytes: Uint8Array;
	readonly kind: number;
	// True when the whole line must equal the prefix ("OK" must not match "OKAY").
	readonly exact: boolean;
}

function prefix(text: string, kind: number, exact = false): Prefix {
	return Object.freeze({ bytes: ascii(text), kind, exact });
}

export const FINAL_RESULTS: readonly Prefix[] = Object.freeze([
	prefix("OK", K.OK, true),
	prefix("ERROR", K.ERROR, true),
	prefix("+CME ERROR:", K.CME_ERROR),
	prefix("SEND OK", K.SEND_OK, true),
	prefix("SEND FAIL", K.SEND_FAIL, true),
	prefix("CLOSE OK", K.CLOSE_OK, true),
]);

export const URCS: readonly Prefix[] = Object.freeze([
	prefix("+QIURC: \"recv\"", K.URC_RECV),
	prefix("+QIURC: \"closed\"", K.URC_CLOSED),
	prefix("+QIURC: \"dnsgip\"", K.URC_DNSGIP),
	prefix("+QIURC: \"pdpdeact\"", K.URC_PDPDEACT),
	prefix("+QIURC:", K.URC_QIURC_OTHER),
	prefix("+QIOPEN:", K.URC_QIOPEN),
	prefix("+QPING:", K.URC_QPING),
	prefix("+QNTP:", K.URC_QNTP),
	prefix("RDY", K.URC_RDY, true),
	prefix("+CPIN:", K.URC_CPIN),
	prefix("+CFUN:", K.URC_CFUN),
	prefix("+IP:", K.URC_IP),
	prefix("+CEREG:", K.URC_CEREG),
	prefix("+CSCON:", K.URC_CSCON),
	prefix("+QATWAKEUP", K.URC_QATWAKEUP),
	prefix("+QATSLEEP", K.URC_QATSLEEP),
	prefix("+QNBIOTEVENT:", K.URC_QNBIOTEVENT),
]);

// The rows above in buckets by a hash of their first three bytes (a missing
// byte counts as 0), keeping table order: a line is compared only with the
// rows that share its bucket, one or two, instead of every row that starts
// like it. XS interprets every compared byte, so fewer comparisons is what
// makes classification cheap there. Built once at load; read-only afterwards.
const BUCKETS = 64;

// The bucket of a line or row starting with bytes b0, b1, b2.
function bucketOf(b0: number, b1: number, b2: number): number {
	return ((((b0 & 255) * 31 + (b1 & 255)) * 31) + (b2 & 255)) & (BUCKETS - 1);
}

const BY_START: Prefix[][] = [];
for (let i = 0; i < BUCKETS; i++) BY_START.push([]);
for (const row of [...FINAL_RESULTS, ...URCS]) {
	const b = row.bytes;
	BY_START[bucketOf(b[0], b[1], b.length > 2 ? b[2] : 0)].push(row);
}
for (const bucket of BY_START) Object.freeze(bucket);
Object.freeze(BY_START);

// The rows a line starting with bytes b0, b1, b2 (-1 where the line is
// shorter) may match.
export function candidates(b0: number, b1: number, b2: number): readonly Prefix[] {
	return BY_START[bucketOf(b0, b1, b2 < 0 ? 0 : b2)];
}

// Headers after which raw payload bytes follow.
export const QIRD_HEADER = ascii("+QIRD:");
export const RECV_URC = URCS[0].bytes;
