// manifest.json's preload list, resolved the way mcconfig resolves it
// (test/build/mcconfig-preload.ts): every module of the firmware's layers is
// preloaded on every platform the manifest builds for. A preloaded module's
// classes and tables live in flash; one that silently falls out of the list is
// built in RAM at every boot (the wildcard list "at/*", "bc20/*", ... preloaded
// none of the TypeScript modules: xsl reported 462 instances instead of ~1700).
//
// Not preloaded: main (it runs the device at load: native calls, the modem
// started) and platform/ (the adapters on the SDK's native modules; the
// preloaded set imports none of them, test/build/preload-safety.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Manifest, modulesOf, resolvePreload } from "./mcconfig-preload.js";

const root = new URL("../../", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}manifest.json`, "utf8")) as Manifest;
const LAYERS = ["at/", "bc20/", "net/", "app/"];
const PLATFORMS = ["esp32", "lin"];

test("every module of at/, bc20/, net/ and app/ is preloaded, on every platform", () => {
	for (const platform of PLATFORMS) {
		const modules = modulesOf(manifest, root, platform);
		const { preloaded } = resolvePreload(manifest, root, platform);
		const layered = modules.filter((m) => LAYERS.some((layer) => m.name.startsWith(layer)));
		assert.ok(layered.length >= 38, `${platform}: only ${layered.length} firmware modules found`);
		const missing = layered.filter((m) => !preloaded.some((p) => p.file === m.file)).map((m) => m.name);
		assert.equal(missing, [], `${platform}: not preloaded`);
	}
});

test('every firmware source file is a module of the build: the modules map names each one (no "dir/*" left to guess)', () => {
	const named = Object.values(manifest.modules ?? {}).flat() as string[];
	const missing: string[] = [];
	for (const dir of ["at", "bc20", "net", "app", "platform"]) {
		for (const file of readdirSync(join(root, "firmware", dir))) {
			if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
			if (!named.includes(`./firmware/${dir}/${file.slice(0, -3)}`)) missing.push(`${dir}/${file}`);
		}
	}
	assert.equal(missing, [], "add them to manifest.json's modules");
	assert.equal(
		Object.keys(manifest.modules ?? {}).filter((k) => k.endsWith("/*")),
		[],
	);
});

test("every preload entry names a module the build has; none is a wildcard", () => {
	for (const platform of PLATFORMS) {
		const { unmatched } = resolvePreload(manifest, root, platform);
		assert.equal(unmatched, [], `${platform}: preload entries that preload nothing`);
	}
	const entries = [
		manifest.preload ?? [],
		...Object.values(manifest.platforms ?? {}).map((p) => p.preload ?? []),
	].flat();
	assert.equal(
		entries.filter((e) => e.includes("*")),
		[],
		"wildcards match JavaScript modules only",
	);
});

test("main and the platform adapters stay out of the preload", () => {
	for (const platform of PLATFORMS) {
		const names = resolvePreload(manifest, root, platform).preloaded.map((m) => m.name);
		assert.equal(
			names.filter((n) => n === "main" || n.startsWith("platform/")),
			[],
		);
		assert.ok(
			modulesOf(manifest, root, platform).some((m) => m.name === "main"),
			"main is a module of the build",
		);
	}
});

test("the resolver follows mcconfig: a wildcard preloads JavaScript modules only", () => {
	const wildcards: Manifest = { modules: manifest.modules, preload: ["at/*", "bc20/*", "net/*", "app/*"] };
	const { preloaded, unmatched } = resolvePreload(wildcards, root, "esp32");
	assert.equal(preloaded, []);
	assert.equal(unmatched, ["at/*", "bc20/*", "net/*", "app/*"]);
	const dir = mkdtempSync(join(tmpdir(), "bc20-preload-"));
	try {
		for (const name of ["a.js", "b.ts", "c.d.ts"]) writeFileSync(join(dir, name), "");
		const both: Manifest = { modules: { "lib/*": "./*" }, preload: ["lib/*", "lib/b"] };
		const resolved = resolvePreload(both, `${dir}/`, "esp32");
		assert.equal(
			resolved.preloaded.map((m) => [m.name, m.language]),
			[
				["lib/a", "js"],
				["lib/b", "ts"],
			],
		);
		assert.equal(resolved.unmatched, []);
	} finally {
		rmSync(dir, { recursive: true });
	}
});

test.run();
