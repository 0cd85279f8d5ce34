// What a complete line from the module is. Numbers, not strings, so that
// classifying and dispatching a line allocates nothing.

// Final results: they end the first stage of a command (OK, ERROR, +CME ERROR)
// or its second stage (SEND OK, SEND FAIL, CLOSE OK): the kinds OK to CLOSE_OK.
export const OK = 1;
export const ERROR = 2;
export const CME_ERROR = 3;
export const SEND_OK = 4;
export const SEND_FAIL = 5;
export const CLOSE_OK = 6;

// A line that starts with the response prefix armed for the command in flight.
export const RESPONSE = 10;

// Unsolicited result codes the engine itself frames on; the module's driver
// numbers the others in this range (firmware/bc20/urcs.ts).
export const URC_RECV = 20; // +QIURC: "recv",<id>[,<n>|,"buff full"] (payload, if any, follows as raw bytes)
export const URC_QIURC_OTHER = 24; // +QIURC: of a type the driver does not know (may carry a payload)
export const URC_RDY = 28; // RDY: the module (re)booted
export const URC_OTHER = 37; // any other "+NAME:" line (may carry a payload)

// The module echoing a command line back ("AT..." with echo on).
export const ECHO = 40;
// Text that is none of the above (boot-ROM output, corrupted lines).
export const NOISE = 41;

// An unsolicited line: the engine's URC kinds and the driver's (numbered
// between URC_RECV and URC_OTHER), for tools that tell URCs from answers.
export function isUrc(kind: number): boolean {
	return kind >= URC_RECV && kind <= URC_OTHER;
}

// Names of the kinds no table row names (see LineTable.kindName).
const names: { readonly [kind: number]: string } = Object.freeze({
	[RESPONSE]: "response",
	[URC_OTHER]: "urc",
	[ECHO]: "echo",
	[NOISE]: "noise",
});

// For traces and error messages only.
export function kindName(kind: number): string {
	return names[kind] ?? "unknown";
}
