// How a command ended. One Result object per channel, reused for every command.

export const DONE_OK = 0; // OK (and SEND OK / CLOSE OK / the ending URC where the command has a second stage)
export const DONE_ERROR = 1; // ERROR without a code
export const DONE_CME_ERROR = 2; // +CME ERROR: <code>
export const DONE_SEND_FAIL = 3; // OK then SEND FAIL
export const DONE_TIMEOUT = 4; // no final result by the deadline
export const DONE_REBOOT = 5; // the module rebooted while the command was in flight or queued
export const DONE_CANCELLED = 6; // dropped from the queue by the owner (e.g. channel reset)
export const DONE_NOT_SENT = 7; // could not be rendered (too long for the command buffer): nothing was written
export const DONE_UNSENT = 8; // never written: the resync probe before it went unanswered (module silent)
export const DONE_WITHDRAWN = 9; // never written: after the probe it still owed a line (channel.owes); issue it again later

const names = Object.freeze([
	"OK",
	"ERROR",
	"+CME ERROR",
	"SEND FAIL",
	"timeout",
	"module rebooted",
	"cancelled",
	"not sent",
	"not sent (module silent)",
	"withdrawn",
]);

export function statusName(status: number): string {
	return names[status] ?? "unknown";
}

// Shared by every result that collected nothing; never written to.
export const NO_LINES: readonly string[] = Object.freeze([]);

export class Result {
	status = DONE_OK;
	// The +CME ERROR code, else 0.
	code = 0;
	// Text of the response lines when the command's spec collects them.
	lines: readonly string[] = NO_LINES;
	// How long the command took, in clock milliseconds.
	elapsedMs = 0;

	get ok(): boolean {
		return this.status === DONE_OK;
	}

	set(status: number, code: number, lines: readonly string[], elapsedMs: number): this {
		this.status = status;
		this.code = code;
		this.lines = lines;
		this.elapsedMs = elapsedMs;
		return this;
	}
}
