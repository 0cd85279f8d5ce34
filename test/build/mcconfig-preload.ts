// The modules and preload list mcconfig derives from manifest.json, computed
// the way the Moddable SDK (8.2.x) does it, for the project's own modules:
//
// - tools/mcmanifest.js (ModulesRule, Rule.iterate): a "modules" key "dir/*"
//   with source "./path/*" makes one module "dir/<name>" per file of the
//   folder (names starting with "." skipped, ".d.ts" not a module); a key
//   "*" with source "./path/name" makes the module "name". ".js" and ".mjs"
//   files become JavaScript modules, ".ts" files TypeScript modules.
// - tools/mcconfig.js (filterPreload): a preload entry with a "*" matches the
//   JavaScript modules whose name starts with what precedes the star, and
//   only those: TypeScript modules are never matched by a wildcard. An entry
//   without a star names one module, JavaScript or TypeScript. An entry that
//   matches nothing is dropped without a word.
//
// Platform sections ("platforms": {"lin": {...}}) add their modules and
// preload entries to the base ones (mcmanifest.js mergePlatform).
// "$(MODDABLE)" sources (the SDK's own modules) are outside this project and
// not resolved.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Module {
	name: string; // the module specifier, e.g. "at/channel"
	file: string; // absolute path of the source
	language: "js" | "ts";
}

export interface ManifestPart {
	modules?: Record<string, string | string[]>;
	preload?: string[];
}

export interface Manifest extends ManifestPart {
	platforms?: Record<string, ManifestPart>;
}

function languageOf(file: string): "js" | "ts" | null {
	if (file.endsWith(".d.ts")) return null;
	if (file.endsWith(".ts")) return "ts";
	if (file.endsWith(".js") || file.endsWith(".mjs")) return "js";
	return null;
}

function stem(file: string): string {
	return file.endsWith(".d.ts") ? file.slice(0, -5) : file.replace(/\.[^.]*$/, "");
}

// The modules one "modules" entry makes.
function expand(key: string, source: string, root: string): Module[] {
	if (source.startsWith("$(")) return [];
	const keyStar = key.lastIndexOf("*");
	const prefix = keyStar >= 0 ? key.slice(0, keyStar) : key;
	const path = join(root, source);
	const slash = path.lastIndexOf("/");
	const directory = path.slice(0, slash),
		pattern = path.slice(slash + 1);
	const star = pattern.lastIndexOf("*");
	const out: Module[] = [];
	for (const entry of readdirSync(directory).sort()) {
		if (entry.startsWith(".") || !statSync(join(directory, entry)).isFile()) continue;
		const language = languageOf(entry);
		if (language === null) continue;
		const name = stem(entry);
		let suffix: string;
		if (star >= 0) {
			if (!name.startsWith(pattern.slice(0, star))) continue;
			suffix = name.slice(star);
		} else if (name === pattern || entry === pattern) suffix = stem(pattern);
		else continue;
		// A key with a star names each module after its file; one without names the module itself.
		out.push({ name: keyStar >= 0 ? prefix + suffix : key, file: join(directory, entry), language });
	}
	return out;
}

// The manifest's parts for one platform: the base, then that platform's section.
function parts(manifest: Manifest, platform: string): ManifestPart[] {
	const section = manifest.platforms?.[platform];
	return section ? [manifest, section] : [manifest];
}

export function modulesOf(manifest: Manifest, root: string, platform: string): Module[] {
	const modules: Module[] = [];
	for (const part of parts(manifest, platform))
		for (const [key, sources] of Object.entries(part.modules ?? {}))
			for (const source of ([] as string[]).concat(sources))
				for (const module of expand(key, source, root))
					if (!modules.some((m) => m.file === module.file)) modules.push(module);
	return modules;
}

export interface Preload {
	preloaded: Module[];
	// Entries that preload nothing of this project (mcconfig drops them silently).
	unmatched: string[];
}

export function resolvePreload(manifest: Manifest, root: string, platform: string): Preload {
	const modules = modulesOf(manifest, root, platform);
	const preloaded: Module[] = [],
		unmatched: string[] = [];
	for (const part of parts(manifest, platform)) {
		for (const entry of part.preload ?? []) {
			const star = entry.lastIndexOf("*");
			const matches =
				star >= 0
					? modules.filter((m) => m.language === "js" && m.name.startsWith(entry.slice(0, star)))
					: modules.filter((m) => m.name === entry);
			if (matches.length === 0) unmatched.push(entry);
			for (const m of matches) if (!preloaded.includes(m)) preloaded.push(m);
		}
	}
	return { preloaded, unmatched };
}
