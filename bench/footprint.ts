// Section 3: the memory an initialised BC20 driver with five open sockets
// holds inside XS (@agoric/xsnap), the engine the ESP32 runs.
//
// - Heap slots: live slots after gc(), against a baseline taken in the same
//   worker just before. Each step runs through XS.run (no script evaluated in
//   between: every evaluate keeps a slot for good). The driver is built by
//   bench/footprint-xs-entry.ts with stub seams (a fixed-slot clock and a
//   forwarding transport, counted in the baseline), brought up against the
//   scripted fake module of test/bc20/xs.test.ts, then given five TCP sockets;
//   the fake is detached after each script, so only the driver stays. A
//   second driver built beside the first shows the per-instance cost without
//   one-time costs (property names, interned strings).
// - Buffers: the BC20 API exposes none of its buffers (they sit in private
//   fields), so they are found as they are made. A prelude swaps the
//   typed-array constructors for subclasses that record every array made
//   (not views) while the driver's own code runs: its size, and the
//   constructor chain from the stack (e.g. ByteRing < Reader < Channel < BC20),
//   which names its role. Only the arrays still alive after gc() count. The
//   arena (the per-socket rings, the command line, the hex send stage and
//   decode scratch) and the reader's ring are then checked by content:
//   markers sent through each socket must land in the buffer the label says.
import { bundleForXS } from "../scripts/xs-bundle.mjs";
import { startXS } from "../test/xs/xs-runner.js";
import type { Section, SectionResult } from "./section.js";

const ENTRY = "bench/footprint-xs-entry.ts";
const SOCKETS = 5;
// XS's slot is 16 bytes on a 32-bit MCU (ESP32); xsnap on a 64-bit host uses 32.
const SLOT_BYTES_ESP32 = 16;

const PRELUDE = `(() => {
	const names = ["Uint8Array", "Uint16Array", "Uint32Array", "Int8Array", "Int16Array", "Int32Array",
		"Float32Array", "Float64Array", "Uint8ClampedArray", "BigInt64Array", "BigUint64Array"];
	const originals = {}, recording = {}, records = [];
	let depth = 0, phase = "";
	for (const name of names) {
		const Base = originals[name] = globalThis[name];
		if (Base === undefined) continue;
		recording[name] = class extends Base {
			constructor(a, b, c) {
				// A view on an existing buffer allocates no storage.
				if (a instanceof ArrayBuffer) super(a, b, c);
				else {
					super(a);
					if (depth > 0) records.push({ type: name, bytes: this.byteLength, phase, stack: new Error().stack, ref: new WeakRef(this) });
				}
			}
		};
	}
	let alive = [];
	const frames = (stack) => stack.split("\\n").slice(2).map((line) => line.trim().split(" ")[1] ?? "");
	globalThis.footprintTracker = {
		install(p) {
			phase = p;
			for (const name of names) if (recording[name]) globalThis[name] = recording[name];
		},
		uninstall() {
			for (const name of names) if (originals[name]) globalThis[name] = originals[name];
		},
		on() { depth++; },
		off() { depth--; },
		// Call after gc(), in a later delivery than the one that made the arrays.
		alive(p) {
			alive = records.filter((r) => r.phase === p && r.ref.deref() !== undefined);
			return alive.map((r) => ({ type: r.type, bytes: r.bytes, frames: frames(r.stack) }));
		},
		// For each live array of the last alive() list: which markers it holds.
		contains(markers) {
			return alive.map((r) => {
				const a = r.ref.deref();
				const u8 = a === undefined ? new Uint8Array(0) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
				return markers.map((m) => {
					for (let i = 0; i + m.length <= u8.length; i++) {
						let k = 0;
						while (k < m.length && u8[i + k] === m.charCodeAt(k)) k++;
						if (k === m.length) return true;
					}
					return false;
				});
			});
		},
	};
})();`;

interface Found {
	type: string;
	bytes: number;
	frames: string[];
}

export interface HeldBuffer {
	label: string;
	owner: string; // the constructor chain, innermost first
	type: string;
	bytes: number;
	checked: boolean | null; // its content matched its label (null: nothing to check)
}

