// Runs code inside Moddable's XS engine (the xsnap worker of @agoric/xsnap)
// from Node, with XS's own meters: operations executed and heap slots in use.
//
//   const xs = await startXS();
//   await xs.evaluate(await bundleForXS("firmware/index.ts", { globalName: "bc20" }));
//   const { value } = await xs.call("bc20.selfTest()");        // JSON back from XS
//   const heap = await measureHeapGrowth(xs, { setup, step, iterations: 1024 });
//   await xs.close();
//
// Inside XS, besides the worker's gc(), print() and performance.now():
//   report(value)      sends JSON.stringify(value) to Node; it appears in the
//                      `reports` of the delivery that sent it.
//   setWorkload(fn)    installs fn(iterations) for XS.run().
//
// Heap counts. `currentHeapCount` is read when a delivery ends, so it includes
// the garbage the delivery made. Every evaluate() also keeps one slot for
// good: XS names each evaluated script with a new key ("#12"), and keys are
// never collected. XS.run() therefore goes through the command channel
// (xsnap's handleCommand), which evaluates nothing: it calls gc(), runs the
// installed workload, and replies from a preallocated buffer, so two runs of
// a workload that allocates nothing end with the same heap count.
import { existsSync } from "node:fs";
import { type } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { MeterUsage } from "@agoric/xsnap";

export interface StartOptions {
	/** XS operations one delivery may execute before xsnap kills the worker.
	 * 0 (the default) means no limit: @agoric/xsnap's own default of 1e8 is
	 * less than a 1 MB workload needs. */
	meteringLimit?: number;
	/** Another build of xsnap's worker (same protocol) and the environment it
	 * starts with; default: the worker @agoric/xsnap built at install. */
	worker?: { binary: string; env?: Record<string, string> };
}

/** What XS measured for one delivery (an evaluate, call or run). */
export interface Delivery {
	/** XS operations executed (an unsigned 32-bit counter in the worker). */
	compute: number;
	/** Heap slots in use when the delivery ended, garbage included. */
	heapCount: number;
	/** Milliseconds the XS process spent on the delivery (parsing included),
	 * excluding the round trips of report(); undefined when the worker's
	 * timestamp buffer overflowed (more than 250 report() calls). */
	xsMs: number | undefined;
	/** The values XS passed to report(), in order. */
	reports: unknown[];
}

export interface CallResult<T> extends Delivery {
	/** The expression's value after a JSON round trip; undefined stays undefined. */
	value: T;
}

export interface WorkloadRun extends Delivery {
	/** performance.now() inside XS around the workload alone (not the gc()). */
	workloadMs: number;
}

export interface XS {
	/** Evaluates a script at global scope: `var` and function declarations
	 * become globals, `let`/`const` stay local to the script. Rejects with the
	 * XS exception, e.g. "Uncaught exception in xs: TypeError: ...". */
	evaluate(source: string): Promise<Delivery>;
	/** Evaluates an expression and returns its value, serialized with JSON
	 * inside XS. A promise is refused: XS has no timers here to settle it. */
	call<T = unknown>(expression: string): Promise<CallResult<T>>;
	/** Runs gc(), then the workload installed with setWorkload(fn), as
	 * fn(iterations); with 0 iterations, heapCount is the live heap. */
	run(iterations: number): Promise<WorkloadRun>;
	/** Sends `message` to the handleCommand function XS defines (replacing the
	 * prelude's) and returns the ArrayBuffer it returned. */
	command(message: Uint8Array): Promise<Delivery & { reply: Uint8Array }>;
	/** Ends the xsnap process and the worker thread. */
	close(): Promise<void>;
}

const PRELUDE = `(() => {
  const encoder = new TextEncoder();
  // The reply of handleCommand comes from this buffer: a new one would be
  // counted in the heap count of the very delivery that measures the heap.
  const elapsed = new Float64Array(1);
  let workload = (iterations) => {};
  globalThis.report = (value) => {
    // JSON has no undefined: send null rather than text Node cannot parse.
    issueCommand(encoder.encode(JSON.stringify(value) ?? "null").buffer);
  };
  globalThis.setWorkload = (fn) => {
    workload = fn;
  };
  globalThis.handleCommand = (message) => {
    const iterations = new Uint32Array(message)[0];
    gc();
    const start = performance.now();
    workload(iterations);
    elapsed[0] = performance.now() - start;
    return elapsed.buffer;
  };
})();`;

