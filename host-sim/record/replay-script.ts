// A recording read back as a script for the replaying module: what the host
// must write (its command lines, in order) and what the module answers
// between them (the recorded bytes, with their times). Only "tx" and "rx"
// events count; the driver's events are for people and the timeline.
import { dataToBytes, FORMAT, type RecordingHeader, VERSION } from "./format.js";

export type Step =
	// A line the host must write; `line` is the recording's line number.
	| { kind: "expect"; text: string; line: number; t: number }
	// Bytes the module sends.
	| { kind: "send"; bytes: Buffer; line: number; t: number };

export interface ReplayScript {
	header: RecordingHeader;
	steps: Step[];
}

export class RecordingError extends Error {
	override readonly name = "RecordingError";
}

// Host bytes as lines: a line ends at CR; LF and empty lines (the driver's
// lone wake-up CR) are framing.
export class HostLines {
	#pending = "";

	// The lines `data` completes.
	push(data: string): string[] {
		const parts = (this.#pending + data).replaceAll("\n", "").split("\r");
		this.#pending = parts.pop() ?? "";
		return parts.filter((line) => line !== "");
	}
}

export function parseRecording(text: string, path: string): ReplayScript {
	const lines = text.split("\n");
	if (lines.at(-1) === "") lines.pop();
	const header = parseLine(lines[0] ?? "", path, 1) as Partial<RecordingHeader>;
	if (header.format !== FORMAT)
		throw new RecordingError(`${path}:1: not a bc20 recording (no "format":"${FORMAT}" header)`);
	if (header.version !== VERSION)
		throw new RecordingError(
			`${path}:1: recording format version ${header.version}; this bc20 reads version ${VERSION}`,
		);
	const steps: Step[] = [];
	const host = new HostLines();
	for (let i = 1; i < lines.length; i++) {
		const event = parseLine(lines[i], path, i + 1) as { t?: unknown; k?: unknown; data?: unknown };
		if (typeof event.t !== "number" || typeof event.k !== "string")
			throw new RecordingError(`${path}:${i + 1}: an event needs a number "t" and a string "k"`);
		if (event.k !== "tx" && event.k !== "rx") continue;
		if (typeof event.data !== "string")
			throw new RecordingError(`${path}:${i + 1}: a "${event.k}" event needs a string "data"`);
		if (event.k === "rx") steps.push({ kind: "send", bytes: dataToBytes(event.data), line: i + 1, t: event.t });
		else for (const text of host.push(event.data)) steps.push({ kind: "expect", text, line: i + 1, t: event.t });
	}
	return { header: header as RecordingHeader, steps };
}

function parseLine(text: string, path: string, line: number): object {
	try {
		const value: unknown = JSON.parse(text);
		if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
	} catch {
		// reported below
	}
	throw new RecordingError(`${path}:${line}: not a JSON object`);
}
