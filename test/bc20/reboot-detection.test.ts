// Reboots the driver must notice without a RDY line: a damaged RDY, echo
// coming back, a socket the module no longer knows; and a +CPIN: inside a
// healthy session that must not be taken for a reboot.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { E_REBOOTED } from "../../firmware/bc20/errors.js";
import { expectBringUp, Harness, OK } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

const OPEN = (id: number) => "AT+QIOPEN=1," + id + ',"UDP","127.0.0.1",9000,0,0';
const LISTED = (id: number) => "\r\n+QISTATE: " + id + ',"UDP","127.0.0.1",9000,4000,2,1,0\r\n';
// RDY with one byte damaged: the driver cannot recognise it.
const DAMAGED_BOOT = "\r\n\x00\xf0\xff\r\nRDZ\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n";

function withIdleUdp(): { h: Harness; socket: ReturnType<Harness["open"]> } {
	const h = new Harness();
	h.bringUp();
	h.fake.expect(OPEN(0));
	const socket = h.open({ type: "udp" });
	h.settle();
	h.takeLog();
	return { h, socket };
}

test("a reboot whose RDY was damaged: the boot banner raises a check, the echo proves the reboot, the socket ends with E_REBOOTED and bring-up runs again", () => {
	const { h, socket } = withIdleUdp();
	h.fake.echo = true; // the module booted: echo is on again
	h.fake.expect("AT+QISTATE?", OK); // it knows no socket
	expectBringUp(h.fake);
	h.fake.send(DAMAGED_BOOT);
	h.settle();
	assert.equal(h.fake.unexpected, []);
	assert.is(h.modem.stats.rebootsDetected, 1);
	// The damaged line might have been a "recv" notice: what the module held is reported lost, count unknown.
	assert.equal(h.takeLog(), ["0 error " + E_REBOOTED + " lost -1"]);
	assert.is(socket.state, INITIAL);
	assert.is(h.modem.state, "ready");
	assert.is(h.ready.length, 2, "bring-up ran again");
});

test("+CPIN: READY inside a healthy session: the check finds the socket and no echo, and nothing changes", () => {
	const { h, socket } = withIdleUdp();
	h.fake.expect("AT+QISTATE?", LISTED(0) + OK);
	h.fake.send("\r\n+CPIN: READY\r\n");
	h.settle();
	assert.equal(h.fake.unexpected, []);
	assert.is(h.fake.expectationsLeft, 0, "the check was made");
	assert.is(h.modem.stats.rebootsDetected, 0);
	assert.equal(h.takeLog(), []);
	assert.is(socket.state, CONNECTED);
	h.fake.expect("AT+QISEND=0,2,hi", OK + "\r\nSEND OK\r\n");
	socket.write(bytes("hi"));
	h.settle();
	assert.is(socket.stats.sent, 2);
});

test("a send refused on a socket the module no longer lists: the check ends that socket (567), the others live on", () => {
	const { h, socket } = withIdleUdp();
	h.fake.expect(OPEN(1));
	const other = h.open({ type: "udp" }, "1,0");
	h.settle();
	h.takeLog();
	h.fake.expect("AT+QISEND=0,2,hi", "\r\nERROR\r\n");
	h.fake.expect("AT+QIGETERROR", "\r\n+QIGETERROR: 572,operation not allowed\r\n" + OK);
	h.fake.expect("AT+QISTATE?", LISTED(1) + OK);
	socket.write(bytes("hi"));
	h.settle();
	assert.equal(h.fake.unexpected, []);
	assert.is(h.fake.expectationsLeft, 0);
	const log = h.takeLog();
	assert.ok(log.includes("0 error 567"), JSON.stringify(log));
	assert.is(socket.state, INITIAL);
	assert.is(other.state, CONNECTED);
	assert.is(h.modem.stats.rebootsDetected, 0);
});

test("an AT+QISTATE? the app asked for that lacks a socket the driver holds raises the check", () => {
	const { h, socket } = withIdleUdp();
	h.fake.expect("AT+QISTATE?", OK); // the app's query: the module lists nothing
	h.fake.echo = true; // it rebooted: echo is on again
	h.fake.expect("AT+QISTATE?", OK); // the check
	expectBringUp(h.fake);
	let listed = -1;
	h.modem.queryState(null, (_error, records) => void (listed = records?.length ?? -1));
	h.settle();
	assert.is(listed, 0);
	assert.equal(h.fake.unexpected, []);
	assert.is(h.modem.stats.rebootsDetected, 1);
	assert.is(socket.state, INITIAL);
});

test.run();
