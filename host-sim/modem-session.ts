// The driver on Node, wired up: a transport chosen by one string (a serial
// device, tcp://HOST:PORT, or "sim" for an in-process emulated BC20), the Node
// clock, and a started BC20 modem. The CLI, the demo and the end-to-end tests
// all start here.
import type { ReadyInfo } from "../firmware/bc20/bring-up.js";
import { BC20, type BC20Options } from "../firmware/bc20/modem.js";
import { BC20Emulator, type BC20EmulatorOptions } from "./emulator/bc20-emulator.js";
import { NodeClock } from "./node-clock.js";
import { recorded } from "./record/recorded-transport.js";
import type { Recorder } from "./record/recorder.js";
import type { HostTransport, TransportError } from "./transport/host-transport.js";
import { createTransport } from "./transport/open-transport.js";
import { traced } from "./transport/trace.js";

export interface SessionOptions {
	port?: string; // default "sim"
	baud?: number; // default 115200 (the emulator paces its output at this rate)
	trace?: (line: string) => void; // every byte exchanged, readable
	emulator?: BC20EmulatorOptions; // for "sim"
	// For "sim": called with the emulator as soon as it exists, before the
	// module boots (e.g. to arm faults).
	onEmulator?: (emulator: BC20Emulator) => void;
	modem?: Partial<Omit<BC20Options, "transport" | "clock">>;
	// Stop waiting for the module after this long (default: the modem's own attach timeout).
	readyTimeoutMs?: number;
	// The link ended other than by close() (cable pulled, bridge hung up), from open() on.
	onLinkLost?: (error: TransportError) => void;
	// Records the session: the bytes, the driver's events, and (for "sim") the
	// module's power state. The caller closes it.
	record?: Recorder;
}

export interface Session {
	modem: BC20;
	transport: HostTransport;
	emulator: BC20Emulator | null;
	// What bring-up found (address "" and registration -1 for bringUp "look").
	ready: ReadyInfo;
	close(): Promise<void>;
}

export async function openSession(options: SessionOptions = {}): Promise<Session> {
	const baud = options.baud ?? 115200;
	let emulator: BC20Emulator | null = null;
	let transport = createTransport(options.port ?? "sim", {
		baud,
		emulator: ({ baud }) => {
			const created = (emulator = new BC20Emulator({ baud, ...options.emulator }));
			options.record?.followModule(created);
			options.onEmulator?.(created);
			return created;
		},
	});
	if (options.trace) transport = traced(transport, options.trace);
	if (options.record) transport = recorded(transport, options.record);
	const modem = new BC20({
		transport,
		clock: new NodeClock(),
		baud,
		observer: options.record?.observer,
		...options.modem,
	});
	transport.onData = (chunk) => modem.receive(chunk, 0, chunk.length);
	transport.onClose = (error) => {
		if (error) options.onLinkLost?.(error);
	};
	await transport.open();
	const close = async () => {
		modem.close();
		await transport.close();
	};
	try {
		const ready = await new Promise<ReadyInfo>((resolve, reject) => {
			let timer: ReturnType<typeof setTimeout> | undefined;
			if (options.readyTimeoutMs) {
				timer = setTimeout(
					() =>
						reject(
							new Error(`the module on ${transport.description} did not become ready in ${options.readyTimeoutMs} ms`),
						),
					options.readyTimeoutMs,
				);
			}
			modem.start({
				onReady(info) {
					clearTimeout(timer);
					resolve(info);
				},
				onError(error) {
					clearTimeout(timer);
					reject(error);
				},
			});
		});
		return { modem, transport, emulator, ready, close };
	} catch (error) {
		await close();
		throw error;
	}
}
