// The URCs the driver knows, one row each (Zephyr modem_chat style: the
// handler in the row): how the line starts, its kind, its name in traces, and
// what the modem does with it when no command in flight took it (a row
// without a handler is for the commands that wait for it: +QIOPEN, +QPING,
// +QNTP, dnsgip; or is only seen). The engine frames on a few kinds of its
// own (firmware/at/line-kind.ts); every other kind is stated here only.
import type { Line } from "../at/line.js";
import * as K from "../at/line-kind.js";
import { FINAL_RESULTS, LineTable, type Prefix, prefix, RECV_URC } from "../at/prefix-table.js";

export const URC_CLOSED = 21;
export const URC_DNSGIP = 22;
export const URC_PDPDEACT = 23;
export const URC_QIOPEN = 25;
export const URC_QPING = 26;
export const URC_QNTP = 27;
export const URC_CPIN = 29;
export const URC_CFUN = 30;
export const URC_IP = 31;
export const URC_CEREG = 32;
export const URC_CSCON = 33;
export const URC_QATWAKEUP = 34;
export const URC_QATSLEEP = 35;
export const URC_QNBIOTEVENT = 36;

// What the handlers do to the modem (modem.ts builds it).
export interface UrcHost {
	// +QIURC: "recv",<id>[,<n>|,"buff full"] without data (buffer mode), or a
	// pushed header whose data the push events carry.
	received(line: Line): void;
	// +QIURC: "closed",<id>
	closed(line: Line): void;
	// +QIURC: "pdpdeact",<contextID>
	pdpDeactivated(): void;
	// A boot banner line after ready: the module may have rebooted.
	suspectReboot(): void;
	// A +QIURC: of a type the driver does not know (a damaged one, perhaps).
	unknownQiurc(line: Line): void;
}

export interface UrcRow extends Prefix {
	readonly handle: ((host: UrcHost, line: Line) => void) | null;
}

function urc(text: string | Uint8Array, kind: number, name: string, handle: UrcRow["handle"], exact = false): UrcRow {
	return Object.freeze({ ...prefix(text, kind, name, exact), handle });
}

// In table order: the specific +QIURC types before the general "+QIURC:".
export const URCS: readonly UrcRow[] = Object.freeze([
	urc(RECV_URC, K.URC_RECV, "recv", (host, line) => host.received(line)),
	urc('+QIURC: "closed"', URC_CLOSED, "closed", (host, line) => host.closed(line)),
	urc('+QIURC: "dnsgip"', URC_DNSGIP, "dnsgip", null),
	urc('+QIURC: "pdpdeact"', URC_PDPDEACT, "pdpdeact", (host) => host.pdpDeactivated()),
	urc("+QIURC:", K.URC_QIURC_OTHER, "+QIURC", (host, line) => host.unknownQiurc(line)),
	urc("+QIOPEN:", URC_QIOPEN, "+QIOPEN", null),
	urc("+QPING:", URC_QPING, "+QPING", null),
	urc("+QNTP:", URC_QNTP, "+QNTP", null),
	// Handled by the channel: a reboot.
	urc("RDY", K.URC_RDY, "RDY", null, true),
	urc("+CPIN:", URC_CPIN, "+CPIN", (host) => host.suspectReboot()),
	urc("+CFUN:", URC_CFUN, "+CFUN", (host) => host.suspectReboot()),
	urc("+IP:", URC_IP, "+IP", null),
	urc("+CEREG:", URC_CEREG, "+CEREG", null),
	urc("+CSCON:", URC_CSCON, "+CSCON", null),
	urc("+QATWAKEUP", URC_QATWAKEUP, "+QATWAKEUP", null, true),
	urc("+QATSLEEP", URC_QATSLEEP, "+QATSLEEP", null, true),
	urc("+QNBIOTEVENT:", URC_QNBIOTEVENT, "+QNBIOTEVENT", null),
]);

// The rows' handlers by kind, for the modem's dispatch.
const handlers: UrcRow["handle"][] = [];
for (const row of URCS) {
	// Tools tell URCs from answers by the range (line-kind.ts isUrc).
	if (!K.isUrc(row.kind)) throw new Error("urc table: kind " + row.kind + " outside the URC range");
	handlers[row.kind] = row.handle;
}
export const URC_HANDLERS: readonly UrcRow["handle"][] = Object.freeze(handlers);

// Every line the BC20 driver classifies: the final results and the URCs.
export const BC20_LINES = new LineTable([...FINAL_RESULTS, ...URCS]);
