// A command line typed by a person (the CLI's `at`): validated by
// checkCommandLine, sent as is, its response lines collected as text. Lines
// starting with "+NAME:" of the command's own name are armed as its response
// (so "+QIOPEN: (1-3),..." from AT+QIOPEN=? is not taken for a URC); other
// text lines (ATI, AT+CGMR) reach it through the modem's trace hook.
import { ascii } from "../at/ascii.js";
import { type Command, type CommandSpec, type CommandWriter, spec } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Result } from "../at/result.js";
import type { BC20Error } from "./errors.js";
import { resultError } from "./errors.js";

export type CommandCallback = (error: BC20Error | null, lines: string[]) => void;

// "AT+QPING=1,..." -> "+QPING:"; null for basic commands (ATI, ATE0).
function responsePrefix(text: string): Uint8Array | null {
	if (text.charCodeAt(2) !== 43 /* + */) return null;
	let end = 3;
	while (end < text.length) {
		const c = text.charCodeAt(end) | 32;
		if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) break;
		end++;
	}
	return ascii(text.slice(2, end).toUpperCase() + ":");
}

export class RawCommand implements Command {
	readonly spec: CommandSpec;
	readonly lines: string[] = [];
	#text: string;
	#callback: CommandCallback;
	#onWire: (command: RawCommand | null) => void;

	// `text` is checked by the caller; `onWire` tells the modem which raw command
	// is on the wire, for the text lines only its trace hook sees.
	constructor(
		text: string,
		timeoutMs: number,
		callback: CommandCallback,
		onWire: (command: RawCommand | null) => void,
	) {
		this.#text = text;
		this.#callback = callback;
		this.#onWire = onWire;
		const name = text.length > 24 ? text.slice(0, 24) + "..." : text;
		this.spec = spec(name, responsePrefix(text), timeoutMs);
	}

	render(out: CommandWriter): void {
		out.text(this.#text);
		this.#onWire(this);
	}

	onResponse(line: Line): void {
		this.keep(line);
	}

	// At most 64 lines are kept (a module that babbles cannot exhaust memory).
	keep(line: Line): void {
		if (this.lines.length < 64) this.lines.push(line.text());
	}

	onDone(result: Result): void {
		this.#onWire(null);
		this.#callback(
			result.ok
				? null
				: resultError(
						result.status,
						result.code,
						this.spec.name,
						-1,
						this.lines.length > 0 ? this.lines.join(" | ") : "",
					),
			this.lines,
		);
	}
}
