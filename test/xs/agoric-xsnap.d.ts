// @agoric/xsnap ships JavaScript with JSDoc only; these are the parts of its
// API (src/xsnap.js) that xsnap-thread.mjs and xs-runner.ts use.
declare module "@agoric/xsnap" {
	import type { spawn } from "node:child_process";

	export interface MeterUsage {
		meterType: string;
		/** XS operations executed during the delivery. */
		compute: number | null;
		/** Bytes the machine has reserved for chunks and slots. */
		allocate: number | null;
		/** Slots in use (live or garbage) when the delivery ended. */
		currentHeapCount: number | null;
		/** Seconds since the epoch: delivery received, then a before/after pair
		 * around each issueCommand, then reply sent. Empty after an overrun. */
		timestamps: number[] | null;
	}

	export interface RunResult {
		reply: Uint8Array;
		meterUsage: MeterUsage;
	}

	export interface XSnapOptions {
		os: string;
		spawn: typeof spawn;
		fs: object;
		name?: string;
		handleCommand?: (request: Uint8Array) => Promise<Uint8Array>;
		stdout?: "ignore" | "inherit" | "pipe";
		stderr?: "ignore" | "inherit" | "pipe";
		/** Maximum compute per delivery; 0 means unlimited. */
		meteringLimit?: number;
	}

	export interface XSnap {
		evaluate(code: string): Promise<RunResult>;
		issueCommand(message: Uint8Array): Promise<RunResult>;
		close(): Promise<void>;
	}

	export function xsnap(options: XSnapOptions): Promise<XSnap>;
}
