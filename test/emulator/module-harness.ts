/**
 * Test helper: drives a BC20Emulator with raw bytes and collects its output,
 * so tests can "send a command line, collect output until a pattern". Output
 * is kept as latin1 text (one character per byte), so binary data compares
 * byte-exact.
 */
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import {
	BC20Emulator,
	type BC20EmulatorOptions,
	describeViolation,
	type ViolationKind,
} from "../../host-sim/emulator/bc20-emulator.js";

/** The final result of a command: "\r\nOK\r\n" or "\r\nERROR\r\n". */
export const FINAL_RESULT = /\r\n(OK|ERROR)\r\n/;

/** Fast defaults for tests: the real module takes seconds to boot and attach. */
export const FAST: BC20EmulatorOptions = { bootDelayMs: 5, attachDelayMs: 20 };

interface Waiter {
	readonly find: (text: string) => { end: number } | undefined;
	readonly resolve: (text: string) => void;
}

/** Harnesses made since the last after-each check. */
const made: ModuleHarness[] = [];

/**
 * Strict by default: after each test, every harness it made must have
 * recorded no protocol violation, or exactly the kinds the test declared
 * with expectViolations() (tests that misbehave on purpose).
 */
export function checkViolationsAfterEach(suite: Test): void {
	// uvu runs after.each again when it throws: the second run finds the list empty.
	suite.after.each(() => {
		for (const harness of made.splice(0)) harness.assertViolations();
	});
}

export class ModuleHarness {
	readonly emulator: BC20Emulator;
	private expected: ViolationKind[] = [];
	private received = "";
	private cursor = 0;
	private waiter: Waiter | undefined;

	constructor(options: BC20EmulatorOptions = {}) {
		this.emulator = new BC20Emulator({ ...FAST, ...options });
		made.push(this);
		this.emulator.on("data", (chunk) => {
			this.received += chunk.toString("latin1");
			this.check();
		});
	}

	/** Starts the module and waits for the boot output through "+CPIN: READY" (and, unless told otherwise, for "+IP:" = attached). */
	static async boot(options: BC20EmulatorOptions = {}, waitForAttach = true): Promise<ModuleHarness> {
		const harness = new ModuleHarness(options);
		harness.emulator.start();
		await harness.until(waitForAttach ? /\+IP: [^\r]*\r\n/ : "+CPIN: READY\r\n");
		return harness;
	}

	/** This test breaks the protocol on purpose: violations must be recorded, each of one of these kinds. */
	expectViolations(...kinds: ViolationKind[]): void {
		this.expected = kinds;
	}

	/** No violation unless expected; when expected, at least one, each of an expected kind. */
	assertViolations(): void {
		const violations = this.emulator.violations;
		const report = violations.map(describeViolation).join("\n  ");
		const unexpected = violations.filter((v) => !this.expected.includes(v.kind));
		assert.equal(unexpected.map(describeViolation), [], `protocol violations recorded by the module:\n  ${report}`);
		if (this.expected.length > 0)
			assert.ok(
				violations.length > 0,
				`the module recorded none of the violations expected (${this.expected.join(", ")})`,
			);
	}

	/** Everything the module has sent so far. */
	get output(): string {
		return this.received;
	}

	/** Output not yet consumed by until(). */
	get unread(): string {
		return this.received.slice(this.cursor);
	}

	/** Writes raw bytes (a string is taken as latin1). */
	send(bytes: string | Uint8Array): void {
		this.emulator.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
	}

	/** Writes a command line terminated by CR. */
	sendLine(line: string): void {
		this.send(`${line}\r`);
	}

	/**
	 * Waits until the unread output contains `pattern` (or, for a number, that
	 * many bytes); returns the unread output up to the end of the match and
	 * consumes it.
	 */
	until(pattern: string | RegExp | number, timeoutMs = 2000): Promise<string> {
		const find = (text: string): { end: number } | undefined => {
			if (typeof pattern === "number") return text.length >= pattern ? { end: pattern } : undefined;
			if (typeof pattern === "string") {
				const at = text.indexOf(pattern);
				return at < 0 ? undefined : { end: at + pattern.length };
			}
			const match = pattern.exec(text);
			return match === null ? undefined : { end: match.index + match[0].length };
		};
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiter = undefined;
				reject(new Error(`timed out waiting for ${String(pattern)}; unread: ${JSON.stringify(this.unread)}`));
			}, timeoutMs);
			this.waiter = {
				find,
				resolve: (text) => {
					clearTimeout(timer);
					resolve(text);
				},
			};
			this.check();
		});
	}

	/** Sends a command line and returns everything up to and including its final result. */
	command(line: string, final: string | RegExp = FINAL_RESULT): Promise<string> {
		this.sendLine(line);
		return this.until(final);
	}

	/** Waits `ms`, then returns (and consumes) whatever arrived meanwhile. */
	async quiet(ms: number): Promise<string> {
		await new Promise((resolve) => setTimeout(resolve, ms));
		const text = this.unread;
		this.cursor = this.received.length;
		return text;
	}

	close(): Promise<void> {
		return this.emulator.close();
	}

	private check(): void {
		const waiter = this.waiter;
		if (waiter === undefined) return;
		const text = this.unread;
		const found = waiter.find(text);
		if (found === undefined) return;
		this.waiter = undefined;
		this.cursor += found.end;
		waiter.resolve(text.slice(0, found.end));
	}
}

/** "\r\n<line>\r\n" as the module frames every line. */
export function framed(...lines: string[]): string {
	return lines.map((line) => `\r\n${line}\r\n`).join("");
}
