// The constant tables that classify a line by its first bytes (Zephyr
// modem_chat style: data, not code). Order matters: the first match wins, so
// specific prefixes stand before the general ones they share a start with.
import { ascii } from "./ascii.js";
import { HEAD_BYTES, Line } from "./line.js";
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
	prefix('+QIURC: "recv"', K.URC_RECV),
	prefix('+QIURC: "closed"', K.URC_CLOSED),
	prefix('+QIURC: "dnsgip"', K.URC_DNSGIP),
	prefix('+QIURC: "pdpdeact"', K.URC_PDPDEACT),
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

// The rows above by their head (Line.head: "+NAME:" up to the colon, or the
// whole line), so that a line is classified by one lookup of a number the
// line's own parsing computed, instead of byte comparisons against every row
// that starts like it: XS interprets every compared byte. The +QIURC rows share
// one head and are told apart by their type, in table order. Built once at
// load; read-only afterwards (a preloaded Map is frozen).
const QIURC_HEAD = ascii("+QIURC:");
const QIURC_TYPES: Prefix[] = [];
const BY_HEAD = new Map<number, Prefix>();
const probe = new Line();
for (const row of [...FINAL_RESULTS, ...URCS]) {
	const b = row.bytes;
	probe.set(b, 0, b.length, -1);
	if (probe.headLength !== b.length)
		QIURC_TYPES.push(row); // +QIURC: "<type>"
	else if (BY_HEAD.has(probe.head)) throw new Error("prefix table: two rows share a head");
	else BY_HEAD.set(probe.head, row);
}
Object.freeze(QIURC_TYPES);
probe.set(QIURC_HEAD, 0, QIURC_HEAD.length, -1);
const QIURC_KEY = probe.head;

// The kind of the table row `line` matches, or -1. A row is matched whole:
// the line's head is the row's (a final result, or "+NAME:" with whatever
// parameters follow); the bytes past the ones the head packs are compared.
export function kindOf(line: Line): number {
	const head = line.head;
	if (head === QIURC_KEY) {
		for (let r = 0; r < QIURC_TYPES.length; r++) {
			const row = QIURC_TYPES[r];
			if (line.matchesFrom(row.bytes, HEAD_BYTES)) return row.kind;
		}
	}
	const row = BY_HEAD.get(head);
	if (row === undefined) return -1;
	const bytes = row.bytes;
	if (bytes.length > HEAD_BYTES && !line.matchesFrom(bytes, HEAD_BYTES)) return -1;
	return row.exact && line.length !== bytes.length ? -1 : row.kind;
}

// Headers after which raw payload bytes follow.
export const QIRD_HEADER = ascii("+QIRD:");
export const RECV_URC = URCS[0].bytes;
