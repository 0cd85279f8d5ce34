// The distributable script and the ECMA-419 classes inside the real XS engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bundleForXS } from "../../scripts/xs-bundle.mjs";
import { startXS, type XS } from "./xs-runner.js";

let xs: XS;

test.before(async () => {
	xs = await startXS();
});

test.after(async () => {
	await xs?.close(); // undefined when the worker could not start: its error is the one to see
});

test("dist/xs/bc20.js's source runs as a plain script in XS and defines globalThis.bc20", async () => {
	await xs.evaluate(await bundleForXS("firmware/index.ts", { globalName: "bc20" }));
	const { value } = await xs.call<Record<string, string>>(
		"({ BC20: typeof bc20.BC20, TCP: typeof bc20.TCP, UDP: typeof bc20.UDP, Resolver: typeof bc20.Resolver, Channel: typeof bc20.Channel, E_TIMEOUT: typeof bc20.E_TIMEOUT })",
	);
	assert.equal(value, {
		BC20: "function",
		TCP: "function",
		UDP: "function",
		Resolver: "function",
		Channel: "function",
		E_TIMEOUT: "number",
	});
	const { value: built } = await xs.call<string>(
		"(() => { const m = new bc20.BC20({ transport: { write() {} }, clock: { now() { return 0; }, set() { return 1; }, clear() {} } }); return m.state; })()",
	);
	assert.is(built, "idle");
});

test("the TCP class and the resolver over the modem, driven like Moddable's clients, inside XS", async () => {
	await xs.evaluate(await bundleForXS("test/xs/net-entry.ts", { globalName: "net" }));
	const { value } = await xs.call<string[]>("net.runNetScenario()");
	assert.equal(value, []);
});

test.run();
