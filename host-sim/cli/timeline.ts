// `bc20 timeline FILE [-o timeline.html]`: a recording (--record) drawn as one
// self-contained HTML page, with the energy each report cost.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { loadCurrentModel } from "../energy/current-model.js";
import { parseRecording } from "../timeline/read-recording.js";
import { energyLines, timeline } from "../timeline/timeline.js";
import { intOption, type ParsedArgs, UsageError } from "./args.js";

export const TIMELINE_DEFAULTS = { intervalS: 3600, capacityMAh: 2400 };

export function energyOptions(args: ParsedArgs) {
	return {
		model: loadCurrentModel(args.options.get("--current-model")),
		intervalS: intOption(args, "--report-interval", TIMELINE_DEFAULTS.intervalS, 1, 31_536_000),
		capacityMAh: intOption(args, "--capacity", TIMELINE_DEFAULTS.capacityMAh, 1, 1_000_000),
	};
}

export async function timelineCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const file = args.positional[0];
	if (file === undefined || args.positional.length > 1)
		throw new UsageError("usage: bc20 timeline RECORDING [-o timeline.html]");
	let text: string;
	try {
		text = readFileSync(file, "utf8");
	} catch (error) {
		throw new Error(`cannot read ${file}: ${(error as Error).message}`);
	}
	const output = args.options.get("-o") ?? file.replace(/(\.jsonl?)?$/, ".html");
	const t = timeline(parseRecording(text, file), { ...energyOptions(args), title: `bc20 timeline: ${basename(file)}` });
	writeFileSync(output, t.html);
	for (const line of energyLines(t)) out(line);
	out(`timeline written to ${resolve(output)}`);
	return 0;
}
