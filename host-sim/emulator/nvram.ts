/**
 * The module's non-volatile settings. The manual says AT+QICFG values and
 * AT+QISWTMD access modes are "saved to NVRAM automatically", so they survive
 * a reboot. Without a file they live as long as the emulator object (a reboot
 * keeps them, a new emulator starts from defaults); with a file they also
 * survive restarts of the emulator.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export type Bit = 0 | 1;

export interface NvramSettings {
	/** AT+QICFG="dataformat" send format (accepted, but "currently invalid for configuration"). */
	sendDataFormat: Bit;
	/** AT+QICFG="dataformat" receive format: 1 = received data as hex digits. */
	recvDataFormat: Bit;
	/** AT+QICFG="viewmode": 0 = header CR LF data, 1 = header,data. */
	viewMode: Bit;
	/** AT+QICFG="showlength": 1 = lengths in buffer-mode URCs and +QIRD. */
	showLength: Bit;
	/** AT+QISWTMD per connect ID: the access mode AT+QIOPEN uses when it names none. */
	accessModes: Bit[];
}

export const SOCKET_COUNT = 5;

function defaults(): NvramSettings {
	return {
		sendDataFormat: 0,
		recvDataFormat: 0,
		viewMode: 0,
		showLength: 0,
		accessModes: new Array<Bit>(SOCKET_COUNT).fill(0),
	};
}

function bit(value: unknown, fallback: Bit): Bit {
	return value === 0 || value === 1 ? value : fallback;
}

/** Keeps only well-formed values from a stored file; anything else falls back to defaults. */
function sanitize(stored: unknown): NvramSettings {
	const base = defaults();
	if (typeof stored !== "object" || stored === null) return base;
	const s = stored as Record<string, unknown>;
	const modes = Array.isArray(s.accessModes) ? s.accessModes : [];
	return {
		sendDataFormat: bit(s.sendDataFormat, 0),
		recvDataFormat: bit(s.recvDataFormat, 0),
		viewMode: bit(s.viewMode, 0),
		showLength: bit(s.showLength, 0),
		accessModes: base.accessModes.map((fallback, id) => bit(modes[id], fallback)),
	};
}

export class Nvram {
	private stored: NvramSettings = defaults();

	constructor(private readonly path?: string) {}

	/** The settings a booting module starts with (re-read from the file when there is one). */
	load(): NvramSettings {
		if (this.path !== undefined) {
			try {
				this.stored = sanitize(JSON.parse(readFileSync(this.path, "utf8")));
			} catch {
				// No file yet, or an unreadable one: a factory-fresh module.
				this.stored = defaults();
			}
		}
		return structuredClone(this.stored);
	}

	save(settings: NvramSettings): void {
		this.stored = structuredClone(settings);
		if (this.path === undefined) return;
		// Write then rename, so a crash never leaves a half-written file behind.
		const temporary = `${this.path}.tmp`;
		writeFileSync(temporary, JSON.stringify(this.stored, null, 2));
		renameSync(temporary, this.path);
	}
}
