// The AT+QICFG settings, one row each: their names in the command, their
// options, defaults and how the module reports them. Bring-up writes every
// row, modem.config() reads them, modem.configure() writes some, and the
// reader follows a row once the module said OK to it.
import { ascii, QUOTE } from "../at/ascii.js";
import { QICFG } from "./commands.js";
import type { CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";

// What the driver and the reader hold of the settings.
export interface ReceiveSettings {
	receiveHex: boolean;
	viewMode: number;
	showLength: boolean;
}

// What AT+QICFG reads back: the receive settings and the fixed send format.
export interface ModuleConfig extends ReceiveSettings {
	// <send_data_format> (the manual: "invalid for configuration").
	sendHex: boolean;
}

export interface QicfgSetting {
	// The item's name in AT+QICFG="<name>".
	readonly name: string;
	readonly nameBytes: Uint8Array;
	// Its option in BC20Options and configure(), and the default there.
	readonly option: keyof ReceiveSettings;
	readonly flag: boolean;
	readonly fallback: number;
	// What comes between the quoted name and the value in a write.
	readonly separator: string;
	get(settings: ReceiveSettings): number;
	set(settings: ReceiveSettings, value: number): void;
	// A `+QICFG: "<name>",...` line read into `config`.
	heard(line: Line, config: ModuleConfig): void;
}

function row(setting: Omit<QicfgSetting, "nameBytes">): QicfgSetting {
	return Object.freeze({ ...setting, nameBytes: ascii(setting.name) });
}

export const QICFG_SETTINGS: readonly QicfgSetting[] = Object.freeze([
	// "dataformat",<send>,<recv>: the send format is fixed at text (0).
	row({
		name: "dataformat",
		option: "receiveHex",
		flag: true,
		fallback: 0,
		separator: ",0,",
		get: (s) => (s.receiveHex ? 1 : 0),
		set: (s, value) => void (s.receiveHex = value === 1),
		heard: (line, config) => {
			config.sendHex = line.int(1) === 1;
			config.receiveHex = line.int(2) === 1;
		},
	}),
	// "viewmode",<mode>: 0 header CR LF data, 1 header comma data.
	row({
		name: "viewmode",
		option: "viewMode",
		flag: false,
		fallback: 1,
		separator: ",",
		get: (s) => s.viewMode,
		set: (s, value) => void (s.viewMode = value),
		heard: (line, config) => void (config.viewMode = line.int(1, 0)),
	}),
	// "showlength",<mode>: <remaining> in +QIRD and the length in the "recv" URC.
	row({
		name: "showlength",
		option: "showLength",
		flag: true,
		fallback: 1,
		separator: ",",
		get: (s) => (s.showLength ? 1 : 0),
		set: (s, value) => void (s.showLength = value === 1),
		heard: (line, config) => void (config.showLength = line.int(1) === 1),
	}),
]);

// AT+QICFG="<name>" (a read), or with `value` >= 0 a write.
export function renderQicfg(out: CommandWriter, setting: QicfgSetting, value: number): void {
	out.assign(QICFG).byte(QUOTE).text(setting.name).byte(QUOTE);
	if (value >= 0) out.text(setting.separator).int(value);
}
