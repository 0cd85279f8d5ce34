// Reboots at any point, pdpdeact, timeouts, and shutting the modem down.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BC20Error, E_CANCELLED, E_REBOOTED, E_STATE } from "../../firmware/bc20/errors.js";
import { expectBringUp, Harness, hexOf, OK } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { CLOSING, INITIAL } from "../../firmware/bc20/socket-constants.js";

const OPEN = (id: number, mode = 0) => "AT+QIOPEN=1," + id + ',"TCP","127.0.0.1",9000,0,' + mode;
const REBOOT = "\r\n\x00\xf0\xff\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n";

function ready(): Harness {
	const h = new Harness();
	h.bringUp();
	return h;
}

test("a reboot between QIOPEN's OK and +QIOPEN: the open fails with E_REBOOTED", () => {
	const h = ready();
	h.fake.expect(OPEN(0), OK + REBOOT);
	expectBringUp(h.fake);
	const socket = h.open({}, "");
	h.settle();
	assert.equal(h.takeLog(), ["0 error 1002"]);
	assert.is(socket.state, INITIAL);
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.unexpected, []);
});

test("a reboot between QISEND's OK and SEND OK: the bytes are reported of unknown fate (the module had taken them)", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QISEND=0,5,hello", OK + REBOOT);
	expectBringUp(h.fake);
	socket.write(bytes("hello"));
	h.settle();
	assert.equal(h.takeLog(), ["0 warning 1007 0+5", "0 error 1002 lost -1"]);
	assert.equal(h.fake.unexpected, []);
});

test("a reboot between QICLOSE's OK and CLOSE OK: the close completes", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	h.fake.expect("AT+QICLOSE=0", OK + REBOOT);
	expectBringUp(h.fake);
	socket.close();
	h.settle();
	assert.equal(h.takeLog(), ["0 closed"]);
	assert.equal(h.fake.unexpected, []);
});

test("a reboot fails the operation in flight and those waiting; a waiting mode switch hears it", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	const results: unknown[] = [];
	h.fake.expect('AT+QPING=1,"127.0.0.1",4,4,32', OK + '\r\n+QPING: 0,"127.0.0.1",32,5,64\r\n');
	h.modem.ping("127.0.0.1", {}, (e) => results.push(["ping", e?.code]));
	h.modem.resolve("localhost", (e) => results.push(["dns", e?.code]));
	h.modem.command("ATI", (e) => results.push(["ati", e?.code]));
	socket.setMode(1, (e) => results.push(["switch", e?.code]));
	h.settle();
	expectBringUp(h.fake);
	h.fake.send(REBOOT);
	h.settle();
	// The one-off operations' callbacks come from a fresh turn of the clock, the
	// socket's from the modem's: every one hears E_REBOOTED, in whatever order.
	assert.equal(
		results.map(String).sort(),
		[
			["ati", E_REBOOTED],
			["dns", E_REBOOTED],
			["ping", E_REBOOTED],
			["switch", E_REBOOTED],
		].map(String),
	);
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.unexpected, []);
});

test("an operation started from a callback of one the reboot failed is not lost", () => {
	const h = ready();
	const results: unknown[] = [];
	h.fake.expect('AT+QIDNSGIP=1,"a"', OK + REBOOT);
	expectBringUp(h.fake);
	h.fake.expect('AT+QIDNSGIP=1,"b"', OK + '\r\n+QIURC: "dnsgip",0,1,60\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n');
	h.modem.resolve("a", (error) => {
		results.push(error?.code);
		h.modem.resolve("b", (e, r) => results.push(e ?? r?.addresses));
	});
	h.settle();
	assert.equal(results, [E_REBOOTED, ["127.0.0.1"]]);
	assert.equal(h.fake.unexpected, []);
});

// Bring-up's steps after registration, as a re-attach writes them (the
// harness's default receive settings: hex, view mode 1, showlength).
function expectReattached(h: Harness): void {
	h.fake
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
		.expect("AT+CGPADDR=1", '\r\n+CGPADDR: 1,"10.9.9.9"\r\n' + OK)
		.expect('AT+QICFG="dataformat",0,1')
		.expect('AT+QICFG="viewmode",1')
		.expect('AT+QICFG="showlength",1')
		.expect("AT+QISTATE?");
}

