// `bc20 sim --replay FILE`: a recording served as the module. The host's
// command lines are matched in order against the recorded ones
// (replay-match.ts); between them the module's recorded bytes go out at the
// recorded pace divided by `speed` (the host's own timers run as they run).
// A host line that arrives while recorded bytes before it are still due
// brings them out at once: the order on the wire stays the recorded one.
// The first line that does not match ends the replay with a report.
import { EventEmitter } from "node:events";
import { ReplayMatcher } from "./replay-match.js";
import { HostLines, type ReplayScript, type Step } from "./replay-script.js";

type Expect = Extract<Step, { kind: "expect" }>;

export type ReplayOutcome = { ok: true; commands: number } | { ok: false; message: string };

// Consecutive recorded chunks closer than this (after scaling) go out as one.
const SAME_MOMENT_MS = 1;

export class ReplayModule extends EventEmitter {
	readonly #script: ReplayScript;
	readonly #path: string;
	readonly #speed: number;
	readonly #matcher = new ReplayMatcher();
	readonly #host = new HostLines();
	readonly #finished: (outcome: ReplayOutcome) => void;
	#next = 0; // index of the next step
	#lastT = 0; // recorded time of the last step done
	#timer: ReturnType<typeof setTimeout> | undefined;
	#commands = 0;
	#running = false;
	#over = false;

	constructor(
		script: ReplayScript,
		options: { path: string; speed: number; finished: (outcome: ReplayOutcome) => void },
	) {
		super();
		this.#script = script;
		this.#path = options.path;
		this.#speed = options.speed;
		this.#finished = options.finished;
	}

	// The host is there: the recording starts.
	start(): void {
		if (this.#running || this.#over) return;
		this.#running = true;
		this.#schedule();
	}

	// The host left: a replay is complete when nothing more was expected of it.
	hostGone(): void {
		if (this.#over) return;
		const expected = this.#script.steps.slice(this.#next).find((step): step is Expect => step.kind === "expect");
		if (expected === undefined) this.#end({ ok: true, commands: this.#commands });
		else this.#diverged(expected, "the host hung up");
	}

	// Host → module.
	write(bytes: Uint8Array): void {
		if (this.#over) return;
		this.start();
		for (const text of this.#host.push(Buffer.from(bytes).toString("latin1"))) {
			this.#flush();
			// Only a line or the end can be next: #flush() sent the bytes before it.
			const step = this.#script.steps[this.#next] as Expect | undefined;
			if (step === undefined) {
				this.#end({
					ok: false,
					message: `replay diverged after the end of ${this.#path} (line ${this.#script.steps.length === 0 ? 1 : this.#script.steps.at(-1)!.line}): the host wrote ${JSON.stringify(text)}`,
				});
				return;
			}
			if (!this.#matcher.match(step.text, text)) {
				this.#diverged(step, `got ${JSON.stringify(text)}`);
				return;
			}
			this.#commands++;
			this.#lastT = step.t;
			this.#next++;
		}
		this.#schedule();
	}

	close(): void {
		this.#over = true;
		clearTimeout(this.#timer);
	}

	#diverged(step: Expect, what: string): void {
		this.#end({
			ok: false,
			message: `replay diverged at line ${step.line} of ${this.#path} (recorded at ${step.t} ms): expected ${JSON.stringify(step.text)}, ${what}`,
		});
	}

	#end(outcome: ReplayOutcome): void {
		this.close();
		this.#finished(outcome);
	}

	// The next recorded bytes, when they are due.
	#schedule(): void {
		clearTimeout(this.#timer);
		const step = this.#script.steps[this.#next];
		if (!this.#running || this.#over || step?.kind !== "send") return;
		this.#timer = setTimeout(
			() => {
				this.#sendDue();
				this.#schedule();
			},
			Math.max(0, (step.t - this.#lastT) / this.#speed),
		);
	}

	// The due chunk, and those right behind it.
	#sendDue(): void {
		const steps = this.#script.steps,
			chunks: Buffer[] = [];
		let step = steps[this.#next];
		do {
			chunks.push(this.#matcher.answer((step as { bytes: Buffer }).bytes));
			this.#lastT = step.t;
			step = steps[++this.#next];
		} while (step?.kind === "send" && (step.t - this.#lastT) / this.#speed < SAME_MOMENT_MS);
		this.emit("data", Buffer.concat(chunks));
	}

	// Everything recorded before the next host line, now.
	#flush(): void {
		clearTimeout(this.#timer);
		while (this.#script.steps[this.#next]?.kind === "send") this.#sendDue();
	}
}
