// The module's current over a recording, as steps: the power state's current,
// raised to the transmit current while a command that puts data on the air is
// in flight (from its command line to its final result). The module counts as
// awake until the recording says otherwise.
//
// What this cannot see: the radio's own timers (the RRC inactivity tail after
// the last packet, T3324 before PSM) run inside the module and never reach
// the UART, so a real module stays awake longer than a recording shows.
import type { CurrentModel } from "./current-model.js";
import type { PowerState } from "../record/format.js";
import type { Recording } from "../timeline/read-recording.js";

// Commands during which the radio transmits: opening and closing a TCP
// connection, sending, pings, NTP and DNS queries.
export const AIR_COMMAND = /^AT\+(QIOPEN|QISEND|QISENDEX|QICLOSE|QPING|QNTP|QIDNSGIP)=/i;

export interface Step {
	t: number; // ms: the current holds from here to the next step (or the end)
	uA: number;
	state: PowerState;
	tx: boolean;
}

export interface CurrentProfile {
	steps: Step[];
	endMs: number;
}

export function currentProfile(recording: Recording, model: CurrentModel): CurrentProfile {
	type Edge = { t: number; power?: PowerState; tx?: number };
	const edges: Edge[] = [];
	const started = new Map<number, number>(); // cmd id -> t
	for (const e of recording.events) {
		if (e.k === "power") edges.push({ t: e.t, power: e.state });
		else if (e.k === "cmd" && AIR_COMMAND.test(e.text)) started.set(e.id, e.t);
		else if (e.k === "done" && started.has(e.id)) {
			edges.push({ t: started.get(e.id)!, tx: 1 }, { t: e.t, tx: -1 });
			started.delete(e.id);
		}
	}
	// A command still in flight when the recording ended transmitted to its end.
	for (const t of started.values()) edges.push({ t, tx: 1 });
	edges.sort((a, b) => a.t - b.t);
	const steps: Step[] = [];
	let state: PowerState = "awake";
	let inFlight = 0;
	const push = (t: number) => {
		const tx = inFlight > 0;
		const uA = tx ? model.tx : model[state];
		const last = steps[steps.length - 1];
		if (last && last.t === t) steps.pop();
		const before = steps[steps.length - 1];
		if (!before || before.state !== state || before.tx !== tx) steps.push({ t, uA, state, tx });
	};
	push(0);
	for (const edge of edges) {
		if (edge.power) state = edge.power;
		if (edge.tx) inFlight += edge.tx;
		push(edge.t);
	}
	return { steps, endMs: recording.endMs };
}

// The charge drawn from `from` to `to`, in µA·ms.
export function chargeBetween(profile: CurrentProfile, from: number, to: number): number {
	let sum = 0;
	const { steps } = profile;
	for (let i = 0; i < steps.length; i++) {
		const a = Math.max(steps[i].t, from);
		const b = Math.min(i + 1 < steps.length ? steps[i + 1].t : Math.max(profile.endMs, to), to);
		if (b > a) sum += (b - a) * steps[i].uA;
	}
	return sum;
}

// The time spent from `from` to `to` in each power state, in ms (transmitting counts as awake).
export function timeIn(profile: CurrentProfile, from: number, to: number): Record<PowerState, number> {
	const time: Record<PowerState, number> = { awake: 0, "light-sleep": 0, psm: 0 };
	const { steps } = profile;
	for (let i = 0; i < steps.length; i++) {
		const a = Math.max(steps[i].t, from);
		const b = Math.min(i + 1 < steps.length ? steps[i + 1].t : Math.max(profile.endMs, to), to);
		if (b > a) time[steps[i].state] += b - a;
	}
	return time;
}

// µA·ms to µAh.
export const MICROAMP_MS_PER_UAH = 3_600_000;
