/**
 * What the host did that the manual forbids, as the module saw it: the
 * emulator is strict so that a driver bug shows up as a recorded violation
 * instead of a lucky pass. A real module would answer most of these with
 * ERROR, a lost byte or a shifted answer; here each is also written down with
 * the command line and why, so tests can assert that there were none.
 */

export type ViolationKind =
	/** A command line started before the previous command's final result had reached the host. */
	| "overlap"
	/**
	 * A command line started before the answer to a command the host wrote
	 * while the module booted (bootAnswer "after-banner"): the host could not
	 * know an answer would come, so a resync probe is right here; a plain
	 * command is the issue-12 bug (every answer shifted by one).
	 */
	| "probe-overlap"
	/** AT+QISEND/AT+QISENDEX while that socket's SEND OK/SEND FAIL had not reached the host. */
	| "send-pending"
	/** A send, read or switch on a connect ID that is not open (never opened, still opening, failed, closed). */
	| "socket-not-open"
	/** AT+QIOPEN on a connect ID still in use (the manual requires AT+QICLOSE first). */
	| "socket-in-use"
	/** AT+QIRD on a socket in direct push mode. */
	| "wrong-mode"
	/** Not an AT command line, too long, or invalid parameters. */
	| "malformed"
	/** A command (or form of it) the module does not have. */
	| "unknown-command"
	/** Bytes written while the module was in PSM (deep sleep): its UART is off. */
	| "deaf-uart";

export interface Violation {
	/** Milliseconds since the emulator was started. */
	readonly atMs: number;
	readonly kind: ViolationKind;
	/** The command line as the module read it (latin1), or the bytes that were lost. */
	readonly command: string;
	readonly reason: string;
}

/** One line per violation, for logs: `+1234 ms overlap "AT": why`. */
export function describeViolation(violation: Violation): string {
	return `+${violation.atMs} ms ${violation.kind} ${JSON.stringify(violation.command)}: ${violation.reason}`;
}
