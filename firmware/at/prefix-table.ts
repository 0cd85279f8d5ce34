// Classifying a line by its first bytes (Zephyr modem_chat style: data, not
// code). The engine knows the final results and the few URCs it frames on
// (line-kind.ts); the module's driver gives the rest as rows of its own
// (firmware/bc20/urcs.ts) and builds one LineTable from both at load.
import { ascii } from "./ascii.js";
import { HEAD_BYTES, Line } from "./line.js";
import * as K from "./line-kind.js";

export interface Prefix {
	readonly bytes: Uint8Array;
	readonly kind: number;
	// For traces and error messages.
	readonly name: string;
	// True when the whole line must equal the prefix ("OK" must not match "OKAY").
	readonly exact: boolean;
}

export function prefix(text: string | Uint8Array, kind: number, name: string, exact = false): Prefix {
	return Object.freeze({ bytes: typeof text === "string" ? ascii(text) : text, kind, name, exact });
}

export const FINAL_RESULTS: readonly Prefix[] = Object.freeze([
	prefix("OK", K.OK, "OK", true),
	prefix("ERROR", K.ERROR, "ERROR", true),
	prefix("+CME ERROR:", K.CME_ERROR, "+CME ERROR"),
	prefix("SEND OK", K.SEND_OK, "SEND OK", true),
	prefix("SEND FAIL", K.SEND_FAIL, "SEND FAIL", true),
	prefix("CLOSE OK", K.CLOSE_OK, "CLOSE OK", true),
]);

// Headers after which raw payload bytes follow.
export const QIRD_HEADER = ascii("+QIRD:");
export const RECV_URC = ascii('+QIURC: "recv"');
const QIURC_HEAD = ascii("+QIURC:");

// Rows by their head (Line.head: "+NAME:" up to the colon, or the whole
// line), so that a line is classified by one lookup of a number the line's
// own parsing computed, instead of byte comparisons against every row that
// starts like it: XS interprets every compared byte. The +QIURC rows share one
// head and are told apart by their type, in table order (specific types
// before the general "+QIURC:"). Built once, at load; read-only afterwards (a
// preloaded Map is frozen).
export class LineTable {
	#byHead = new Map<number, Prefix>();
	#qiurcTypes: Prefix[] = [];
	#qiurcKey: number;
	#byKind: (Prefix | undefined)[] = [];

	constructor(rows: readonly Prefix[]) {
		const probe = new Line();
		for (const row of rows) {
			const b = row.bytes;
			probe.set(b, 0, b.length, -1);
			if (probe.headLength !== b.length)
				this.#qiurcTypes.push(row); // +QIURC: "<type>"
			else if (this.#byHead.has(probe.head)) throw new Error("line table: two rows share a head");
			else this.#byHead.set(probe.head, row);
			if (this.#byKind[row.kind] !== undefined) throw new Error("line table: two rows share a kind");
			this.#byKind[row.kind] = row;
		}
		probe.set(QIURC_HEAD, 0, QIURC_HEAD.length, -1);
		this.#qiurcKey = probe.head;
		Object.freeze(this.#qiurcTypes);
		Object.freeze(this.#byKind);
		Object.freeze(this);
	}

	// The kind of the row `line` matches, or -1. A row is matched whole: the
	// line's head is the row's (a final result, or "+NAME:" with whatever
	// parameters follow); the bytes past the ones the head packs are compared.
	kindOf(line: Line): number {
		const head = line.head;
		if (head === this.#qiurcKey) {
			const types = this.#qiurcTypes;
			for (let r = 0; r < types.length; r++) {
				const row = types[r];
				if (line.matchesFrom(row.bytes, HEAD_BYTES)) return row.kind;
			}
		}
		const row = this.#byHead.get(head);
		if (row === undefined) return -1;
		const bytes = row.bytes;
		if (bytes.length > HEAD_BYTES && !line.matchesFrom(bytes, HEAD_BYTES)) return -1;
		return row.exact && line.length !== bytes.length ? -1 : row.kind;
	}

	// The row of `kind`, if the table has one.
	row(kind: number): Prefix | undefined {
		return this.#byKind[kind];
	}

	// For traces and error messages only.
	kindName(kind: number): string {
		return this.#byKind[kind]?.name ?? K.kindName(kind);
	}
}
