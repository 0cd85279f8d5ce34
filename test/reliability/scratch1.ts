import { openSession } from "../../host-sim/modem-session.js";
import { tcpEcho } from "../support/loopback-servers.js";
import { createServer } from "node:net";

const got: Buffer[] = [];
const server = createServer((s) => { s.on("data", (d) => got.push(d)); s.on("error", () => {}); });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as any).port;
const session = await openSession({ baud: 921600, emulator: { bootDelayMs: 400 } });
const em = session.emulator!;
const log: string[] = [];
const payload = Buffer.alloc(3000, 0x41);
await new Promise<void>((resolve) => {
	let sent = 0;
	const s = session.modem.open({ host: "127.0.0.1", port, mode: 0,
		onConnected() { log.push("connected"); em.rebootAfterCommand("AT+QISEND"); },
		onWritable() { if (sent < payload.length) sent += s.write(payload, sent); },
		onWarning(e) { log.push("warn " + e.message + " " + e.offset + "+" + e.count); },
		onError(e) { log.push("error " + e.message + " " + e.offset + "+" + e.count + " lost " + e.lost); resolve(); },
		onClose() { log.push("close"); resolve(); },
	});
	(globalThis as any).s = s;
});
await new Promise((r) => setTimeout(r, 300));
console.log(log, (globalThis as any).s.stats, "peer got", Buffer.concat(got).length);
console.log(em.commands.filter(c=>!c.startsWith("AT+QISEND")).slice(-12), em.commands.filter(c=>c.startsWith("AT+QISEND")).map(c=>c.slice(0,20)));
await session.close(); server.close();
