import { test } from "uvu";
import * as assert from "uvu/assert";
import { BC20Error, E_ARGUMENT } from "../../firmware/bc20/errors.js";
import { isText, isTextByte } from "../../firmware/bc20/send-command.js";
import { checkCommandLine, checkHost, checkInt, isIPv4 } from "../../firmware/bc20/validate.js";
import { bytes } from "../support/bytes.js";

function refused(fn: () => unknown): boolean {
	try {
		fn();
	} catch (error) {
		return error instanceof BC20Error && error.code === E_ARGUMENT;
	}
	return false;
}

test("host names and IPv4 addresses that pass", () => {
	for (const host of [
		"127.0.0.1",
		"0.0.0.0",
		"255.255.255.255",
		"localhost",
		"a.b-c.example_1.com",
		"xn--bcher-kva.example",
		"A".repeat(63) + ".b",
		("a".repeat(63) + ".").repeat(3) + "a".repeat(63),
		"1.2.3.4a",
	]) {
		assert.is(checkHost(host), host);
	}
});

test("hostile or malformed host names are refused", () => {
	const hostile = [
		"",
		'a"b',
		'a",1,2,"x',
		"a,b",
		"a;b",
		"a\\b",
		"a b",
		" a",
		"a\r",
		"a\n",
		"a\rAT+QICLOSE=0",
		"\x00",
		"a\x1a",
		"a\x7f",
		"h\u00e9",
		"\u0430pple.com",
		"a".repeat(64) + ".b",
		"a".repeat(256),
		".a",
		"a.",
		"a..b",
		"256.1.1.1",
		"1.2.3",
		"1.2.3.4.5",
		"01234.1.1.1",
		"a:b",
		"[::1]",
		"a/b",
		"a@b",
		"a'b",
		"a%b",
		"a+b",
	];
	for (const host of hostile)
		assert.ok(
			refused(() => checkHost(host)),
			JSON.stringify(host),
		);
	for (const value of [undefined, null, 12, {}, ["a"]]) assert.ok(refused(() => checkHost(value)));
	assert.throws(() => checkHost('a"b'), /host contains a character not allowed in a host name \(code 34 at 1\)/);
	assert.ok(isIPv4("10.0.0.1"));
	assert.not.ok(isIPv4("10.0.0.256"));
});

test("integers", () => {
	assert.is(checkInt(undefined, 1, 5, "x", 3), 3);
	assert.is(checkInt(5, 1, 5, "x"), 5);
	for (const bad of [0, 6, 1.5, NaN, "3", null, Infinity]) assert.ok(refused(() => checkInt(bad, 1, 5, "x")));
	assert.ok(refused(() => checkInt(undefined, 1, 5, "x")));
});

test("raw command lines", () => {
	for (const ok of [
		"AT",
		"at",
		"ATI",
		"AT+CSQ",
		"AT+QISEND=?",
		"AT+QIRD=?",
		"AT+QISWTMD?",
		"AT+QICFG=?",
		"AT+QISTATE?",
		"AT+QISTATE=1,0",
		"AT+QIGETERROR",
		'AT+QPING=1,"127.0.0.1"',
		"AT+QISENDX=1",
	]) {
		assert.is(checkCommandLine(ok, 100), ok);
	}
	for (const bad of [
		"",
		"A",
		"XT",
		"AT\r",
		"AT\n",
		"AT\x00",
		"AT\x1a",
		"AT\u00ff",
		"AT;+CSQ",
		"AT+QISEND=0,1,a",
		"AT+QISENDEX=0,1,00",
		"AT+QIRD=0,1",
		"AT+QICLOSE=0",
		"AT+QICLOSE",
		'AT+QIOPEN=1,0,"TCP","a",1',
		'AT+QICFG="viewmode",1',
		"AT+QISWTMD=0,1",
		"AT + QICLOSE = 0",
		"at+qiclose=0",
		"AT" + "A".repeat(99),
	]) {
		assert.ok(
			refused(() => checkCommandLine(bad, 100)),
			JSON.stringify(bad),
		);
	}
});

test("which bytes go as text", () => {
	let text = "";
	for (let b = 0; b < 256; b++) if (isTextByte(b)) text += String.fromCharCode(b);
	assert.is(text, " !#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");
	assert.ok(isText(bytes("a b"), 0, 3));
	assert.not.ok(isText(bytes(" ab"), 0, 3));
	assert.not.ok(isText(bytes("ab "), 0, 3));
	assert.not.ok(isText(bytes(""), 0, 0));
});

test.run();
