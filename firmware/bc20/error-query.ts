// AT+QIGETERROR: the <err> code and description of the last TCP/IP command.
// Used on its own (lastError) and, through `explain`, right after a TCP/IP
// command answered a plain ERROR, to turn it into the manual's code.
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import { DONE_ERROR, type Result } from "../at/result.js";
import { QIGETERROR } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { BC20Error, describe, E_ERROR, resultError } from "./errors.js";

export type ErrorReport = (code: number, text: string, failure: BC20Error | null) => void;

export class ErrorQuery implements Command {
	readonly spec = QIGETERROR;
	#report: ErrorReport;
	#code = -1;
	#text = "";

	constructor(report: ErrorReport) {
		this.#report = report;
	}

	render(out: CommandWriter): void {
		out.name(QIGETERROR);
	}

	// +QIGETERROR: <err>,<errcode_description> (the description may hold commas).
	onResponse(line: Line): void {
		this.#code = line.int(0);
		this.#text = line.restText(1);
	}

	onDone(result: Result): void {
		const failure = result.ok && this.#code >= 0 ? null : resultError(result.status, result.code, QIGETERROR.name);
		this.#report(this.#code, this.#text, failure);
	}
}

// Calls `then` with the error for a command that did not end with OK. A plain
// ERROR from a TCP/IP command is explained by AT+QIGETERROR, queued first in
// line so that no other TCP/IP command runs in between; anything else is
// reported at once (synchronously).
export function explain(
	dispatcher: Dispatcher,
	result: Result,
	command: string,
	socket: number,
	then: (error: BC20Error) => void,
): void {
	if (result.status !== DONE_ERROR) {
		then(resultError(result.status, result.code, command, socket));
		return;
	}
	dispatcher.urgent(
		new ErrorQuery((code, text) => {
			if (code >= 550 && code <= 574) then(new BC20Error(code, "", command, socket));
			else if (code > 0) then(new BC20Error(code, text !== "" && text !== describe(code) ? text : "", command, socket));
			else then(new BC20Error(E_ERROR, "", command, socket));
		}),
	);
}
