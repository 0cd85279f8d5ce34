// Bring-up, modem_chat style: each procedure is a constant script of steps
// (a command, how to read its response lines, what to do once it ended), and
// one runner walks them. Steps are cold path: each gets a small command
// object carrying the run it belongs to, so a step left over from an
// abandoned run (reboot, pdpdeact) is never written (its render throws) and its
// outcome is ignored.
import type { Command, CommandSpec, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Reader } from "../at/reader.js";
import { DONE_CANCELLED, DONE_ERROR, DONE_REBOOT, DONE_TIMEOUT, type Result } from "../at/result.js";
import type { Clock } from "../at/seams.js";
import { AT, ATE0, CEREG_READ, CGATT_READ, CGPADDR, CONTEXT_ID, QICFG, QICLOSE, QISTATE } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { BC20Error, E_NO_ANSWER, E_NOT_ATTACHED, resultError } from "./errors.js";
import { isIPAddress } from "./validate.js";
import { explain } from "./error-query.js";
import { QICFG_SETTINGS, type ReceiveSettings, renderQicfg } from "./qicfg-settings.js";

export type ModemState = "idle" | "starting" | "attaching" | "configuring" | "ready" | "failed" | "closed";

export interface ReadyInfo {
	// The module's IP address (AT+CGPADDR=1).
	address: string;
	// +CEREG <stat>: 1 registered (home), 5 registered (roaming).
	registration: number;
}

export interface BringUpSettings extends ReceiveSettings {
	attachTimeoutMs: number;
	syncAttempts: number;
}

export interface BringUpHost {
	readonly dispatcher: Dispatcher;
	readonly clock: Clock;
	readonly reader: Reader;
	readonly settings: BringUpSettings;
	// Whether a live socket of the driver holds this connectID.
	isModuleOpen(id: number): boolean;
	phase(state: ModemState): void;
	ready(info: ReadyInfo): void;
	failed(error: BC20Error): void;
}

// Poll interval while waiting for registration, attach and an address.
// The first poll comes sooner (a module that attaches quickly is not kept
// waiting a whole second); each next one waits twice as long, up to POLL_MS.
export const POLL_MS = 1000;
export const FIRST_POLL_MS = 250;

// What a step wants once its command ended.
const NEXT = 0;
const AGAIN = 1; // the same step at once
const RESTART = 2; // the script from its first step
const POLL = 3; // the same step after POLL_MS, within the attach deadline
const FAIL = 4;

interface Step {
	readonly spec: CommandSpec;
	skip?(run: BringUp): boolean;
	render(out: CommandWriter, run: BringUp): void;
	response?(line: Line, run: BringUp): void;
	settle(result: Result, run: BringUp): number;
}

interface Script {
	readonly phase: ModemState;
	readonly steps: readonly Step[];
}

// AT until OK: echo, boot noise and silence are tolerated, up to syncAttempts tries.
const ANSWERS: Step = {
	spec: AT,
	render: (out) => void out.name(AT),
	settle: (result, run) => (result.ok ? NEXT : run.attempt() ? AGAIN : run.fail(E_NO_ANSWER)),
};

// The module answers; its echo setting is left as it is.
const ANSWER: Script = { phase: "starting", steps: [ANSWERS] };

// ... and echo off.
const SYNCHRONISE: Script = {
	phase: "starting",
	steps: [
		ANSWERS,
		{
			spec: ATE0,
			render: (out) => void out.name(ATE0),
			settle: (result, run) => (result.ok ? NEXT : run.attempt() ? RESTART : run.fail(E_NO_ANSWER)),
		},
	],
};

// Registered (stat 1 or 5), attached, and an address, within attachTimeoutMs.
const ATTACH: Script = {
	phase: "attaching",
	steps: [
		{
			spec: CEREG_READ,
			render: (out) => void out.name(CEREG_READ),
			// +CEREG: <n>,<stat>[,...]
			response: (line, run) => void (run.registration = line.int(1)),
			settle: (result, run) => (result.ok && (run.registration === 1 || run.registration === 5) ? NEXT : POLL),
		},
		{
			spec: CGATT_READ,
			render: (out) => void out.name(CGATT_READ),
			response: (line, run) => void (run.attached = line.int(0) === 1),
			settle: (result, run) => (result.ok && run.attached ? NEXT : POLL),
		},
		{
			spec: CGPADDR,
			render: (out) => void out.assign(CGPADDR).int(CONTEXT_ID),
			// +CGPADDR: 1,<address> (quoted or not); one damaged on the line is
			// asked for again.
			response: (line, run) => {
				if (line.int(0) !== 1) return;
				const address = line.fieldText(1);
				if (isIPAddress(address)) run.address = address;
			},
			settle: (result, run) => (result.ok && run.address !== "" ? NEXT : POLL),
		},
	],
};

