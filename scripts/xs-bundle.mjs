// Bundles a TypeScript entry and everything it imports into one plain script
// for XS. The xsnap worker evaluates scripts, not modules, so the bundle has no
// import/export statements: the entry's exports land on globalThis[globalName].
//
//   node scripts/xs-bundle.mjs <entry.ts> <out.js> [globalName]
//
// globalName defaults to the output file's base name (dist/xs/bc20.js -> bc20).

import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * @param {string} entry path of the TypeScript (or JavaScript) entry file
 * @param {{ globalName: string, minify?: boolean }} options
 * @returns {Promise<string>} the script source
 */
export async function bundleForXS(entry, { globalName, minify = false }) {
	// A dotted name would make esbuild emit `var a = a || {}` chains; one plain
	// identifier keeps the footer below a single, obviously correct assignment.
	if (!IDENTIFIER.test(globalName)) {
		throw new Error(`globalName must be a JavaScript identifier, got ${JSON.stringify(globalName)}`);
	}
	const result = await build({
		entryPoints: [entry],
		bundle: true,
		write: false,
		format: "iife",
		globalName,
		platform: "neutral",
		// XS implements ES2022 and later: nothing to lower, so the XS run executes
		// the same class fields, private methods and `??=` the device will run.
		target: "es2022",
		minify,
		charset: "utf8",
		logLevel: "silent",
		// esbuild emits `"use strict"; var <globalName> = (() => {...})()` (ES
		// modules are strict code). xsnap runs a script through eval, and a strict
		// eval keeps its vars to itself, so publish the exports explicitly.
		footer: { js: `globalThis[${JSON.stringify(globalName)}] = ${globalName};` },
	});
	const [output] = result.outputFiles;
	if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
	return output.text;
}

/**
 * @param {string[]} args entry, output path, optional global name
 */
async function main(args) {
	const [entry, out, name] = args;
	if (entry === undefined || out === undefined || args.length > 3) {
		throw new Error("usage: node scripts/xs-bundle.mjs <entry.ts> <out.js> [globalName]");
	}
	const globalName = name ?? basename(out, extname(out));
	const source = await bundleForXS(entry, { globalName });
	await mkdir(dirname(resolve(out)), { recursive: true });
	await writeFile(out, source);
	console.log(`${out}: ${source.length} bytes, exports on globalThis.${globalName}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
	main(process.argv.slice(2)).catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exitCode = 1;
	});
}
