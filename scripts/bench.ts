// npm run bench: runs every section in SECTIONS in order, prints each one's
// table, writes all figures to bench/results.json, and ends with the targets,
// met or not. A section is a bench/*.ts module exporting a Section
// (bench/section.ts); adding one to the list is all a new measurement needs.
// Every comparison is a ratio of two figures measured in the same run.
import { readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, release, totalmem, type } from "node:os";
import { deviceCost } from "../bench/device-cost.js";
import { deviceStack } from "../bench/device-stack.js";
import { e2eThroughput } from "../bench/e2e-throughput.js";
import { footprint } from "../bench/footprint.js";
import { nodeThroughput } from "../bench/node-throughput.js";
import { pushLatency } from "../bench/push-latency.js";
import { receiveModes } from "../bench/receive-modes.js";
import { formatTable, type Section, type Target } from "../bench/section.js";
import { xsCost } from "../bench/xs-cost.js";

// BENCH_ONLY=key,key runs only those sections.
const ONLY = process.env.BENCH_ONLY?.split(",");
const SECTIONS: Section[] = [
	deviceCost,
	nodeThroughput,
	xsCost,
	footprint,
	e2eThroughput,
	pushLatency,
	deviceStack,
	receiveModes,
];

const RESULTS = new URL("../bench/results.json", import.meta.url);

function xsnapVersion(): string {
	const manifest = new URL("../node_modules/@agoric/xsnap/package.json", import.meta.url);
	return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

async function main(): Promise<void> {
	if (!(globalThis as { gc?: unknown }).gc)
		console.warn("no global gc(): run with --expose-gc (npm run bench does) for steadier figures");
	const started = performance.now();
	const sections: Record<string, unknown> = {};
	const targets: Target[] = [];
	for (const section of SECTIONS.filter((s) => ONLY === undefined || ONLY.includes(s.key))) {
		const t0 = performance.now();
		console.log(`\n${section.title}\n`);
		const result = await section.run();
		console.log(formatTable(result.table));
		for (const note of result.notes) console.log(`  ${note}`);
		console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
		sections[section.key] = result.data;
		targets.push(...result.targets);
	}
	console.log("\nTargets\n");
	for (const t of targets) console.log(`  ${t.met ? "met    " : "NOT MET"}  ${t.name}: ${t.value}`);
	const cpu = cpus()[0];
	const results = {
		date: new Date().toISOString(),
		machine: {
			cpu: cpu?.model ?? "unknown",
			cores: cpus().length,
			os: `${type()} ${release()} ${arch()}`,
			memoryBytes: totalmem(),
		},
		node: process.version,
		xsnap: xsnapVersion(),
		durationSeconds: (performance.now() - started) / 1000,
		sections,
		targets,
	};
	writeFileSync(RESULTS, `${JSON.stringify(results, null, "\t")}\n`);
	console.log(`\nwrote ${RESULTS.pathname} (${results.durationSeconds.toFixed(1)} s)`);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exitCode = 1;
});
