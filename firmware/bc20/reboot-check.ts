// Reboot detection that does not hang on one line. RDY is the module's word
// that it rebooted, but one damaged byte loses it; other signs are a boot
// banner (+CPIN: READY, +CFUN: 1) after the module was up, echo coming back
// after ATE0, and a socket command refused on a socket the driver holds open.
// Each sign only raises a suspicion; this check decides, in one command:
// AT+QISTATE? lists the sockets the module knows, and a module that rebooted
// echoes the command (echo is on after boot until ATE0). A +CPIN: inside a
// healthy session leaves both as they were and changes nothing.
import type { Command, CommandWriter } from "../at/command.js";
import type { Line } from "../at/line.js";
import type { Result } from "../at/result.js";
import { QISTATE } from "./commands.js";

export interface RebootCheckHost {
	// Echo lines the channel has seen so far.
	echoes(): number;
	// The check ended: `ok` false when the module gave no answer (nothing is
	// decided), `echoed` when it echoed the command, `listed` a bit per
	// connectID the module knows.
	verdict(ok: boolean, echoed: boolean, listed: number): void;
}

export class RebootCheck implements Command {
	readonly spec = QISTATE;
	#host: RebootCheckHost;
	#echoes = 0;
	#listed = 0;

	constructor(host: RebootCheckHost) {
		this.#host = host;
	}

	render(out: CommandWriter): void {
		this.#echoes = this.#host.echoes();
		this.#listed = 0;
		out.query(QISTATE);
	}

	// +QISTATE: <connectID>,...
	onResponse(line: Line): void {
		const id = line.int(0);
		if (id >= 0 && id < 31) this.#listed |= 1 << id;
	}

	onDone(result: Result): void {
		this.#host.verdict(result.ok, this.#host.echoes() > this.#echoes, this.#listed);
	}
}
