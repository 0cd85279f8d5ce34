import { openSession } from "../../host-sim/modem-session.js";
import { createServer } from "node:net";

const data = Buffer.alloc(5000); for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 255;
const server = createServer((s) => { s.write(data); s.on("error", () => {}); });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as any).port;
const hex = process.argv[2] !== "text";
const session = await openSession({ baud: 921600, emulator: { bootDelayMs: Number(process.argv[3] ?? 400) }, modem: { receiveHex: hex } });
const em = session.emulator!;
const log: string[] = [];
const rx: Buffer[] = [];
let armed = false;
await new Promise<void>((resolve) => {
	const s = session.modem.open({ host: "127.0.0.1", port, mode: 0,
		onConnected() { log.push("connected"); },
		onReadable() { const b = new Uint8Array(4096); const n = s.read(b); rx.push(Buffer.from(b.subarray(0, n))); if (!armed) { armed = true; em.rebootAfterCommand("AT+QIRD", { cutResponseAfter: 300 }); } },
		onWarning(e) { log.push("warn " + e.message + " lost " + e.lost); },
		onError(e) { log.push("error " + e.message + " lost " + e.lost); resolve(); },
		onClose() { log.push("close"); resolve(); },
	});
	(globalThis as any).s = s;
});
const all = Buffer.concat(rx);
let prefix = 0; while (prefix < all.length && all[prefix] === data[prefix]) prefix++;
console.log(log, (globalThis as any).s.stats, "app got", all.length, "prefix-equal", prefix, "emu", em.stats.sockets[0]);
await session.close(); server.close();
