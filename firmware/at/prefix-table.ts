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
	return { bytes: ascii(text), kind, exact };
}

export const FINAL_RESULTS: readonly Prefix[] = [
	prefix("OK", K.OK, true),
	prefix("ERROR", K.ERROR, true),
	prefix("+CME ERROR:", K.CME_ERROR),
	prefix("SEND OK", K.SEND_OK, true),
	prefix("SEND FAIL", K.SEND_FAIL, true),
	prefix("CLOSE OK", K.CLOSE_OK, true),
];

export const URCS: readonly Prefix[] = [
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
];

// The rows above grouped by their first byte, and for "+" lines by their
// second byte, keeping table order: a line is compared only with the few rows
// that can match it. Built once at load; read-only afterwards.
const BY_FIRST: Prefix[][] = [];
const BY_PLUS_SECOND: Prefix[][] = [];
for (let i = 0; i < 256; i++) {
	BY_FIRST.push([]);
	BY_PLUS_SECOND.push([]);
}
for (const row of [...FINAL_RESULTS, ...URCS]) {
	if (row.bytes[0] === 43 /* + */) BY_PLUS_SECOND[row.bytes[1]].push(row);
	else BY_FIRST[row.bytes[0]].push(row);
}

// The rows a line starting with `first`, `second` may match.
export function candidates(first: number, second: number): readonly Prefix[] {
	return first === 43 ? BY_PLUS_SECOND[second & 255] : BY_FIRST[first & 255];
}

// Headers after which raw payload bytes follow.
export const QIRD_HEADER = ascii("+QIRD:");
export const RECV_URC = URCS[0].bytes;
