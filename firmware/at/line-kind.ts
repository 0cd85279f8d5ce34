// What a complete line from the module is. Numbers, not strings, so that
// classifying and dispatching a line allocates nothing.

// Final results: they end the first stage of a command (OK, ERROR, +CME ERROR)
// or its second stage (SEND OK, SEND FAIL, CLOSE OK).
export const OK = 1;
export const ERROR = 2;
export const CME_ERROR = 3;
export const SEND_OK = 4;
export const SEND_FAIL = 5;
export const CLOSE_OK = 6;

// A line that starts with the response prefix armed for the command in flight.
export const RESPONSE = 10;

// Unsolicited result codes.
export const URC_RECV = 20; // +QIURC: "recv",<id>[,<n>|,"buff full"] (payload, if any, follows as raw bytes)
export const URC_CLOSED = 21; // +QIURC: "closed",<id>
export const URC_DNSGIP = 22; // +QIURC: "dnsgip",...
export const URC_PDPDEACT = 23; // +QIURC: "pdpdeact",<contextID>
export const URC_QIURC_OTHER = 24; // +QIURC: of a type this driver does not know
export const URC_QIOPEN = 25; // +QIOPEN: <id>,<err>
export const URC_QPING = 26; // +QPING: ...
export const URC_QNTP = 27; // +QNTP: ...
export const URC_RDY = 28; // RDY: the module (re)booted
export const URC_CPIN = 29;
export const URC_CFUN = 30;
export const URC_IP = 31;
export const URC_CEREG = 32;
export const URC_CSCON = 33;
export const URC_QATWAKEUP = 34;
export const URC_QATSLEEP = 35;
export const URC_QNBIOTEVENT = 36;
export const URC_OTHER = 37; // any other "+NAME:" line

// The module echoing a command line back ("AT..." with echo on).
export const ECHO = 40;
// Text that is none of the above (boot-ROM output, corrupted lines).
export const NOISE = 41;

export function isFinal(kind: number): boolean {
	return kind >= OK && kind <= CLOSE_OK;
}

const names: { readonly [kind: number]: string } = Object.freeze({
	[OK]: "OK",
	[ERROR]: "ERROR",
	[CME_ERROR]: "+CME ERROR",
	[SEND_OK]: "SEND OK",
	[SEND_FAIL]: "SEND FAIL",
	[CLOSE_OK]: "CLOSE OK",
	[RESPONSE]: "response",
	[URC_RECV]: "recv",
	[URC_CLOSED]: "closed",
	[URC_DNSGIP]: "dnsgip",
	[URC_PDPDEACT]: "pdpdeact",
	[URC_QIURC_OTHER]: "+QIURC",
	[URC_QIOPEN]: "+QIOPEN",
	[URC_QPING]: "+QPING",
	[URC_QNTP]: "+QNTP",
	[URC_RDY]: "RDY",
	[URC_CPIN]: "+CPIN",
	[URC_CFUN]: "+CFUN",
	[URC_IP]: "+IP",
	[URC_CEREG]: "+CEREG",
	[URC_CSCON]: "+CSCON",
	[URC_QATWAKEUP]: "+QATWAKEUP",
	[URC_QATSLEEP]: "+QATSLEEP",
	[URC_QNBIOTEVENT]: "+QNBIOTEVENT",
	[URC_OTHER]: "urc",
	[ECHO]: "echo",
	[NOISE]: "noise",
});

// For traces and error messages only.
export function kindName(kind: number): string {
	return names[kind] ?? "unknown";
}
