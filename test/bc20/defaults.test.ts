// The driver's default receive configuration: text (AT+QICFG="dataformat",0,0),
// view mode 1, showlength 1. Text takes half the UART time of hex and a
// fraction of its decoding work; the README says why.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20 } from "../../firmware/bc20/modem.js";
import { FakeModule } from "../support/bc20-fake-module.js";
import { expectBringUp } from "../support/bc20-harness.js";
import { VirtualClock } from "../support/virtual-clock.js";

test("by default data is received as text, in view mode 1 with showlength", () => {
	const fake = new FakeModule();
	const clock = new VirtualClock();
	const modem = new BC20({ transport: fake, clock });
	fake.connect((chunk, start, end) => modem.receive(chunk, start, end));
	expectBringUp(fake, { hex: 0, view: 1, show: 1 });
	modem.start({ onReady() {}, onError() {} });
	for (let i = 0; i < 100 && (fake.pump() || clock.fireOne()); i++);
	assert.equal(fake.unexpected, []);
	assert.is(modem.state, "ready");
});

test.run();
