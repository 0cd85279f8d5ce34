// The real serial transport's open errors: one sentence, no stack trace.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TransportError } from "../../host-sim/transport/host-transport.js";
import { serialOpenError, SerialTransport } from "../../host-sim/transport/serial.js";

async function openError(path: string): Promise<Error> {
	try {
		await new SerialTransport({ path, baud: 9600 }).open();
	} catch (error) {
		return error as Error;
	}
	throw new Error(`opening ${path} should have failed`);
}

test("a nonexistent device path", async () => {
	const error = await openError("/dev/ttyBC20-does-not-exist");
	assert.instance(error, TransportError);
	assert.is(error.message, "no such port /dev/ttyBC20-does-not-exist");
});

test("a path that is not a serial device", async () => {
	assert.is((await openError("/")).message, "/ is not a serial port");
});

test("open() after a failed open() tries again rather than claiming it is open", async () => {
	const transport = new SerialTransport({ path: "/dev/ttyBC20-does-not-exist", baud: 9600 });
	for (let i = 0; i < 2; i++) {
		await transport.open().then(
			() => assert.unreachable("open() should have failed"),
			(error: Error) => assert.is(error.message, "no such port /dev/ttyBC20-does-not-exist"),
		);
	}
	assert.throws(() => transport.write(new Uint8Array(1), 0, 1), /at 9600 baud is not open/);
});

// Failures a test cannot provoke as root or without hardware, from the
// binding's own texts (bindings-cpp serialport_unix.cpp, the mock binding).
test("binding messages become sentences a user can act on", () => {
	const cases: [string, string][] = [
		[
			"Error: Permission denied, cannot open /dev/ttyUSB0",
			"permission denied opening /dev/ttyUSB0 (on Linux, add your user to the dialout group)",
		],
		["Error Resource temporarily unavailable Cannot lock port", "/dev/ttyUSB0 is in use by another program"],
		["Port is locked cannot open", "/dev/ttyUSB0 is in use by another program"],
		["Error: Inappropriate ioctl for device setting custom baud rate of 9600", "/dev/ttyUSB0 is not a serial port"],
		["Error: Invalid argument setting custom baud rate of 9600", "/dev/ttyUSB0 does not support 9600 baud"],
		["Error: Input/output error, cannot open /dev/ttyUSB0", "cannot open /dev/ttyUSB0: Input/output error"],
		["Error Input/output error Cannot open /dev/ttyUSB0", "cannot open /dev/ttyUSB0: Input/output error"],
	];
	for (const [binding, sentence] of cases) {
		const error = serialOpenError("/dev/ttyUSB0", 9600, new Error(binding));
		assert.is(error.message, sentence);
		assert.is((error.cause as Error).message, binding);
	}
});

test.run();
