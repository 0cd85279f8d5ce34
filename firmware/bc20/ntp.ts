// AT+QNTP: OK, then +QNTP: <err>[,"<time>"].
import { COMMA } from "../at/ascii.js";
import { type Command, type CommandWriter, URC_COMPLETES, URC_NOT_MINE } from "../at/command.js";
import type { Line } from "../at/line.js";
import { URC_QNTP } from "./urcs.js";
import type { Result } from "../at/result.js";
import { CONTEXT_ID, QNTP } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { BC20Error, E_BAD_RESPONSE } from "./errors.js";
import { explain } from "./error-query.js";
import { parseModuleTime } from "./module-time.js";

export interface NtpOptions {
	// NTP server port, 1-65535 (the module's default when left out).
	port?: number;
	// Whether the module sets its clock (RTC) to the result.
	autoSetTime?: boolean;
}

export interface NtpTime {
	// Milliseconds since 1970-01-01T00:00:00Z.
	utc: number;
	// The module's time zone, in quarter hours.
	zone: number;
	// The module's text, e.g. "18/04/20,11:08:20+32".
	text: string;
}

export type NtpCallback = (error: BC20Error | null, time: NtpTime | null) => void;

export const DEFAULT_NTP_PORT = 123;

export class NtpCommand implements Command {
	readonly spec = QNTP;
	#dispatcher: Dispatcher;
	#server: string;
	#port: number;
	#autoSet: number;
	#callback: NtpCallback;
	#code = -1;
	#text = "";

	// `port` 0 and `autoSet` -1 leave them out. Arguments are checked by the caller.
	constructor(dispatcher: Dispatcher, server: string, port: number, autoSet: number, callback: NtpCallback) {
		this.#dispatcher = dispatcher;
		this.#server = server;
		this.#port = port;
		this.#autoSet = autoSet;
		this.#callback = callback;
	}

	// AT+QNTP=<contextID>,"<server>"[,<port>[,<autosettime>]]
	render(out: CommandWriter): void {
		out.assign(QNTP).int(CONTEXT_ID).text(',"').text(this.#server).text('"');
		if (this.#port > 0 || this.#autoSet >= 0) out.byte(COMMA).int(this.#port > 0 ? this.#port : DEFAULT_NTP_PORT);
		if (this.#autoSet >= 0) out.byte(COMMA).int(this.#autoSet);
	}

	onUrc(line: Line): number {
		if (line.kind !== URC_QNTP) return URC_NOT_MINE;
		this.#code = line.int(0, 550);
		this.#text = line.fieldText(1);
		return URC_COMPLETES;
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (!result.ok) explain(this.#dispatcher, result, QNTP.name, -1, (error) => callback(error, null));
		else if (this.#code !== 0) callback(new BC20Error(this.#code, "", QNTP.name), null);
		else {
			const time = parseModuleTime(this.#text);
			if (time === null)
				callback(new BC20Error(E_BAD_RESPONSE, 'unreadable time "' + this.#text + '"', QNTP.name), null);
			else callback(null, { utc: time.utc, zone: time.zone, text: this.#text });
		}
	}
}
