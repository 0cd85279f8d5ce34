// Driver + emulator end to end: TCP and UDP echo of payloads full of CR, LF,
// "OK", "+QIURC:", NUL, Ctrl-Z and 0xFF, in buffer access and direct push
// modes, for every receive setting (text or hex format, view mode 0 or 1,
// showlength on or off), compared byte for byte.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BC20 } from "../../firmware/bc20/modem.js";
import { openSession } from "../../host-sim/modem-session.js";
import { assertNoViolations } from "../support/emulator-violations.js";
import { hostilePayload, tcpEcho, udpEcho } from "../support/loopback-servers.js";

function tcpRoundTrip(modem: BC20, port: number, mode: number, payload: Uint8Array): Promise<Uint8Array> {
	return new Promise((resolve, reject) => {
		const received = new Uint8Array(payload.length);
		let got = 0,
			sent = 0;
		const socket = modem.open({
			type: "tcp",
			host: "127.0.0.1",
			port,
			mode,
			onWritable() {
				if (sent < payload.length) sent += socket.write(payload, sent, payload.length);
			},
			onReadable() {
				got += socket.read(received, got, received.length);
				if (got === payload.length) {
					socket.close();
					resolve(received);
				}
			},
			onError: reject,
			onWarning: reject,
		});
	});
}

function udpRoundTrip(modem: BC20, port: number, mode: number, datagrams: Uint8Array[]): Promise<Uint8Array[]> {
	return new Promise((resolve, reject) => {
		const back: Uint8Array[] = [];
		let next = 0;
		const socket = modem.open({
			type: "udp",
			host: "127.0.0.1",
			port,
			mode,
			onWritable() {
				while (next < datagrams.length && socket.write(datagrams[next]) > 0) next++;
			},
			onReadable() {
				while (socket.nextDatagramLength >= 0) {
					const d = new Uint8Array(socket.nextDatagramLength);
					socket.read(d);
					back.push(d);
				}
				if (back.length === datagrams.length) {
					socket.close();
					resolve(back);
				}
			},
			onError: reject,
			onWarning: reject,
		});
	});
}

const settings = [];
for (const receiveHex of [false, true])
	for (const viewMode of [0, 1])
		for (const showLength of [false, true]) settings.push({ receiveHex, viewMode, showLength });

for (const s of settings) {
	const name = `${s.receiveHex ? "hex" : "text"} receive, view mode ${s.viewMode}, showlength ${s.showLength ? 1 : 0}`;
	test(name, async () => {
		const session = await openSession({ baud: 921600, modem: s, emulator: { chunkSize: 61 } });
		const tcp = await tcpEcho(),
			udp = await udpEcho();
		try {
			for (const mode of [0, 1]) {
				const payload = hostilePayload(5000, 17 + mode);
				const back = await tcpRoundTrip(session.modem, tcp.port, mode, payload);
				assert.equal(
					Buffer.compare(Buffer.from(back), Buffer.from(payload)),
					0,
					`TCP ${mode ? "push" : "buffer"} byte-exact`,
				);
				const datagrams = [1, 17, 300, 512].map((n, i) => hostilePayload(n, 40 + i + mode));
				const echoed = await udpRoundTrip(session.modem, udp.port, mode, datagrams);
				const key = (d: Uint8Array) => Buffer.from(d).toString("hex");
				assert.equal(
					echoed.map(key).sort(),
					datagrams.map(key).sort(),
					`UDP ${mode ? "push" : "buffer"} datagrams byte-exact with boundaries`,
				);
			}
			assertNoViolations(session.emulator);
		} finally {
			await tcp.close();
			await udp.close();
			await session.close();
		}
	});
}

test.run();
