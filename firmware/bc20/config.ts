// AT+QICFG read and write: "dataformat" (send format is fixed at text by the
// module; receive text 0 / hex 1), "viewmode" (0 header CR LF data, 1 header
// comma data) and "showlength" (<remaining> in +QIRD and the length in the
// "recv" URC). One command object walks its items in turn, each issued first
// in line after the previous one's OK.
import { ascii } from "../at/ascii.js";
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Result } from "../at/result.js";
import { QICFG } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import type { BC20Error } from "./errors.js";
import { explain } from "./error-query.js";

export const DATAFORMAT = 0;
export const VIEWMODE = 1;
export const SHOWLENGTH = 2;

const NAMES = ["dataformat", "viewmode", "showlength"];
const NAME_BYTES = NAMES.map(ascii);

export interface ModuleConfig {
	// <send_data_format> (the manual: "invalid for configuration").
	sendHex: boolean;
	receiveHex: boolean;
	viewMode: number;
	showLength: boolean;
}

// `config` is what was read (null after a write).
export type ConfigCallback = (error: BC20Error | null, config: ModuleConfig | null) => void;

export class ConfigCommand implements Command {
	readonly spec = QICFG;
	#dispatcher: Dispatcher;
	#items: readonly number[];
	// Per item: the value to write, or -1 to read.
	#values: readonly number[];
	#apply: (item: number, value: number) => void;
	#callback: ConfigCallback;
	#at = 0;
	#config: ModuleConfig = { sendHex: false, receiveHex: false, viewMode: 0, showLength: false };

	// `apply` runs when the module said OK to a write.
	constructor(dispatcher: Dispatcher, items: readonly number[], values: readonly number[],
		apply: (item: number, value: number) => void, callback: ConfigCallback) {
		this.#dispatcher = dispatcher;
		this.#items = items;
		this.#values = values;
		this.#apply = apply;
		this.#callback = callback;
	}

	render(out: CommandWriter): void {
		const item = this.#items[this.#at], value = this.#values[this.#at];
		out.text("AT+QICFG=\"").text(NAMES[item]).text("\"");
		if (value >= 0) out.text(item === DATAFORMAT ? ",0," : ",").int(value);
	}

	// +QICFG: "dataformat",<send>,<recv> | "viewmode",<mode> | "showlength",<mode>
	onResponse(line: Line): void {
		const config = this.#config;
		if (line.fieldEquals(0, NAME_BYTES[DATAFORMAT])) {
			config.sendHex = line.int(1) === 1;
			config.receiveHex = line.int(2) === 1;
		}
		else if (line.fieldEquals(0, NAME_BYTES[VIEWMODE])) config.viewMode = line.int(1, 0);
		else if (line.fieldEquals(0, NAME_BYTES[SHOWLENGTH])) config.showLength = line.int(1) === 1;
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (!result.ok) explain(this.#dispatcher, result, "AT+QICFG", -1, (error) => callback(error, null));
		else {
			const value = this.#values[this.#at];
			if (value >= 0) this.#apply(this.#items[this.#at], value);
			if (++this.#at < this.#items.length) this.#dispatcher.urgent(this);
			else callback(null, value >= 0 ? null : this.#config);
		}
		this.#dispatcher.done(result.status);
	}
}
