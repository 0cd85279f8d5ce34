// The manual's chapter 4, example by example, as transcripts: what the driver
// writes is compared with the manual's command lines where the driver makes
// the same choice, and the module's answers are the manual's, byte for byte.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BC20Error } from "../../firmware/bc20/errors.js";
import type { SocketRecord } from "../../firmware/bc20/qistate.js";
import { Harness } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { CLOSING, CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

const CHUNKINGS = [undefined, [1], [2, 3], [7]];

// The manual's examples start from the module's defaults: text receive format,
// view mode 0, showlength 0.
function manualModem(chunks?: number[], textSend = true): Harness {
	const h = new Harness({ receiveHex: false, viewMode: 0, showLength: false, textSend, chunks });
	h.bringUp({ hex: 0, view: 0, show: 0 });
	return h;
}

for (const chunks of CHUNKINGS) {
	const name = " (chunks " + (chunks ?? "whole") + ")";

	test("4.1.1 set up a TCP client in buffer access mode" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,1234,0', "\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n");
		const socket = h.open({ host: "127.0.0.1", port: 8062, localPort: 1234, mode: 0, connectId: 0 }, "");
		h.settle();
		assert.equal(h.takeLog(), ["0 connected", "0 writable 2048"]);
		assert.is(socket.state, CONNECTED);
		let records: SocketRecord[] | null = null;
		h.fake.expect("AT+QISTATE=1,0", '\r\n+QISTATE: 0,"TCP","127.0.0.1",8062,1234,2,1,0\r\n\r\nOK\r\n');
		h.modem.queryState({ connectId: 0 }, (error, r) => {
			assert.is(error, null);
			records = r;
		});
		h.settle();
		assert.equal(records, [
			{
				connectId: 0,
				serviceType: "TCP",
				address: "127.0.0.1",
				remotePort: 8062,
				localPort: 1234,
				state: CONNECTED,
				contextId: 1,
				accessMode: 0,
			},
		]);
		assert.equal(h.fake.unexpected, []);
	});

	test("4.1.2 send data in buffer access mode" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,1234,0');
		const socket = h.open({ host: "127.0.0.1", port: 8062, localPort: 1234 });
		h.takeLog();
		h.fake.expect("AT+QISEND=0,10,1234567890", "\r\nOK\r\n\r\nSEND OK\r\n");
		assert.is(socket.write(bytes("1234567890")), 10);
		h.settle();
		assert.equal(h.takeLog(), ["0 writable 2048"]);
		assert.is(socket.stats.sent, 10);
		// "SEND OK of the previous command has not been returned, so when new data
		// is sent, ERROR is returned": the driver never does that. It waits.
		h.fake.expect("AT+QISEND=0,10,1234567890", "\r\nOK\r\n");
		socket.write(bytes("1234567890"));
		h.settle();
		socket.write(bytes("abcdefghij"));
		h.settle();
		assert.equal(h.fake.written.slice(-1), ["AT+QISEND=0,10,1234567890"]);
		h.fake.expect("AT+QISEND=0,10,abcdefghij", "\r\nOK\r\n\r\nSEND OK\r\n");
		h.fake.send("\r\nSEND OK\r\n");
		h.settle();
		assert.equal(h.fake.written.slice(-2), ["AT+QISEND=0,10,1234567890", "AT+QISEND=0,10,abcdefghij"]);
		assert.is(socket.stats.sent, 30);
		assert.equal(h.fake.unexpected, []);
	});

	test("4.1.2 send hex string data" + name, () => {
		const h = manualModem(chunks, false);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,1234,0');
		const socket = h.open({ host: "127.0.0.1", port: 8062, localPort: 1234 });
		h.takeLog();
		h.fake.expect("AT+QISENDEX=0,5,3031323334", "\r\nOK\r\n\r\nSEND OK\r\n");
		socket.write(bytes("01234"));
		h.settle();
		assert.equal(h.takeLog(), ["0 writable 2048"]);
		assert.is(socket.stats.sent, 5);
		assert.equal(h.fake.unexpected, []);
	});

	test("4.1.3 receive data in buffer access mode" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,1234,0');
		const socket = h.open({ host: "127.0.0.1", port: 8062, localPort: 1234 });
		h.takeLog();
		h.fake
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 10\r\n1234567890\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
		h.fake.send('\r\n+QIURC: "recv",0\r\n');
		h.settle();
		assert.equal(h.takeLog(), ["0 readable 10"]);
		assert.is(h.readAll(socket), "1234567890");

		h.fake.expect('AT+QICFG="showlength",1', "\r\nOK\r\n");
		let configured: BC20Error | null | undefined;
		h.modem.configure({ showLength: true }, (error) => (configured = error));
		h.settle();
		assert.is(configured, null);

		// The manual reads 10 of 12 bytes; the driver asks for 512, the module
		// gives one node at a time.
		h.fake
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,2\r\n1234567890\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0\r\n12\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
		h.fake.send('\r\n+QIURC: "recv",0,12\r\n');
		h.settle();
		assert.equal(h.takeLog(), ["0 readable 10", "0 readable 12"]);
		assert.is(h.readAll(socket), "123456789012");

		// "The host has to use AT+QIRD to read the buffer data."
		h.fake
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 4,0\r\nfull\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
		h.fake.send('\r\n+QIURC: "recv",0,"buff full"\r\n');
		h.settle();
		assert.equal(h.takeLog(), ["0 warning 1009", "0 readable 4"]);
		assert.is(h.readAll(socket), "full");

		h.fake.expect('AT+QICFG="viewmode",1', "\r\nOK\r\n");
		h.modem.configure({ viewMode: 1 }, (error) => (configured = error));
		h.settle();
		assert.is(configured, null);
		h.fake.expect("AT+QISEND=0,12,012345678901", "\r\nOK\r\n\r\nSEND OK\r\n");
		socket.write(bytes("012345678901"));
		h.settle();
		h.takeLog();
		h.fake
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 10,2,0123456789\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0,01\r\n\r\nOK\r\n")
			.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
		h.fake.send('\r\n+QIURC: "recv",0,12\r\n');
		h.settle();
		assert.is(h.readAll(socket), "012345678901");
		assert.equal(h.fake.unexpected, []);
	});

	test("4.1.4 close a connection" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,1234,0');
		const socket = h.open({ host: "127.0.0.1", port: 8062, localPort: 1234 });
		h.takeLog();
		h.fake.expect("AT+QICLOSE=0", "\r\nOK\r\n\r\nCLOSE OK\r\n");
		socket.close();
		assert.is(socket.state, CLOSING);
		h.settle();
		assert.equal(h.takeLog(), ["0 closed"]);
		assert.is(socket.state, INITIAL);
		assert.equal(h.fake.unexpected, []);
	});

	test("4.2 TCP client in direct push mode" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",8062,0,1', "\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n");
		const socket = h.open({ host: "127.0.0.1", port: 8062, mode: 1 }, "");
		h.settle();
		assert.equal(h.takeLog(), ["0 connected", "0 writable 2048"]);
		assert.is(socket.mode, 1);
		let records: SocketRecord[] | null = null;
		h.fake.expect("AT+QISTATE=1,0", '\r\n+QISTATE: 0,"TCP","127.0.0.1",8062,0,2,1,1\r\n\r\nOK\r\n');
		h.modem.queryState({ connectId: 0 }, (_error, r) => (records = r));
		h.settle();
		assert.is(records![0].accessMode, 1);
		// 4.2.2
		h.fake.expect("AT+QISEND=0,10,1234567890", "\r\nOK\r\n\r\nSEND OK\r\n");
		socket.write(bytes("1234567890"));
		h.settle();
		h.takeLog();
		// 4.2.3, view mode 0: header CR LF data.
		h.fake.send('\r\n+QIURC: "recv",0,5\r\n12345\r\n');
		h.settle();
		assert.equal(h.takeLog(), ["0 readable 5"]);
		assert.is(h.readAll(socket), "12345");
		h.fake.expect('AT+QICFG="viewmode",1', "\r\nOK\r\n");
		h.modem.configure({ viewMode: 1 }, () => {});
		h.settle();
		h.fake.expect("AT+QISEND=0,12,012345678901", "\r\nOK\r\n\r\nSEND OK\r\n");
		socket.write(bytes("012345678901"));
		h.settle();
		h.takeLog();
		// View mode 1: header, comma, data.
		h.fake.send('\r\n+QIURC: "recv",0,12,012345678901\r\n');
		h.settle();
		assert.equal(h.takeLog(), ["0 readable 12"]);
		assert.is(h.readAll(socket), "012345678901");
		// 4.2.4
		h.fake.expect("AT+QICLOSE=0", "\r\nOK\r\n\r\nCLOSE OK\r\n");
		socket.close();
		h.settle();
		assert.equal(h.takeLog(), ["0 closed"]);
		assert.equal(h.fake.unexpected, []);
	});

	test("4.3 ping a remote server" + name, () => {
		const h = manualModem(chunks);
		// The manual's "hf.quectel,com" has a comma: a host name cannot.
		assert.throws(() => h.modem.ping("hf.quectel,com", {}, () => {}), /host contains a character not allowed/);
		h.fake.expect(
			'AT+QPING=1,"hf.quectel.com",4,4,32',
			'\r\nOK\r\n\r\n+QPING: 0,"127.0.0.1",32,192,255\r\n\r\n+QPING: 0,"127.0.0.1",32,240,255\r\n' +
				'\r\n+QPING: 0,"127.0.0.1",32,241,255\r\n\r\n+QPING: 0,"127.0.0.1",32,479,255\r\n' +
				"\r\n+QPING: 0,4,4,0,192,479,287\r\n",
		);
		const replies: number[] = [];
		let summary: unknown = null;
		h.modem.ping(
			"hf.quectel.com",
			{
				onReply(reply) {
					replies.push(reply.time);
				},
			},
			(error, s) => {
				assert.is(error, null);
				summary = s;
			},
		);
		h.settle();
		assert.equal(replies, [192, 240, 241, 479]);
		assert.equal(summary, { result: 0, sent: 4, received: 4, lost: 0, min: 192, max: 479, avg: 287 });
		assert.equal(h.fake.unexpected, []);
	});

	test("4.4 synchronize local time" + name, () => {
		const h = manualModem(chunks);
		h.fake.expect('AT+QNTP=1,"ntp5.aliyun.com"', '\r\nOK\r\n\r\n+QNTP: 0,"18/04/20,11:08:20:35+32"\r\n');
		let time: unknown = null;
		h.modem.ntp("ntp5.aliyun.com", {}, (error, t) => {
			assert.is(error, null);
			time = t;
		});
		h.settle();
		// Local 11:08:20 at UTC+8 (32 quarter hours).
		assert.equal(time, { utc: Date.UTC(2018, 3, 20, 3, 8, 20), zone: 32, text: "18/04/20,11:08:20:35+32" });
		assert.equal(h.fake.unexpected, []);
	});

	test("4.5 getting the last error code" + name, () => {
		const h = manualModem(chunks);
		h.fake
			.expect('AT+QIOPEN=1,0,"UDP","127.0.0.1",8063,0,1', "\r\nERROR\r\n")
			.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n");
		const errors: BC20Error[] = [];
		const socket = h.open(
			{
				type: "udp",
				host: "127.0.0.1",
				port: 8063,
				mode: 1,
				onError(e) {
					errors.push(e);
				},
			},
			"",
		);
		h.settle();
		assert.is(errors.length, 1);
		assert.is(errors[0].code, 552);
		assert.is(errors[0].description, "Invalid parameters");
		assert.is(errors[0].command, "AT+QIOPEN");
		assert.is(errors[0].socket, 0);
		assert.is(socket.state, INITIAL);
		// No AT+QICLOSE: the module never took the connectID.
		assert.equal(h.fake.written.slice(-2), ['AT+QIOPEN=1,0,"UDP","127.0.0.1",8063,0,1', "AT+QIGETERROR"]);
		h.fake.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n");
		let last: unknown[] = [];
		h.modem.lastError((error, code, description) => (last = [error, code, description]));
		h.settle();
		assert.equal(last, [null, 552, "invalid parameters"]);
		assert.equal(h.fake.unexpected, []);
	});
}

test.run();