export interface FootprintFigures {
	slots: {
		baseline: number; // live slots with the stubs, before the driver
		stubs: number; // one stub clock and transport
		idleDriver: number; // BC20 constructed and brought up, no socket
		sockets: number; // + five open TCP sockets
		total: number; // idleDriver + sockets
		secondInstance: number; // a second driver with five sockets beside the first: no one-time costs
	};
	buffers: HeldBuffer[];
	bufferBytes: number;
	constants: { arrays: number; bytes: number; makers: string[] };
}

const isAnonymous = (frame: string) => frame === "" || frame.startsWith("(");

// The constructor chain up to BC20, innermost first; a field initializer shows
// as an anonymous frame.
function owner(frames: string[]): string[] {
	const chain: string[] = [];
	for (const frame of frames.slice(0, frames.indexOf("BC20") + 1)) {
		if (!isAnonymous(frame)) chain.push(frame);
		else if (chain.length === 0) chain.push("(field)");
	}
	return chain;
}

function label(found: Found[]): HeldBuffer[] {
	const perSlot = { rxLengths: 0, txLengths: 0 };
	return found.map((f) => {
		const chain = owner(f.frames),
			key = chain.join("<");
		let text: string;
		if (key === "ByteRing<Reader<Channel<BC20") text = "reader: line ring";
		else if (key === "Arena<BC20")
			text =
				"arena: every socket's receive and transmit rings, the transport's output ring, hex send stage, hex decode scratch, UART input, app read buffer, command line";
		else if (key === "LengthQueue<Receiver<Slot<SocketTable<BC20")
			text = `socket ${perSlot.rxLengths++}: receive datagram lengths (UDP)`;
		else if (key === "LengthQueue<Transmitter<Slot<SocketTable<BC20")
			text = `socket ${perSlot.txLengths++}: transmit datagram lengths (UDP)`;
		else text = `unlabelled (${key || f.frames.slice(0, 4).join(" < ")})`;
		return { label: text, owner: key, type: f.type, bytes: f.bytes, checked: null };
	});
}

