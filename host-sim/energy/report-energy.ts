// What each report cost, from a recording: the charge of its awake window and
// the battery life the same reports would give at a real report interval.
//
// A report's window runs from the moment the module woke for it (or, if it
// never slept, from the previous report) to the moment it went back to sleep
// after the report (or the report itself, if it stayed awake). Sleep between
// reports is left out on purpose: the demo and the tests sleep for
// milliseconds where a sensor sleeps for an hour, so the projection charges
// the sleep at the model's current for the interval asked for instead.
//
// A run is a series of reports numbered 1, 2, 3...; its first report also
// carries what came before it (bring-up, opening the socket, sleep set-up),
// so the steady cost of a run is the mean of its other reports.
import { type CurrentModel } from "./current-model.js";
import { chargeBetween, type CurrentProfile, currentProfile, MICROAMP_MS_PER_UAH, timeIn } from "./current-profile.js";
import type { PowerState } from "../record/format.js";
import type { Recording } from "../timeline/read-recording.js";

export interface ReportCost {
	n: number;
	ok: boolean;
	commands: number; // AT commands the report took, as recorded
	at: number; // the report event's time (ms)
	from: number; // its window
	to: number;
	ms: number; // to - from
	awakeMs: number;
	uAh: number;
	sleptIn: PowerState; // the state the module went to after it ("awake" if none)
}

export interface RunCost {
	label: string; // the last note before the run, or "run N"
	reports: ReportCost[];
	// The reports after the first (all of them, for a run of one), leaving out
	// any whose window the next report cut short, unless none is left.
	steady: ReportCost[];
	uAh: number; // mean charge of the steady reports
	ms: number; // their mean window
	awakeMs: number; // their mean awake time
	commands: number; // their mean AT commands
	sleep: PowerState; // where the module spends the interval: the run's usual sleep
}

export interface Projection {
	intervalS: number;
	capacityMAh: number;
	averageUA: number;
	lifeDays: number;
}

export interface EnergyReport {
	model: CurrentModel;
	profile: CurrentProfile;
	totalUAh: number;
	averageUA: number; // over the whole recording
	time: Record<PowerState, number>;
	reports: ReportCost[];
	runs: RunCost[];
}

export function energy(recording: Recording, model: CurrentModel): EnergyReport {
	const profile = currentProfile(recording, model);
	const powers = recording.events.filter((e) => e.k === "power");
	const firstPower = (after: number, until: number, asleep: boolean) =>
		powers.find((p) => p.t > after && p.t <= until && (p.state !== "awake") === asleep);
	const reports: ReportCost[] = [];
	let from = 0,
		lastEnd = 0,
		lastSlept = false;
	const events = recording.events;
	for (let i = 0; i < events.length; i++) {
		const e = events[i];
		if (e.k !== "report") continue;
		// Woke since the previous window ended asleep: the window starts at the wake.
		if (lastSlept) from = firstPower(lastEnd, e.t, false)?.t ?? lastEnd;
		const next = events.slice(i + 1).find((x) => x.k === "report")?.t ?? recording.endMs;
		const sleep = firstPower(e.t, next, true);
		const to = sleep?.t ?? e.t;
		reports.push({
			n: e.n,
			ok: e.ok,
			commands: e.commands,
			at: e.t,
			from,
			to,
			ms: to - from,
			awakeMs: timeIn(profile, from, to).awake,
			uAh: chargeBetween(profile, from, to) / MICROAMP_MS_PER_UAH,
			sleptIn: sleep?.k === "power" ? sleep.state : "awake",
		});
		lastEnd = from = to;
		lastSlept = sleep !== undefined;
	}
	const total = chargeBetween(profile, 0, recording.endMs);
	return {
		model,
		profile,
		reports,
		runs: runs(recording, reports),
		totalUAh: total / MICROAMP_MS_PER_UAH,
		averageUA: recording.endMs > 0 ? total / recording.endMs : 0,
		time: timeIn(profile, 0, recording.endMs),
	};
}

// A run is named by the last heading before it: a note that is neither the
// recorder's note of a PSM_EINT pulse nor an indented detail line (the demo
// records its output as notes, details indented), cut at its first
// parenthesis or colon.
const NOT_A_HEADING = /^(wake pulse|\s)/;
const heading = (text: string) => text.replace(/( \(|: |:$).*$/s, "");

function runs(recording: Recording, reports: ReportCost[]): RunCost[] {
	const out: RunCost[] = [];
	let current: ReportCost[] = [];
	let previous = -Infinity; // the previous run's last report
	const close = () => {
		if (current.length === 0) return;
		const first = current[0];
		// The run's name: the last note from the previous run's end to its first report.
		const note = recording.events
			.filter((e) => e.k === "note" && e.t > previous && e.t <= first.at && !NOT_A_HEADING.test(e.text))
			.pop();
		// A report whose window was cut short by the next one (the next run
		// started before the module slept) did not show its whole cost.
		const rest = current.length > 1 ? current.slice(1) : current;
		const whole = rest.filter((r) => r.sleptIn !== "awake");
		const steady = whole.length > 0 ? whole : rest;
		const mean = (f: (r: ReportCost) => number) => steady.reduce((s, r) => s + f(r), 0) / steady.length;
		const count = (state: PowerState) => current.filter((r) => r.sleptIn === state).length;
		const sleep =
			count("psm") + count("light-sleep") === 0
				? "awake"
				: count("psm") >= count("light-sleep")
					? "psm"
					: "light-sleep";
		out.push({
			label: note?.k === "note" ? heading(note.text) : `run ${out.length + 1}`,
			reports: current,
			steady,
			sleep,
			uAh: mean((r) => r.uAh),
			ms: mean((r) => r.ms),
			awakeMs: mean((r) => r.awakeMs),
			commands: mean((r) => r.commands),
		});
		previous = current[current.length - 1].at;
		current = [];
	};
	for (const r of reports) {
		if (current.length > 0 && r.n <= current[current.length - 1].n) close();
		current.push(r);
	}
	close();
	return out;
}

// The average current and battery life of a sensor that makes one such
// report every `intervalS` and sleeps in between.
export function project(
	run: Pick<RunCost, "uAh" | "ms" | "sleep">,
	model: CurrentModel,
	intervalS: number,
	capacityMAh: number,
): Projection {
	const intervalMs = Math.max(intervalS * 1000, run.ms);
	const charge = run.uAh * MICROAMP_MS_PER_UAH + model[run.sleep] * (intervalMs - run.ms);
	const averageUA = charge / intervalMs;
	return { intervalS, capacityMAh, averageUA, lifeDays: (capacityMAh * 1000) / averageUA / 24 };
}
