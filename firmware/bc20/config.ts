// AT+QICFG read and write of the settings in qicfg-settings.ts. One command
// object walks its items in turn, each issued first in line after the
// previous one's OK.
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import { DONE_TIMEOUT, type Result } from "../at/result.js";
import { QICFG } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { type BC20Error, resultError } from "./errors.js";
import { explain } from "./error-query.js";
import { type ModuleConfig, type QicfgSetting, renderQicfg } from "./qicfg-settings.js";

export type { ModuleConfig } from "./qicfg-settings.js";

// `config` is what was read (null after a write).
export type ConfigCallback = (error: BC20Error | null, config: ModuleConfig | null) => void;

export class ConfigCommand implements Command {
	readonly spec = QICFG;
	#dispatcher: Dispatcher;
	#items: readonly QicfgSetting[];
	// Per item: the value to write, or -1 to read.
	#values: readonly number[];
	#apply: (setting: QicfgSetting, value: number) => void;
	#callback: ConfigCallback;
	#at = 0;
	#config: ModuleConfig = { sendHex: false, receiveHex: false, viewMode: 0, showLength: false };
	// A write timed out: the module may have applied it (and kept it in
	// NVRAM), so the item is read back and the driver follows what it says.
	#readBack = false;
	#timedOut: BC20Error | null = null;
	#heard: QicfgSetting | null = null; // the item of the last +QICFG line

	// `apply` runs when the module said OK to a write.
	constructor(
		dispatcher: Dispatcher,
		items: readonly QicfgSetting[],
		values: readonly number[],
		apply: (setting: QicfgSetting, value: number) => void,
		callback: ConfigCallback,
	) {
		this.#dispatcher = dispatcher;
		this.#items = items;
		this.#values = values;
		this.#apply = apply;
		this.#callback = callback;
	}

	render(out: CommandWriter): void {
		renderQicfg(out, this.#items[this.#at], this.#readBack ? -1 : this.#values[this.#at]);
	}

	// +QICFG: "<name>",<value>...
	onResponse(line: Line): void {
		for (const setting of this.#items) {
			if (!line.fieldEquals(0, setting.nameBytes)) continue;
			setting.heard(line, this.#config);
			this.#heard = setting;
		}
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (this.#readBack) {
			// The module's word on the item whose write timed out (if it answers).
			const item = this.#items[this.#at];
			if (result.ok && this.#heard === item) this.#apply(item, item.get(this.#config));
			callback(this.#timedOut, null);
		} else if (result.status === DONE_TIMEOUT && this.#values[this.#at] >= 0) {
			this.#readBack = true;
			this.#timedOut = resultError(DONE_TIMEOUT, 0, QICFG.name);
			this.#dispatcher.urgent(this);
		} else if (!result.ok) explain(this.#dispatcher, result, QICFG.name, -1, (error) => callback(error, null));
		else {
			const value = this.#values[this.#at];
			if (value >= 0) this.#apply(this.#items[this.#at], value);
			if (++this.#at < this.#items.length) this.#dispatcher.urgent(this);
			else callback(null, value >= 0 ? null : this.#config);
		}
	}
}
