/**
 * Identity and signal: IMEI, IMSI, ICCID, firmware, signal, bands, eDRX and
 * the PDP context, in the manuals' shapes, well-formed, drawn from the seed
 * (the same for a seed, another for another) unless configured.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withLuhn } from "../../host-sim/emulator/module-identity.js";
import { checkViolationsAfterEach, framed, ModuleHarness } from "./module-harness.js";

checkViolationsAfterEach(test);

const OK = framed("OK");

/** The information lines of a command's answer. */
async function lines(m: ModuleHarness, command: string): Promise<string[]> {
	const answer = await m.command(command);
	assert.ok(answer.endsWith(OK), `${command}: ${JSON.stringify(answer)}`);
	return answer
		.slice(command.length + 1, -OK.length)
		.split("\r\n")
		.filter((line) => line !== "");
}

async function identityOf(seed: number): Promise<string[]> {
	const m = await ModuleHarness.boot({ seed });
	try {
		const answers: string[] = [];
		for (const command of [
			"AT+CGSN=1",
			"AT+CIMI",
			"AT+QCCID",
			"AT+CGMR",
			"AT+CSQ",
			"AT+CESQ",
			"AT+QBAND?",
			"AT+CGDCONT?",
			"AT+CEREG?",
		]) {
			answers.push(...(await lines(m, command)));
		}
		return answers;
	} finally {
		await m.close();
	}
}

test("every identity and signal query answers in the manual's shape, with valid check digits, the same for a seed", async () => {
	const a = await identityOf(5);
	const [imei, imsi, iccid, revision, csq, cesq, band, cgdcont, cereg] = a;
	assert.match(imei!, /^\+CGSN: 86772403\d{7}$/);
	assert.is(withLuhn(imei!.slice(7, 21)), imei!.slice(7), "IMEI check digit");
	assert.match(imsi!, /^46004\d{10}$/);
	assert.match(iccid!, /^\+QCCID: 898604\d{14}$/);
	assert.is(withLuhn(iccid!.slice(8, 27)), iccid!.slice(8), "ICCID check digit");
	assert.is(revision, "Revision: BC20JAR01A04");
	const rssi = Number(/^\+CSQ: (\d+),99$/.exec(csq!)?.[1]);
	assert.ok(rssi >= 0 && rssi <= 31, csq);
	assert.match(cesq!, /^\+CESQ: 99,99,255,255,\d+,\d+$/);
	assert.is(band, "+QBAND: 3,5,8,20,28");
	assert.is(cgdcont, '+CGDCONT: 1,"IP","nbiot","127.0.0.1",0,0');
	assert.is(cereg, "+CEREG: 0,1");
	assert.equal(await identityOf(5), a);
	assert.not.equal((await identityOf(6)).slice(0, 3), a.slice(0, 3));
});

test("configured identity; no signal before registration; QBAND and CEDRXS write and read back", async () => {
	const m = await ModuleHarness.boot(
		{
			attachDelayMs: 200,
			identity: { imei: "490154203237518", iccid: "89860000000000000005", rssi: 20, firmware: "BC20JAR01A05" },
		},
		false,
	);
	try {
		assert.equal(await lines(m, "AT+CSQ"), ["+CSQ: 99,99"], "not registered yet");
		assert.equal(await lines(m, "AT+CESQ"), ["+CESQ: 99,99,255,255,255,255"]);
		await m.until("+IP: 127.0.0.1\r\n");
		assert.equal(await lines(m, "AT+CSQ"), ["+CSQ: 20,99"]);
		assert.equal(await lines(m, "AT+CGSN=1"), ["+CGSN: 490154203237518"]);
		assert.equal(await lines(m, "AT+QCCID"), ["+QCCID: 89860000000000000005"]);
		assert.equal(await lines(m, "ATI"), ["Quectel_Ltd", "Quectel_BC20", "Revision: BC20JAR01A05"]);
		assert.equal(await lines(m, "AT+CEDRXS?"), [], "eDRX off: nothing listed");
		assert.is(await m.command('AT+CEDRXS=1,5,"0101"'), `AT+CEDRXS=1,5,"0101"\r${OK}`);
		assert.equal(await lines(m, "AT+CEDRXS?"), ['+CEDRXS: 5,"0101"']);
		assert.is(await m.command("AT+QBAND=2,8,20"), `AT+QBAND=2,8,20\r${OK}`);
		assert.equal(await lines(m, "AT+QBAND?"), ["+QBAND: 8,20"]);
		assert.match((await lines(m, "AT+QBAND=?"))[0]!, /^\+QBAND: \(1,2,3,5,8,/);
		assert.equal(await lines(m, "AT+CSQ=?"), ["+CSQ: (0-31,99),(99)"]);
	} finally {
		await m.close();
	}
});

test("invalid band and eDRX settings are refused (and recorded as malformed)", async () => {
	const m = await ModuleHarness.boot();
	m.expectViolations("malformed");
	try {
		for (const bad of ["AT+QBAND=2,8", "AT+QBAND=1,4", 'AT+CEDRXS=1,5,"012"', "AT+CEDRXS=1,4"]) {
			assert.is(await m.command(bad), `${bad}\r${framed("ERROR")}`);
		}
		assert.is(m.emulator.violations.length, 4);
	} finally {
		await m.close();
	}
});

test.run();
