// What the module draws in each of its states, in µA. The defaults are public
// BC20-family figures (the README's Energy section names the document for
// each); `--current-model FILE` replaces any of them with a JSON object such
// as {"psm": 3.5, "light-sleep": 400, "awake": 54000, "tx": 167000}, e.g.
// figures measured on the engineer's own board.
import { readFileSync } from "node:fs";
import { UsageError } from "../cli/args.js";

export interface CurrentModel {
	psm: number; // deep sleep: only the RTC runs
	"light-sleep": number; // idle between paging occasions (DRX); the UART wakes it
	awake: number; // awake with the radio receiving (connected or waiting for an answer)
	tx: number; // transmitting at 23 dBm
}

export const DEFAULT_CURRENT_MODEL: Readonly<CurrentModel> = Object.freeze({
	psm: 3.5,
	"light-sleep": 400,
	awake: 54000,
	tx: 167000,
});

const KEYS = Object.keys(DEFAULT_CURRENT_MODEL) as (keyof CurrentModel)[];

// The defaults overridden by `json`; anything else in it is an error, since a
// misspelt key would silently leave a default in place.
export function currentModel(json: unknown, name = "current model"): CurrentModel {
	if (!json || typeof json !== "object" || Array.isArray(json))
		throw new UsageError(`${name}: a JSON object of currents in µA, e.g. {"psm": 3.5}`);
	const model: CurrentModel = { ...DEFAULT_CURRENT_MODEL };
	for (const [key, value] of Object.entries(json)) {
		if (!(KEYS as string[]).includes(key))
			throw new UsageError(`${name}: unknown state ${JSON.stringify(key)} (the states: ${KEYS.join(", ")})`);
		if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value))
			throw new UsageError(`${name}: ${key} must be a current in µA (a number from 0), not ${JSON.stringify(value)}`);
		model[key as keyof CurrentModel] = value;
	}
	return model;
}

export function loadCurrentModel(path: string | undefined): CurrentModel {
	if (path === undefined) return { ...DEFAULT_CURRENT_MODEL };
	let json: unknown;
	try {
		json = JSON.parse(readFileSync(path, "utf8"));
	} catch (error) {
		throw new UsageError(`--current-model ${path}: ${(error as Error).message}`);
	}
	return currentModel(json, `--current-model ${path}`);
}