// The receive settings; the reader follows each one only once the module said OK.
const CONFIGURE: Script = {
	phase: "configuring",
	steps: QICFG_SETTINGS.map((setting): Step => ({
		spec: QICFG,
		render: (out, run) => renderQicfg(out, setting, setting.get(run.settings)),
		settle: (result, run) => {
			if (!result.ok) return result.status === DONE_TIMEOUT ? run.unanswered() : FAIL;
			setting.set(run.reader, setting.get(run.settings));
			return NEXT;
		},
	})),
};

// Sockets the module holds that no live socket of the driver owns (left open
// before the host reset) are closed. Best effort: failures are passed over.
const RECONCILE: Script = {
	phase: "configuring",
	steps: [
		{
			spec: QISTATE,
			render: (out) => void out.query(QISTATE),
			// +QISTATE: <connectID>,"<service_type>",...
			response: (line, run) => {
				const id = line.int(0);
				if (id >= 0 && id <= 4 && !run.isModuleOpen(id)) run.stale |= 1 << id;
			},
			settle: (result, run) => (result.status === DONE_TIMEOUT ? run.unanswered() : NEXT),
		},
		{
			spec: QICLOSE,
			skip: (run) => run.stale === 0,
			render: (out, run) => void out.assign(QICLOSE).int(lowestBit(run.stale)),
			settle: (_result, run) => {
				run.stale &= run.stale - 1;
				return run.stale === 0 ? NEXT : AGAIN;
			},
		},
	],
};

export type Procedure = readonly Script[];

export const FULL_BRING_UP: Procedure = Object.freeze([SYNCHRONISE, ATTACH, CONFIGURE, RECONCILE]);
// After pdpdeact: from the registration step on.
export const REATTACH: Procedure = Object.freeze([ATTACH, CONFIGURE, RECONCILE]);
// A tool that looks at a module another program set up writes nothing and
// closes nothing: the module answers (LOOK), and is attached (LOOK_ATTACHED).
export const LOOK: Procedure = Object.freeze([ANSWER]);
export const LOOK_ATTACHED: Procedure = Object.freeze([ANSWER, ATTACH]);
export const LOOK_REATTACH: Procedure = Object.freeze([ATTACH]);
// Frozen, steps and all, so that xsl keeps these preloaded tables in flash.
for (const script of [ANSWER, SYNCHRONISE, ATTACH, CONFIGURE, RECONCILE]) {
	for (const step of script.steps) Object.freeze(step);
	Object.freeze(script.steps);
	Object.freeze(script);
}

function lowestBit(mask: number): number {
	let id = 0;
	while ((mask & (1 << id)) === 0) id++;
	return id;
}

// One step on the wire, tied to the run that issued it.
class StepCommand implements Command {
	readonly spec: CommandSpec;
	#run: BringUp;
	#generation: number;
	#step: Step;

	constructor(run: BringUp, generation: number, step: Step) {
		this.#run = run;
		this.#generation = generation;
		this.#step = step;
		this.spec = step.spec;
	}

