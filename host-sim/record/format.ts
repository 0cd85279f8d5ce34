// The recording format, version 1 (docs/recording-format.md): JSON Lines, a
// header line, then one event per line with "t" (ms since the start, three
// decimals) and "k" (its kind). Bytes are JSON strings with one char per byte
// (latin1).
export const FORMAT = "bc20-recording";
export const VERSION = 1;

export interface RecordingHeader {
	format: typeof FORMAT;
	version: number;
	started: string; // ISO time
	port: string; // "sim", "tcp://HOST:PORT", a device path
	command: string; // the argv that made it, joined with spaces
}

export type SocketStateName = "Initial" | "Opening" | "Connected" | "Closing";
export type PowerState = "awake" | "light-sleep" | "psm";
export const POWER_STATES: readonly PowerState[] = ["awake", "light-sleep", "psm"];

export type RecordedEvent =
	| { t: number; k: "tx" | "rx"; data: string }
	| { t: number; k: "cmd"; id: number; text: string }
	| { t: number; k: "done"; id: number; status: string; ms: number }
	| { t: number; k: "urc"; line: string }
	| { t: number; k: "socket"; id: number; state: SocketStateName; type: "TCP" | "UDP" }
	// by: who knew, "module" (the emulated module itself) or "driver" (inferred: see driver-power.ts).
	| { t: number; k: "power"; state: PowerState; by?: "module" | "driver" }
	| { t: number; k: "report"; n: number; ok: boolean; commands: number }
	| { t: number; k: "note"; text: string };

export const SOCKET_STATES: readonly SocketStateName[] = ["Initial", "Opening", "Connected", "Closing"];

export function bytesToData(bytes: Uint8Array, start: number, end: number): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}

export function dataToBytes(data: string): Buffer {
	return Buffer.from(data, "latin1");
}
