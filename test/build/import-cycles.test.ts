// No circular import anywhere in firmware/ or host-sim/, type-only imports
// included: a cycle means two modules each need the other to be understood,
// and in XS a value cycle also decides which module body runs first.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = new URL("../../", import.meta.url).pathname;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/g;

function sources(dir: string): string[] {
	const files: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) files.push(...sources(path));
		else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) files.push(path);
	}
	return files;
}

// Each file's relative imports, as source files.
function graph(dirs: string[]): Map<string, string[]> {
	const edges = new Map<string, string[]>();
	for (const dir of dirs) {
		for (const file of sources(join(root, dir))) {
			const targets: string[] = [];
			for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
				targets.push(resolve(dirname(file), match[1].replace(/\.js$/, ".ts")));
			}
			edges.set(file, targets);
		}
	}
	return edges;
}

// Every cycle's members, by depth-first search (one report per cycle found).
function cycles(edges: Map<string, string[]>): string[][] {
	const found: string[][] = [];
	const state = new Map<string, number>(); // 1 on the path, 2 finished
	const path: string[] = [];
	const visit = (file: string): void => {
		state.set(file, 1);
		path.push(file);
		for (const next of edges.get(file) ?? []) {
			if (state.get(next) === 1) found.push(path.slice(path.indexOf(next)).concat(next));
			else if (!state.has(next) && edges.has(next)) visit(next);
		}
		path.pop();
		state.set(file, 2);
	};
	for (const file of edges.keys()) if (!state.has(file)) visit(file);
	return found;
}

test("the import graph of firmware/ and host-sim/ has no cycle", () => {
	const edges = graph(["firmware", "host-sim"]);
	assert.ok(edges.size >= 90, `only ${edges.size} source files found`);
	const found = cycles(edges).map((cycle) => cycle.map((file) => relative(root, file)).join(" -> "));
	assert.equal(found, []);
});

test("the cycle finder sees a cycle (type-only imports included)", () => {
	const a = "/x/a.ts",
		b = "/x/b.ts",
		c = "/x/c.ts";
	assert.equal(
		cycles(
			new Map([
				[a, [b]],
				[b, [c]],
				[c, [a]],
			]),
		).length,
		1,
	);
	assert.equal(
		cycles(
			new Map([
				[a, [b]],
				[b, [c]],
				[c, []],
			]),
		).length,
		0,
	);
	const text = 'import type { Result } from "./result.js";\nexport { x } from "../at/x.js";\n';
	assert.equal(
		[...text.matchAll(IMPORT)].map((m) => m[1]),
		["./result.js", "../at/x.js"],
	);
});

test.run();
