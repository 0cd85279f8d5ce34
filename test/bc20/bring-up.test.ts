import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BC20Error, E_NO_ANSWER, E_NOT_ATTACHED, E_REBOOTED, E_SEND_UNKNOWN } from "../../firmware/bc20/errors.js";
import { BC20 } from "../../firmware/bc20/modem.js";
import { expectAttach, expectBringUp, expectProbe, Harness, hexOf, OK } from "../support/bc20-harness.js";
import { CLOSING, INITIAL } from "../../firmware/bc20/socket-constants.js";

test("nothing is written until start()", () => {
	const h = new Harness();
	h.settle();
	h.advance(10000);
	assert.equal(h.fake.written, []);
	assert.is(h.modem.state, "idle");
});

test("the usual bring-up, in order, reports ready with the address", () => {
	const h = new Harness();
	h.bringUp();
	assert.equal(h.fake.written, [
		"AT",
		"ATE0",
		"AT+CEREG?",
		"AT+CGATT?",
		"AT+CGPADDR=1",
		'AT+QICFG="dataformat",0,1',
		'AT+QICFG="viewmode",1',
		'AT+QICFG="showlength",1',
		"AT+QISTATE?",
	]);
	assert.equal(h.ready, [{ address: "127.0.0.2", registration: 1 }]);
	assert.equal(h.states, ["starting", "attaching", "configuring", "ready"]);
	assert.is(h.modem.address, "127.0.0.2");
	assert.equal(h.fake.unexpected, []);
});

test("start() twice is refused", () => {
	const h = new Harness();
	h.bringUp();
	assert.throws(() => h.modem.start({ onReady() {}, onError() {} }), /already started/);
});

test("echo on and boot garbage before the first OK are tolerated", () => {
	for (const seed of [1, 2, 3, 4, 5]) {
		const h = new Harness({ echo: true, seed, maxChunk: 5 });
		h.fake.send("\x00\xff\xfe\x80boot\x00rom\r\n\x1b[0m\xffgarbage");
		expectBringUp(h.fake);
		h.start();
		assert.is(h.modem.state, "ready", "seed " + seed);
		assert.equal(h.fake.unexpected, []);
	}
});

test("a silent module is retried, then the first answer synchronises", () => {
	const h = new Harness();
	// The first AT is lost; the channel then probes with AT+CGATT? before each retry.
	h.fake.expect("AT", "");
	h.start();
	h.advance(450);
	assert.equal(h.fake.written, ["AT"]);
	h.fake.expect("AT+CGATT?", "\r\n+CGATT: 0\r\n" + OK);
	expectBringUp(h.fake);
	h.advance(1000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.written.slice(0, 3), ["AT", "AT+CGATT?", "AT"]);
	assert.equal(h.fake.unexpected, []);
});

test("a module that never answers fails bring-up after syncAttempts", () => {
	const h = new Harness({ syncAttempts: 3 });
	h.start();
	h.advance(20000);
	assert.is(h.modem.state, "failed");
	assert.is(h.failures.length, 1);
	assert.is(h.failures[0].code, E_NO_ANSWER);
	// Nothing more is written once failed.
	const count = h.fake.written.length;
	h.advance(20000);
	assert.is(h.fake.written.length, count);
});

test("registration, attach and address are polled until they come", () => {
	const h = new Harness();
	h.fake
		.expect("AT")
		.expect("ATE0")
		.expect("AT+CEREG?", "\r\n+CEREG: 0,2\r\n" + OK)
		.expect("AT+CEREG?", "\r\n+CEREG: 0,0\r\n" + OK)
		.expect("AT+CEREG?", "\r\n+CEREG: 0,5\r\n" + OK)
		.expect("AT+CGATT?", "\r\n+CGATT: 0\r\n" + OK)
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
		.expect("AT+CGPADDR=1", OK)
		.expect("AT+CGPADDR=1", "\r\n+CGPADDR: 1,10.0.0.9\r\n" + OK)
		.expect('AT+QICFG="dataformat",0,1')
		.expect('AT+QICFG="viewmode",1')
		.expect('AT+QICFG="showlength",1')
		.expect("AT+QISTATE?");
	h.start();
	assert.is(h.modem.state, "attaching");
	h.advance(10000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.ready, [{ address: "10.0.0.9", registration: 5 }]);
	assert.equal(h.fake.unexpected, []);
});

