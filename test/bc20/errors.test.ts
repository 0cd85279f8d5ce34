import { test } from "uvu";
import * as assert from "uvu/assert";
import {
	DONE_CANCELLED,
	DONE_CME_ERROR,
	DONE_ERROR,
	DONE_NOT_SENT,
	DONE_REBOOT,
	DONE_SEND_FAIL,
	DONE_TIMEOUT,
} from "../../firmware/at/result.js";
import {
	BC20Error,
	describe,
	E_ARGUMENT,
	E_CANCELLED,
	E_CME,
	E_ERROR,
	E_REBOOTED,
	E_SEND_FAILED,
	E_TIMEOUT,
	resultError,
} from "../../firmware/bc20/errors.js";

test("the manual's descriptions for 0 and 550-574", () => {
	const manual = [
		"Unknown error",
		"Operation blocked",
		"Invalid parameters",
		"Memory not enough",
		"Create socket failed",
		"Operation not supported",
		"Socket bind failed",
		"Socket listen failed",
		"Socket write failed",
		"Socket read failed",
		"Socket accept failed",
		"Open PDP context failed",
		"Close PDP context failed",
		"Socket identity has been used",
		"DNS busy",
		"DNS parse failed",
		"Socket connect failed",
		"Socket has been closed",
		"Operation busy",
		"Operation timeout",
		"PDP context broken down",
		"Cancel send",
		"Operation not allowed",
		"APN not configured",
		"Port busy",
	];
	assert.is(describe(0), "Operation successful");
	for (let code = 550; code <= 574; code++) assert.is(describe(code), manual[code - 550]);
});

test("driver codes have their own descriptions, outside 550-574", () => {
	const seen = new Set<string>();
	for (let code = 1001; code <= 1016; code++) {
		const text = describe(code);
		assert.not.match(text, /^Error /);
		assert.not.ok(seen.has(text));
		seen.add(text);
	}
	assert.is(describe(999), "Error 999");
});

test("a BC20Error carries code, description, command, socket", () => {
	const error = new BC20Error(566, "", "AT+QIOPEN", 2);
	assert.instance(error, Error);
	assert.is(error.name, "BC20Error");
	assert.is(error.code, 566);
	assert.is(error.description, "Socket connect failed");
	assert.is(error.command, "AT+QIOPEN");
	assert.is(error.socket, 2);
	assert.is(error.message, "AT+QIOPEN: socket 2: Socket connect failed (566)");
	assert.is(new BC20Error(1004, "port must be an integer").message, "Invalid argument (1004): port must be an integer");
});

test("channel results become errors", () => {
	assert.is(resultError(DONE_TIMEOUT, 0, "AT").code, E_TIMEOUT);
	assert.is(resultError(DONE_REBOOT, 0, "AT").code, E_REBOOTED);
	assert.is(resultError(DONE_CANCELLED, 0, "AT").code, E_CANCELLED);
	assert.is(resultError(DONE_SEND_FAIL, 0, "AT").code, E_SEND_FAILED);
	assert.is(resultError(DONE_ERROR, 0, "AT").code, E_ERROR);
	const unsent = resultError(DONE_NOT_SENT, 0, "AT+QIDNSGIP");
	assert.is(unsent.code, E_ARGUMENT, "a command that never reached the wire is not the module's ERROR");
	assert.match(unsent.message, /nothing was sent/);
	const cme = resultError(DONE_CME_ERROR, 30, "AT+CFUN", 1);
	assert.is(cme.code, E_CME);
	assert.is(cme.cme, 30);
	assert.is(cme.message, "AT+CFUN: socket 1: +CME ERROR (1011): code 30");
});

test.run();
