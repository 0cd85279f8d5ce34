// How a host's command line is matched against the recorded one. Equal
// lines match. Beyond that, two things legitimately vary between runs and
// are tolerated:
//
// - the connectID: a host may pick another free socket. The first command
//   naming a recorded connectID (normally AT+QIOPEN) binds it to the host's,
//   one to one; later commands, and the module's answers and URCs naming it,
//   follow the binding.
// - the data of AT+QISEND / AT+QISENDEX: an application's payload holds
//   readings, counters and times that differ from run to run. The
//   connectID must match; the length and the data are not compared.
const SOCKET_COMMAND = /^(AT\+QI(?:OPEN=1,|CLOSE=|RD=|SWTMD=|SEND=|SENDEX=|STATE=1,))(\d)(.*)$/;
const SEND = /^AT\+QISEND(?:EX)?=$/;
// Where the module names a connectID: +QIOPEN: <id>,  +QIURC: "recv",<id>
// +QIURC: "closed",<id>  +QISTATE: <id>,
const MODULE_ID = /(\+QIOPEN: |\+QIURC: "recv",|\+QIURC: "closed",|\+QISTATE: )(\d)/g;

export class ReplayMatcher {
	// Recorded connectID → the host's.
	readonly #ids = new Map<number, number>();

	// Whether `got` is the host's form of `expected`; binds a connectID on a match.
	match(expected: string, got: string): boolean {
		if (expected === got && !SOCKET_COMMAND.test(expected)) return true;
		const e = SOCKET_COMMAND.exec(expected),
			g = SOCKET_COMMAND.exec(got);
		if (e === null || g === null || e[1] !== g[1]) return false;
		const recorded = Number(e[2]),
			actual = Number(g[2]);
		const bound = this.#ids.get(recorded);
		if (bound === undefined ? [...this.#ids.values()].includes(actual) : bound !== actual) return false;
		if (!SEND.test(e[1]) && e[3] !== g[3]) return false;
		this.#ids.set(recorded, actual);
		return true;
	}

	// The module's recorded bytes with connectIDs the host's.
	answer(bytes: Buffer): Buffer {
		if (this.#ids.size === 0) return bytes;
		const text = bytes.toString("latin1");
		const mapped = text.replace(
			MODULE_ID,
			(_all, prefix: string, id: string) => prefix + (this.#ids.get(Number(id)) ?? id),
		);
		return mapped === text ? bytes : Buffer.from(mapped, "latin1");
	}
}