/** Where @agoric/xsnap's install script puts the worker it compiles
 * (the same path its src/xsnap.js spawns). */
export function xsnapWorkerPath(): string {
	const platform = ({ Linux: "lin", Darwin: "mac" } as Record<string, string | undefined>)[type()];
	if (platform === undefined) throw new Error(`@agoric/xsnap has no worker for ${type()}`);
	const index = import.meta.resolve("@agoric/xsnap");
	return fileURLToPath(new URL(`../xsnap-native/xsnap/build/bin/${platform}/release/xsnap-worker`, index));
}

export async function startXS({ meteringLimit = 0, worker }: StartOptions = {}): Promise<XS> {
	const binary = worker?.binary ?? xsnapWorkerPath();
	if (!existsSync(binary)) {
		const message =
			"XS tests need the xsnap worker binary built by @agoric/xsnap's install script; " +
			`run \`npm rebuild @agoric/xsnap\` (needs make and a C compiler). Expected it at ${binary}`;
		// uvu reports a failing before-hook without its error: say it here too.
		process.stderr.write(`${message}\n`);
		throw new Error(message);
	}
	const thread = new Worker(new URL("./xsnap-thread.mjs", import.meta.url), {
		workerData: { meteringLimit, worker } satisfies ThreadOptions,
	});
	const xs = new XSWorker(thread);
	try {
		await xs.evaluate(PRELUDE);
	} catch (error) {
		await xs.close();
		throw error;
	}
	return xs;
}

// The protocol with xsnap-thread.mjs (exported for its JSDoc).
export interface ThreadOptions {
	meteringLimit: number;
	worker: StartOptions["worker"];
}
/** A delivery to the xsnap process: a script to evaluate, or a message for
 * the handleCommand function XS defines. */
export type Job = { kind: "evaluate"; source: string } | { kind: "command"; message: Uint8Array };
// "close" has no response: the thread exits once the xsnap process has.
export type Request = (Job & { id: number }) | { kind: "close" };
export type Response = { id: number } & (
	{ ok: true; reply: Uint8Array; meterUsage: MeterUsage; reports: string[] } | { ok: false; message: string }
);
type Success = Extract<Response, { ok: true }>;
type Waiter = { resolve: (response: Success) => void; reject: (error: Error) => void };

class XSWorker implements XS {
	readonly #thread: Worker;
	readonly #waiting = new Map<number, Waiter>();
	#nextId = 0;
	/** Set once the thread is gone or going: every later request fails with it. */
	#ended: Error | undefined;
	#closing: Promise<void> | undefined;

	constructor(thread: Worker) {
		this.#thread = thread;
		// The thread keeps the process alive only while a request is pending, so a
		// test file that fails before close() still ends.
		thread.unref();
		thread.on("message", (response: Response) => this.#settle(response));
		thread.on("error", (error) => this.#end(error));
		thread.on("exit", (code) => this.#end(new Error(`the XS worker thread exited with code ${code}`)));
	}

	async evaluate(source: string): Promise<Delivery> {
		return delivery(await this.#request({ kind: "evaluate", source }));
	}

	async call<T = unknown>(expression: string): Promise<CallResult<T>> {
		const response = await this.#request({
			kind: "evaluate",
			source: `(() => {
        const value = (${expression}
        );
        if (value instanceof Promise) throw new TypeError("call() cannot wait for a promise");
        const json = JSON.stringify(value);
        return json === undefined ? undefined : new TextEncoder().encode(json).buffer;
      })()`,
		});
		const text = new TextDecoder().decode(response.reply);
		return { ...delivery(response), value: (text === "" ? undefined : JSON.parse(text)) as T };
	}

	async run(iterations: number): Promise<WorkloadRun> {
		if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffffffff) {
			throw new RangeError(`iterations must be an unsigned 32-bit integer, got ${iterations}`);
		}
		const response = await this.#request({
			kind: "command",
			message: new Uint8Array(Uint32Array.of(iterations).buffer),
		});
		const reply = response.reply;
		return { ...delivery(response), workloadMs: new DataView(reply.buffer, reply.byteOffset, 8).getFloat64(0, true) };
	}

	async command(message: Uint8Array): Promise<Delivery & { reply: Uint8Array }> {
		const response = await this.#request({ kind: "command", message });
		return { ...delivery(response), reply: response.reply };
	}

	close(): Promise<void> {
		this.#closing ??= this.#ended
			? Promise.resolve()
			: new Promise<void>((resolve) => {
					this.#ended = new Error("the XS worker is closed");
					this.#thread.ref();
					this.#thread.once("exit", () => resolve());
					this.#thread.postMessage({ kind: "close" } satisfies Request);
				});
		return this.#closing;
	}

	#request(job: Job): Promise<Success> {
		if (this.#ended) return Promise.reject(this.#ended);
		const id = this.#nextId++;
		if (this.#waiting.size === 0) this.#thread.ref();
		return new Promise((resolve, reject) => {
			this.#waiting.set(id, { resolve, reject });
			this.#thread.postMessage({ id, ...job } satisfies Request);
		});
	}

	#settle(response: Response): void {
		const waiter = this.#waiting.get(response.id);
		if (waiter === undefined) return;
		this.#waiting.delete(response.id);
		if (this.#waiting.size === 0) this.#thread.unref();
		if (response.ok) waiter.resolve(response);
		else waiter.reject(new Error(response.message));
	}

	#end(error: Error): void {
		this.#ended ??= error;
		for (const waiter of this.#waiting.values()) waiter.reject(error);
		this.#waiting.clear();
	}
}