async function run(): Promise<SectionResult> {
	const xs = await startXS();
	try {
		await xs.evaluate(PRELUDE);
		// Load: module constants (prefix tables, command prefixes) are made here.
		await xs.evaluate(`footprintTracker.install("load"); footprintTracker.on();`);
		await xs.evaluate(await bundleForXS(ENTRY, { globalName: "footprint" }));
		await xs.evaluate(`footprintTracker.off(); footprintTracker.uninstall();`);
		const { value: constants } = await xs.call<Found[]>(`(gc(), footprintTracker.alive("load"))`);

		// Heap slots, with the plain constructors.
		await xs.evaluate(`setWorkload((n) => footprint.step(n));`);
		const live = async () => (await xs.run(0)).heapCount;
		const h: number[] = [await live()];
		for (let step = 1; step <= 4; step++) {
			await xs.run(step);
			h.push(await live());
		}
		const slots = {
			baseline: h[1],
			stubs: (h[1] - h[0]) / 2,
			idleDriver: h[2] - h[1],
			sockets: h[3] - h[2],
			total: h[3] - h[1],
			secondInstance: h[4] - h[3],
		};

		// Buffers, with the recording constructors.
		await xs.evaluate(
			`footprintTracker.install("driver"); globalThis.listed = footprint.buildListed(); footprintTracker.uninstall();`,
		);
		const { value: found } = await xs.call<Found[]>(`(gc(), footprintTracker.alive("driver"))`);
		const buffers = label(found);
		// Content checks: markers through each socket, a half line to the reader.
		await xs.evaluate(`listed.leaveMarkers();`);
		const { value: markerNames } = await xs.call<string[]>(`[footprint.LINE_MARKER, "AT+QISENDEX=0,",
			...[0, 1, 2, 3, 4].map(footprint.rxMarker), ...[0, 1, 2, 3, 4].map(footprint.txMarker)]`);
		const { value: holds } = await xs.call<boolean[][]>(`footprintTracker.contains(${JSON.stringify(markerNames)})`);
		const has = (i: number, marker: string) => holds[i][markerNames.indexOf(marker)];
		buffers.forEach((b, i) => {
			const socket = /^socket (\d): (receive|transmit) ring$/.exec(b.label);
			if (socket) {
				const id = Number(socket[1]);
				b.checked = has(i, markerNames[socket[2] === "receive" ? 2 + id : 7 + id]);
			} else if (b.label.startsWith("arena:")) b.checked = markerNames.slice(1).every((marker) => has(i, marker));
			else if (b.label === "reader: line ring") b.checked = has(i, markerNames[0]);
		});

		const bufferBytes = buffers.reduce((sum, b) => sum + b.bytes, 0);
		const makers = [...new Set(constants.map((c) => c.frames.find((f) => !isAnonymous(f)) ?? "?"))];
		const figures: FootprintFigures = {
			slots,
			buffers,
			bufferBytes,
			constants: { arrays: constants.length, bytes: constants.reduce((sum, c) => sum + c.bytes, 0), makers },
		};

		// One row per kind of buffer: "socket n: receive ring" x5 -> "socket 0-4: receive ring".
		const groups = new Map<string, { label: string; type: string; bytes: number; count: number }>();
		for (const b of buffers) {
			const key = b.label.replace(/^socket \d:/, "socket 0-4:") + "|" + b.type + "|" + b.bytes;
			const g = groups.get(key) ?? {
				label: b.label.replace(/^socket \d:/, `socket 0-${SOCKETS - 1}:`),
				type: b.type,
				bytes: b.bytes,
				count: 0,
			};
			g.count++;
			groups.set(key, g);
		}
		const rows: string[][] = [
			["heap slots: driver brought up, idle", "", "", String(slots.idleDriver)],
			[`heap slots: + ${SOCKETS} open TCP sockets`, "", "", String(slots.sockets)],
			["heap slots: total (first instance)", "", "", String(slots.total)],
			["heap slots: total (second instance)", "", "", String(slots.secondInstance)],
			...[...groups.values()].map((g) => [
				`buffer: ${g.label}`,
				g.type,
				g.count > 1 ? `${g.count} x ${g.bytes}` : String(g.bytes),
				String(g.count * g.bytes),
			]),
			[`buffers held: ${buffers.length} typed arrays`, "", "", String(bufferBytes)],
			[
				`module constants (made at load by ${makers.join(", ")}): ${constants.length} arrays`,
				"",
				"",
				String(figures.constants.bytes),
			],
		];
		const unchecked = buffers.filter((b) => b.checked === false);
		const checked = buffers.filter((b) => b.checked === true);
		const notes = [
			`heap slots: live slots after gc() against the baseline in the same worker (${slots.baseline} slots with ` +
				`the stub clocks and transports, ${slots.stubs} each); xsnap on this host; an XS slot is ` +
				`${SLOT_BYTES_ESP32} bytes on the ESP32, so ${slots.total} slots ~ ${((slots.total * SLOT_BYTES_ESP32) / 1024).toFixed(1)} KiB ` +
				"there, besides the buffers' bytes (XS chunks)",
			`second instance: a second driver with ${SOCKETS} sockets built beside the first; the difference ` +
				`(${slots.total - slots.secondInstance}) is one-time costs such as property names and interned strings`,
			"buffers: every typed array the driver made and still holds, found by recording the typed-array constructors " +
				"while its code ran (BC20 exposes no buffer); labelled by the constructor chain on the stack",
			`content checks: ${checked.length} buffers held the marker their label says (the arena: socket rings, command ` +
				`line; the reader's ring)${unchecked.length ? `; FAILED: ${unchecked.map((b) => b.label).join(", ")}` : ""}; ` +
				"the datagram-length queues (UDP only) are labelled by construction order",
			"defaults: lineCapacity 512, rxBufferSize 2048, txBufferSize 2048, 5 sockets (BC20Options)",
		];
		if (unchecked.length > 0)
			throw new Error(`footprint: buffers not holding their markers: ${unchecked.map((b) => b.label).join(", ")}`);
		return {
			table: { columns: ["item", "type", "bytes each", "total"], rows },
			notes,
			data: figures,
			targets: [],
		};
	} finally {
		await xs.close();
	}
}

export const footprint: Section = {
	key: "footprint",
	title: "3. Footprint inside XS: an initialised driver with five open sockets (lower is better)",
	run,
};
