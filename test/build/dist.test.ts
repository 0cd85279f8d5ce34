// What `npm install` / `npm run build` produce, tested as built:
//   dist/xs/bc20.js  loaded into XS, driven through globalThis.bc20 alone
//   dist/bc20.mjs    the `bc20` command
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { build, type Plugin } from "esbuild";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startXS } from "../xs/xs-runner.js";

const root = new URL("../../", import.meta.url).pathname;

function runBuild(): number {
	const started = Date.now();
	execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "pipe", timeout: 60000 });
	return Date.now() - started;
}

test("the build is fast and idempotent", () => {
	const first = runBuild();
	const script = readFileSync(`${root}dist/xs/bc20.js`, "utf8");
	const cli = readFileSync(`${root}dist/bc20.mjs`, "utf8");
	const second = runBuild();
	assert.ok(first < 10000 && second < 10000, `build took ${first} ms and ${second} ms`);
	assert.is(readFileSync(`${root}dist/xs/bc20.js`, "utf8"), script, "a second build changed dist/xs/bc20.js");
	assert.is(readFileSync(`${root}dist/bc20.mjs`, "utf8"), cli, "a second build changed dist/bc20.mjs");
	assert.ok(cli.startsWith("#!/usr/bin/env node"), "the bin lost its shebang");
	assert.not.match(script, /^\s*(import|export)\s/m, "dist/xs/bc20.js must be a plain script");
});

// Bundles test/xs/net-entry.ts (the Moddable-style TCP + resolver scenario)
// with every firmware import replaced by the built global: the scenario then
// runs on the classes inside dist/xs/bc20.js, not on a fresh bundle.
async function scenarioOverBuiltGlobal(names: string[]): Promise<string> {
	const fromDist: Plugin = {
		name: "firmware-from-dist",
		setup(b) {
			b.onResolve({ filter: /firmware\// }, () => ({ path: "bc20", namespace: "dist" }));
			b.onLoad({ filter: /.*/, namespace: "dist" }, () => ({
				contents: `export const { ${names.join(", ")} } = globalThis.bc20;`,
				loader: "js",
			}));
		},
	};
	const result = await build({
		entryPoints: [`${root}test/xs/net-entry.ts`],
		bundle: true,
		write: false,
		format: "iife",
		globalName: "net",
		platform: "neutral",
		target: "es2022",
		logLevel: "silent",
		plugins: [fromDist],
		metafile: true,
		footer: { js: "globalThis.net = net;" },
	});
	const inputs = Object.keys(result.metafile!.inputs);
	assert.equal(
		inputs.filter((path) => path.includes("firmware/")),
		[],
		"the scenario bundle must not carry its own firmware",
	);
	return result.outputFiles[0]!.text;
}

test("dist/xs/bc20.js runs in XS and drives a modem, a TCP socket and the resolver through globalThis.bc20", async () => {
	const script = readFileSync(`${root}dist/xs/bc20.js`, "utf8");
	// The names the built script exports (read on Node, then checked in XS).
	const context: Record<string, unknown> = {};
	runInNewContext(script, context);
	const names = Object.keys(context.bc20 as object).sort();
	for (const name of ["BC20", "BC20Error", "TCP", "UDP", "Resolver", "Channel"])
		assert.ok(names.includes(name), `bc20.${name} missing`);
	const scenario = await scenarioOverBuiltGlobal(names);
	const xs = await startXS();
	try {
		await xs.evaluate(script);
		const { value: types } = await xs.call<Record<string, string>>(
			"({ BC20: typeof bc20.BC20, TCP: typeof bc20.TCP, Resolver: typeof bc20.Resolver })",
		);
		assert.equal(types, { BC20: "function", TCP: "function", Resolver: "function" });
		await xs.evaluate(scenario);
		const { value: failures } = await xs.call<string[]>("net.runNetScenario()");
		assert.equal(failures, []);
		// The scenario's modem is an instance of the built class.
		const { value: same } = await xs.call<boolean>(
			"(() => { let ok = false; try { new bc20.BC20({}); } catch (e) { ok = e instanceof bc20.BC20Error; } return ok; })()",
		);
		assert.ok(same, "bad options must throw the built BC20Error");
	} finally {
		await xs.close();
	}
});

function cli(...args: string[]) {
	return spawnSync(process.execPath, [`${root}dist/bc20.mjs`, ...args], {
		cwd: root,
		encoding: "utf8",
		timeout: 20000,
	});
}

test("node dist/bc20.mjs --help prints the usage and exits 0", () => {
	const run = cli("--help");
	assert.is(run.status, 0, run.stderr);
	assert.match(run.stdout + run.stderr, /usage: bc20/);
	assert.match(run.stdout + run.stderr, /at 'AT\+\.\.\.'/);
});

test("node dist/bc20.mjs at AT talks to the in-process emulator and exits 0 with OK", () => {
	const run = cli("at", "AT");
	assert.is(run.status, 0, run.stderr);
	assert.is(run.stdout.trim().split(/\r?\n/).pop(), "OK");
	const revision = cli("at", "AT+CGMR");
	assert.is(revision.status, 0, revision.stderr);
	assert.match(revision.stdout, /Revision: BC20/);
	assert.match(revision.stdout, /OK/);
});

test("node dist/bc20.mjs at with an unknown command exits non-zero", () => {
	const run = cli("at", "AT+NOPE");
	assert.is.not(run.status, 0, run.stdout);
});

test.run();
