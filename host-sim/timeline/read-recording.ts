// Reads a session recording (JSON Lines, format "bc20-recording" version 1:
// a header line, then one event per line with "t", ms since the start, and
// "k", its kind) for the timeline and the energy model. A line that is not an
// event of a known kind is an error naming its line number: a timeline drawn
// from half a file would hide what the engineer came to see.
import {
	FORMAT,
	POWER_STATES,
	type RecordedEvent,
	type RecordingHeader,
	SOCKET_STATES,
	VERSION,
} from "../record/format.js";

export interface Recording {
	header: RecordingHeader;
	events: RecordedEvent[];
	endMs: number; // the last event's time
}

// The fields each kind must carry, and their types.
const FIELDS: Record<RecordedEvent["k"], Record<string, "string" | "number" | "boolean">> = {
	tx: { data: "string" },
	rx: { data: "string" },
	cmd: { id: "number", text: "string" },
	done: { id: "number", status: "string", ms: "number" },
	urc: { line: "string" },
	socket: { id: "number", state: "string", type: "string" },
	power: { state: "string" },
	report: { n: "number", ok: "boolean", commands: "number" },
	note: { text: "string" },
};

export class RecordingError extends Error {
	override readonly name = "RecordingError";
}

export function parseRecording(text: string, name = "recording"): Recording {
	const lines = text.split("\n");
	const fail = (line: number, why: string) => new RecordingError(`${name}:${line}: ${why}`);
	const parse = (i: number): Record<string, unknown> => {
		try {
			const value: unknown = JSON.parse(lines[i]);
			if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
		} catch {
			/* reported below */
		}
		throw fail(i + 1, "not a JSON object");
	};
	if (lines[0].trim() === "") throw fail(1, "empty: no header line");
	const header = parse(0);
	if (header.format !== FORMAT) throw fail(1, `not a bc20 recording (format ${JSON.stringify(header.format)})`);
	if (header.version !== VERSION)
		throw fail(1, `recording version ${JSON.stringify(header.version)}; this bc20 reads version ${VERSION}`);
	const events: RecordedEvent[] = [];
	let last = 0;
	for (let i = 1; i < lines.length; i++) {
		if (lines[i].trim() === "") continue;
		const event = parse(i);
		const kind = event.k as RecordedEvent["k"];
		if (typeof kind !== "string" || !Object.hasOwn(FIELDS, kind))
			throw fail(i + 1, `unknown event kind ${JSON.stringify(event.k)}`);
		if (typeof event.t !== "number" || !(event.t >= 0))
			throw fail(i + 1, `"t" must be a time in ms, not ${JSON.stringify(event.t)}`);
		for (const [field, type] of Object.entries(FIELDS[kind]))
			if (typeof event[field] !== type) throw fail(i + 1, `a "${kind}" event needs "${field}" (${type})`);
		if (kind === "power" && !(POWER_STATES as readonly unknown[]).includes(event.state))
			throw fail(i + 1, `unknown power state ${JSON.stringify(event.state)}`);
		if (kind === "socket" && !(SOCKET_STATES as readonly unknown[]).includes(event.state))
			throw fail(i + 1, `unknown socket state ${JSON.stringify(event.state)}`);
		if (kind === "socket" && event.type !== "TCP" && event.type !== "UDP")
			throw fail(i + 1, `unknown socket type ${JSON.stringify(event.type)}`);
		// Events are written as they happen; a clock that went back would draw a lie.
		if (event.t < last) throw fail(i + 1, `time goes back (${event.t} ms after ${last} ms)`);
		last = event.t;
		events.push(event as unknown as RecordedEvent);
	}
	return { header: header as unknown as RecordingHeader, events, endMs: last };
}
