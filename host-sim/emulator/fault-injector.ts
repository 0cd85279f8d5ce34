/**
 * Faults a real module and a real serial line produce, on demand, so the
 * driver's handling of each can be tested: damaged output bytes, commands
 * never answered or answered late, URCs inside a response, a failed send, and
 * reboots at awkward moments. Each armed fault fires once.
 */
import type { EmulatorStats } from "./emulator-stats.js";
import { SeededRandom } from "./seeded-random.js";

export interface FaultOptions {
	/** Probability that each module→host byte is lost on the line. */
	readonly dropRate?: number;
	/** Probability that each module→host byte arrives altered (XOR with a random non-zero value). */
	readonly corruptRate?: number;
	/** Reboot right after the response to the Nth command line (counted from construction). */
	readonly rebootAfterCommands?: number;
	/** Lines to damage on their way out (see LineDamage). */
	readonly damageLines?: readonly LineDamage[];
}

/**
 * The `occurrence`th line (default 1st, counted over the emulator's life)
 * the module sends that starts with `prefix` (case-sensitive, as the module
 * prints it: "RDY", "+CPIN: READY", "SEND OK", "OK"...) gets one byte, chosen
 * by the seed, flipped (XOR with a non-zero value) or, with `drop`, removed.
 * Payload data is never a line here: only what the module frames as a line.
 */
export interface LineDamage {
	readonly prefix: string;
	readonly occurrence?: number;
	readonly drop?: boolean;
}

/** What happens to the next command line that starts with a given prefix. */
export type CommandFault =
	| { readonly kind: "withhold" }
	| { readonly kind: "delay"; readonly ms: number }
	| { readonly kind: "reboot"; readonly cutResponseAfter?: number };

interface ArmedFault {
	readonly prefix: string;
	readonly fault: CommandFault;
}

export class FaultInjector {
	private readonly random: SeededRandom;
	private readonly armed: ArmedFault[] = [];
	private commandsSeen = 0;
	private sendFailuresArmed = 0;
	private readonly urcsBetweenLines: string[] = [];
	/** Lines seen so far per damageLines entry. */
	private readonly lineCounts: number[];

	constructor(
		private readonly options: FaultOptions,
		seed: number,
		private readonly stats: EmulatorStats,
	) {
		this.random = new SeededRandom(seed);
		this.lineCounts = (options.damageLines ?? []).map(() => 0);
	}

	/** The line's text as it goes out: damaged when a damageLines entry names this occurrence. */
	damageLine(line: string): string {
		const entries = this.options.damageLines ?? [];
		let text = line;
		entries.forEach((entry, index) => {
			if (!line.startsWith(entry.prefix)) return;
			this.lineCounts[index]!++;
			if (this.lineCounts[index] !== (entry.occurrence ?? 1) || text.length === 0) return;
			const at = Math.floor(this.random.next() * text.length);
			const replacement = entry.drop
				? ""
				: String.fromCharCode(text.charCodeAt(at) ^ (1 + Math.floor(this.random.next() * 255)));
			text = text.slice(0, at) + replacement + text.slice(at + 1);
			this.stats.linesDamaged++;
		});
		return text;
	}

	/** Arms `fault` for the next command line starting with `prefix` (case-insensitive). */
	arm(prefix: string, fault: CommandFault): void {
		this.armed.push({ prefix: prefix.toUpperCase(), fault });
	}

	/** The fault armed for this command line, if any; it is used up. */
	takeCommandFault(line: string): CommandFault | undefined {
		const upper = line.toUpperCase();
		const index = this.armed.findIndex((armed) => upper.startsWith(armed.prefix));
		if (index < 0) return undefined;
		return this.armed.splice(index, 1)[0]!.fault;
	}

	/** Counts a command line; true when it is the one rebootAfterCommands names. */
	countCommand(): boolean {
		this.commandsSeen++;
		return this.commandsSeen === this.options.rebootAfterCommands;
	}

	armSendFailure(): void {
		this.sendFailuresArmed++;
	}

	takeSendFailure(): boolean {
		if (this.sendFailuresArmed === 0) return false;
		this.sendFailuresArmed--;
		return true;
	}

	armUrcBetweenLines(urc: string): void {
		this.urcsBetweenLines.push(urc);
	}

	takeUrcBetweenLines(): string | undefined {
		return this.urcsBetweenLines.shift();
	}

	/** Applies dropRate and corruptRate to bytes leaving the module. */
	damage(bytes: Buffer): Buffer {
		const dropRate = this.options.dropRate ?? 0;
		const corruptRate = this.options.corruptRate ?? 0;
		if (dropRate <= 0 && corruptRate <= 0) return bytes;
		const kept = Buffer.alloc(bytes.length);
		let length = 0;
		for (const byte of bytes) {
			if (this.random.next() < dropRate) {
				this.stats.bytesDropped++;
				continue;
			}
			if (this.random.next() < corruptRate) {
				this.stats.bytesCorrupted++;
				kept[length++] = byte ^ (1 + Math.floor(this.random.next() * 255));
			} else {
				kept[length++] = byte;
			}
		}
		return kept.subarray(0, length);
	}
}
