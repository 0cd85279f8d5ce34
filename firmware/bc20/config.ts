// AT+QICFG read and write: "dataformat" (send format is fixed at text by the
// module; receive text 0 / hex 1), "viewmode" (0 header CR LF data, 1 header
// comma data) and "showlength" (<remaining> in +QIRD and the length in the
// "recv" URC). One command object walks its items in turn, each issued first
// in line after the previous one's OK.
import { ascii } from "../at/ascii.js";
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import { DONE_TIMEOUT, type Result } from "../at/result.js";
import { QICFG } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { type BC20Error, resultError } from "./errors.js";
import { explain } from "./error-query.js";

export const DATAFORMAT = 0;
export const VIEWMODE = 1;
export const SHOWLENGTH = 2;

const NAMES = Object.freeze(["dataformat", "viewmode", "showlength"]);
const NAME_BYTES = Object.freeze(NAMES.map(ascii));

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
	// A write timed out: the module may have applied it (and kept it in
	// NVRAM), so the item is read back and the driver follows what it says.
	#readBack = false;
	#timedOut: BC20Error | null = null;
	#heard = -1; // the item of the last +QICFG line

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
		const item = this.#items[this.#at], value = this.#readBack ? -1 : this.#values[this.#at];
		out.text("AT+QICFG=\"").text(NAMES[item]).text("\"");
		if (value >= 0) out.text(item === DATAFORMAT ? ",0," : ",").int(value);
	}

	// +QICFG: "dataformat",<send>,<recv> | "viewmode",<mode> | "showlength",<mode>
	onResponse(line: Line): void {
		const config = this.#config;
		if (line.fieldEquals(0, NAME_BYTES[DATAFORMAT])) {
			config.sendHex = line.int(1) === 1;
			config.receiveHex = line.int(2) === 1;
			this.#heard = DATAFORMAT;
		}
		else if (line.fieldEquals(0, NAME_BYTES[VIEWMODE])) {
			config.viewMode = line.int(1, 0);
			this.#heard = VIEWMODE;
		}
		else if (line.fieldEquals(0, NAME_BYTES[SHOWLENGTH])) {
			config.showLength = line.int(1) === 1;
			this.#heard = SHOWLENGTH;
		}
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (this.#readBack) {
			// The module's word on the item whose write timed out (if it answers).
			const item = this.#items[this.#at];
			if (result.ok && this.#heard === item) this.#apply(item, this.#readValue(item));
			callback(this.#timedOut, null);
		}
		else if (result.status === DONE_TIMEOUT && this.#values[this.#at] >= 0) {
			this.#readBack = true;
			this.#timedOut = resultError(DONE_TIMEOUT, 0, "AT+QICFG");
			this.#dispatcher.urgent(this);
		}
		else if (!result.ok) explain(this.#dispatcher, result, "AT+QICFG", -1, (error) => callback(error, null));
		else {
			const value = this.#values[this.#at];
			if (value >= 0) this.#apply(this.#items[this.#at], value);
			if (++this.#at < this.#items.length) this.#dispatcher.urgent(this);
			else callback(null, value >= 0 ? null : this.#config);
		}
	}

	#readValue(item: number): number {
		const config = this.#config;
		if (item === DATAFORMAT) return config.receiveHex ? 1 : 0;
		if (item === VIEWMODE) return config.viewMode;
		return config.showLength ? 1 : 0;
	}
}
