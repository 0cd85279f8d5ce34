/**
 * Assembles the bytes the host sends into command lines. A line ends at CR,
 * LF, or CR LF (the LF after a CR belongs to the same terminator). Bytes are
 * kept as latin1 text so that every byte maps to exactly one character and
 * QISEND payloads survive byte-exact.
 */

/**
 * The longest command line the module accepts. The longest legal line is
 * AT+QISEND=<id>,1024,"<1024 bytes>" (1043 bytes); a little headroom beyond
 * that, and anything longer is answered with ERROR.
 */
export const MAX_COMMAND_LINE_LENGTH = 1100;

/** What the reader reports when a line was longer than the module accepts. */
export const LINE_TOO_LONG = Symbol("line too long");

const CR = 0x0d;
const LF = 0x0a;

export class CommandLineReader {
	private readonly line = Buffer.alloc(MAX_COMMAND_LINE_LENGTH);
	private length = 0;
	private tooLong = false;
	private lastWasCR = false;

	/**
	 * Takes one byte. Returns the completed line (without its terminator),
	 * LINE_TOO_LONG, or undefined while a line is still being received. Empty
	 * lines are not reported.
	 */
	push(byte: number): string | typeof LINE_TOO_LONG | undefined {
		const followsCR = this.lastWasCR;
		this.lastWasCR = byte === CR;
		if (byte === LF && followsCR) return undefined;
		if (byte === CR || byte === LF) return this.finishLine();
		if (this.length === MAX_COMMAND_LINE_LENGTH) this.tooLong = true;
		else this.line[this.length++] = byte;
		return undefined;
	}

	/** Part of a line has been received (its terminator has not). */
	get receiving(): boolean {
		return this.length > 0 || this.tooLong;
	}

	/** Forgets a partly received line (the module rebooted). */
	reset(): void {
		this.length = 0;
		this.tooLong = false;
		this.lastWasCR = false;
	}

	private finishLine(): string | typeof LINE_TOO_LONG | undefined {
		const length = this.length;
		const tooLong = this.tooLong;
		this.length = 0;
		this.tooLong = false;
		if (tooLong) return LINE_TOO_LONG;
		if (length === 0) return undefined;
		return this.line.toString("latin1", 0, length);
	}
}
