// The constant tables the preloaded modules export (command specs, the line
// prefixes, the bring-up scripts) are frozen all the way down. xsl keeps a
// preloaded object that is not frozen writable through an alias: one more
// pointer in RAM per object, a copy in RAM on the first write, and a
// "not frozen" warning at every build. Frozen, a stray write throws instead.
// Typed arrays are the exception: Object.freeze cannot freeze a non-empty one,
// and xsl makes a preloaded buffer read-only by itself.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Manifest, resolvePreload } from "./mcconfig-preload.js";

const root = new URL("../../", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}manifest.json`, "utf8")) as Manifest;

// Paths below `path` to objects that are not frozen; functions (classes,
// callbacks) are xsl's business.
function unfrozen(value: unknown, path: string, seen: Set<object>, out: string[]): void {
	if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || seen.has(value)) return;
	seen.add(value);
	if (!Object.isFrozen(value)) out.push(path);
	for (const [key, item] of Object.entries(value)) unfrozen(item, `${path}.${key}`, seen, out);
}

test("every object a preloaded module exports is frozen, deeply", async () => {
	const out: string[] = [];
	let tables = 0;
	for (const module of resolvePreload(manifest, root, "esp32").preloaded) {
		const namespace = (await import(module.file)) as Record<string, unknown>;
		for (const [name, value] of Object.entries(namespace)) {
			if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) continue;
			tables++;
			unfrozen(value, `${module.name}: ${name}`, new Set(), out);
		}
	}
	assert.ok(tables >= 15, `only ${tables} exported tables found`);
	assert.equal(out, []);
});

test.run();
