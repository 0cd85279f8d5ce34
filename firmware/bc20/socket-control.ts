// The commands that change a socket's state at the module: AT+QIOPEN (OK,
// then +QIOPEN: <id>,<err>), AT+QICLOSE (OK, then CLOSE OK) and AT+QISWTMD.
// Their outcome is handed to the socket's slot.
import { COMMA } from "../at/ascii.js";
import { type Command, type CommandWriter, URC_COMPLETES, URC_NOT_MINE } from "../at/command.js";
import { NOISE, URC_OTHER, URC_RECV } from "../at/line-kind.js";
import type { Line } from "../at/line.js";
import { URC_QIOPEN, URCS, type UrcRow } from "./urcs.js";
import type { Result } from "../at/result.js";
import { CONTEXT_ID, QICLOSE, QIOPEN, QISWTMD } from "./commands.js";
import type { BC20Error } from "./errors.js";

// What the open, close and mode-switch commands report to: the socket's slot
// (socket-slot.ts), seen through this shape so that neither module imports
// the other's.
export interface ControlTarget {
	readonly id: number;
	opened(result: Result, code: number): void;
	closed(result: Result): void;
	switched(command: SwitchCommand, result: Result): void;
}

// The open's URC as the URC table names it ("+QIOPEN:").
const QIOPEN_ROW = URCS.find((row) => row.kind === URC_QIOPEN) as UrcRow;

export class OpenCommand implements Command {
	readonly spec = QIOPEN;
	// <err> of +QIOPEN: 0 connected, else the manual's code; -1 until it came.
	code = -1;
	#slot: ControlTarget;
	#service: string;
	#host: string;
	#port: number;
	#localPort: number;
	#mode: number;

	// `host` has been checked (checkHost): it cannot break out of its quotes.
	constructor(slot: ControlTarget, udp: boolean, host: string, port: number, localPort: number, mode: number) {
		this.#slot = slot;
		this.#service = udp ? "UDP" : "TCP";
		this.#host = host;
		this.#port = port;
		this.#localPort = localPort;
		this.#mode = mode;
	}

	// AT+QIOPEN=<contextID>,<connectID>,"<service_type>","<host>",<remote_port>,<local_port>,<access_mode>
	render(out: CommandWriter): void {
		out
			.assign(QIOPEN)
			.int(CONTEXT_ID)
			.byte(COMMA)
			.int(this.#slot.id)
			.text(',"')
			.text(this.#service)
			.text('","')
			.text(this.#host)
			.text('",')
			.int(this.#port)
			.byte(COMMA)
			.int(this.#localPort)
			.byte(COMMA)
			.int(this.#mode);
	}

	onUrc(line: Line): number {
		if (line.kind === URC_RECV) {
			// The module pushes for this connectID: it opened the connection, and
			// its +QIOPEN (which comes first) was lost on the line. The outcome is
			// unknown to the driver (550): it closes rather than wait 60 s.
			if (line.int(1) !== this.#slot.id) return URC_NOT_MINE;
			this.code = 550;
			return URC_COMPLETES;
		}
		if (line.kind === URC_OTHER || line.kind === NOISE) {
			// "+QIOPEN: <id>,<err>" with up to two bytes of its start dropped,
			// changed or added on the line ("+QIOP: 0,0", "+QIOPN 0,0",
			// "QIOPEN: 0,0", "q+QIOPEN: 0,0"), or cut in two ("+QIOP" and
			// "N: 0,0"): the answer, rather than a minute's wait. A connectID
			// that can be read names its socket; one that cannot is this one's,
			// as only the open on the wire awaits a +QIOPEN. Its outcome is
			// <err> when the numbers read whole (the damage was in the name:
			// exactly two fields, both numbers, the first this connectID), else
			// unknown (550).
			if (!line.isDamaged(QIOPEN_ROW.bytes)) return URC_NOT_MINE;
			const id = line.int(0);
			if (id >= 0 && id !== this.#slot.id) return URC_NOT_MINE;
			const err = id < 0 || line.hasField(2) ? -1 : line.int(1);
			this.code = err >= 0 ? err : 550;
			return URC_COMPLETES;
		}
		if (line.kind !== URC_QIOPEN) return URC_NOT_MINE;
		const id = line.int(0);
		if (id >= 0 && id !== this.#slot.id) return URC_NOT_MINE;
		// Only the open on the wire awaits a +QIOPEN: one whose connectID was
		// damaged past reading is its answer, of unknown outcome (550), rather
		// than a 60 s wait while the module pushes for a connection it opened.
		this.code = id < 0 ? 550 : line.int(1, 550);
		return URC_COMPLETES;
	}

	onDone(result: Result): void {
		this.#slot.opened(result, this.code);
	}
}

// One per socket, reused.
export class CloseCommand implements Command {
	readonly spec = QICLOSE;
	#slot: ControlTarget;

	constructor(slot: ControlTarget) {
		this.#slot = slot;
	}

	render(out: CommandWriter): void {
		out.assign(QICLOSE).int(this.#slot.id);
	}

	onDone(result: Result): void {
		this.#slot.closed(result);
	}
}

export class SwitchCommand implements Command {
	readonly spec = QISWTMD;
	readonly mode: number;
	readonly callback: ((error: BC20Error | null) => void) | undefined;
	#slot: ControlTarget;

	constructor(slot: ControlTarget, mode: number, callback: ((error: BC20Error | null) => void) | undefined) {
		this.#slot = slot;
		this.mode = mode;
		this.callback = callback;
	}

	render(out: CommandWriter): void {
		out.assign(QISWTMD).int(this.#slot.id).byte(COMMA).int(this.mode);
	}

	onDone(result: Result): void {
		this.#slot.switched(this, result);
	}
}
