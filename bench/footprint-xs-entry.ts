// What bench/footprint.ts loads into XS: a BC20 driver with stub platform
// seams (a fixed-slot clock and a transport that forwards to a scripted fake
// module only while one is attached), brought up and given five open TCP
// sockets; the fake module is detached afterwards, so what stays alive is the
// driver and its two seams. No Node APIs.
//
// For the buffer list, bench/footprint.ts swaps the typed-array constructors
// for recording subclasses (its prelude defines globalThis.footprintTracker);
// `tracked(fn)` turns recording on around the driver's own calls only, so the
// fake module's chunks are never counted.
import type { Clock, Transport } from "../firmware/at/seams.js";
import { BC20 } from "../firmware/bc20/modem.js";
import type { Socket } from "../firmware/bc20/socket.js";
import { FakeModule } from "../test/support/bc20-fake-module.js";
import { expectBringUp, hexOf, OK } from "../test/support/bc20-harness.js";
import { bytes } from "../test/support/bytes.js";
import { VirtualClock } from "../test/support/virtual-clock.js";

export const SOCKETS = 5;

interface Tracker {
	on(): void;
	off(): void;
}

function tracked<T>(fn: () => T): T {
	const tracker = (globalThis as { footprintTracker?: Tracker }).footprintTracker;
	tracker?.on();
	try {
		return fn();
	} finally {
		tracker?.off();
	}
}

class SwitchTransport implements Transport {
	fake: FakeModule | null = null;
	write(data: Uint8Array, start: number, end: number): void {
		if (this.fake !== null) this.fake.write(data, start, end);
	}
}

export class Stubs {
	clock = new VirtualClock();
	transport = new SwitchTransport();
}

export class Driver {
	readonly modem: BC20;
	readonly sockets: Socket[] = [];
	#stubs: Stubs;

	constructor(stubs: Stubs) {
		this.#stubs = stubs;
		// Hex receive: the script below answers reads in hex.
		this.modem = tracked(() => new BC20({ transport: stubs.transport, clock: stubs.clock, receiveHex: true }));
	}

	// Runs `script` against a fake module attached for the occasion.
	#withFake(script: (fake: FakeModule) => void): void {
		const fake = new FakeModule(),
			modem = this.modem,
			stubs = this.#stubs;
		fake.connect((chunk, start, end) => tracked(() => modem.receive(chunk, start, end)));
		stubs.transport.fake = fake;
		script(fake);
		for (let i = 0; i < 100; i++) {
			fake.pump();
			stubs.clock.run();
		}
		stubs.transport.fake = null;
		if (fake.unexpected.length > 0 || fake.expectationsLeft > 0)
			throw new Error(
				"footprint: the fake module saw " + fake.unexpected.join(" | ") + "; " + fake.expectationsLeft + " left",
			);
	}

	bringUp(): this {
		this.#withFake((fake) => {
			expectBringUp(fake);
			tracked(() => this.modem.start({ onReady() {}, onError() {} }));
		});
		if (this.modem.state !== "ready") throw new Error("footprint: the modem is " + this.modem.state);
		return this;
	}

	openSockets(): this {
		this.#withFake((fake) => {
			for (let id = 0; id < SOCKETS; id++) {
				fake.expect("AT+QIOPEN=1," + id + ',"TCP","127.0.0.1",9000,0,0', OK + "\r\n+QIOPEN: " + id + ",0\r\n");
				this.sockets.push(tracked(() => this.modem.open({ host: "127.0.0.1", port: 9000 })));
			}
		});
		for (const socket of this.sockets)
			if (socket.state !== 2) throw new Error("footprint: socket " + socket.id + " did not open");
		return this;
	}

	// Leaves a marker in each buffer whose role a test can name by content:
	// socket i's receive ring gets rxMarker(i) (read with AT+QIRD, hex), the
	// reader's ring the unfinished line LINE_MARKER, socket i's transmit ring
	// txMarker(i) (socket 0's marker is binary, so it goes out as AT+QISENDEX,
	// hex-encoded from the ring; the other sends wait behind it).
	leaveMarkers(): void {
		this.#withFake((fake) => {
			// Each socket reads its marker, then +QIRD: 0 (in whatever order the driver reads them).
			const served = [false, false, false, false, false];
			fake.always(/^AT\+QIRD=\d,512$/, (line) => {
				const id = line.charCodeAt(8) - 48,
					marker = rxMarker(id);
				if (served[id]) return "\r\n+QIRD: 0\r\n" + OK;
				served[id] = true;
				return "\r\n+QIRD: " + marker.length + ",0," + hexOf(marker) + "\r\n" + OK;
			});
			for (let id = 0; id < SOCKETS; id++) fake.send('\r\n+QIURC: "recv",' + id + "," + rxMarker(id).length + "\r\n");
		});
		for (let id = 0; id < SOCKETS; id++) {
			if (this.sockets[id].readable !== rxMarker(id).length)
				throw new Error("footprint: socket " + id + " did not receive its marker");
		}
		this.#withFake((fake) => void fake.send(LINE_MARKER));
		// No fake: the first send stays on the wire, waiting for an answer.
		for (let id = 0; id < SOCKETS; id++) {
			const marker = bytes(txMarker(id));
			tracked(() => this.sockets[id].write(marker));
		}
		// A command submitted outside a turn goes out from a turn of its own.
		tracked(() => this.#stubs.clock.run());
	}
}

export const LINE_MARKER = "+ZZLINEMARKER";

export function rxMarker(id: number): string {
	return "RXMARK-" + id;
}

export function txMarker(id: number): string {
	return (id === 0 ? "\u0000" : "") + "TXMARK-" + id;
}

// The steps bench/footprint.ts runs through XS.run(step), so that no script
// is evaluated (each evaluate keeps a slot) between heap counts. Both drivers
// stay alive: XS keeps the most recent instance of a class with private
// methods reachable after it is dropped (until the next one is made), so a
// dropped driver would still be counted.
interface State {
	stubs: Stubs[];
	drivers: Driver[];
}
const state: State = { stubs: [], drivers: [] };

export function step(n: number): void {
	if (n === 1) state.stubs.push(new Stubs(), new Stubs());
	else if (n === 2) state.drivers.push(new Driver(state.stubs[0]).bringUp());
	else if (n === 3) state.drivers[0].openSockets();
	else if (n === 4) state.drivers.push(new Driver(state.stubs[1]).bringUp().openSockets());
}

// The driver whose buffers are listed (built while the tracker records).
export function buildListed(): Driver {
	return new Driver(new Stubs()).bringUp().openSockets();
}
