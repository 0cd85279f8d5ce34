// Resync: how the channel finds where a late answer ends.
//
// After a command timed out, or the module rebooted while a command was on
// the wire, that command's answer may still come (a module booting answers a
// command it received during boot after its banner). Before the next command
// the channel writes a probe whose response line has a prefix the late command
// cannot produce and no URC has: everything before that line belongs to the
// past. A probe that timed out may itself be answered late, so the next probe
// uses another prefix; and a module that left a probe unanswered is silent
// (booting, asleep, unplugged): the next probe waits until it says something
// or a backoff passes, so a silent spell leaves at most a few probes behind.
import { ascii } from "./ascii.js";
import { type Command, type CommandSpec, CommandWriter, spec } from "./command.js";

// Read commands whose answer lines only they produce (none is a URC).
const PROBE_SPECS: readonly CommandSpec[] = Object.freeze([
	spec("AT+CGATT?", ascii("+CGATT:"), 300),
	spec("AT+CGSN=1", ascii("+CGSN:"), 300),
	spec("AT+CPSMS?", ascii("+CPSMS:"), 300),
	spec("AT+CCLK?", ascii("+CCLK:"), 300),
]);

// After a probe went unanswered, the next waits for a byte from the module or
// this long, doubling up to QUIET_MAX_MS.
const QUIET_MS = 500;
const QUIET_MAX_MS = 8000;

export class Probe implements Command {
	spec: CommandSpec = PROBE_SPECS[0];
	// Its response line came: an OK or ERROR after it is its own.
	seen = false;
	render(out: CommandWriter): void {
		out.text(this.spec.name);
	}
	onResponse(): void {
		this.seen = true;
	}
	onDone(): void {}
}

export class Resync {
	readonly probe = new Probe();
	// False from a timeout or reboot until a probe is answered.
	synced = true;
	#index = 0;
	#owed = 0; // bit i: a probe with PROBE_SPECS[i] went unanswered
	#quietMs = 0; // 0: the module is not known to be silent
	#quietUntil = 0;

	// Arms the probe for a late command with response prefix `late` (or null):
	// the first prefix neither owed nor the late command's.
	prepare(late: Uint8Array | null): Probe {
		let index = 0;
		while (
			index < PROBE_SPECS.length - 1 &&
			((this.#owed & (1 << index)) !== 0 ||
				(late !== null && sameBytes(late, PROBE_SPECS[index].response as Uint8Array)))
		)
			index++;
		this.#index = index;
		this.probe.spec = PROBE_SPECS[index];
		this.probe.seen = false;
		return this.probe;
	}

	// When the next probe may go (always, unless the module has been silent).
	waitUntil(): number {
		return this.#quietMs === 0 ? 0 : this.#quietUntil;
	}

	// The module said something: it is not silent (any more).
	heard(): void {
		this.#quietMs = 0;
	}

	// The probe on the wire went unanswered: timed out (`silent`), or cut by a
	// reboot (the module speaks, but may still answer it after its banner).
	unanswered(now: number, silent: boolean): void {
		this.#owed |= 1 << this.#index;
		if (!silent) return;
		this.#quietMs =
			this.#quietMs === 0 ? QUIET_MS : this.#quietMs * 2 > QUIET_MAX_MS ? QUIET_MAX_MS : this.#quietMs * 2;
		this.#quietUntil = now + this.#quietMs;
	}

	answered(): void {
		this.synced = true;
		this.#owed = 0;
		this.#quietMs = 0;
	}
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
