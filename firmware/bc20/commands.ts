// The command table: one constant CommandSpec per AT command the driver
// issues (name, armed response prefix, deadlines, second stage). Deadlines
// are the manual's 300 ms for the first stage; second stages use what the
// manual recommends (60 s for +QIOPEN) or a bound for results it leaves open.
import { ascii } from "../at/ascii.js";
import { type CommandSpec, spec, THEN_CLOSE_OK, THEN_SEND_RESULT, THEN_URC } from "../at/command.js";
import { QIRD_HEADER } from "../at/prefix-table.js";

export const RESPONSE_MS = 300;
// +QIOPEN: the manual suggests waiting 60 s.
export const OPEN_MS = 60000;
// SEND OK only means the data reached the module's stack; a generous bound.
export const SEND_RESULT_MS = 10000;
// CLOSE OK waits for the TCP close handshake.
export const CLOSE_MS = 10000;
// DNS and NTP answers depend on the network; same bound as +QIOPEN.
export const LOOKUP_MS = 60000;

export const AT = spec("AT", null, RESPONSE_MS);
export const ATE0 = spec("ATE0", null, RESPONSE_MS);
export const CEREG_READ = spec("AT+CEREG?", ascii("+CEREG:"), RESPONSE_MS);
export const CGATT_READ = spec("AT+CGATT?", ascii("+CGATT:"), RESPONSE_MS);
export const CGPADDR = spec("AT+CGPADDR", ascii("+CGPADDR:"), RESPONSE_MS);
export const QICFG = spec("AT+QICFG", ascii("+QICFG:"), RESPONSE_MS);
export const QISTATE = spec("AT+QISTATE", ascii("+QISTATE:"), RESPONSE_MS);
export const QIGETERROR = spec("AT+QIGETERROR", ascii("+QIGETERROR:"), RESPONSE_MS);
export const QIOPEN = spec("AT+QIOPEN", null, RESPONSE_MS, THEN_URC, OPEN_MS);
export const QICLOSE = spec("AT+QICLOSE", null, RESPONSE_MS, THEN_CLOSE_OK, CLOSE_MS);
export const QISEND = spec("AT+QISEND", null, RESPONSE_MS, THEN_SEND_RESULT, SEND_RESULT_MS);
export const QISENDEX = spec("AT+QISENDEX", null, RESPONSE_MS, THEN_SEND_RESULT, SEND_RESULT_MS);
export const QISWTMD = spec("AT+QISWTMD", null, RESPONSE_MS);
export const QIDNSGIP = spec("AT+QIDNSGIP", null, RESPONSE_MS, THEN_URC, LOOKUP_MS);
export const QNTP = spec("AT+QNTP", null, RESPONSE_MS, THEN_URC, LOOKUP_MS);

// The starts of the hot-path command lines, per connectID ("AT+QIRD=<id>,"),
// as bytes made at load: a read or a send writes its start with one native
// copy. (On XS, reading a string's characters, even its length, allocates a
// wrapper each time, so CommandWriter.text() is for cold paths only.)
const QIRD_NAME = "AT+QIRD";
function starts(command: string): readonly Uint8Array[] {
	return Object.freeze([0, 1, 2, 3, 4].map((id) => ascii(command + "=" + id + ",")));
}
export const QIRD_STARTS = starts(QIRD_NAME);
export const QISEND_STARTS = starts(QISEND.name);
export const QISENDEX_STARTS = starts(QISENDEX.name);
export const MAX_READ = 512;
// A whole read's line ("AT+QIRD=<id>,512"), the one a busy socket writes most.
export const QIRD_WHOLE = Object.freeze([0, 1, 2, 3, 4].map((id) => ascii(QIRD_NAME + "=" + id + "," + MAX_READ)));
export const MAX_SEND_TEXT = 1024;
export const MAX_SEND_HEX = 512;

// AT+QIRD: the channel's deadline counts the command line's transmission time
// but not the response's, and a 512-byte read in hex is over 1 KB on the wire:
// at a slow baud rate that alone exceeds 300 ms. So the deadline is made per
// modem from its baud rate.
export function qirdSpec(baud: number): CommandSpec {
	const responseBytes = MAX_READ * 2 + 32;
	return spec(QIRD_NAME, QIRD_HEADER, RESPONSE_MS + Math.ceil((responseBytes * 10000) / baud));
}

// AT+QPING: the summary comes after every request had its answer or timeout.
export function qpingSpec(timeoutSeconds: number, count: number): CommandSpec {
	return spec("AT+QPING", null, RESPONSE_MS, THEN_URC, timeoutSeconds * count * 1000 + 5000);
}

export const CONTEXT_ID = 1;
export const BUFF_FULL = ascii("buff full");
