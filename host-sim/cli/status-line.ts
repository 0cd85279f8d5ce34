// One line of progress on a terminal, rewritten in place (CR, erase to the
// end of the line), as curl and rsync show theirs. Nothing at all when the
// stream is not a terminal: a log or a pipe gets only the lines that stay.
export interface StatusStream {
	readonly isTTY?: boolean;
	write(text: string): unknown;
}

const ERASE = "\r\x1b[K";

export class StatusLine {
	#stream: StatusStream;
	#shown = false;

	private constructor(stream: StatusStream) {
		this.#stream = stream;
	}

	// null when `stream` is not a terminal.
	static on(stream: StatusStream): StatusLine | null {
		return stream.isTTY === true ? new StatusLine(stream) : null;
	}

	show(text: string): void {
		this.#stream.write(ERASE + text);
		this.#shown = true;
	}

	// Before anything else is written to the terminal, and at the end.
	clear(): void {
		if (!this.#shown) return;
		this.#stream.write(ERASE);
		this.#shown = false;
	}
}
