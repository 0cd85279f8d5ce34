// Preloaded modules on the device are run at build time and frozen: a typed
// array, ArrayBuffer, DataView, Map or Set made during preload is read-only at
// run time ("TypeError: read-only buffer"), and classes cannot take static
// assignments. Plain objects, arrays and `let` bindings stay writable
// (docs/PLATFORM-NOTES.md). This test runs every module manifest.json
// preloads inside XS, records what their bodies construct, "freezes" it, then
// runs the modem and net scenarios and checks nothing preloaded was written.
//
// Emulation and its limits: XS (xsnap) cannot make a typed array read-only
// (no petrify; Object.freeze throws on a non-empty view), so a preloaded
// buffer's bytes are snapshotted and compared after the run: a write that
// changes a byte is caught, one that stores the same value is not. Map/Set
// mutators are replaced by throwing ones on the recorded instances; functions
// reachable from the module namespaces are frozen. Objects made at preload
// by means other than `new` on the global constructors (e.g.
// TextEncoder.encode) are not recorded.
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startXS, type XS } from "../xs/xs-runner.js";
import { type Manifest, resolvePreload } from "./mcconfig-preload.js";

const root = new URL("../../", import.meta.url).pathname;

// The firmware files manifest.json preloads, resolved as mcconfig does.
function preloadedFiles(): string[] {
	const manifest = JSON.parse(readFileSync(`${root}manifest.json`, "utf8")) as Manifest;
	return resolvePreload(manifest, root, "esp32").preloaded.map((m) => m.file);
}

// Installed before the preloaded bodies run, removed after: records every
// instance they construct with `new` (or species) of these classes.
const BEGIN = `(() => {
	const recorded = [];
	const names = ["ArrayBuffer", "DataView", "Map", "Set", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array",
		"Uint32Array", "Int32Array", "Float32Array", "Float64Array", "Uint8ClampedArray"];
	const originals = {};
	globalThis.__preload = { recorded, recording: true, originals, names, violations: [] };
	for (const name of names) {
		const Original = globalThis[name];
		originals[name] = Original;
		const Recording = class extends Original {
			constructor(...args) {
				super(...args);
				if (globalThis.__preload.recording) recorded.push({ kind: name, value: this });
			}
		};
		Object.defineProperty(Recording, "name", { value: name });
		globalThis[name] = Recording;
	}
})();`;
const END = `(() => {
	const p = globalThis.__preload;
	p.recording = false;
	for (const name of p.names) globalThis[name] = p.originals[name];
})();`;

// After the bundle ran: the link step's freeze.
const FREEZE = `(() => {
	const p = globalThis.__preload;
	const copy = (value) => {
		const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
		return Array.from(bytes);
	};
	p.snapshots = [];
	for (const entry of p.recorded) {
		const { kind, value } = entry;
		if (kind === "Map" || kind === "Set") {
			const mutators = kind === "Map" ? ["set", "delete", "clear"] : ["add", "delete", "clear"];
			for (const m of mutators) Object.defineProperty(value, m, { value() {
				p.violations.push("write to a preloaded " + kind + " (" + m + ")");
				throw new TypeError("read-only " + kind + " (preloaded)");
			} });
			Object.freeze(value);
		}
		else p.snapshots.push({ kind, value, bytes: copy(value) });
	}
	const seen = new Set();
	const freezeFunctions = (value, depth) => {
		if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value) || depth > 4) return;
		seen.add(value);
		if (typeof value === "function") Object.freeze(value);
		for (const key of Reflect.ownKeys(value)) {
			const d = Object.getOwnPropertyDescriptor(value, key);
			if (d && "value" in d) freezeFunctions(d.value, depth + 1);
			else if (d && d.get && typeof value === "object" && !(typeof d.get === "function" && key === "__proto__")) {
				try { freezeFunctions(value[key], depth + 1); } catch {}
			}
		}
	};
	for (const key of Object.keys(globalThis.preloaded)) if (key.startsWith("m_")) freezeFunctions(globalThis.preloaded[key], 0);
	p.check = () => {
		const out = p.violations.slice();
		for (const s of p.snapshots) {
			const now = copy(s.value);
			for (let i = 0; i < now.length; i++) if (now[i] !== s.bytes[i]) {
				out.push("a preloaded " + s.kind + "(" + now.length + ") was written at run time (byte " + i + ")");
				break;
			}
		}
		return out;
	};
	return p.recorded.length;
})()`;

