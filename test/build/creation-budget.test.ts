// manifest.json's `creation` against the ESP32's memory. There,
// `creation.static` is the whole XS block (xs/platforms/mc/xsHosts.c): the
// initial chunks, the stack and the initial slot heap are carved from it when
// the machine is created, and both heaps grow inside it afterwards. A slot is
// 16 bytes there; the stack and the heap are counted in slots.
//
// What the firmware needs was measured in Moddable's own runtime (SDK 8.2.3,
// the lin build of this manifest, fixed-size heaps, the sensor app reporting
// over UDP and TCP to a loopback collector; README "Memory on the ESP32"):
// boot fails with 2100 slots and runs with 2175 (UDP; TCP ran with 2250),
// chunks fail at 30720 bytes and run at 32768. Chunks hold strings and byte
// buffers (the same size on the ESP32) and slot arrays (half the size there):
// the 64-bit figure bounds the ESP32's from above.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = new URL("../../", import.meta.url).pathname;
const { creation } = JSON.parse(readFileSync(`${root}manifest.json`, "utf8")) as {
	creation: {
		static: number;
		chunk: { initial: number; incremental: number };
		heap: { initial: number; incremental: number };
		stack: number;
	};
};

const SLOT = 16; // bytes, 32-bit XS
const MEASURED_SLOTS = 2250;
const MEASURED_CHUNKS = 32768;
const MARGIN = 1.25;

test("the ESP32 can create the machine: initial chunks, stack and heap fit the static block", () => {
	const initial = creation.chunk.initial + (creation.stack + creation.heap.initial) * SLOT;
	assert.ok(initial <= creation.static, `${initial} bytes at creation, static is ${creation.static}`);
});

test("the static block holds what the firmware was measured to need, with a quarter to spare", () => {
	const need = MEASURED_SLOTS * SLOT + MEASURED_CHUNKS + creation.stack * SLOT;
	assert.ok(need * MARGIN <= creation.static, `need ${need} bytes x ${MARGIN} > static ${creation.static}`);
	assert.ok(
		creation.heap.incremental > 0 && creation.chunk.incremental > 0,
		"both heaps must be able to grow into the rest of the block",
	);
});

test.run();