test("an address damaged on the line is asked for again; IPv6 addresses pass", () => {
	for (const [damaged, address] of [
		["127.0.0M1", "10.0.0.9"],
		['"10.0.0.9\x00"', "2001:db8::9"],
		["10.0.0", "254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.9"],
	]) {
		const h = new Harness();
		expectBringUp(h.fake, undefined, "", [damaged, address]);
		h.start();
		h.advance(10000);
		assert.equal(h.ready, [{ address, registration: 1 }], damaged);
		assert.equal(h.fake.unexpected, []);
	}
});

test("no registration within attachTimeout fails with E_NOT_ATTACHED", () => {
	const h = new Harness({ attachTimeout: 5000 });
	h.fake
		.expect("AT")
		.expect("ATE0")
		.always("AT+CEREG?", "\r\n+CEREG: 0,2\r\n" + OK);
	h.start();
	h.advance(4000);
	assert.is(h.modem.state, "attaching");
	h.advance(2000);
	assert.is(h.modem.state, "failed");
	assert.is(h.failures[0].code, E_NOT_ATTACHED);
	assert.match(h.failures[0].message, /not registered/);
	// start() again after a failure.
	h.fake.clearStanding();
	expectBringUp(h.fake);
	h.start();
	assert.is(h.modem.state, "ready");
});

test("a setting whose answer was lost on the line is applied again", () => {
	// On a noisy line an OK can be lost: the step times out. A setting is
	// idempotent, so it goes again (after the probe), rather than failing bring-up.
	const h = new Harness();
	expectAttach(h.fake).expect('AT+QICFG="dataformat",0,1').expect('AT+QICFG="viewmode",1', "");
	expectProbe(h.fake);
	h.fake.expect('AT+QICFG="viewmode",1').expect('AT+QICFG="showlength",1').expect("AT+QISTATE?", "");
	expectProbe(h.fake);
	h.fake
		.expect("AT+QISTATE?", '\r\n+QISTATE: 2,"TCP","127.0.0.1",9000,0,2,1,2,1,"uart1"\r\n' + OK)
		.expect("AT+QICLOSE=2", OK + "\r\nCLOSE OK\r\n");
	h.start();
	h.advance(5000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.failures, []);
	assert.equal(h.fake.unexpected, []);
	assert.is(h.fake.expectationsLeft, 0);
});

test("a setting never answered fails bring-up after syncAttempts, naming the command", () => {
	const h = new Harness({ syncAttempts: 3 });
	expectAttach(h.fake)
		.always('AT+QICFG="dataformat",0,1', "")
		.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
	h.start();
	h.advance(20000);
	assert.is(h.modem.state, "failed");
	assert.is(h.failures.length, 1);
	assert.is(h.failures[0].code, E_NO_ANSWER);
	assert.is(h.failures[0].command, "AT+QICFG");
	assert.is(h.fake.written.filter((line) => line.startsWith("AT+QICFG")).length, 3);
});

test("a QICFG ERROR is explained by AT+QIGETERROR and fails bring-up", () => {
	const h = new Harness();
	expectAttach(h.fake)
		.expect('AT+QICFG="dataformat",0,1', "\r\nERROR\r\n")
		.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK);
	h.start();
	assert.is(h.modem.state, "failed");
	assert.is(h.failures[0].code, 552);
	assert.is(h.failures[0].description, "Invalid parameters");
	assert.is(h.failures[0].command, "AT+QICFG");
});

test("settings from the options are applied", () => {
	const h = new Harness({ receiveHex: false, viewMode: 0, showLength: false });
	h.bringUp({ hex: 0, view: 0, show: 0 });
	assert.equal(h.fake.unexpected, []);
});

test("sockets left open before a host reset are closed", () => {
	const h = new Harness();
	const states =
		'\r\n+QISTATE: 1,"TCP","127.0.0.1",9000,1234,2,1,0\r\n' + '\r\n+QISTATE: 3,"UDP","127.0.0.1",9001,0,3,1,1\r\n';
	expectBringUp(h.fake, undefined, states);
	h.fake.expect("AT+QICLOSE=1", OK + "\r\nCLOSE OK\r\n").expect("AT+QICLOSE=3", OK + "\r\nCLOSE OK\r\n");
	h.start();
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.written.slice(-2), ["AT+QICLOSE=1", "AT+QICLOSE=3"]);
	assert.equal(h.fake.unexpected, []);
});

