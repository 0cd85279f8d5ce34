// Worker thread that owns the xsnap process for xs-runner.ts; the messages it
// takes and sends are the Request and Response types declared there.
//
// @agoric/xsnap's JavaScript API needs SES: its modules call the `harden` and
// `assert` globals at load time, which only `@endo/init` (lockdown) provides.
// Lockdown freezes every intrinsic of the realm it runs in; doing it in the
// test process would impose a frozen realm on every library the tests load
// (serialport, the emulator, uvu). A worker thread is a realm of its own, so
// the lockdown stays in here.
//
// Plain JavaScript: under Node 20 a worker thread does not get tsx's loader,
// even though it inherits `--import tsx`.
import "@endo/init";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { type } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { xsnap } from "@agoric/xsnap";

/** @import { Request, Response, ThreadOptions } from "./xs-runner.js" */

if (parentPort === null) throw new Error("xsnap-thread.mjs runs as a worker thread of xs-runner.ts");
const port = parentPort;
const decoder = new TextDecoder();

// What XS sent with issueCommand() during the delivery in progress.
/** @type {string[]} */
let reports = [];

const { meteringLimit, worker: build } = /** @type {ThreadOptions} */ (workerData);

const worker = await xsnap({
	name: "xs",
	os: type(),
	// @agoric/xsnap spawns the worker it built; another build of it (same
	// protocol) is started in its place, with its environment.
	spawn:
		build === undefined
			? spawn
			: (_binary, args, options) => spawn(build.binary, args, { ...options, env: { ...process.env, ...build.env } }),
	fs: { ...fs, ...fs.promises },
	meteringLimit,
	// XS print() and the worker's own diagnostics go to the test's console.
	stdout: "inherit",
	stderr: "inherit",
	handleCommand: async (message) => {
		reports.push(decoder.decode(message));
		return new Uint8Array(0);
	},
});

/** @param {Request} request */
async function handle(request) {
	if (request.kind === "close") {
		// A worker that already died (e.g. out of memory) rejects close(); the
		// delivery that hit the failure has reported it.
		await worker.close().catch(() => {});
		port.close();
		return;
	}
	const { id } = request;
	reports = [];
	try {
		const { reply, meterUsage } =
			request.kind === "evaluate" ? await worker.evaluate(request.source) : await worker.issueCommand(request.message);
		// reply is a view into the whole netstring buffer: copy so that only the
		// reply bytes are cloned to the other thread.
		port.postMessage(/** @type {Response} */ ({ id, ok: true, reply: reply.slice(), meterUsage, reports }));
	} catch (error) {
		port.postMessage(
			/** @type {Response} */ ({ id, ok: false, message: error instanceof Error ? error.message : String(error) }),
		);
	}
}

// One request at a time, so that `reports` belongs to exactly one delivery.
let queue = Promise.resolve();
port.on("message", (/** @type {Request} */ request) => {
	queue = queue.then(() => handle(request));
});