function delivery({ meterUsage, reports }: Success): Delivery {
	return {
		compute: meter(meterUsage, "compute"),
		heapCount: meter(meterUsage, "currentHeapCount"),
		xsMs: xsMilliseconds(meterUsage.timestamps),
		reports: reports.map((json) => JSON.parse(json) as unknown),
	};
}

function meter(usage: MeterUsage, name: "compute" | "currentHeapCount"): number {
	const value = usage[name];
	if (value === null) throw new Error(`the xsnap worker reported no ${name}: was it built without metering?`);
	return value;
}

// The worker stamps (in seconds) receipt of the delivery, each issueCommand
// as a before/after pair, and the reply: [received, sent, answered, ..., replied].
// XS runs between an even stamp and the next; Node runs between odd and even.
function xsMilliseconds(timestamps: number[] | null): number | undefined {
	if (timestamps === null || timestamps.length < 2 || timestamps.length % 2 !== 0) return undefined;
	let seconds = 0;
	for (let i = 0; i < timestamps.length; i += 2) seconds += timestamps[i + 1]! - timestamps[i]!;
	return seconds * 1000;
}

export interface HeapWorkload {
	/** Statements run once inside XS; their bindings are visible to `step`. */
	setup?: string;
	/** Statements run `iterations` times; `i` is the iteration number. */
	step: string;
	/** Iterations measured. */
	iterations: number;
	/** Iterations run before measuring, so that anything created lazily on
	 * first use already exists (default: 1). */
	warmup?: number;
}

export interface HeapGrowth {
	/** Live heap slots after gc(), before the measured run. */
	baseline: number;
	/** Heap count right after the measured run minus `baseline`: the slots the
	 * run allocated, garbage included. 0 means the run allocated no slot (a
	 * positive count could only shrink if XS collected on its own mid-run). */
	growth: number;
	/** Live slots after a gc() following the run minus `baseline`: what the
	 * workload kept. */
	retained: number;
	/** XS operations of the measured iterations (the empty run's overhead subtracted). */
	compute: number;
	/** XS time of the measured iterations (performance.now() inside XS). */
	workloadMs: number;
}

/** Installs `setup`/`step` as the workload, warms it up, then compares an
 * empty run with the measured one; both start with gc(). */
export async function measureHeapGrowth(
	xs: XS,
	{ setup = "", step, iterations, warmup = 1 }: HeapWorkload,
): Promise<HeapGrowth> {
	await xs.evaluate(`setWorkload((() => {
    ${setup}
    ;return (iterations) => {
      for (let i = 0; i < iterations; i++) {
        ${step}
      }
    };
  })());`);
	await xs.run(warmup);
	const empty = await xs.run(0);
	const measured = await xs.run(iterations);
	const after = await xs.run(0);
	return {
		baseline: empty.heapCount,
		growth: measured.heapCount - empty.heapCount,
		retained: after.heapCount - empty.heapCount,
		compute: measured.compute - empty.compute,
		workloadMs: measured.workloadMs,
	};
}
