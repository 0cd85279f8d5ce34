// AT+QPING: OK, then one +QPING line per request and a summary.
//   +QPING: <result>[,"<IP_address>",<bytes>,<time>,<ttl>]          (a reply)
//   +QPING: <finresult>[,<sent>,<rcvd>,<lost>,<min>,<max>,<avg>]   (the summary)
// A bare "+QPING: <code>" is ambiguous: 569 (timeout) while requests are
// still due is one request that got no reply; anything else ends the ping
// (DNS failure, no PDP context...).
import { COMMA } from "../at/ascii.js";
import {
	type Command,
	type CommandSpec,
	type CommandWriter,
	URC_COMPLETES,
	URC_NOT_MINE,
	URC_TAKEN,
} from "../at/command.js";
import type { Line } from "../at/line.js";
import { URC_QPING } from "./urcs.js";
import type { Result } from "../at/result.js";
import { CONTEXT_ID, qpingSpec } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { BC20Error } from "./errors.js";
import { explain } from "./error-query.js";

export interface PingReply {
	// 0: a reply came; else the manual's error code (569: timeout).
	result: number;
	address: string;
	bytes: number;
	// Round trip, ms.
	time: number;
	ttl: number;
}

export interface PingSummary {
	// 0: success; else the manual's error code.
	result: number;
	sent: number;
	received: number;
	lost: number;
	min: number;
	max: number;
	avg: number;
}

export interface PingOptions {
	// Seconds to wait for each reply, 1-255 (default 4).
	timeout?: number;
	// Requests, 1-10 (default 4).
	count?: number;
	// Bytes per request, 32-200 (default 32).
	size?: number;
	// Each reply as it comes.
	onReply?(reply: PingReply): void;
}

export type PingCallback = (error: BC20Error | null, summary: PingSummary | null) => void;

const TIMEOUT_CODE = 569;

export class PingCommand implements Command {
	readonly spec: CommandSpec;
	#dispatcher: Dispatcher;
	#host: string;
	#timeout: number;
	#count: number;
	#size: number;
	#onReply: ((reply: PingReply) => void) | undefined;
	#callback: PingCallback;
	#replies = 0;
	#summary: PingSummary | null = null;

	// Arguments are checked by the caller.
	constructor(
		dispatcher: Dispatcher,
		host: string,
		timeout: number,
		count: number,
		size: number,
		onReply: ((reply: PingReply) => void) | undefined,
		callback: PingCallback,
	) {
		this.#dispatcher = dispatcher;
		this.#host = host;
		this.#timeout = timeout;
		this.#count = count;
		this.#size = size;
		this.#onReply = onReply;
		this.#callback = callback;
		this.spec = qpingSpec(timeout, count);
	}

	render(out: CommandWriter): void {
		out
			.assign(this.spec)
			.int(CONTEXT_ID)
			.text(',"')
			.text(this.#host)
			.text('",')
			.int(this.#timeout)
			.byte(COMMA)
			.int(this.#count)
			.byte(COMMA)
			.int(this.#size);
	}

	onUrc(line: Line): number {
		if (line.kind !== URC_QPING) return URC_NOT_MINE;
		const code = line.int(0, 550);
		if (line.isQuoted(1) || (!line.hasField(1) && code === TIMEOUT_CODE && this.#replies < this.#count)) {
			this.#replies++;
			const reply: PingReply = {
				result: code,
				address: line.fieldText(1),
				bytes: line.int(2, 0),
				time: line.int(3, 0),
				ttl: line.int(4, 0),
			};
			this.#onReply?.(reply);
			return URC_TAKEN;
		}
		this.#summary = {
			result: code,
			sent: line.int(1, 0),
			received: line.int(2, 0),
			lost: line.int(3, 0),
			min: line.int(4, 0),
			max: line.int(5, 0),
			avg: line.int(6, 0),
		};
		return URC_COMPLETES;
	}

	onDone(result: Result): void {
		const summary = this.#summary;
		if (!result.ok) explain(this.#dispatcher, result, this.spec.name, -1, (error) => this.#callback(error, null));
		else if (summary !== null && summary.result !== 0)
			this.#callback(new BC20Error(summary.result, "", this.spec.name), summary);
		else this.#callback(null, summary);
	}
}