test("pdpdeact: every socket fails with 570 after its data, and the service attaches again", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const a = h.open({});
	h.fake.expect(OPEN(1, 1));
	const b = h.open({ mode: 1 }, "1,0");
	h.takeLog();
	const errors: BC20Error[] = [];
	h.fake.always(
		"AT+QIRD=0,512",
		(() => {
			let first = true;
			return () => {
				const reply = first ? "\r\n+QIRD: 4,0," + hexOf("last") + "\r\n" + OK : "\r\n+QIRD: 0\r\n" + OK;
				first = false;
				return reply;
			};
		})(),
	);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n").always("AT+QICLOSE=1", OK + "\r\nCLOSE OK\r\n");
	h.fake.expect("AT+CEREG?", "\r\n+CEREG: 0,2\r\n" + OK).expect("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK);
	expectReattached(h);
	h.states.length = 0;
	h.fake.send('\r\n+QIURC: "pdpdeact",1\r\n');
	h.settle();
	assert.is(h.modem.state, "attaching");
	assert.throws(() => h.modem.open({ host: "127.0.0.1", port: 1 }), /not ready/);
	h.advance(3000);
	assert.is(h.modem.state, "ready");
	assert.equal(h.states, ["attaching", "configuring", "ready"]);
	assert.is(h.modem.address, "10.9.9.9");
	assert.equal(h.takeLog(), ["0 readable 4", "1 error 570"]);
	assert.is(b.state, INITIAL);
	assert.is(a.state, CLOSING);
	assert.is(h.readAll(a), "last");
	h.settle();
	assert.equal(h.takeLog(), ["0 error 570"]);
	assert.is(errors.length, 0);
	assert.equal(h.fake.unexpected, []);
});

test("a burst of pdpdeact while a command is on the wire: one re-attach, nothing thrown from receive", () => {
	const h = ready();
	// A ping holds the wire while the URCs come, so bring-up's steps queue.
	h.fake.expect('AT+QPING=1,"127.0.0.1",1,1,32', OK);
	h.modem.ping("127.0.0.1", { timeout: 1, count: 1 }, () => {});
	h.settle();
	h.fake.always("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK);
	expectReattached(h);
	h.fake.send('\r\n+QIURC: "pdpdeact",1\r\n'.repeat(6));
	h.settle();
	h.fake.send("\r\n+QPING: 570\r\n");
	h.advance(3000);
	assert.is(h.modem.state, "ready");
	// The abandoned runs' steps never reached the wire: after the ping, one re-attach.
	const after = h.fake.written.slice(h.fake.written.findIndex((w) => w.startsWith("AT+QPING")) + 1);
	assert.is(after.filter((w) => w === "AT+CEREG?").length, 1, JSON.stringify(after));
	assert.equal(h.fake.unexpected, []);
});

test("pdpdeact before an open was written: the open never goes out", () => {
	const h = ready();
	h.fake.expect('AT+QPING=1,"127.0.0.1",1,1,32', OK);
	h.modem.ping("127.0.0.1", { timeout: 1, count: 1 }, () => {});
	h.settle();
	const socket = h.open({}, "");
	h.fake.send('\r\n+QIURC: "pdpdeact",1\r\n');
	h.fake.always("AT+CEREG?", "\r\n+CEREG: 0,2\r\n" + OK);
	h.settle();
	h.fake.send("\r\n+QPING: 570\r\n");
	h.settle();
	assert.equal(h.takeLog(), ["0 error 570"]);
	assert.is(socket.state, INITIAL);
	assert.ok(!h.fake.written.some((l) => l.startsWith("AT+QIOPEN")));
});

test("reads that keep timing out stop after three tries, with a warning", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	h.open({});
	h.takeLog();
	h.fake.always("AT+QIRD=0,512", "").always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,5\r\n');
	h.advance(5000);
	assert.equal(h.takeLog(), ["0 warning 1001"]);
	assert.is(h.fake.written.filter((l) => l === "AT+QIRD=0,512").length, 3);
	// The next "recv" starts reading again.
	h.fake.clearStanding();
	// (After a timeout the channel writes a probe before the next command.)
	h.fake
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 2,0," + hexOf("ok") + "\r\n" + OK)
		.expect("AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK);
	h.fake.send('\r\n+QIURC: "recv",0,2\r\n');
	h.settle();
	assert.equal(h.takeLog(), ["0 readable 2"]);
});

test("close(): operations waiting fail with E_CANCELLED, sockets are dropped, start() brings it up again", () => {
	const h = ready();
	h.fake.expect(OPEN(0));
	const socket = h.open({});
	h.takeLog();
	const results: unknown[] = [];
	h.fake.expect('AT+QIDNSGIP=1,"a"', OK);
	h.modem.resolve("a", (e) => results.push(e?.code));
	h.modem.resolve("b", (e) => results.push(e?.code));
	h.settle();
	h.modem.close();
	h.settle();
	assert.equal(results, [E_CANCELLED, E_CANCELLED]);
	assert.is(h.modem.state, "closed");
	assert.is(socket.state, INITIAL);
	assert.equal(h.takeLog(), []);
	assert.throws(
		() => h.modem.resolve("c", () => {}),
		(e: BC20Error) => e.code === E_STATE,
	);
	const count = h.fake.written.length;
	h.advance(100000);
	assert.is(h.fake.written.length, count);
	// The module still has socket 0 open: the next bring-up closes it.
	expectBringUp(h.fake, undefined, '\r\n+QISTATE: 0,"TCP","127.0.0.1",9000,0,2,1,0\r\n');
	h.fake.expect("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	h.start();
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.unexpected, []);
});

test.run();
