// AT+QIRD for one socket: one object per socket, reused for every read; the
// payload goes straight from the input chunk into the socket's receive ring
// (socket-receiver.ts).
import type { Command, CommandSpec, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Result } from "../at/result.js";
import { MAX_READ, QIRD_STARTS, QIRD_WHOLE } from "./commands.js";

// What a read reports to: the socket's receiver (socket-receiver.ts), seen
// through this shape so that neither module imports the other's.
export interface ReadTarget {
	// How many bytes the next read may ask for.
	readRoom(): number;
	readHeader(actual: number, remaining: number): void;
	readStart(length: number): void;
	readData(bytes: Uint8Array, start: number, end: number): void;
	readEnd(missing: number, badDigits: number): void;
	readDone(result: Result): void;
}

export class ReadCommand implements Command {
	readonly spec: CommandSpec;
	// Bytes asked for (1-512), set by the socket before each read.
	length = 0;
	#receiver: ReadTarget;
	#start: Uint8Array;
	#whole: Uint8Array;

	constructor(receiver: ReadTarget, id: number, spec: CommandSpec) {
		this.#receiver = receiver;
		this.spec = spec;
		this.#start = QIRD_STARTS[id];
		this.#whole = QIRD_WHOLE[id];
	}

	// The length is settled when the line is written, not when the read was
	// chosen: a late payload of an earlier read (it timed out, and a resync
	// probe went first) may have filled the ring in between.
	render(out: CommandWriter): void {
		const room = this.#receiver.readRoom();
		if (room < this.length) this.length = room;
		if (this.length <= 0) throw new RangeError("no room to read into"); // never written; read again later
		if (this.length === MAX_READ) out.literal(this.#whole);
		else out.literal(this.#start).int(this.length);
	}

	// +QIRD: <actual_read_length>[,<remaining_length>] (remaining with showlength 1).
	onResponse(line: Line): void {
		this.#receiver.readHeader(line.int(0, 0), line.int(1, -1));
	}

	onPayloadStart(length: number): void {
		this.#receiver.readStart(length);
	}

	onPayload(bytes: Uint8Array, start: number, end: number): void {
		this.#receiver.readData(bytes, start, end);
	}

	onPayloadEnd(missing: number, badDigits: number): void {
		this.#receiver.readEnd(missing, badDigits);
	}

	onDone(result: Result): void {
		this.#receiver.readDone(result);
	}
}
