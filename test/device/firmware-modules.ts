// firmware/main.ts and the modules it imports as ES modules on disk, for
// bc20-device-xs to load the way the device does: one module per file, each
// module body its own function (a bundle would run them all inside one
// function whose hundreds of locals sit on the stack at once). Every .ts file
// is transpiled by esbuild as it stands; the Moddable module names are
// rewritten to stand-ins written next to them:
//   embedded:io/serial  FakeSerial (test/platform/fake-moddable.ts: the ESP32
//                       driver's FIFOs, "output full", ISR-posted callbacks)
//   timer, time         FakeTimer, FakeTime (Moddable's timer rules)
//   embedded:io/digital DeviceDigital (xs/digital.ts)
//   mc/config           manifest.json's `config` with the test's overrides,
//                       frozen as on the device
// The entry module imports xs/device-host.ts (it answers Node's deliveries)
// before main.ts.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { transform } from "esbuild";

const root = new URL("../../", import.meta.url).pathname;

export type FirmwareConfig = Record<string, string | number>;

/** manifest.json's config with `overrides` applied. */
export function firmwareConfig(overrides: FirmwareConfig): FirmwareConfig {
	const { config } = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { config: FirmwareConfig };
	return { ...config, ...overrides };
}

const SOURCES = ["firmware", "test/platform/fake-moddable.ts", "test/device/xs"];

function typescriptFiles(path: string): string[] {
	if (path.endsWith(".ts")) return path.endsWith(".d.ts") ? [] : [path];
	return readdirSync(join(root, path), { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() || entry.name.endsWith(".ts") ? typescriptFiles(join(path, entry.name)) : [],
	);
}

export interface FirmwareModules {
	/** The module to import: device host, then firmware/main. */
	entry: string;
	remove(): void;
}

export async function writeFirmwareModules(config: FirmwareConfig): Promise<FirmwareModules> {
	const dir = mkdtempSync(join(tmpdir(), "bc20-device-"));
	const write = (path: string, text: string) => {
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), text);
	};
	const fakes = JSON.stringify(join(dir, "test/platform/fake-moddable.js"));
	const stand_ins: Record<string, string> = {
		"embedded:io/serial": `export { FakeSerial as default } from ${fakes};\n`,
		timer: `export { FakeTimer as default } from ${fakes};\n`,
		time: `export { FakeTime as default } from ${fakes};\n`,
		"embedded:io/digital": `export { DeviceDigital as default } from ${JSON.stringify(join(dir, "test/device/xs/digital.js"))};\n`,
		"mc/config": `export default Object.freeze(${JSON.stringify(config)});\n`,
	};
	const moddablePath = (name: string) => join(dir, "moddable", `${name.replace(/[:/]/g, "-")}.js`);
	for (const [name, text] of Object.entries(stand_ins)) write(relative(dir, moddablePath(name)), text);
	for (const file of SOURCES.flatMap(typescriptFiles)) {
		const { code } = await transform(readFileSync(join(root, file), "utf8"), {
			loader: "ts",
			format: "esm",
			target: "es2022",
			sourcefile: file,
			charset: "utf8",
		});
		// Every specifier becomes an absolute path: xsnap keys a module by the
		// path as written (it does not normalise "../"), so two spellings of one
		// file would load it twice. esbuild prints each import and re-export as
		// a statement at the start of a line.
		const rewritten = code.replace(
			/^((?:import|export)\s(?:[^;"]*?\sfrom\s*)?)"([^"]+)";$/gm,
			(_whole, head: string, name: string) =>
				`${head}${JSON.stringify(name in stand_ins ? moddablePath(name) : join(dir, dirname(file), name))};`,
		);
		write(file.replace(/\.ts$/, ".js"), rewritten);
	}
	write(
		"entry.js",
		`import ${JSON.stringify(join(dir, "test/device/xs/device-host.js"))};\nimport ${JSON.stringify(join(dir, "firmware/main.js"))};\n`,
	);
	return { entry: join(dir, "entry.js"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
