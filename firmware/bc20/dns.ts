// AT+QIDNSGIP: OK, then
//   +QIURC: "dnsgip",<err>,<IP_count>,<DNS_ttl>
//   +QIURC: "dnsgip","<hostIPaddr>"        (IP_count times)
// A failure may come as just +QIURC: "dnsgip",<err>.
import { type Command, type CommandWriter, URC_COMPLETES, URC_NOT_MINE, URC_TAKEN } from "../at/command.js";
import type { Line } from "../at/line.js";
import { URC_DNSGIP } from "./urcs.js";
import type { Result } from "../at/result.js";
import { CONTEXT_ID, QIDNSGIP } from "./commands.js";
import type { Dispatcher } from "./dispatcher.js";
import { BC20Error } from "./errors.js";
import { explain } from "./error-query.js";

export interface DnsResult {
	addresses: string[];
	// Seconds.
	ttl: number;
}

export type DnsCallback = (error: BC20Error | null, result: DnsResult | null) => void;

export class DnsCommand implements Command {
	readonly spec = QIDNSGIP;
	#dispatcher: Dispatcher;
	#host: string;
	#callback: DnsCallback;
	#code = -1;
	#count = -1;
	#ttl = 0;
	#addresses: string[] = [];

	// `host` is checked by the caller.
	constructor(dispatcher: Dispatcher, host: string, callback: DnsCallback) {
		this.#dispatcher = dispatcher;
		this.#host = host;
		this.#callback = callback;
	}

	render(out: CommandWriter): void {
		out.assign(QIDNSGIP).int(CONTEXT_ID).text(',"').text(this.#host).text('"');
	}

	onUrc(line: Line): number {
		if (line.kind !== URC_DNSGIP) return URC_NOT_MINE;
		if (line.isQuoted(1)) {
			// Addresses count only after the header, and only as many as it announced.
			if (this.#count < 0 || this.#addresses.length >= this.#count) return URC_TAKEN;
			this.#addresses.push(line.fieldText(1));
			return this.#count >= 0 && this.#addresses.length >= this.#count ? URC_COMPLETES : URC_TAKEN;
		}
		this.#code = line.int(1, 550);
		this.#count = line.int(2, 0);
		this.#ttl = line.int(3, 0);
		return this.#code !== 0 || this.#count <= this.#addresses.length ? URC_COMPLETES : URC_TAKEN;
	}

	onDone(result: Result): void {
		const callback = this.#callback;
		if (!result.ok) explain(this.#dispatcher, result, QIDNSGIP.name, -1, (error) => callback(error, null));
		else if (this.#code !== 0) callback(new BC20Error(this.#code, "", QIDNSGIP.name), null);
		else callback(null, { addresses: this.#addresses, ttl: this.#ttl });
	}
}
