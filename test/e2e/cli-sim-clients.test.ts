// bc20 sim logs each client that connects, leaves or is refused (another
// one holds the module); --quiet silences that.
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, simServer } from "../support/cli-process.js";

async function holdAndRefuse(extra: string[]): Promise<string> {
	const sim = await simServer(extra);
	let log = "";
	sim.child.stdout?.on("data", (d) => log += d);
	try {
		const holder = connect({ host: "127.0.0.1", port: sim.port });
		await new Promise((resolve) => holder.once("connect", resolve));
		const refused = await runCli(["--port", `tcp://127.0.0.1:${sim.port}`, "at", "AT"]);
		assert.is(refused.code, 1);
		holder.destroy();
		const served = await runCli(["--port", `tcp://127.0.0.1:${sim.port}`, "at", "AT"]);
		assert.is(served.code, 0, served.stderr);
		await new Promise((resolve) => setTimeout(resolve, 200));
		return log;
	}
	finally {
		sim.child.kill("SIGKILL");
	}
}

test("bc20 sim logs each client that connects, leaves, or is refused", async () => {
	const log = (await holdAndRefuse([])).split("\n").filter((line) => line.startsWith("client"));
	const [holder, refused, left, next, nextLeft] = log;
	assert.is(log.length, 5, log.join("\n"));
	assert.match(holder, /^client 127\.0\.0\.1:\d+ connected$/);
	assert.match(refused, /^client 127\.0\.0\.1:\d+ refused: another client has the module$/);
	assert.is(left, holder.replace("connected", "left"));
	assert.match(next, /^client 127\.0\.0\.1:\d+ connected$/);
	assert.is(nextLeft, next.replace("connected", "left"));
});

test("bc20 sim --quiet: no client lines", async () => {
	// Nothing after its "listening" line.
	assert.is(await holdAndRefuse(["--quiet"]), "");
});

test.run();
