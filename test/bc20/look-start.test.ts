// The look starts (bringUp "look" and "look-attached"): a tool that looks at
// a module another program set up writes no setting and closes no socket.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { E_STATE } from "../../firmware/bc20/errors.js";
import { isUrc } from "../../firmware/at/line-kind.js";
import { Harness, OK } from "../support/bc20-harness.js";

const ATTACHED = [
	["AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK],
	["AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK],
	["AT+CGPADDR=1", '\r\n+CGPADDR: 1,"127.0.0.2"\r\n' + OK],
] as const;

test("look: AT only, ready once the module answers; its echo stays on and is no sign of a reboot", () => {
	const h = new Harness({ bringUp: "look", echo: true });
	h.fake.expect("AT");
	h.start();
	assert.is(h.modem.state, "ready");
	assert.equal(h.ready, [{ address: "", registration: -1 }]);
	// A command later is echoed: no AT+QISTATE? reboot check, no bring-up again.
	h.fake.expect("AT+CGMR", "\r\nRevision: BC20JAR01A04\r\n" + OK);
	let lines: string[] = [];
	h.modem.command("AT+CGMR", (error, got) => {
		assert.is(error, null);
		lines = got;
	});
	h.settle();
	assert.equal(lines, ["Revision: BC20JAR01A04"]);
	assert.equal(h.fake.written, ["AT", "AT+CGMR"]);
	assert.is(h.modem.stats.rebootChecks, 0);
	assert.equal(h.fake.unexpected, []);
});

test("look: sockets are refused (the receive settings are not the driver's)", () => {
	const h = new Harness({ bringUp: "look" });
	h.fake.expect("AT");
	h.start();
	try {
		h.modem.open({ host: "127.0.0.1", port: 9000 });
		assert.unreachable("open() was taken");
	} catch (error) {
		assert.is((error as { code: number }).code, E_STATE);
	}
	assert.equal(h.fake.written, ["AT"]);
});

test("look-attached: AT, then registration, attach and address read; nothing written", () => {
	const h = new Harness({ bringUp: "look-attached", echo: true });
	h.fake.expect("AT");
	for (const [command, reply] of ATTACHED) h.fake.expect(command, reply);
	h.start();
	assert.is(h.modem.state, "ready");
	assert.equal(h.ready, [{ address: "127.0.0.2", registration: 1 }]);
	assert.equal(h.fake.written, ["AT", "AT+CEREG?", "AT+CGATT?", "AT+CGPADDR=1"]);
	// pdpdeact: attach is waited for again, read only.
	for (const [command, reply] of ATTACHED) h.fake.expect(command, reply);
	h.fake.send('\r\n+QIURC: "pdpdeact",1\r\n');
	h.settle();
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.written.slice(4), ["AT+CEREG?", "AT+CGATT?", "AT+CGPADDR=1"]);
	assert.equal(h.fake.unexpected, []);
});

test("look: a reboot runs the look start again, not the full one", () => {
	const h = new Harness({ bringUp: "look" });
	h.fake.expect("AT");
	h.start();
	h.fake.expect("AT");
	h.fake.send("\r\nRDY\r\n");
	h.settle();
	assert.is(h.modem.state, "ready");
	assert.equal(h.fake.written, ["AT", "AT"]);
	assert.is(h.ready.length, 2);
	assert.equal(h.fake.unexpected, []);
});

test("the trace hook gets each line's kind: a tool tells URCs from answers", () => {
	const seen: string[] = [];
	const h = new Harness({
		bringUp: "look",
		trace: (line, kind) => void (isUrc(kind) && seen.push(line)),
	});
	h.fake.send("\r\n+CEREG: 2\r\n");
	h.fake.expect("AT");
	h.start();
	h.fake.expect("AT+CEREG?", "\r\n+CEREG: 0,1\r\n" + OK);
	h.modem.command("AT+CEREG?", () => {});
	h.settle();
	h.fake.send("\r\n+CEREG: 1\r\n");
	h.settle();
	assert.equal(seen, ["+CEREG: 2", "+CEREG: 1"]);
});

test("bringUp must be one of the three", () => {
	assert.throws(() => new Harness({ bringUp: "quiet" as "look" }), /bringUp must be/);
});

test.run();
