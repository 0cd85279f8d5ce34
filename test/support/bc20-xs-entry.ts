// What test/bc20/xs.test.ts loads into the XS engine: a scenario through the
// whole service (bring-up, sockets of each kind, hostile payloads, a reboot),
// and a steady-state workload whose heap growth is measured. No Node APIs.
export { SteadyTraffic } from "./bc20-steady-traffic.js";
import { expectBringUp, Harness, hexOf, OK } from "./bc20-harness.js";
import { bytes } from "./bytes.js";

function check(failures: string[], name: string, actual: unknown, expected: unknown): void {
	const a = JSON.stringify(actual),
		e = JSON.stringify(expected);
	if (a !== e) failures.push(name + ": got " + a + ", expected " + e);
}

// Returns the failures (empty: all passed).
export function runScenario(): string[] {
	const failures: string[] = [];
	for (const chunking of [{}, { chunks: [1] }, { seed: 5, maxChunk: 9 }]) {
		const h = new Harness({ echo: true, ...chunking });
		h.fake.send("\x00\xff garbage\r\n");
		h.bringUp();
		check(failures, "ready", h.modem.state, "ready");
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
		const tcp = h.open({});
		h.fake.expect('AT+QIOPEN=1,1,"UDP","127.0.0.1",9000,0,1');
		const udp = h.open({ type: "udp", mode: 1 }, "1,0");
		const payload = '\r\nOK\r\n+QIURC: "recv",0,5\r\n\x00\x1a\xff';
		h.fake
			.expect("AT+QIRD=0,512", "\r\n+QIRD: " + payload.length + ",0," + hexOf(payload) + "\r\n" + OK)
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
		h.fake.send('\r\n+QIURC: "recv",0,' + payload.length + "\r\n");
		h.fake.send('\r\n+QIURC: "recv",1,3,' + hexOf("\r\n\x00") + "\r\n");
		h.settle();
		check(failures, "tcp data", h.readAll(tcp), payload);
		check(failures, "udp data", h.readAll(udp), "\r\n\x00|");
		h.fake.expect("AT+QISENDEX=0,3,0D0AFF", OK + "\r\nSEND FAIL\r\n");
		tcp.write(bytes("\r\n\xff"));
		h.settle();
		h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
		tcp.close();
		h.settle();
		expectBringUp(h.fake);
		h.fake.send("\r\nRDY\r\n");
		h.settle();
		check(failures, "log", h.takeLog(), [
			"0 connected",
			"0 writable 2048",
			"1 connected",
			"1 writable 512",
			"1 readable 3/1",
			"0 readable " + payload.length,
			"0 warning 1006 0+3",
			"0 writable 2048",
			"0 closed",
			"1 error 1002",
		]);
		check(failures, "ready again", h.ready.length, 2);
		check(failures, "unexpected", h.fake.unexpected, []);
		let error = "";
		try {
			h.modem.open({ host: 'a","b', port: 1 });
		} catch (e) {
			error = (e as Error).message;
		}
		check(failures, "hostile host", error.indexOf("not allowed") > 0, true);
	}
	return failures;
}
