// Resync: how the channel finds where a late answer ends.
//
// After a command timed out, or the module rebooted while a command was on
// the wire, that command's answer may still come (a module booting answers a
// command it received during boot after its banner). Before the next command
// the channel writes a probe whose response line has a prefix the late command
// cannot produce and no URC has: everything before that line belongs to the
// past. A probe that timed out may itself be answered late: its prefix is
// owed, and no probe uses an owed prefix, so its late answer is never taken
// for a later probe's. An owed prefix is settled by its late answer (which
// settles the probes written before it too: the module answers in order), by
// any probe's answer, or by age (OWED_MS). With every prefix owed no probe
// goes until one is settled. And a module that left a probe unanswered is
// silent (booting, asleep, unplugged): the next probe waits until it says
// something or a backoff passes, so a silent spell leaves at most a few
// probes behind.
import { ascii } from "./ascii.js";
import { type Command, type CommandSpec, CommandWriter, spec } from "./command.js";
import type { Line } from "./line.js";

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

// An unanswered probe's answer can still come this long after its deadline,
// and no longer. A module answers a command it received while booting right
// after its banner, about 5 s from reset (PLATFORM-NOTES), and others within
// their 300 ms; a command lost on the line (auto-baud not locked, light sleep
// eating the first bytes, deep sleep) is never answered. The bound is the
// longest quiet backoff, so it never slows the probing of a silent module: its
// fifth probe is due 0.5 + 1 + 2 + 4 s of backoff and three probe deadlines
// after the first went unanswered, when that first prefix has expired.
const OWED_MS = 8000;

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
	// Its response line with a byte damaged on the line ("+CGATT 1"): no
	// other command's answer starts so (no probe uses an owed prefix).
	onStrayLine(line: Line): void {
		if (this.spec.response !== null && line.near(this.spec.response, 0, 1)) this.seen = true;
	}
	onDone(): void {}
}

// Its helper methods are TypeScript's `private`, not `#`: XS walks an
// instance's `#` methods before its `#` fields to find a field (README, Performance, section 0).
export class Resync {
	readonly probe = new Probe();
	// False from a timeout or reboot until a probe is answered.
	synced = true;
	// Bit i: a probe with PROBE_SPECS[i] went unanswered and its answer may
	// still come (read-only outside; never set while synced).
	owed = 0;
	#index = 0;
	#owedAt = [0, 0, 0, 0]; // when each owed probe went unanswered
	#quietMs = 0; // 0: the module is not known to be silent
	#quietUntil = 0;
	// The channel's count of bytes received when the probe went unanswered:
	// a count past it says the module spoke since (counted here, not told per
	// chunk: a call on every receive turn).
	#quietAtByte = 0;

	// Arms the probe for a late command with response prefix `late` (or null):
	// the first prefix neither owed nor the late command's. Called only when
	// waitUntil said the probe may go, so there is one.
	prepare(late: Uint8Array | null): Probe {
		let index = 0;
		while (index < PROBE_SPECS.length - 1 && !this.free(index, late)) index++;
		this.#index = index;
		this.probe.spec = PROBE_SPECS[index];
		this.probe.seen = false;
		return this.probe;
	}

	// When the next probe may go: at once, unless the module has been silent
	// (no byte came since; `received`: the channel's count of bytes received)
	// or every prefix but the late command's is owed (then when the oldest
	// owed expires, or earlier if a late answer settles one).
	waitUntil(now: number, late: Uint8Array | null, received: number): number {
		this.spoke(received);
		const quiet = this.#quietMs === 0 ? 0 : this.#quietUntil;
		if (this.owed === 0) return quiet;
		let expires = Infinity;
		for (let i = 0; i < PROBE_SPECS.length; i++) {
			const bit = 1 << i;
			if ((this.owed & bit) === 0) continue;
			const at = this.#owedAt[i] + OWED_MS;
			if (at <= now) this.owed &= ~bit;
			else if (at < expires) expires = at;
		}
		for (let i = 0; i < PROBE_SPECS.length; i++) if (this.free(i, late)) return quiet;
		return expires > quiet ? expires : quiet;
	}

	// The probe on the wire went unanswered: timed out (`silent`), or cut by a
	// reboot (the module speaks, but may still answer it after its banner).
	// `received`: the channel's count of bytes received.
	unanswered(now: number, silent: boolean, received: number): void {
		this.owed |= 1 << this.#index;
		this.#owedAt[this.#index] = now;
		if (!silent) return;
		this.spoke(received);
		this.#quietMs =
			this.#quietMs === 0 ? QUIET_MS : this.#quietMs * 2 > QUIET_MAX_MS ? QUIET_MAX_MS : this.#quietMs * 2;
		this.#quietUntil = now + this.#quietMs;
		this.#quietAtByte = received;
	}

	// A line no command took, while a prefix is owed: whether it is an owed
	// probe's late answer. If so that probe is settled, and so is every probe
	// that went unanswered before it (the module answers in order: those were
	// answered or lost).
	settles(line: Line): boolean {
		for (let i = 0; i < PROBE_SPECS.length; i++) {
			if ((this.owed & (1 << i)) === 0 || !line.startsWith(PROBE_SPECS[i].response as Uint8Array)) continue;
			const at = this.#owedAt[i];
			this.owed &= ~(1 << i);
			for (let j = 0; j < PROBE_SPECS.length; j++) if (this.#owedAt[j] < at) this.owed &= ~(1 << j);
			return true;
		}
		return false;
	}

	answered(): void {
		this.synced = true;
		this.owed = 0;
		this.#quietMs = 0;
	}

	// A byte came since the module went silent: it is not (any more), and
	// its backoff starts over.
	private spoke(received: number): void {
		if (received !== this.#quietAtByte) this.#quietMs = 0;
	}

	private free(index: number, late: Uint8Array | null): boolean {
		return (
			(this.owed & (1 << index)) === 0 && (late === null || !sameBytes(late, PROBE_SPECS[index].response as Uint8Array))
		);
	}
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
