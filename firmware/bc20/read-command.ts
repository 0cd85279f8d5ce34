// AT+QIRD for one socket: one object per socket, reused for every read; the
// payload goes straight from the input chunk into the socket's receive ring
// (socket-receiver.ts).
import type { Command, CommandSpec, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import { NOISE, OK, URC_OTHER } from "../at/line-kind.js";
import { QIRD_HEADER } from "../at/prefix-table.js";
import { DONE_TIMEOUT, type Result } from "../at/result.js";
import { MAX_READ, QIRD_STARTS, QIRD_WHOLE } from "./commands.js";

// What a read reports to: the socket's receiver (socket-receiver.ts), seen
// through this shape so that neither module imports the other's.
export interface ReadTarget {
	// How many bytes the next read may ask for.
	readRoom(): number;
	// Returns whether the header is damaged (more than was asked).
	readHeader(actual: number, remaining: number): boolean;
	payloadDamaged(atStake: number): void;
	readStart(length: number): void;
	readData(bytes: Uint8Array, start: number, end: number): void;
	readEnd(missing: number, badDigits: number): void;
	// `answerDamaged`: the read's answer was damaged on the line (it then ends
	// at its deadline): how much it carried is unknown.
	readDone(result: Result, answerDamaged: boolean): void;
}

export class ReadCommand implements Command {
	readonly spec: CommandSpec;
	// Bytes asked for (1-512), set by the socket before each read.
	length = 0;
	#damaged = false; // its answer was damaged on the line
	#header = false; // its +QIRD: header came
	#strayBeforeHeader = false; // a line of no known name came before it
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
		this.#damaged = this.#header = this.#strayBeforeHeader = false;
		const room = this.#receiver.readRoom();
		if (room < this.length) this.length = room;
		if (this.length <= 0) throw new RangeError("no room to read into"); // never written; read again later
		if (this.length === MAX_READ) out.literal(this.#whole);
		else out.literal(this.#start).int(this.length);
	}

	// +QIRD: <actual_read_length>[,<remaining_length>] (remaining with showlength 1).
	// A count that is no number is a damaged header (its CR LF lost, the
	// data run into it): its data, if any, comes as lines.
	onResponse(line: Line): void {
		this.#header = true;
		const actual = line.int(0, -1);
		if (actual < 0 || this.#receiver.readHeader(actual, line.int(1, -1))) this.#damaged = true;
	}

	// The module sends the header before its OK, even for no data ("+QIRD: 0"):
	// an OK without one came after a header damaged past recognition, among
	// the data. (An ERROR alone is an answer: the module refuses the read;
	// after a line that may have been the header, it may be data.)
	acceptsFinal(kind: number): boolean {
		return !this.#damaged && (this.#header || (kind !== OK && !this.#strayBeforeHeader));
	}

	// Before the header, noise, or a line that is the header with a byte of
	// its name or its colon damaged, is the header and data taken for lines.
	// A line of no known name may be a URC, or the header with more of its
	// name damaged ("+QD: 17,0,ab", in view mode 1 the data on its line): if
	// no header comes after it, it was the header.
	onStrayLine(line: Line): void {
		if (this.#header) return;
		if (line.kind === NOISE || line.near(QIRD_HEADER, 0, 1)) this.#damaged = true;
		else if (line.kind === URC_OTHER) this.#strayBeforeHeader = true;
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

	// A run not followed by its CR LF: its length was damaged (-1), or the run
	// came short, which a damaged length landing on a CR LF of the data looks
	// like too: either way what follows may be data taken for lines.
	onPayloadDamaged(atStake: number): void {
		this.#damaged = true;
		this.#receiver.payloadDamaged(atStake);
	}

	// A read that answered but never ended took no final result: its OK was
	// lost, or taken into a run that came short (the module's "\r\n\r\nOK"
	// after the data, then its CR LF, pass for the run's end): its answer is
	// damaged too. So is one whose only answer was a line that may have been
	// its header.
	onDone(result: Result): void {
		const header = this.#header;
		this.#receiver.readDone(
			result,
			this.#damaged || (header ? result.status === DONE_TIMEOUT : this.#strayBeforeHeader),
		);
	}
}
