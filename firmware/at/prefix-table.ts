// Classifying a line by its first bytes (Zephyr modem_chat style: data, not
// code). The engine knows the final results and the few URCs it frames on
// (line-kind.ts); the module's driver gives the rest as rows of its own
// (firmware/bc20/urcs.ts) and builds one LineTable from both at load.
import { ascii } from "./ascii.js";
import { HEAD_EXACT, Line } from "./line.js";
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

// Rows by their head (Line.head: the first three bytes and the low bits of
// the fourth, read with no pass over the line), so that a line is classified
// by one lookup of a number, then a comparison of its bytes past the first
// three against the few rows of that head (XS interprets every compared
// byte). Rows of one head are tried in table order: the specific +QIURC types
// before the general "+QIURC:". Built once, at load; read-only afterwards (a
// preloaded Map is frozen).
export class LineTable {
	#byHead = new Map<number, readonly Prefix[]>();
	#byKind: (Prefix | undefined)[] = [];

	constructor(rows: readonly Prefix[]) {
		const probe = new Line();
		const lists = new Map<number, Prefix[]>();
		for (const row of rows) {
			const b = row.bytes;
			// A row shorter than the head would match only lines as short as itself.
			if (b.length <= HEAD_EXACT && !row.exact) throw new Error(`line table: ${row.name} is short and must be exact`);
			probe.set(b, 0, b.length, -1);
			let list = lists.get(probe.head);
			if (list === undefined) lists.set(probe.head, (list = []));
			for (const earlier of list)
				if (!earlier.exact && probe.startsWith(earlier.bytes))
					throw new Error(`line table: ${row.name} is unreachable behind ${earlier.name}`);
			list.push(row);
			if (this.#byKind[row.kind] !== undefined) throw new Error("line table: two rows share a kind");
			this.#byKind[row.kind] = row;
		}
		for (const [head, list] of lists) this.#byHead.set(head, Object.freeze(list));
		Object.freeze(this.#byKind);
		Object.freeze(this);
	}

	// The kind of the row `line` matches, or -1: the line starts with the
	// row's bytes (is them, for an exact row).
	kindOf(line: Line): number {
		const rows = this.#byHead.get(line.head);
		if (rows === undefined) return -1;
		for (let r = 0; r < rows.length; r++) {
			const row = rows[r];
			if (row.exact && line.length !== row.bytes.length) continue;
			if (line.matchesFrom(row.bytes, HEAD_EXACT)) return row.kind;
		}
		return -1;
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
