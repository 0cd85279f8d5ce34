// bc20 sim logs each client that connects, leaves or is refused (another
// one holds the module); --quiet silences that.
import { connect, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { simServer } from "../support/cli-process.js";

// A client that connects and waits; destroy() makes it leave.
async function client(port: number): Promise<Socket> {
	const socket = connect({ host: "127.0.0.1", port });
	socket.resume(); // read (and drop) what it is sent, so its end comes
	socket.on("error", () => {});
	await new Promise((resolve) => socket.once("connect", resolve));
	return socket;
}

// One client holds the module, a second is refused (the line it reads is
// checked in cli-link.test.ts), the first leaves, a third comes and goes.
async function holdAndRefuse(extra: string[]): Promise<string> {
	const sim = await simServer(extra);
	let log = "";
	sim.child.stdout?.on("data", (d) => (log += d));
	try {
		const holder = await client(sim.port);
		const refused = await client(sim.port);
		await new Promise((resolve) => refused.once("close", resolve));
		holder.destroy();
		await new Promise((resolve) => setTimeout(resolve, 100));
		(await client(sim.port)).destroy();
		await new Promise((resolve) => setTimeout(resolve, 200));
		return log;
	} finally {
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
