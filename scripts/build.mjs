#!/usr/bin/env node
// Builds what the project ships, with esbuild:
//   dist/xs/bc20.js  the core, modem and net classes as one plain script that
//                    defines globalThis.bc20, for any XS host
//   dist/bc20.mjs    the `bc20` command for Node (package.json "bin")
// Runs at `npm install` (prepare) and `npm run build`. The CLI keeps the
// shebang of host-sim/cli.ts.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { build } from "esbuild";
import { bundleForXS } from "./xs-bundle.mjs";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);

await mkdir("dist/xs", { recursive: true });
await writeFile("dist/xs/bc20.js", await bundleForXS("firmware/index.ts", { globalName: "bc20" }));

await build({
	entryPoints: ["host-sim/cli.ts"],
	outfile: "dist/bc20.mjs",
	bundle: true,
	platform: "node",
	format: "esm",
	target: "node20",
	packages: "external",
	logLevel: "warning",
});
await chmod("dist/bc20.mjs", 0o755);
console.log("built dist/xs/bc20.js and dist/bc20.mjs");