	render(out: CommandWriter): void {
		if (!this.#run.isCurrent(this.#generation)) throw new Error("abandoned bring-up step");
		this.#step.render(out, this.#run);
	}

	onResponse(line: Line): void {
		if (this.#run.isCurrent(this.#generation)) this.#step.response?.(line, this.#run);
	}

	onDone(result: Result): void {
		return this.#run.stepDone(this.#generation, this.#step, result);
	}
}

export class BringUp {
	// What the steps learn.
	registration = -1;
	attached = false;
	address = "";
	stale = 0;

	#host: BringUpHost;
	#generation = 0;
	#queued: StepCommand | null = null; // the last step put in the urgent queue
	#procedure: Procedure = FULL_BRING_UP;
	#script = 0;
	#step = 0;
	#attempts = 0;
	#tries = 0; // of the current step, when it went unanswered
	#deadline = 0;
	#failure = 0;
	#failedAfter = 0; // attempts, for the failure's message
	#timer: unknown = null;
	#pollMs = FIRST_POLL_MS;
	#onTimer: () => void;

	constructor(host: BringUpHost) {
		this.#host = host;
		this.#onTimer = () => {
			this.#timer = null;
			this.#issue();
		};
	}

	get settings(): BringUpSettings {
		return this.#host.settings;
	}

	get reader(): Reader {
		return this.#host.reader;
	}

	isModuleOpen(id: number): boolean {
		return this.#host.isModuleOpen(id);
	}

	isCurrent(generation: number): boolean {
		return generation === this.#generation;
	}

	// Starts `procedure` from its first step, abandoning any run under way.
	run(procedure: Procedure): void {
		this.stop();
		this.#procedure = procedure;
		this.#script = 0;
		this.#step = 0;
		this.#attempts = 0;
		this.#tries = 0;
		this.registration = -1;
		this.attached = false;
		this.address = "";
		this.stale = 0;
		this.#enter();
		this.#issue();
	}

	stop(): void {
		this.#generation++;
		if (this.#timer !== null) this.#host.clock.clear(this.#timer);
		this.#timer = null;
	}

	// Counts a failed synchronisation attempt; false once they are used up.
	attempt(): boolean {
		return ++this.#attempts < this.#host.settings.syncAttempts;
	}

	// Fails the run with `code` after `tries` attempts (of synchronising, by default).
	fail(code: number, tries = this.#attempts): number {
		this.#failure = code;
		this.#failedAfter = tries;
		return FAIL;
	}

	// A step that went unanswered (its OK lost on a noisy line, or the module
	// busy) goes again, after the channel's probe, up to syncAttempts tries in
	// all: the steps that say so set or read, and may be repeated.
	unanswered(): number {
		if (++this.#tries < this.#host.settings.syncAttempts) return AGAIN;
		return this.fail(E_NO_ANSWER, this.#tries);
	}

	stepDone(generation: number, step: Step, result: Result): void {
		const dispatcher = this.#host.dispatcher,
			status = result.status;
		if (generation !== this.#generation || status === DONE_REBOOT || status === DONE_CANCELLED) {
			return;
		}
		this.#failure = 0;
		switch (step.settle(result, this)) {
			// The next step is issued by a tail call (`return`): XS runs it in
			// this frame, so a completion does not nest the next command's
			// issue, nor the end of bring-up, under it.
			case NEXT:
				this.#step++;
				this.#tries = 0;
				this.#pollMs = FIRST_POLL_MS;
				return this.#issue();
			case AGAIN:
				return this.#issue();
			case RESTART:
				this.#step = 0;
				return this.#issue();
			case POLL:
				if (this.#host.clock.now() + this.#pollMs > this.#deadline)
					this.#failed(
						new BC20Error(
							E_NOT_ATTACHED,
							"still " + this.#progress() + " after " + this.#host.settings.attachTimeoutMs + " ms",
							step.spec.name,
						),
					);
				else {
					this.#timer = this.#host.clock.set(this.#onTimer, this.#pollMs);
					this.#pollMs = this.#pollMs * 2 > POLL_MS ? POLL_MS : this.#pollMs * 2;
				}
				break;
			default:
				if (this.#failure !== 0)
					this.#failed(new BC20Error(this.#failure, "after " + this.#failedAfter + " attempts", step.spec.name));
				else if (status === DONE_ERROR && step.spec === QICFG) {
					const generation = this.#generation;
					explain(dispatcher, result, step.spec.name, -1, (error) => {
						if (generation === this.#generation) this.#failed(error);
					});
				} else this.#failed(resultError(status, result.code, step.spec.name));
		}
	}

	#progress(): string {
		if (this.registration !== 1 && this.registration !== 5)
			return "not registered (+CEREG stat " + this.registration + ")";
		if (!this.attached) return "not attached (+CGATT: 0)";
		return "without an address (+CGPADDR)";
	}

	#failed(error: BC20Error): void {
		this.stop();
		this.#host.failed(error);
	}

	#enter(): void {
		const script = this.#procedure[this.#script];
		if (script === ATTACH) this.#deadline = this.#host.clock.now() + this.#host.settings.attachTimeoutMs;
		return this.#host.phase(script.phase);
	}

	#issue(): void {
		for (;;) {
			const steps = this.#procedure[this.#script].steps;
			if (this.#step >= steps.length) {
				this.#script++;
				this.#step = 0;
				if (this.#script === this.#procedure.length) {
					this.stop();
					return this.#host.ready({ address: this.address, registration: this.registration });
				}
				this.#enter();
				continue;
			}
			const step = steps[this.#step];
			if (step.skip?.(this)) {
				this.#step++;
				continue;
			}
			// A run started again before its step reached the wire (a burst of
			// pdpdeact) takes that step's place: one step of bring-up waits at a time.
			const command = new StepCommand(this, this.#generation, step),
				dispatcher = this.#host.dispatcher;
			if (this.#queued === null || !dispatcher.replaceUrgent(this.#queued, command)) dispatcher.urgent(command);
			this.#queued = command;
			return;
		}
	}
}