test("a reboot during bring-up starts it over", () => {
	const h = new Harness();
	h.fake.expect("AT").expect("ATE0").expect("AT+CEREG?", "\r\nRDY\r\n");
	expectProbe(h.fake);
	expectBringUp(h.fake);
	h.start();
	// The probe waits for the cut AT+CEREG?'s answer until its deadline.
	h.advance(1000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.states, ["starting", "attaching", "starting", "attaching", "configuring", "ready"]);
	assert.equal(h.fake.unexpected, []);
});

test("a reboot while ready: sockets end with E_REBOOTED, settings are applied again", () => {
	const h = new Harness();
	h.bringUp();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const a = h.open({});
	h.fake.expect('AT+QIOPEN=1,1,"TCP","127.0.0.1",9000,0,0');
	const b = h.open({}, "1,0");
	// Socket 0 has 6 bytes waiting in the module; socket 1 has 3 bytes read
	// into its buffer that the app has not read yet.
	h.fake
		.expect("AT+QIRD=1,512", "\r\n+QIRD: 3,0," + hexOf("abc") + "\r\n" + OK)
		.expect("AT+QIRD=1,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",1,3\r\n');
	h.settle();
	h.takeLog();
	// The read of socket 0 never completes: the module reboots.
	h.fake.expect("AT+QIRD=0,512", "\r\n\x00\xff\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
	expectProbe(h.fake);
	expectBringUp(h.fake);
	h.fake.send('\r\n+QIURC: "recv",0,6\r\n');
	// The probe waits for the cut read's answer until its deadline.
	h.advance(1000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.ready.length, 2);
	// Socket 0 had nothing to read: it ends at once, saying that data the module
	// held was lost, amount unknown (-1: the module's buffer is gone with the
	// reboot, and a notice only tells of its first node); socket 1 ends after its data is read.
	assert.equal(h.takeLog(), ["0 error 1002 lost -1"]);
	assert.is(a.state, INITIAL);
	assert.is(b.state, CLOSING);
	assert.is(h.readAll(b), "abc");
	h.settle();
	assert.equal(h.takeLog(), ["1 error 1002 lost -1"]);
	assert.is(b.state, INITIAL);
	assert.equal(h.fake.unexpected, []);
});

test("a reboot after the module took a send (OK, no SEND OK yet): those bytes are reported of unknown fate", () => {
	const h = new Harness();
	h.bringUp();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const errors: BC20Error[] = [];
	const warnings: BC20Error[] = [];
	const s = h.open({
		onError(error) {
			errors.push(error);
		},
		onWarning(warning) {
			warnings.push(warning);
		},
	});
	h.fake.expect("AT+QISEND=0,5,hello", OK);
	s.write(new TextEncoder().encode("hello"));
	h.settle();
	h.fake.reboot();
	expectBringUp(h.fake);
	h.settle();
	assert.equal(h.fake.unexpected, []);
	// The module said OK: the bytes may have left before the reboot.
	assert.is(warnings.length, 1);
	assert.is(warnings[0].code, E_SEND_UNKNOWN);
	assert.is(warnings[0].offset, 0);
	assert.is(warnings[0].count, 5);
	assert.is(s.stats.unknown, 5);
	assert.is(errors.length, 1);
	assert.is(errors[0].code, E_REBOOTED);
	assert.match(errors[0].message, /socket 0: The module rebooted \(1002\)/);
});

test("options are checked; buffer sizes round up to a power of two", () => {
	const clock = { now: () => 0, set: () => 0, clear: () => {} };
	const transport = { write() {} };
	for (const bad of [
		{ queueSize: 0 },
		{ rxBufferSize: 512 },
		{ txBufferSize: 65536 },
		{ sockets: 6 },
		{ viewMode: 2 },
		{ receiveHex: 1 },
		{ baud: 0 },
		{ attachTimeout: 10 },
		{ syncAttempts: 0 },
		{ lineCapacity: 64 },
		{ trace: 1 },
	]) {
		assert.throws(() => new BC20({ transport, clock, ...bad } as never), /Invalid argument/, JSON.stringify(bad));
	}
	assert.throws(() => new BC20({ clock } as never), /transport/);
	const h = new Harness({ txBufferSize: 300, sockets: 2 });
	h.bringUp();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	assert.is(h.open({}).writable, 512);
	h.fake.expect('AT+QIOPEN=1,1,"TCP","127.0.0.1",9000,0,0');
	h.open({}, "1,0");
	assert.throws(() => h.modem.open({ host: "127.0.0.1", port: 1 }), /all 2 sockets are in use/);
});

test.run();
