#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) in its own Node process, two at a
// time, with the tsx loader, and prints one closing line "N passed, M failed".
// One process per file keeps suites that measure the heap or open sockets from
// disturbing each other. Pass file or folder names to run a subset.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { cpus } from "node:os";

const root = new URL("..", import.meta.url).pathname;

function collect(path, out) {
	if (statSync(path).isDirectory()) {
		for (const name of readdirSync(path).sort()) collect(join(path, name), out);
	} else if (path.endsWith(".test.ts")) out.push(path);
	return out;
}

const args = process.argv.slice(2);
const files = (args.length ? args : ["test"]).flatMap((p) => collect(join(root, p), []));
const parallel = Math.max(1, Math.min(2, cpus().length));

let passed = 0,
	failed = 0,
	skipped = 0;
const failures = [];

function runFile(file) {
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", file], {
			cwd: root,
			stdio: ["ignore", "pipe", "pipe"],
			env: { ...process.env, FORCE_COLOR: "0" },
		});
		let output = "";
		child.stdout.on("data", (d) => (output += d));
		child.stderr.on("data", (d) => (output += d));
		child.on("close", (code) => {
			const num = (label) => Number((output.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
			const total = num("Total"),
				ok = num("Passed"),
				skip = num("Skipped");
			let bad = total - ok - skip;
			if (code !== 0 && bad === 0) bad = 1; // crashed outside a test
			passed += ok;
			skipped += skip;
			failed += bad;
			const name = relative(root, file);
			const secs = ((Date.now() - started) / 1000).toFixed(1);
			console.log(`${bad ? "FAIL" : "ok  "} ${name} (${ok}/${total - skip}, ${secs}s)`);
			if (bad) failures.push({ name, output });
			resolve();
		});
	});
}

const queue = files.slice();
await Promise.all(
	Array.from({ length: parallel }, async () => {
		while (queue.length) await runFile(queue.shift());
	}),
);

for (const f of failures) {
	console.log(`\n---- ${f.name} ----\n${f.output.trim()}`);
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed || files.length === 0 ? 1 : 0);
