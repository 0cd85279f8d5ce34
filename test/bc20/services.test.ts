import { test } from "uvu";
import * as assert from "uvu/assert";
import {
	BC20Error,
	describe,
	E_ARGUMENT,
	E_BAD_RESPONSE,
	E_CME,
	E_ERROR,
	E_QUEUE_FULL,
	E_STATE,
	E_TIMEOUT,
} from "../../firmware/bc20/errors.js";
import type { PingReply } from "../../firmware/bc20/ping.js";
import { Harness, hexOf, OK, ready, thrownCode } from "../support/bc20-harness.js";
import { CLOSING, CONNECTED, OPENING } from "../../firmware/bc20/socket-constants.js";
import { MANUAL_TEST_FORMS } from "../support/manual-test-forms.js";

const nop = () => {};

test("services refuse to run before ready, and bad arguments, sending nothing", () => {
	const h = new Harness();
	assert.is(
		thrownCode(() => h.modem.ping("127.0.0.1", {}, nop)),
		E_STATE,
	);
	assert.is(
		thrownCode(() => h.modem.resolve("localhost", nop)),
		E_STATE,
	);
	assert.is(
		thrownCode(() => h.modem.command("AT", nop)),
		E_STATE,
	);
	assert.is(
		thrownCode(() => h.modem.lastError(nop)),
		E_STATE,
	);
	h.bringUp();
	const before = h.fake.written.length;
	assert.is(
		thrownCode(() => h.modem.ping("127.0.0.1", { timeout: 0 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ping("127.0.0.1", { count: 11 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ping("127.0.0.1", { size: 31 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ping('a"b', {}, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ping("127.0.0.1", {}, undefined as never)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ntp("x,y", {}, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.ntp("pool", { port: 0 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.resolve("evil\r\nAT+QICLOSE=0", nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.configure({}, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.configure({ viewMode: 2 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.queryState({ connectId: 5 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.queryState({ connectId: 1, contextId: 1 }, nop)),
		E_ARGUMENT,
	);
	assert.is(
		thrownCode(() => h.modem.queryState({ contextId: 2 }, nop)),
		E_ARGUMENT,
	);
	h.settle();
	assert.is(h.fake.written.length, before);
});

test("the operation queue is bounded", () => {
	const h = ready({ queueSize: 2 });
	h.fake.expect('AT+QIDNSGIP=1,"a"', OK);
	h.modem.resolve("a", nop); // on the wire
	h.modem.resolve("b", nop);
	h.modem.resolve("c", nop);
	assert.is(
		thrownCode(() => h.modem.resolve("d", nop)),
		E_QUEUE_FULL,
	);
});

test("ping: replies, timeouts of single requests, the summary", () => {
	const h = ready();
	h.fake.expect(
		'AT+QPING=1,"127.0.0.1",1,3,64',
		OK +
			'\r\n+QPING: 0,"127.0.0.1",64,12,255\r\n\r\n+QPING: 569\r\n' +
			'\r\n+QPING: 0,"127.0.0.1",64,20,255\r\n\r\n+QPING: 0,3,2,1,12,20,16\r\n',
	);
	const replies: PingReply[] = [];
	let outcome: unknown[] = [];
	h.modem.ping(
		"127.0.0.1",
		{ timeout: 1, count: 3, size: 64, onReply: (r) => replies.push(r) },
		(error, summary) => (outcome = [error, summary]),
	);
	h.settle();
	assert.equal(
		replies.map((r) => [r.result, r.address, r.time]),
		[
			[0, "127.0.0.1", 12],
			[569, "", 0],
			[0, "127.0.0.1", 20],
		],
	);
	assert.equal(outcome, [null, { result: 0, sent: 3, received: 2, lost: 1, min: 12, max: 20, avg: 16 }]);
});

test("ping: a bare error code ends it (DNS failure); ERROR is explained; no answer times out", () => {
	const h = ready();
	h.fake.expect('AT+QPING=1,"nowhere",4,4,32', OK + "\r\n+QPING: 565\r\n");
	let error: BC20Error | null = null;
	h.modem.ping("nowhere", {}, (e) => (error = e));
	h.settle();
	assert.is(error!.code, 565);
	assert.is(error!.description, "DNS parse failed");
	h.fake
		.expect('AT+QPING=1,"127.0.0.1",4,4,32', "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 561,open pdp context failed\r\n" + OK);
	h.modem.ping("127.0.0.1", {}, (e) => (error = e));
	h.settle();
	assert.is(error!.code, 561);
	h.fake.expect('AT+QPING=1,"127.0.0.1",2,1,32', OK);
	h.modem.ping("127.0.0.1", { timeout: 2, count: 1 }, (e) => (error = e));
	h.advance(8000);
	assert.is(error!.code, E_TIMEOUT);
	assert.equal(h.fake.unexpected, []);
});

test("ntp: the write forms, the time, error codes", () => {
	const h = ready();
	const results: unknown[] = [];
	const callback = (error: BC20Error | null, time: unknown) => results.push(error?.code ?? time);
	h.fake
		.expect('AT+QNTP=1,"127.0.0.1",1123', OK + '\r\n+QNTP: 0,"21/12/31,23:59:58-20"\r\n')
		.expect('AT+QNTP=1,"127.0.0.1",123,1', OK + '\r\n+QNTP: 0,"2000/01/01,00:00:00 +00"\r\n')
		.expect('AT+QNTP=1,"127.0.0.1",123,0', OK + "\r\n+QNTP: 569\r\n")
		.expect('AT+QNTP=1,"127.0.0.1"', OK + '\r\n+QNTP: 0,"garbage"\r\n')
		.expect('AT+QNTP=1,"127.0.0.1"', "\r\n+CME ERROR: 30\r\n");
	h.modem.ntp("127.0.0.1", { port: 1123 }, callback);
	h.modem.ntp("127.0.0.1", { autoSetTime: true }, callback);
	h.modem.ntp("127.0.0.1", { autoSetTime: false }, callback);
	h.modem.ntp("127.0.0.1", {}, callback);
	h.modem.ntp("127.0.0.1", {}, callback);
	h.settle();
	assert.equal(results, [
		{ utc: Date.UTC(2022, 0, 1, 4, 59, 58), zone: -20, text: "21/12/31,23:59:58-20" },
		{ utc: Date.UTC(2000, 0, 1), zone: 0, text: "2000/01/01,00:00:00 +00" },
		569,
		E_BAD_RESPONSE,
		E_CME,
	]);
	assert.equal(h.fake.unexpected, []);
});

test("resolve: addresses and TTL; an error with or without a count; none", () => {
	const h = ready();
	const results: unknown[] = [];
	const callback = (error: BC20Error | null, r: unknown) => results.push(error?.code ?? r);
	h.fake
		.expect(
			'AT+QIDNSGIP=1,"localhost"',
			OK +
				'\r\n+QIURC: "dnsgip",0,2,600\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n' +
				'\r\n+QIURC: "dnsgip","127.0.0.2"\r\n',
		)
		.expect('AT+QIDNSGIP=1,"a.invalid"', OK + '\r\n+QIURC: "dnsgip",565\r\n')
		.expect('AT+QIDNSGIP=1,"b.invalid"', OK + '\r\n+QIURC: "dnsgip",565,0,0\r\n')
		.expect('AT+QIDNSGIP=1,"empty"', OK + '\r\n+QIURC: "dnsgip",0,0,0\r\n')
		.expect('AT+QIDNSGIP=1,"busy"', "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 564,dns busy\r\n" + OK);
	for (const host of ["localhost", "a.invalid", "b.invalid", "empty", "busy"]) h.modem.resolve(host, callback);
	h.settle();
	assert.equal(results, [
		{ addresses: ["127.0.0.1", "127.0.0.2"], ttl: 600 },
		565,
		565,
		{ addresses: [], ttl: 0 },
		564,
	]);
	assert.equal(h.fake.unexpected, []);
});

test("config: read every setting; configure writes, and the driver follows only after OK", () => {
	const h = ready();
	h.fake
		.expect('AT+QICFG="dataformat"', '\r\n+QICFG: "dataformat",0,1\r\n' + OK)
		.expect('AT+QICFG="viewmode"', '\r\n+QICFG: "viewmode",1\r\n' + OK)
		.expect('AT+QICFG="showlength"', '\r\n+QICFG: "showlength",0\r\n' + OK);
	let config: unknown = null;
	h.modem.config((_e, c) => (config = c));
	h.settle();
	assert.equal(config, { sendHex: false, receiveHex: true, viewMode: 1, showLength: false });
	// A refused change leaves the driver reading the old format.
	h.fake
		.expect('AT+QICFG="dataformat",0,0', "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK);
	let error: BC20Error | null = null;
	h.modem.configure({ receiveHex: false }, (e) => (error = e));
	h.settle();
	assert.is(error!.code, 552);
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const socket = h.open({ mode: 1 });
	h.fake.send('\r\n+QIURC: "recv",0,2,' + hexOf("hx") + "\r\n");
	h.settle();
	assert.is(h.readAll(socket), "hx");
	// Accepted: from now on text.
	h.fake
		.expect('AT+QICFG="dataformat",0,0', '\r\n+QICFG: "dataformat",0,0\r\n' + OK)
		.expect('AT+QICFG="viewmode",0', OK)
		.expect('AT+QICFG="showlength",0', OK);
	h.modem.configure({ receiveHex: false, viewMode: 0, showLength: false }, (e) => (error = e));
	h.settle();
	assert.is(error, null);
	h.fake.send('\r\n+QIURC: "recv",0,3\r\ntx\n\r\n');
	h.settle();
	assert.is(h.readAll(socket), "tx\n");
	// And later bring-ups apply the new settings.
	h.fake.send("\r\nRDY\r\n");
	h.fake
		.expect("AT")
		.expect("ATE0")
		.expect("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK)
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
		.expect("AT+CGPADDR=1", "\r\n+CGPADDR: 1,127.0.0.2\r\n" + OK)
		.expect('AT+QICFG="dataformat",0,0')
		.expect('AT+QICFG="viewmode",0')
		.expect('AT+QICFG="showlength",0')
		.expect("AT+QISTATE?");
	h.settle();
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.unexpected, []);
});

test("queryState: read form, by context, by connectID, empty", () => {
	const h = ready();
	const results: unknown[] = [];
	h.fake
		.expect(
			"AT+QISTATE?",
			'\r\n+QISTATE: 0,"TCP","127.0.0.1",80,4000,2,1,0\r\n' + '\r\n+QISTATE: 4,"UDP","10.0.0.1",53,4001,3,1,1\r\n' + OK,
		)
		.expect("AT+QISTATE=0,1", '\r\n+QISTATE: 4,"UDP","10.0.0.1",53,4001,1,1,1\r\n' + OK)
		.expect("AT+QISTATE=1,2", OK)
		.expect("AT+QISTATE=1,3", "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 550,unknown error\r\n" + OK);
	const callback = (e: BC20Error | null, records: unknown) => results.push(e?.code ?? records);
	h.modem.queryState(null, callback);
	h.modem.queryState({ contextId: 1 }, callback);
	h.modem.queryState({ connectId: 2 }, callback);
	h.modem.queryState({ connectId: 3 }, callback);
	h.settle();
	assert.equal(results, [
		[
			{
				connectId: 0,
				serviceType: "TCP",
				address: "127.0.0.1",
				remotePort: 80,
				localPort: 4000,
				state: CONNECTED,
				contextId: 1,
				accessMode: 0,
			},
			{
				connectId: 4,
				serviceType: "UDP",
				address: "10.0.0.1",
				remotePort: 53,
				localPort: 4001,
				state: CLOSING,
				contextId: 1,
				accessMode: 1,
			},
		],
		[
			{
				connectId: 4,
				serviceType: "UDP",
				address: "10.0.0.1",
				remotePort: 53,
				localPort: 4001,
				state: OPENING,
				contextId: 1,
				accessMode: 1,
			},
		],
		[],
		550,
	]);
	assert.equal(h.fake.unexpected, []);
});

test("a plain ERROR becomes the manual's code and description through AT+QIGETERROR, for 550-574", () => {
	const h = ready();
	for (let err = 550; err <= 574; err++) {
		h.fake
			.expect('AT+QIDNSGIP=1,"localhost"', "\r\nERROR\r\n")
			.expect("AT+QIGETERROR", "\r\n+QIGETERROR: " + err + ",whatever the module says\r\n" + OK);
		let error: BC20Error | null = null;
		h.modem.resolve("localhost", (e) => (error = e));
		h.settle();
		assert.is(error!.code, err);
		assert.is(error!.description, describe(err));
		assert.is(error!.command, "AT+QIDNSGIP");
	}
	// A code outside the table keeps the module's text.
	h.fake
		.expect('AT+QIDNSGIP=1,"localhost"', "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 600,new error\r\n" + OK);
	let error: BC20Error | null = null;
	h.modem.resolve("localhost", (e) => (error = e));
	h.settle();
	assert.is(error!.code, 600);
	assert.match(error!.message, /new error/);
	// AT+QIGETERROR itself failing: a plain ERROR.
	h.fake.expect('AT+QIDNSGIP=1,"localhost"', "\r\nERROR\r\n").expect("AT+QIGETERROR", "\r\nERROR\r\n");
	h.modem.resolve("localhost", (e) => (error = e));
	h.settle();
	assert.is(error!.code, E_ERROR);
	assert.equal(h.fake.unexpected, []);
});

test("lastError: code and description as the module prints them", () => {
	const h = ready();
	h.fake
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 0,operation successful\r\n" + OK)
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 566,socket connect failed, see log\r\n" + OK);
	const results: unknown[] = [];
	h.modem.lastError((e, c, d) => results.push([e, c, d]));
	h.modem.lastError((e, c, d) => results.push([e, c, d]));
	h.settle();
	assert.equal(results, [
		[null, 0, "operation successful"],
		[null, 566, "socket connect failed, see log"],
	]);
});

test("command: the test form of every TCP/IP command, read forms, text responses", () => {
	const h = ready();
	const tests: (readonly [string, readonly string[]])[] = [
		...MANUAL_TEST_FORMS,
		["AT+QISWTMD?", []],
		["AT+QISTATE?", ['+QISTATE: 0,"TCP","127.0.0.1",80,4000,2,1,0']],
		["ATI", ["Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A01"]],
		["AT+CGSN=1", ["+CGSN: 866425030000000"]],
		["at+csq", ["+CSQ: 20,99"]],
	];
	const results: unknown[] = [];
	for (const [line, lines] of tests) {
		h.fake.expect(line, lines.map((l) => "\r\n" + l + "\r\n").join("") + OK);
		h.modem.command(line, (error, got) => results.push([error, got]));
		h.settle();
	}
	assert.equal(
		results,
		tests.map(([, lines]) => [null, lines]),
	);
	assert.equal(h.fake.unexpected, []);
});

test("command: ERROR, +CME ERROR, timeout; driver-owned and malformed lines are refused", () => {
	const h = ready();
	const results: unknown[] = [];
	h.fake.expect("AT+FOO", "\r\nERROR\r\n").expect("AT+CFUN=9", "\r\n+CME ERROR: 50\r\n").expect("AT+COPS=?", "");
	h.modem.command("AT+FOO", (e) => results.push(e?.code));
	h.modem.command("AT+CFUN=9", (e) => results.push([e?.code, e?.cme]));
	h.modem.command("AT+COPS=?", { timeout: 1000 }, (e) => results.push(e?.code));
	h.advance(2000);
	assert.equal(results, [E_ERROR, [E_CME, 50], E_TIMEOUT]);
	const before = h.fake.written.length;
	for (const bad of [
		"AT+QISEND=0,5,hello",
		"AT+QISEND=0,1,?",
		"AT+QICLOSE=0",
		"AT+QIRD=0,512",
		'AT+QIOPEN=1,0,"TCP","x",1',
		'AT+QICFG="viewmode",0',
		'AT+QICFG="viewmode"',
		"AT+QISWTMD=0,1",
		"at+qisendex=0,1,00",
		"AT +QICLOSE=1",
		"AT+QICLOSE",
		"AT\r\nAT+QICLOSE=0",
		"AT\n",
		"AT+CSQ;+QICLOSE=0",
		"ATI\x00",
		"AT\u00e9",
		"+QICLOSE=0",
		"",
		"AT" + "x".repeat(2000),
	]) {
		assert.is(
			thrownCode(() => h.modem.command(bad, nop)),
			E_ARGUMENT,
			JSON.stringify(bad),
		);
	}
	h.settle();
	assert.is(h.fake.written.length, before);
});

test("configure: a write that times out is read back, and the driver follows what the module says", () => {
	const h = ready(); // view mode 1
	// The module applies view mode 0 but its OK is lost; the read-back finds it.
	h.fake
		.expect('AT+QICFG="viewmode",0', "")
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
		.expect('AT+QICFG="viewmode"', '\r\n+QICFG: "viewmode",0\r\n' + OK);
	let error: BC20Error | null | undefined;
	h.modem.configure({ viewMode: 0 }, (e) => (error = e));
	h.advance(2000);
	assert.is(error?.code, E_TIMEOUT, "the caller learns the write timed out");
	assert.is(h.fake.expectationsLeft, 0);
	// The reader parses view mode 0 pushes: the payload on the line after the header.
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,1');
	const socket = h.open({ mode: 1 });
	h.fake.send('\r\n+QIURC: "recv",0,2\r\n' + hexOf("ok") + "\r\n");
	h.settle();
	assert.is(h.readAll(socket), "ok");
	assert.equal(h.fake.unexpected, []);
});

test.run();
