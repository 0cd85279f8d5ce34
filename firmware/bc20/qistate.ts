// AT+QISTATE? (every socket), AT+QISTATE=0,<contextID> (by context) and
// AT+QISTATE=1,<connectID> (one socket), each answered by +QISTATE lines:
//   +QISTATE: <connectID>,"<service_type>","<IP_address>",<remote_port>,
//             <local_port>,<socket_state>,<contextID>,<access_mode>
import { COMMA } from "../at/ascii.js";
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Result } from "../at/result.js";
import { QISTATE } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import type { BC20Error } from "./errors.js";
import { explain } from "./error-query.js";

export interface SocketRecord {
	connectId: number;
	serviceType: string;
	address: string;
	remotePort: number;
	localPort: number;
	// INITIAL 0, OPENING 1, CONNECTED 2, CLOSING 3.
	state: number;
	contextId: number;
	// BUFFER_MODE 0, PUSH_MODE 1.
	accessMode: number;
}

export type StateCallback = (error: BC20Error | null, records: SocketRecord[] | null) => void;

export const QUERY_ALL = -1;
export const QUERY_CONTEXT = 0;
export const QUERY_SOCKET = 1;

function parseStateLine(line: Line): SocketRecord {
	return {
		connectId: line.int(0),
		serviceType: line.fieldText(1),
		address: line.fieldText(2),
		remotePort: line.int(3),
		localPort: line.int(4),
		state: line.int(5),
		contextId: line.int(6),
		accessMode: line.int(7),
	};
}

export class StateCommand implements Command {
	readonly spec = QISTATE;
	#dispatcher: Dispatcher;
	#queryType: number;
	#target: number;
	#callback: StateCallback;
	#records: SocketRecord[] = [];

	// `queryType` QUERY_ALL, or QUERY_CONTEXT / QUERY_SOCKET with a checked `target`.
	constructor(dispatcher: Dispatcher, queryType: number, target: number, callback: StateCallback) {
		this.#dispatcher = dispatcher;
		this.#queryType = queryType;
		this.#target = target;
		this.#callback = callback;
	}

	render(out: CommandWriter): void {
		if (this.#queryType === QUERY_ALL) out.query(QISTATE);
		else out.assign(QISTATE).int(this.#queryType).byte(COMMA).int(this.#target);
	}

	onResponse(line: Line): void {
		this.#records.push(parseStateLine(line));
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (!result.ok) explain(this.#dispatcher, result, QISTATE.name, -1, (error) => callback(error, null));
		else callback(null, this.#records);
	}
}
