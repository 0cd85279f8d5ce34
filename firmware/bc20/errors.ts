// The errors the driver reports: the manual's TCP/IP <err> codes (chapter 3,
// 550-574) with their descriptions, and the driver's own codes for what the
// module never reports as a code (timeouts, reboots, misuse). Driver codes
// start at 1001 so they collide neither with 550-574 nor with the 3GPP
// +CME ERROR codes, which a BC20Error carries separately in `cme`.
import {
	DONE_CANCELLED,
	DONE_CME_ERROR,
	DONE_NOT_SENT,
	DONE_UNSENT,
	DONE_REBOOT,
	DONE_SEND_FAIL,
	DONE_TIMEOUT,
} from "../at/result.js";

export const E_TIMEOUT = 1001;
export const E_REBOOTED = 1002;
export const E_STATE = 1003;
export const E_ARGUMENT = 1004;
export const E_QUEUE_FULL = 1005;
export const E_SEND_FAILED = 1006;
export const E_SEND_UNKNOWN = 1007;
export const E_DATA_LOST = 1008;
export const E_BUFFER_FULL = 1009;
export const E_PEER_CLOSED = 1010;
export const E_CME = 1011;
export const E_ERROR = 1012;
export const E_CANCELLED = 1013;
export const E_NOT_ATTACHED = 1014;
export const E_NO_ANSWER = 1015;
export const E_BAD_RESPONSE = 1016;

// Chapter 3, verbatim, for codes 550..574.
const MANUAL: readonly string[] = Object.freeze([
	"Unknown error",
	"Operation blocked",
	"Invalid parameters",
	"Memory not enough",
	"Create socket failed",
	"Operation not supported",
	"Socket bind failed",
	"Socket listen failed",
	"Socket write failed",
	"Socket read failed",
	"Socket accept failed",
	"Open PDP context failed",
	"Close PDP context failed",
	"Socket identity has been used",
	"DNS busy",
	"DNS parse failed",
	"Socket connect failed",
	"Socket has been closed",
	"Operation busy",
	"Operation timeout",
	"PDP context broken down",
	"Cancel send",
	"Operation not allowed",
	"APN not configured",
	"Port busy",
]);

const DRIVER: readonly string[] = Object.freeze([
	"No answer from the module in time",
	"The module rebooted",
	"Not allowed in this state",
	"Invalid argument",
	"Command queue full",
	"SEND FAIL: the module did not send the bytes",
	"Send timed out: whether the bytes were sent is unknown",
	"Received data lost",
	"The module's receive buffer is full",
	"Connection closed by the peer or the network",
	"+CME ERROR",
	"ERROR (the module gave no error code)",
	"Cancelled",
	"Not registered and attached to the network in time",
	"The module does not answer AT",
	"The module's answer could not be read",
]);

// The description of a code: the manual's for 0 and 550-574, the driver's for its own.
export function describe(code: number): string {
	if (code === 0) return "Operation successful";
	if (code >= 550 && code <= 574) return MANUAL[code - 550];
	if (code >= E_TIMEOUT && code < E_TIMEOUT + DRIVER.length) return DRIVER[code - E_TIMEOUT];
	return `Error ${code}`;
}

export class BC20Error extends Error {
	// 550-574 (the module's <err>) or one of the E_* codes above.
	readonly code: number;
	// The manual's description for 550-574, else the driver's.
	readonly description: string;
	// The AT command that failed ("AT+QIOPEN"), "" when none did.
	readonly command: string;
	// The connectID concerned, -1 when none.
	readonly socket: number;
	// +CME ERROR code (with E_CME).
	cme = 0;
	// Sends (E_SEND_FAILED, E_SEND_UNKNOWN, and bytes never sent at a reboot or
	// failure): stream offset of the first byte concerned, and how many.
	offset = -1;
	count = 0;
	// Received bytes lost: a count, or -1 when bytes were lost but how many is unknown.
	lost = 0;

	constructor(code: number, detail = "", command = "", socket = -1) {
		const description = describe(code);
		let message = description + " (" + code + ")";
		if (detail !== "") message += ": " + detail;
		if (socket >= 0) message = "socket " + socket + ": " + message;
		if (command !== "") message = command + ": " + message;
		super(message);
		this.name = "BC20Error";
		this.code = code;
		this.description = description;
		this.command = command;
		this.socket = socket;
	}
}

// The code of the error for a command that ended with `status` other than
// OK (a plain ERROR: E_ERROR; the caller asks AT+QIGETERROR first when the
// command belongs to the TCP/IP stack).
export function resultCode(status: number): number {
	switch (status) {
		case DONE_TIMEOUT:
		case DONE_UNSENT:
			return E_TIMEOUT;
		case DONE_REBOOT:
			return E_REBOOTED;
		case DONE_CANCELLED:
			return E_CANCELLED;
		case DONE_SEND_FAIL:
			return E_SEND_FAILED;
		case DONE_NOT_SENT:
			return E_ARGUMENT;
		case DONE_CME_ERROR:
			return E_CME;
		default:
			return E_ERROR;
	}
}

// What that error says beside its code's description (`code`: the result's,
// the +CME ERROR code), "" for nothing.
export function resultDetail(status: number, code: number): string {
	switch (status) {
		case DONE_UNSENT:
			return "not sent: the module did not answer the resync probe before it";
		case DONE_NOT_SENT:
			return "the command line does not fit the command buffer: nothing was sent";
		case DONE_CME_ERROR:
			return "code " + code;
		default:
			return "";
	}
}

// The error for a command that ended other than with OK; `detail` in the
// place of resultDetail's.
export function resultError(status: number, code: number, command: string, socket = -1, detail = ""): BC20Error {
	const error = new BC20Error(resultCode(status), detail === "" ? resultDetail(status, code) : detail, command, socket);
	if (status === DONE_CME_ERROR) error.cme = code;
	return error;
}
