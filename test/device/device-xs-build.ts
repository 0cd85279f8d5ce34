// Builds bc20-device-xs, the XS runner of the device tests (native/: xsnap's
// own worker with the manifest's creation sizes and a stack peak; see
// native/device-xs.mk), from the XS sources @agoric/xsnap ships, once per
// version of those inputs, into node_modules/.cache/bc20-device-xs/<hash>/.
//
// @agoric/xsnap compiled the same sources with the same flags at install, so
// its object files are copied in first and make compiles only the two files
// that differ (a second or two); without them it compiles everything (under
// a minute). Tests call deviceXSBinary() lazily; parallel test processes may build
// at the same time, each in its own directory, and the first rename wins.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { availableParallelism, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const NAME = "bc20-device-xs";
const root = fileURLToPath(new URL("../../", import.meta.url));
const native = join(root, "test/device/native");
const xsnap = fileURLToPath(new URL("..", import.meta.resolve("@agoric/xsnap")));

function platform(): string {
	const name = ({ Linux: "lin", Darwin: "mac" } as Record<string, string | undefined>)[type()];
	if (name === undefined) throw new Error(`${NAME}: @agoric/xsnap builds no worker for ${type()}`);
	return name;
}

// The make variables @agoric/xsnap's install used (build.config.env:
// XSNAP_VERSION, CC), so the copied objects match what make would compile.
function installVariables(): string[] {
	const file = join(xsnap, "build.config.env");
	if (!existsSync(file))
		throw new Error(`${NAME}: ${file} is missing: did @agoric/xsnap's install script run? (npm rebuild @agoric/xsnap)`);
	return readFileSync(file, "utf8")
		.split("\n")
		.filter((line) => line.includes("="));
}

function inputsHash(variables: string[]): string {
	const hash = createHash("sha256");
	for (const file of ["device-xs.c", "device-xs.mk"]) hash.update(readFileSync(join(native, file)));
	hash.update(readFileSync(join(xsnap, "package.json")));
	hash.update(variables.join("\n"));
	return hash.digest("hex").slice(0, 16);
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
		let output = "";
		child.stdout.on("data", (data) => (output += data));
		child.stderr.on("data", (data) => (output += data));
		child.on("error", (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
		child.on("close", (code) => resolve({ code, output }));
	});
}

let building: Promise<string> | undefined;

/** The path of the runner, built first if this version of it is not cached. */
export function deviceXSBinary(): Promise<string> {
	building ??= build();
	return building;
}

async function build(): Promise<string> {
	const plat = platform();
	const variables = installVariables();
	const cache = join(root, "node_modules/.cache", NAME);
	const binary = join(cache, inputsHash(variables), NAME);
	if (existsSync(binary)) return binary;
	mkdirSync(cache, { recursive: true });
	const work = mkdtempSync(join(cache, "build-"));
	try {
		const stock = join(xsnap, `xsnap-native/xsnap/build/tmp/${plat}/release/xsnap-worker`);
		const objects = join(work, `tmp/${plat}/release/${NAME}`);
		// Made here, so that a parallel make never compiles or links into a
		// directory its own mkdir rule has not made yet.
		mkdirSync(objects, { recursive: true });
		mkdirSync(join(work, `bin/${plat}/release`), { recursive: true });
		if (existsSync(stock)) {
			for (const file of readdirSync(stock)) {
				// xsnap-worker.o is compiled differently here (native/device-xs.mk).
				if (file.endsWith(".o") && file !== "xsnap-worker.o")
					cpSync(join(stock, file), join(objects, file), { preserveTimestamps: true });
			}
		}
		const { code, output } = await run(
			"make",
			[
				`-j${availableParallelism()}`,
				"-C",
				join(xsnap, `xsnap-native/xsnap/makefiles/${plat}`),
				"-f",
				join(native, "device-xs.mk"),
				`MODDABLE=${join(xsnap, "moddable")}`,
				`BUILD_DIR=${work}`,
				`NAME=${NAME}`,
				"GOAL=release",
				...variables,
				`EXTRA_DEPS=${join(xsnap, "build.config.env")}`,
			],
			root,
		);
		const built = join(work, `bin/${plat}/release/${NAME}`);
		if (code !== 0 || !existsSync(built)) {
			throw new Error(
				`${NAME}: building the device XS runner from @agoric/xsnap's XS sources failed ` +
					`(it needs make and a C compiler, as @agoric/xsnap's install does):\n${output.trim().split("\n").slice(-30).join("\n")}`,
			);
		}
		mkdirSync(join(binary, ".."), { recursive: true });
		renameSync(built, binary);
		// Builds of earlier versions of the inputs are of no further use.
		for (const entry of readdirSync(cache)) {
			if (!entry.startsWith("build-") && join(cache, entry) !== join(binary, ".."))
				rmSync(join(cache, entry), { recursive: true, force: true });
		}
		return binary;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}
