// The XS side of the device test: what Moddable's native host does around a
// JavaScript app, driven by the Node side (../device-runner.ts) through
// xsnap's command channel. The entry module of ../firmware-modules.ts imports
// it ahead of firmware/main.ts, so it is evaluated first.
//
// The Moddable modules are the stand-ins of test/platform/fake-moddable.ts
// (ESP32 serial FIFOs and ISR flags, Moddable's timer rules); this file only
// moves bytes and time into them. One delivery from Node is one pass of the
// device's main loop:
//   "R" + bytes   bytes arrive on the UART's RX line (into the 128-byte FIFO)
//   "S" + count   the UART shifted `count` bytes of the TX FIFO onto the line
//   "T"           nothing new: timers are due
// then the posted serial callbacks run (onReadable, then onWritable, as
// serialDeliver does), then the due timers, each as its own turn from this
// frame. The reply (JSON) gives Node the bytes that left on the TX line, what
// is still in the TX FIFO, when the next timer is due, the bytes the RX FIFO
// dropped, the console text, and the peak stack of the delivery.
import { FakeSerial, FakeTimer, timerWorld } from "../../platform/fake-moddable.js";

declare function stackPeak(): number;
declare function resetStackPeak(): void;
declare function stackDepth(): number;
declare const performance: { now(): number };
declare function setImmediate(callback: () => void): void;

interface Reply {
	tx: number[];
	txCount: number;
	next: number; // ms until the next timer is due, -1 for none
	lost: number;
	log: string;
	peak: number; // stack slots at the deepest point of the delivery
	callback: number; // stack slots in use inside a callback this host calls
	native: number; // the same for a callback called from C at rest, as Moddable's loop does
}

const started = performance.now();

// Calibration. Node's deliveries reach the firmware's callbacks through
// xsnap's host call, handleCommand and the stand-ins' dispatch; Moddable's
// native loop calls them straight from C at rest. Two probes measure the
// depth inside a callback in each case (xsnap runs setImmediate callbacks
// from C once a delivery's jobs are done), so a peak can be restated as the
// device would reach it.
let callbackDepth = -1;
let nativeDepth = -1;
const probe = new FakeSerial({
	baud: 115200,
	receive: 0,
	onReadable() {
		callbackDepth = stackDepth();
	},
});
setImmediate(() => {
	nativeDepth = stackDepth();
});
const encoder = new TextEncoder();
let output = "";

// Moddable's global trace(): console output without a newline.
(globalThis as { trace?: unknown }).trace = (text: unknown) => {
	output += String(text);
};

function now(): number {
	const ms = Math.floor(performance.now() - started);
	return ms > timerWorld.now ? ms : timerWorld.now;
}

function nextTimer(): number {
	let next = -1;
	for (const timer of timerWorld.timers) {
		if (timer.unscheduled) continue;
		const due = timer.triggerTime - timerWorld.now;
		if (next < 0 || due < next) next = due > 0 ? due : 0;
	}
	return next;
}

(globalThis as { handleCommand?: unknown }).handleCommand = (message: ArrayBuffer): ArrayBuffer => {
	// What ran between deliveries (the firmware's import) counts too.
	let peak = stackPeak();
	resetStackPeak();
	const bytes = new Uint8Array(message);
	if (callbackDepth < 0) {
		probe.arrive(bytes, 0, 1);
		probe.deliver();
	}
	timerWorld.now = now();
	const serial = FakeSerial.last === probe ? null : FakeSerial.last; // null until main.ts made its own
	if (bytes[0] === 0x52 /* R */ && serial !== null) serial.arrive(bytes, 1, bytes.length);
	if (bytes[0] === 0x53 /* S */ && serial !== null) serial.shiftOut(bytes[1]! | (bytes[2]! << 8));
	while (serial !== null && serial.deliver());
	FakeTimer.advanceTo(now());
	const measured = stackPeak();
	if (measured > peak) peak = measured;
	resetStackPeak();
	const reply: Reply = {
		tx: serial === null ? [] : Array.from(serial.wire.subarray(0, serial.wireCount)),
		txCount: serial?.txCount ?? 0,
		next: nextTimer(),
		lost: serial?.lost ?? 0,
		log: output,
		peak,
		callback: callbackDepth,
		native: nativeDepth,
	};
	if (serial !== null) serial.wireCount = 0;
	output = "";
	return encoder.encode(JSON.stringify(reply)).buffer as ArrayBuffer;
};

export type { Reply };
