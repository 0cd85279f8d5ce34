// A recording to its timeline page and energy figures: what `bc20 timeline`
// writes and what the demo prints.
import type { CurrentModel } from "../energy/current-model.js";
import { energy, type EnergyReport, project, type Projection } from "../energy/report-energy.js";
import { timelinePage } from "./page.js";
import type { Recording } from "./read-recording.js";
import { timelineData } from "./timeline-data.js";

export interface TimelineOptions {
	model: CurrentModel;
	intervalS: number; // the report interval of the battery-life projection
	capacityMAh: number;
	title: string;
}

export interface Timeline {
	html: string;
	energy: EnergyReport;
	projections: Projection[]; // one per run
}

export function timeline(recording: Recording, options: TimelineOptions): Timeline {
	const report = energy(recording, options.model);
	const projections = report.runs.map((run) => project(run, options.model, options.intervalS, options.capacityMAh));
	return {
		html: timelinePage(timelineData(recording, report, projections, options.title)),
		energy: report,
		projections,
	};
}

// One line per run, for a terminal.
export function energyLines(t: Timeline): string[] {
	return t.energy.runs.map((run, i) => {
		const p = t.projections[i];
		const years = p.lifeDays / 365.25;
		return (
			`${run.label}: ${run.uAh.toFixed(2)} µAh per report (${run.awakeMs.toFixed(0)} ms awake, ${run.commands.toFixed(1)} AT commands), ` +
			`${p.averageUA.toFixed(1)} µA average at one report every ${p.intervalS} s, ${years >= 2 ? `${years.toFixed(1)} years` : `${p.lifeDays.toFixed(0)} days`} on ${p.capacityMAh} mAh`
		);
	});
}
