// npm run soak [-- --mb N] [--seed S] [--baud B]
//
// Echoes N MB (default 5) of hostile payloads (CR, LF, "\r\nOK\r\n",
// "+QIURC: \"recv\",0", "SEND OK", quotes, commas, 0x00, 0x1A, 0xFF...) through
// the driver and the emulated BC20 to loopback echo peers, split evenly over
// TCP and UDP, buffer and direct push modes, hex and text receive formats, and
// compares every byte. Prints the MB moved per mode and the mismatches, which
// must be zero (exit 1 otherwise). Then the hostile-module sweep (test/
// reliability/hostile-sweep.ts) over --sweep N seeds (default 40): trickled
// output, URCs between lines, boot-time answers, a damaged RDY; every seed must
// keep its data or report the loss, never put two commands on the wire, and end.
import { sweepSeed } from "../test/reliability/hostile-sweep.js";
import { soak, SETTINGS } from "../test/reliability/soak-engine.js";

function parse(argv: string[]): { mb: number; seed: number; baud: number; sweep: number } {
	const options = { mb: 5, seed: 1, baud: 921600, sweep: 40 };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i],
			value = Number(argv[i + 1]);
		if (arg === "--help" || arg === "-h") {
			console.log("npm run soak -- [--mb N] [--seed S] [--baud B] [--sweep N]");
			process.exit(0);
		}
		if (!["--mb", "--seed", "--baud", "--sweep"].includes(arg)) throw new Error(`unknown option ${arg} (try --help)`);
		if (argv[i + 1] === undefined || !Number.isFinite(value) || value <= 0)
			throw new Error(`${arg} needs a positive number`);
		if (arg === "--mb") options.mb = value;
		else if (arg === "--seed") options.seed = Math.floor(value);
		else if (arg === "--sweep") options.sweep = Math.floor(value);
		else options.baud = Math.floor(value);
		i++;
	}
	return options;
}

async function main(): Promise<number> {
	let options;
	try {
		options = parse(process.argv.slice(2));
	} catch (error) {
		console.error(`soak: ${(error as Error).message}`);
		return 2;
	}
	const runs = SETTINGS.length * 4;
	const bytesPerRun = Math.max(1, Math.round((options.mb * 1e6) / runs));
	console.log(
		`soak: ${options.mb} MB of hostile payloads, ${runs} runs of ${(bytesPerRun / 1e6).toFixed(3)} MB, seed ${options.seed}, ${options.baud} baud\n`,
	);
	const started = performance.now();
	const results = await soak({
		bytesPerRun,
		seed: options.seed,
		baud: options.baud,
		onRun: (r) =>
			console.log(
				`${r.mismatches === 0 ? "ok  " : "FAIL"} ${r.name}: ${(r.bytes / 1e6).toFixed(3)} MB in ${r.seconds.toFixed(1)} s, ` +
					`${r.mismatches} mismatches${r.detail ? " (" + r.detail + ")" : ""}`,
			),
	});
	const moved = results.reduce((n, r) => n + r.bytes, 0);
	const mismatches = results.reduce((n, r) => n + r.mismatches, 0);
	const byMode = new Map<string, number>();
	for (const r of results) {
		const key = r.name.split(",")[0];
		byMode.set(key, (byMode.get(key) ?? 0) + r.bytes);
	}
	console.log("");
	for (const [mode, bytes] of byMode) console.log(`${mode.padEnd(16)} ${(bytes / 1e6).toFixed(3)} MB`);
	const seconds = (performance.now() - started) / 1000;
	console.log(
		`\n${(moved / 1e6).toFixed(3)} MB echoed (each byte app -> module -> peer -> module -> app) in ${seconds.toFixed(1)} s, ${mismatches} mismatches`,
	);
	console.log(`\nhostile-module sweep: ${options.sweep} seeds from ${options.seed}`);
	let failedSeeds = 0;
	for (let seed = options.seed; seed < options.seed + options.sweep; seed++) {
		const result = await sweepSeed(seed);
		if (result.problems.length > 0) failedSeeds++;
		console.log(
			`${result.problems.length === 0 ? "ok  " : "FAIL"} seed ${seed} (${result.settings})${result.problems.length ? ": " + result.problems.join("; ") : ""}`,
		);
	}
	console.log(`${options.sweep - failedSeeds} passed, ${failedSeeds} failed`);
	return mismatches === 0 && moved === bytesPerRun * runs && failedSeeds === 0 ? 0 : 1;
}

process.exitCode = await main();
