// What the timeline page draws, computed from a recording: intervals per
// lane (commands with their responses, each socket's states, the power
// states), instants (URCs, UART chunks, reports, notes), the modelled
// current, and the energy summary. Plain JSON, embedded in the page.
import type { EnergyReport, Projection } from "../energy/report-energy.js";
import type { PowerState, SocketStateName } from "../record/format.js";
import type { Recording } from "./read-recording.js";

// Where a report's window went (ms): to its first command (e.g. the wait
// after a PSM_EINT pulse), commands in flight, the rest until the report
// (the answer on its way), and the tail until the module slept.
export interface Split {
	beforeFirstCommand: number;
	inFlight: number;
	untilReport: number;
	untilSleep: number;
}

export interface TimelineData {
	title: string;
	started: string;
	command: string;
	port: string;
	endMs: number;
	commands: { t: number; end: number; text: string; status: string; lines: string[] }[];
	urcs: { t: number; line: string }[];
	// A connectID may carry a UDP socket, then a TCP one: each segment has its own type.
	sockets: {
		id: number;
		types: string[];
		segments: { from: number; to: number; state: SocketStateName; type: string }[];
	}[];
	power: { from: number; to: number; state: PowerState }[];
	current: { t: number; uA: number; tx: boolean }[];
	bytes: { t: number; dir: "tx" | "rx"; data: string }[];
	reports: {
		n: number;
		ok: boolean;
		commands: number;
		at: number;
		from: number;
		to: number;
		uAh: number;
		awakeMs: number;
		split: Split;
	}[];
	notes: { t: number; text: string }[];
	energy: {
		model: Record<string, number>;
		totalUAh: number;
		averageUA: number;
		time: Record<PowerState, number>;
		runs: {
			label: string;
			reports: number;
			uAh: number;
			ms: number;
			awakeMs: number;
			commands: number;
			sleep: PowerState;
			projection: Projection;
			split: Split;
		}[];
	};
}

export function timelineData(
	recording: Recording,
	energy: EnergyReport,
	projections: Projection[],
	title: string,
): TimelineData {
	const { events, endMs, header } = recording;
	const commands: TimelineData["commands"] = [];
	const open = new Map<number, TimelineData["commands"][number]>();
	const sockets = new Map<number, TimelineData["sockets"][number]>();
	const power: TimelineData["power"] = [];
	let inFlight: TimelineData["commands"][number] | null = null;
	let partial = ""; // module output not yet ended by a line feed
	for (const e of events) {
		switch (e.k) {
			case "cmd": {
				inFlight = { t: e.t, end: endMs, text: e.text, status: "(no result)", lines: [] };
				open.set(e.id, inFlight);
				commands.push(inFlight);
				partial = "";
				break;
			}
			case "done": {
				const c = open.get(e.id);
				if (c) {
					c.end = e.t;
					c.status = e.status;
					open.delete(e.id);
				}
				if (c === inFlight) inFlight = null;
				break;
			}
			case "rx": {
				// The lines the module sent while a command was in flight are its response.
				if (!inFlight) break;
				partial += e.data;
				const lines = partial.split("\n");
				partial = lines.pop() ?? "";
				for (const line of lines) if (line.replace(/\r/g, "") !== "") inFlight.lines.push(line.replace(/\r/g, ""));
				break;
			}
			case "socket": {
				let s = sockets.get(e.id);
				if (!s) sockets.set(e.id, (s = { id: e.id, types: [], segments: [] }));
				const last = s.segments[s.segments.length - 1];
				if (last) last.to = e.t;
				if (!s.types.includes(e.type)) s.types.push(e.type);
				s.segments.push({ from: e.t, to: endMs, state: e.state, type: e.type });
				break;
			}
			case "power": {
				const last = power[power.length - 1];
				if (last) last.to = e.t;
				else if (e.t > 0) power.push({ from: 0, to: e.t, state: "awake" });
				power.push({ from: e.t, to: endMs, state: e.state });
				break;
			}
		}
	}
	if (power.length === 0) power.push({ from: 0, to: endMs, state: "awake" });
	const split = (at: number, from: number, to: number): Split => {
		// From light sleep the command itself wakes the module: it may start before the window.
		const mine = commands.filter((c) => c.end > from && c.t < at);
		const beforeFirstCommand = Math.max(0, (mine[0]?.t ?? at) - from);
		const inFlight = mine.reduce((sum, c) => sum + Math.min(c.end, at) - Math.max(c.t, from), 0);
		return {
			beforeFirstCommand,
			inFlight,
			untilReport: Math.max(0, at - from - beforeFirstCommand - inFlight),
			untilSleep: to - at,
		};
	};
	return {
		title,
		started: header.started,
		command: header.command,
		port: header.port,
		endMs,
		commands,
		urcs: events.flatMap((e) => (e.k === "urc" ? [{ t: e.t, line: e.line }] : [])),
		sockets: [...sockets.values()].sort((a, b) => a.id - b.id),
		power: power.filter((p) => p.to > p.from || p.to === endMs),
		current: energy.profile.steps.map((s) => ({ t: s.t, uA: s.uA, tx: s.tx })),
		bytes: events.flatMap((e) => (e.k === "tx" || e.k === "rx" ? [{ t: e.t, dir: e.k, data: e.data }] : [])),
		reports: energy.reports.map(({ n, ok, commands: count, at, from, to, uAh, awakeMs }) => ({
			n,
			ok,
			commands: count,
			at,
			from,
			to,
			uAh,
			awakeMs,
			split: split(at, from, to),
		})),
		notes: events.flatMap((e) => (e.k === "note" ? [{ t: e.t, text: e.text }] : [])),
		energy: {
			model: { ...energy.model },
			totalUAh: energy.totalUAh,
			averageUA: energy.averageUA,
			time: energy.time,
			runs: energy.runs.map((r, i) => ({
				label: r.label,
				reports: r.reports.length,
				uAh: r.uAh,
				ms: r.ms,
				awakeMs: r.awakeMs,
				commands: r.commands,
				sleep: r.sleep,
				projection: projections[i],
				split: mean(r.steady.map((s) => split(s.at, s.from, s.to))),
			})),
		},
	};
}

function mean(splits: Split[]): Split {
	const m: Split = { beforeFirstCommand: 0, inFlight: 0, untilReport: 0, untilSleep: 0 };
	for (const s of splits) for (const k of Object.keys(m) as (keyof Split)[]) m[k] += s[k] / splits.length;
	return m;
}