async function bundle(files: string[], extra: string): Promise<{ code: string; inputs: string[] }> {
	const entry = [
		`import "preload:begin";`,
		...files.map((file, i) => `export * as m_${i} from ${JSON.stringify(file)};`),
		`import "preload:end";`,
		extra,
	].join("\n");
	const result = await build({
		stdin: { contents: entry, resolveDir: root, sourcefile: "preload-entry.js", loader: "js" },
		bundle: true,
		write: false,
		format: "iife",
		globalName: "preloaded",
		platform: "neutral",
		target: "es2022",
		logLevel: "silent",
		metafile: true,
		footer: { js: "globalThis.preloaded = preloaded;" },
		plugins: [
			{
				name: "markers",
				setup(b) {
					b.onResolve({ filter: /^preload:/ }, (args) => ({ path: args.path, namespace: "marker" }));
					b.onLoad({ filter: /.*/, namespace: "marker" }, (args) => ({
						contents: args.path === "preload:begin" ? BEGIN : END,
						loader: "js",
					}));
				},
			},
		],
	});
	return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile!.inputs) };
}

let xs: XS;
test.before(async () => {
	xs = await startXS();
});
test.after(async () => {
	await xs?.close();
});

test("the preloaded modules import nothing native and nothing outside the preloaded set", async () => {
	const files = preloadedFiles();
	assert.ok(files.length > 20, `${files.length} preloaded files`);
	// A bare import (embedded:*, timer, mc/config) does not resolve on platform "neutral": the build throws.
	const { inputs } = await bundle(files, "");
	const outside = inputs.filter(
		(path) => !path.startsWith("marker:") && path !== "preload-entry.js" && !files.some((file) => file.endsWith(path)),
	);
	assert.equal(outside, [], "preloaded modules import modules that are not preloaded");
});

test("after a preload-style freeze, the modem, socket and net scenarios write nothing made at preload", async () => {
	const files = preloadedFiles();
	const { code } = await bundle(
		files,
		[
			`export { runScenario, SteadyTraffic } from ${JSON.stringify(`${root}test/support/bc20-xs-entry.ts`)};`,
			`export { runNetScenario } from ${JSON.stringify(`${root}test/xs/net-entry.ts`)};`,
		].join("\n"),
	);
	await xs.evaluate(code);
	const { value: recorded } = await xs.call<number>(FREEZE);
	assert.ok(recorded > 0, "nothing recorded: the emulation is not hooked in");
	const { value } = await xs.call<{ scenario: string[]; net: string[]; steady: number; violations: string[] }>(`(() => {
		const scenario = preloaded.runScenario();
		const net = preloaded.runNetScenario();
		const steady = new preloaded.SteadyTraffic(64);
		let moved = 0;
		moved += steady.run(4 * 1024);
		return { scenario, net, steady: moved, violations: __preload.check() };
	})()`);
	assert.equal(value.scenario, []);
	assert.equal(value.net, []);
	assert.ok(value.steady > 0);
	assert.equal(value.violations, []);
});

test("the emulation catches a module-level scratch buffer and Map written at run time", async () => {
	const { code } = await bundle([`${root}test/build/fixtures/preload-violator.ts`], "");
	const probe = await startXS();
	try {
		await probe.evaluate(code);
		await probe.call(FREEZE);
		const { value } = await probe.call<{ threw: string; violations: string[] }>(`(() => {
			"use strict"; // module code is strict: a frozen class's static assignment throws
			let threw = "";
			try { preloaded.m_0.useScratch(7); } catch (e) { threw += e.message + ";"; }
			try { preloaded.m_0.remember("k", 1); } catch (e) { threw += e.message + ";"; }
			try { preloaded.m_0.Counter.count = 5; } catch (e) { threw += e.constructor.name + ";"; }
			return { threw, violations: __preload.check() };
		})()`);
		assert.match(value.threw, /read-only Map/);
		assert.match(value.threw, /TypeError/);
		assert.ok(
			value.violations.some((v) => v.includes("Uint8Array")),
			value.violations.join("\n"),
		);
		assert.ok(
			value.violations.some((v) => v.includes("Map")),
			value.violations.join("\n"),
		);
	} finally {
		await probe.close();
	}
});

test.run();
