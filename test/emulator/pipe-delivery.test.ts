/**
 * Through the in-process pipe (host-sim/transport/pipe.ts), the module's
 * output reaches the host a turn of the event loop after it leaves, as from
 * a UART. What the host could know when it wrote a line is what it had
 * taken: a line written while a "closed" URC was on its way crossed it (no
 * violation), and one written while a final result was on its way overlaps
 * that command (a violation). Judged by what had left, a host that was
 * merely slow to take its input was blamed for a crossing (a `bc20 nc` test
 * failed so when the machine was loaded), and a real overlap went unseen.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { PipeTransport } from "../../host-sim/transport/pipe.js";
import { TcpPeer } from "../support/loopback-servers.js";
import { FAST } from "./module-harness.js";

// The host's side: what the pipe handed it, and waits on it.
class PipeHost {
	readonly emulator = new BC20Emulator(FAST);
	readonly transport = new PipeTransport(this.emulator);
	taken = "";
	#waiters: (() => void)[] = [];

	constructor() {
		this.transport.onData = (chunk) => {
			this.taken += Buffer.from(chunk).toString("latin1");
			for (const wake of this.#waiters.splice(0)) wake();
		};
	}

	send(text: string): void {
		const bytes = Buffer.from(text, "latin1");
		this.transport.write(bytes, 0, bytes.length);
	}

	// Until the host has taken `text` (after what it had taken at `from`).
	async took(text: string, from = 0, timeoutMs = 3000): Promise<number> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const at = this.taken.indexOf(text, from);
			if (at >= 0) return at + text.length;
			if (Date.now() > deadline)
				throw new Error(`the host never took ${JSON.stringify(text)}: ${JSON.stringify(this.taken)}`);
			await new Promise<void>((resolve) => {
				this.#waiters.push(resolve);
				setTimeout(resolve, 50);
			});
		}
	}

	// Calls `then` in the very turn the module sends `text`, before the pipe hands it over.
	onLeaving(text: string, then: () => void): void {
		let sent = "";
		const listener = (chunk: Buffer): void => {
			sent += chunk.toString("latin1");
			if (!sent.includes(text)) return;
			this.emulator.off("data", listener);
			then();
		};
		this.emulator.on("data", listener);
	}
}

test('a send written while the "closed" URC was on its way to the host crossed it: no violation; one written after the host took it is', async () => {
	const peer = await TcpPeer.start(false);
	const host = new PipeHost();
	try {
		await host.transport.open();
		let at = await host.took("+IP: ");
		host.send(`AT+QIOPEN=1,0,"TCP","127.0.0.1",${peer.port},0,0\r`);
		at = await host.took("+QIOPEN: 0,0\r\n", at);
		host.onLeaving('+QIURC: "closed",0\r\n', () => host.send("AT+QISEND=0,1,x\r"));
		(await peer.connection()).destroy();
		at = await host.took('+QIURC: "closed",0\r\n', at);
		at = await host.took("ERROR\r\n", at);
		assert.equal(host.emulator.violations, []);
		host.send("AT+QISEND=0,1,y\r");
		await host.took("ERROR\r\n", at);
		assert.equal(
			host.emulator.violations.map((v) => v.kind),
			["socket-not-open"],
		);
	} finally {
		await host.transport.close();
		await peer.close();
	}
});

test("a command written while the last one's OK was on its way to the host overlaps it", async () => {
	const host = new PipeHost();
	try {
		await host.transport.open();
		let at = await host.took("+IP: ");
		host.onLeaving("\r\nOK\r\n", () => host.send("AT+CGMR\r"));
		host.send("ATI\r");
		at = await host.took("Revision", at);
		await host.took("Revision", at);
		assert.equal(
			host.emulator.violations.map((v) => [v.kind, v.command]),
			[["overlap", "AT+CGMR"]],
		);
	} finally {
		await host.transport.close();
	}
});

test.run();
