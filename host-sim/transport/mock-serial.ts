// A serial port on @serialport/binding-mock, for tests: the host side is the
// same SerialTransport code a real port runs, and the test plays the module
// through moduleSends() / hostWrote().
import { createRequire } from "node:module";
import type { MockBindingInterface } from "@serialport/binding-mock" with { "resolution-mode": "require" };
import { SerialPortStream } from "@serialport/stream";
import { notOpen } from "./host-transport.js";
import { SerialTransport } from "./serial.js";

// The package's "exports" give TypeScript no types for its ESM entry, and its
// ESM and CommonJS entries keep separate port registries. The CommonJS one is
// the instance `serialport` itself uses, so load that one, typed explicitly.
const { MockBinding } = createRequire(import.meta.url)("@serialport/binding-mock") as {
	MockBinding: MockBindingInterface;
};

export class MockSerialTransport extends SerialTransport {
	readonly #stream: SerialPortStream<MockBindingInterface>;

	constructor(path = "/dev/bc20-mock", baud = 9600) {
		const stream = new SerialPortStream({ binding: MockBinding, path, baudRate: baud, autoOpen: false });
		super({ path, baud }, stream);
		this.#stream = stream;
	}

	override async open(): Promise<void> {
		// The mock binding opens only ports registered beforehand; registering
		// again gives a fresh port with an empty recording.
		MockBinding.createPort(this.path, { echo: false, record: true });
		await super.open();
	}

	/** Plays the module: the bytes reach the host's onData, asynchronously, as from a UART. */
	moduleSends(bytes: Uint8Array): void {
		const binding = this.#stream.port;
		if (!binding?.isOpen) throw notOpen(this.description);
		binding.emitData(Buffer.from(bytes));
	}

	/** Everything the host wrote since the last call (also after close()), once its writes so far have reached the port. */
	async hostWrote(): Promise<Uint8Array> {
		await this.writesDone();
		const binding = this.#stream.port;
		if (!binding) throw notOpen(this.description);
		const written = binding.recording;
		binding.recording = Buffer.alloc(0);
		return written;
	}
}
