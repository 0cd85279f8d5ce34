import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseModuleTime } from "../../firmware/bc20/module-time.js";

test("the manual's format and example", () => {
	assert.equal(parseModuleTime("18/04/20,11:08:20+32"), { utc: Date.UTC(2018, 3, 20, 3, 8, 20), zone: 32 });
	// The manual's own example has a fourth time field.
	assert.equal(parseModuleTime("18/04/20,11:08:20:35+32"), { utc: Date.UTC(2018, 3, 20, 3, 8, 20), zone: 32 });
});

test("variants: space before the zone, negative zone, no zone, four-digit year", () => {
	assert.equal(parseModuleTime("18/04/20,11:08:20 +32"), { utc: Date.UTC(2018, 3, 20, 3, 8, 20), zone: 32 });
	assert.equal(parseModuleTime("24/03/01,01:00:00-48"), { utc: Date.UTC(2024, 2, 1, 13, 0, 0), zone: -48 });
	assert.equal(parseModuleTime("24/02/29,23:59:59"), { utc: Date.UTC(2024, 1, 29, 23, 59, 59), zone: 0 });
	assert.equal(parseModuleTime("2024/12/31,23:59:60+00"), { utc: Date.UTC(2024, 11, 31, 23, 59, 60), zone: 0 });
	assert.equal(parseModuleTime('"1970/01/01,00:00:00+00"'), { utc: 0, zone: 0 });
	assert.equal(parseModuleTime("00/01/01,00:00:00+56"), { utc: Date.UTC(2000, 0, 1) - 56 * 15 * 60000, zone: 56 });
});

test("every day of a few years matches Date.UTC", () => {
	for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2101, 0, 1); t += 86400000 * 7 + 3723000) {
		const d = new Date(t);
		const text = `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()},${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}+00`;
		assert.is(parseModuleTime(text)?.utc, t - d.getUTCMilliseconds(), text);
	}
});

test("unreadable text", () => {
	for (const bad of [
		"",
		"garbage",
		"18/04/20",
		"18/13/20,11:08:20+32",
		"18/04/00,11:08:20",
		"18/04/20,24:00:00",
		"18/04/20,11:60:00",
		"18/04/20,11:08:20+97",
	]) {
		assert.is(parseModuleTime(bad), null, bad);
	}
});

test.run();
