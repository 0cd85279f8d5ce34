/** The UART served over TCP: one client at a time, raw bytes both ways. */
import { connect, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { serveEmulatorUart } from "../../host-sim/sim-server.js";
import { assertNoViolations } from "../support/emulator-violations.js";
import { FAST } from "./module-harness.js";

function connectClient(port: number): Promise<{ socket: Socket; text: () => string; ended: Promise<void> }> {
	return new Promise((resolve) => {
		let text = "";
		const socket = connect({ host: "127.0.0.1", port }, () => resolve({ socket, text: () => text, ended }));
		socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
		const ended = new Promise<void>((done) => socket.once("close", () => done()));
	});
}

async function waitForText(client: { text: () => string }, expected: string): Promise<void> {
	const deadline = Date.now() + 2000;
	while (!client.text().includes(expected)) {
		if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(expected)} in ${JSON.stringify(client.text())}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

test("a TCP client talks to the module; a second client is turned away; a later one is served", async () => {
	const emulator = new BC20Emulator(FAST);
	const server = await serveEmulatorUart(emulator, { port: 0 });
	try {
		assert.ok(server.port > 0);
		assert.is(server.host, "127.0.0.1");
		const first = await connectClient(server.port);
		emulator.start();
		await waitForText(first, "+IP: 127.0.0.1\r\n");
		first.socket.write("AT+CGMR\r");
		await waitForText(first, "AT+CGMR\r\r\nRevision: BC20JAR01A04\r\n\r\nOK\r\n");

		// Told why, in one line, and closed.
		const second = await connectClient(server.port);
		await second.ended;
		assert.match(second.text(), /^\r\nbc20 sim: busy: another client \(127\.0\.0\.1:\d+\) has the module's UART\r\n$/);

		first.socket.destroy();
		await first.ended;
		await new Promise((resolve) => setTimeout(resolve, 20));
		const third = await connectClient(server.port);
		third.socket.write("AT\r");
		await waitForText(third, "AT\r\r\nOK\r\n");
		assert.equal(emulator.commands, ["AT+CGMR", "AT"]);
		assertNoViolations(emulator);
		third.socket.destroy();
	} finally {
		await server.close();
		await emulator.close();
	}
});

test("close() disconnects the client and frees the port", async () => {
	const emulator = new BC20Emulator(FAST);
	const server = await serveEmulatorUart(emulator);
	const client = await connectClient(server.port);
	await server.close();
	await client.ended;
	await emulator.close();
	const refused = await new Promise<string>((resolve) => {
		connect({ host: "127.0.0.1", port: server.port })
			.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? ""))
			.on("connect", () => resolve("connected"));
	});
	assert.is(refused, "ECONNREFUSED");
});

test.run();
