// The recorder's own rules: times from its clock with three decimals, a
// "done" only for a command that went on the wire, and the power lane of a
// real module from what the driver knows (URCs, commands, wake pulses).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DONE_CME_ERROR, DONE_NOT_SENT, DONE_OK, DONE_TIMEOUT } from "../../firmware/at/result.js";
import { BC20 } from "../../firmware/bc20/modem.js";
import { Recorder } from "../../host-sim/record/recorder.js";

const dir = mkdtempSync(join(tmpdir(), "bc20-recorder-"));
const bytes = (text: string) => Buffer.from(text, "latin1");

function recorded(run: (recorder: Recorder, advance: (ms: number) => void) => void): Record<string, unknown>[] {
	const file = join(dir, "r.jsonl");
	let now = 1000;
	const recorder = new Recorder(file, { port: "/dev/ttyUSB0", command: "bc20 at AT", now: () => now });
	run(recorder, (ms) => (now += ms));
	recorder.close();
	return readFileSync(file, "utf8")
		.trimEnd()
		.split("\n")
		.slice(1)
		.map((line) => JSON.parse(line));
}

test("commands and their ends: framing CRs left out of the text, statuses named, a command never written has no done", () => {
	const events = recorded((r, advance) => {
		const o = r.observer;
		o.command?.(bytes('\rAT+QIOPEN=1,0,"TCP","127.0.0.1",7,0,0\r'), 0, 38);
		advance(12.3456);
		o.done?.(DONE_CME_ERROR, 566, 12.3456);
		o.done?.(DONE_NOT_SENT, 0, 0);
		o.command?.(bytes("xxAT+CSQ\ryy"), 2, 9);
		o.done?.(DONE_TIMEOUT, 0, 500);
		o.command?.(bytes("AT\r"), 0, 3);
		o.done?.(DONE_OK, 0, 1);
		r.tx(bytes("\x00\xff\r\n"));
	});
	assert.equal(events, [
		{ t: 0, k: "cmd", id: 1, text: `AT+QIOPEN=1,0,"TCP","127.0.0.1",7,0,0` },
		{ t: 12.346, k: "done", id: 1, status: "+CME ERROR: 566", ms: 12.346 },
		{ t: 12.346, k: "cmd", id: 2, text: "AT+CSQ" },
		{ t: 12.346, k: "done", id: 2, status: "timeout", ms: 500 },
		{ t: 12.346, k: "cmd", id: 3, text: "AT" },
		{ t: 12.346, k: "done", id: 3, status: "OK", ms: 1 },
		{ t: 12.346, k: "tx", data: "\u0000\u00ff\r\n" },
	]);
});

test("a real module's power lane: sleep and PSM when the module reports them, awake on a command or a wake pulse", () => {
	const power = recorded((r) => {
		const o = r.observer;
		o.urc?.("+QATSLEEP");
		o.command?.(bytes("AT\r"), 0, 3);
		o.urc?.(`+QNBIOTEVENT: "ENTER PSM"`);
		r.wakePulse();
		o.urc?.(`+QNBIOTEVENT: "ENTER PSM"`);
		o.urc?.(`+QNBIOTEVENT: "EXIT PSM"`);
		o.urc?.(`+QIURC: "recv",0,5`);
	})
		.filter((e) => e.k === "power")
		.map((e) => `${e.state} by ${e.by}`);
	assert.equal(power, [
		"light-sleep by driver",
		"awake by driver",
		"psm by driver",
		"awake by driver",
		"psm by driver",
		"awake by driver",
	]);
});

test("following an emulated module, the power lane is the module's own, and the driver's guesses stop", () => {
	const power = recorded((r) => {
		const module = new (class {
			listener: ((state: "awake" | "light" | "deep") => void) | null = null;
			on(_event: "power", listener: (state: "awake" | "light" | "deep") => void) {
				this.listener = listener;
			}
		})();
		r.followModule(module);
		module.listener?.("light");
		r.observer.urc?.("+QATWAKEUP");
		module.listener?.("awake");
		module.listener?.("deep");
	})
		.filter((e) => e.k === "power")
		.map((e) => `${e.state} by ${e.by}`);
	assert.equal(power, ["light-sleep by module", "awake by module", "psm by module"]);
});

test("the modem refuses an observer that is not an object, like its other options", () => {
	const transport = { write() {} },
		clock = { now: () => 0, set: () => 0, clear() {} };
	assert.throws(() => new BC20({ transport, clock, observer: 5 as never }), /observer must be an object/);
	new BC20({ transport, clock, observer: {} });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
