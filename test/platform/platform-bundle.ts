// Bundles firmware/platform/*.ts with esbuild, the Moddable modules they
// import ("embedded:io/serial", "timer", "time") replaced by the stand-ins of
// fake-moddable.ts (the serial: fake-moddable-lin.ts for the Linux adapter).
// The bundle exports the adapters and the fakes (one copy of each class, so
// the test reaches the instances the adapters made). Node imports it as an ES
// module from a data: URL; XS evaluates it as a script (format "iife") that
// sets globalThis[globalName].
//
// The test files cannot import firmware/platform/ directly: the root tsconfig
// (which type-checks test/) has no Moddable typings, and Node cannot resolve
// "embedded:io/serial".
import { build, type Plugin } from "esbuild";

const root = new URL("../../", import.meta.url).pathname;
const fakes = `${root}test/platform/fake-moddable.ts`;
const linFake = `${root}test/platform/fake-moddable-lin.ts`;

// Which stand-in plays "embedded:io/serial": the ESP32 driver's or the Linux one's.
export type SerialFake = "esp32" | "lin";

function moddable(serial: SerialFake): Plugin {
	const modules: Record<string, string> = {
		"embedded:io/serial":
			serial === "lin"
				? `export { FakeLinuxSerial as default } from ${JSON.stringify(linFake)};`
				: `export { FakeSerial as default } from ${JSON.stringify(fakes)};`,
		timer: `export { FakeTimer as default } from ${JSON.stringify(fakes)};`,
		time: `export { FakeTime as default } from ${JSON.stringify(fakes)};`,
	};
	return {
		name: "moddable-fakes",
		setup(b) {
			b.onResolve({ filter: /^(embedded:io\/serial|timer|time)$/ }, (args) => ({
				path: args.path,
				namespace: "moddable-fake",
			}));
			b.onLoad({ filter: /.*/, namespace: "moddable-fake" }, (args) => ({
				contents: modules[args.path],
				loader: "js",
				resolveDir: root,
			}));
		},
	};
}

const ENTRY = `
export { SerialTransport } from ${JSON.stringify(`${root}firmware/platform/serial-transport.ts`)};
export { LinuxSerialTransport } from ${JSON.stringify(`${root}firmware/platform/linux-serial-transport.ts`)};
export { TimerClock } from ${JSON.stringify(`${root}firmware/platform/timer-clock.ts`)};
export * from ${JSON.stringify(fakes)};
export { FakeLinuxSerial, WRITE_BUFFER_SIZE } from ${JSON.stringify(linFake)};
`;

export async function bundlePlatform(
	format: "esm" | "iife",
	globalName = "platform",
	serial: SerialFake = "esp32",
): Promise<string> {
	const result = await build({
		stdin: { contents: ENTRY, resolveDir: root, sourcefile: "platform-entry.js", loader: "js" },
		bundle: true,
		write: false,
		format,
		globalName: format === "iife" ? globalName : undefined,
		platform: "neutral",
		target: "es2022", // what XS runs: class fields and private methods stay as written
		logLevel: "silent",
		plugins: [moddable(serial)],
		footer: format === "iife" ? { js: `globalThis[${JSON.stringify(globalName)}] = ${globalName};` } : undefined,
	});
	return result.outputFiles[0]!.text;
}

// The shapes the tests use (structural: see the note above on imports).
export interface ByteSinkLike {
	receive(chunk: Uint8Array, start: number, end: number): void;
}
export interface SerialTransportLike {
	overflows: number;
	attach(sink: ByteSinkLike): void;
	write(bytes: Uint8Array, start: number, end: number): void;
	close(): void;
}
export interface TimerClockLike {
	now(): number;
	set(callback: () => void, ms: number): unknown;
	clear(handle: unknown): void;
}
export interface PlatformModule {
	SerialTransport: new (options: {
		port: number;
		receive: number;
		transmit: number;
		baud: number;
		txCapacity?: number;
	}) => SerialTransportLike;
	LinuxSerialTransport: new (options: { device: string; baud: number; txCapacity?: number }) => SerialTransportLike;
	TimerClock: new () => TimerClockLike;
	FakeSerial: typeof import("./fake-moddable.js").FakeSerial;
	FakeTimer: typeof import("./fake-moddable.js").FakeTimer;
	timerWorld: typeof import("./fake-moddable.js").timerWorld;
	FIFO_SIZE: number;
	FakeLinuxSerial: typeof import("./fake-moddable-lin.js").FakeLinuxSerial;
	WRITE_BUFFER_SIZE: number;
}

export async function importPlatform(serial: SerialFake = "esp32"): Promise<PlatformModule> {
	const code = await bundlePlatform("esm", "platform", serial);
	return (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as PlatformModule;
}
