// What test/xs/net-in-xs.test.ts loads into XS: the ECMA-419 TCP class and the
// resolver over the real modem and a scripted module, used the way Moddable's
// clients use them. No Node APIs.
import { Resolver } from "../../firmware/net/dns.js";
import { TCP } from "../../firmware/net/tcp.js";
import { Harness, hexOf, OK } from "../support/bc20-harness.js";
import { bytes, latin1 } from "../support/bytes.js";

export function runNetScenario(): string[] {
	const failures: string[] = [];
	const check = (name: string, actual: unknown, expected: unknown) => {
		const a = JSON.stringify(actual),
			e = JSON.stringify(expected);
		if (a !== e) failures.push(name + ": got " + a + ", expected " + e);
	};
	const h = new Harness({ echo: true });
	h.bringUp();
	const events: string[] = [];
	let inside = false;
	h.fake.expect(
		'AT+QIDNSGIP=1,"collector.test"',
		OK + '\r\n+QIURC: "dnsgip",0,1,600\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n',
	);
	let address = "";
	new Resolver({ modem: h.modem }).resolve({ host: "collector.test", onResolved: (_host, a) => (address = a) });
	h.settle();
	check("resolved", address, "127.0.0.1");

	// Buffer access mode, the TCP class's default: the module holds the data until read.
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",80,0,0', OK + "\r\n+QIOPEN: 0,0\r\n");
	let received = "";
	inside = true;
	const tcp: TCP = new TCP({
		modem: h.modem,
		address,
		port: 80,
		onWritable(count: number) {
			if (inside) events.push("callback inside a call");
			events.push("writable " + count);
		},
		onReadable(count: number) {
			if (inside) events.push("callback inside a call");
			this.format = "number";
			const first = this.read() as number;
			this.format = "buffer";
			const rest = new Uint8Array(count - 1);
			const n = this.read(rest) as number;
			received += String.fromCharCode(first) + latin1(rest, 0, n);
		},
		onError() {
			events.push("error " + (tcp.lastError?.code ?? ""));
		},
	});
	inside = false;
	h.settle();
	const request = "GET / HTTP/1.1\r\nhost: collector.test\r\n\r\n";
	h.fake.expect("AT+QISENDEX=0," + request.length + "," + hexOf(request).toUpperCase(), OK + "\r\nSEND OK\r\n");
	inside = true;
	tcp.write(bytes(request));
	inside = false;
	h.settle(); // the request goes out (from a turn of the clock) before the reply comes
	const reply = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nOK";
	h.fake.send('\r\n+QIURC: "recv",0,' + reply.length + "\r\n");
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: " + reply.length + ",0," + hexOf(reply) + "\r\n" + OK);
	h.fake.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "closed",0\r\n');
	h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.settle();
	check("received", received, reply);
	check("events", events, ["writable 2048", "writable 2048", "error 1010"]);
	check("unexpected", h.fake.unexpected, []);
	return failures;
}
