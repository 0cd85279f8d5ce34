// npm run fuzz [-- --seconds N] [--seed S] [--target reader|channel|modem]
//              [--replay SEED [--verbose]]
//
// Runs the fuzz targets of test/reliability/fuzz-engine.ts in turn for N
// seconds (default 10) from seed S (default: from the clock), then checks that
// retained memory does not grow with input length. Prints the seed, the
// iterations and bytes per target, and every failure with a one-line command
// that replays it (--replay runs one iteration from its own seed; --verbose
// prints the bytes exchanged). Exits 1 when anything failed.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
	type Failure,
	iterate,
	iterationSeed,
	MEMORY_CASES,
	modemRetainedBytes,
	reproduction,
	retainedGrows,
	type Target,
	TARGETS,
} from "../test/reliability/fuzz-engine.js";

function parse(argv: string[]): {
	seconds: number;
	seed: number;
	targets: Target[];
	replay: number | null;
	verbose: boolean;
} {
	const options = {
		seconds: 10,
		seed: (Date.now() ^ (process.pid << 16)) >>> 0,
		targets: [...TARGETS] as Target[],
		replay: null as number | null,
		verbose: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i],
			value = argv[i + 1];
		const number = (what: string) => {
			const n = Number(value);
			if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${arg} needs a number (${what})`);
			i++;
			return n;
		};
		if (arg === "--seconds") options.seconds = number("seconds to run");
		else if (arg === "--seed") options.seed = number("the run's seed") >>> 0;
		else if (arg === "--replay") options.replay = number("an iteration's seed") >>> 0;
		else if (arg === "--target") {
			if (!TARGETS.includes(value as Target)) throw new Error(`--target must be one of ${TARGETS.join(", ")}`);
			options.targets = [value as Target];
			i++;
		} else if (arg === "--verbose") options.verbose = true;
		else if (arg === "--help" || arg === "-h") {
			console.log(
				"npm run fuzz -- [--seconds N] [--seed S] [--target reader|channel|modem] [--replay SEED [--verbose]]",
			);
			process.exit(0);
		} else throw new Error(`unknown option ${arg} (try --help)`);
	}
	return options;
}

function heapProbe(): (() => number) | null {
	try {
		setFlagsFromString("--expose-gc");
		const gc = runInNewContext("gc") as () => void;
		return () => {
			gc();
			gc();
			return process.memoryUsage().heapUsed;
		};
	} catch {
		return null;
	}
}

function main(): number {
	let options;
	try {
		options = parse(process.argv.slice(2));
	} catch (error) {
		console.error(`fuzz: ${(error as Error).message}`);
		return 2;
	}
	if (options.replay !== null) {
		const target = options.targets.length === 1 ? options.targets[0] : "modem";
		const outcome = iterate(target, options.replay, options.verbose ? (line) => console.log(line) : undefined);
		if (outcome.failure === null) {
			console.log(`${target} seed ${options.replay}: every property holds (${outcome.bytes} bytes)`);
			return 0;
		}
		console.log(`${target} seed ${options.replay}: FAILED: ${outcome.failure.property}\n${outcome.failure.detail}`);
		return 1;
	}

	console.log(`fuzz: seed ${options.seed}, ${options.seconds} s, targets ${options.targets.join(", ")}`);
	const started = Date.now();
	const perTarget = new Map<Target, { iterations: number; bytes: number; failures: number }>();
	for (const t of options.targets) perTarget.set(t, { iterations: 0, bytes: 0, failures: 0 });
	const failures: Failure[] = [];
	const reported = new Set<string>();
	const deadline = started + options.seconds * 1000 * (options.targets.length > 1 ? 0.9 : 1);
	for (let i = 0; Date.now() < deadline; i++) {
		const target = options.targets[i % options.targets.length];
		const outcome = iterate(target, iterationSeed(options.seed, i));
		const row = perTarget.get(target) as { iterations: number; bytes: number; failures: number };
		row.iterations++;
		row.bytes += outcome.bytes;
		if (outcome.failure !== null) {
			row.failures++;
			failures.push(outcome.failure);
			const key = outcome.failure.target + outcome.failure.property;
			if (!reported.has(key)) {
				reported.add(key);
				console.log(
					`FAIL ${outcome.failure.target}: ${outcome.failure.property}\n  ${outcome.failure.detail.split("\n")[0].slice(0, 400)}\n  reproduce: ${reproduction(outcome.failure)}`,
				);
			}
		}
	}
	let memoryFailures = 0;
	const heap = heapProbe();
	if (heap === null) console.log("memory: skipped (no gc() available)");
	else {
		const n = 512 * 1024;
		for (const what of MEMORY_CASES) {
			modemRetainedBytes(options.seed, n, heap, what);
			const small = modemRetainedBytes(options.seed + 1, n, heap, what);
			const large = modemRetainedBytes(options.seed + 2, 4 * n, heap, what);
			const ok = !retainedGrows(small, large);
			if (!ok) memoryFailures++;
			console.log(
				`memory ${ok ? "ok  " : "FAIL"} (${what}): retained ${small} bytes after ${n / 1024} KB of garbage, ${large} after ${(4 * n) / 1024} KB`,
			);
		}
	}
	console.log("");
	let iterations = 0,
		bytes = 0;
	for (const [target, row] of perTarget) {
		iterations += row.iterations;
		bytes += row.bytes;
		console.log(
			`${target.padEnd(8)} ${String(row.iterations).padStart(8)} iterations ${(row.bytes / 1e6).toFixed(2).padStart(9)} MB  ${row.failures} failures`,
		);
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	console.log(
		`\nseed ${options.seed}: ${iterations} iterations, ${(bytes / 1e6).toFixed(2)} MB in ${seconds} s, ` +
			`${failures.length} failures${memoryFailures ? `, ${memoryFailures} memory failures` : ""}`,
	);
	return failures.length + memoryFailures > 0 ? 1 : 0;
}

process.exitCode = main();
