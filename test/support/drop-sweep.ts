// The damage a noisy line does to the module's output, swept: every way of
// dropping one or two bytes of `text`, each handed to `check`, which returns
// what went wrong ("" when nothing did). Returns one line per wrong case,
// naming the bytes dropped, for an assert.equal(…, []) to print.
export function dropSweep(text: string, check: (damaged: string) => string): string[] {
	const wrong: string[] = [];
	for (let at = 0; at < text.length; at++)
		// (b === at: one byte dropped.)
		for (let b = at; b < text.length; b++) {
			const rest = b === at ? text.slice(at + 1) : text.slice(at + 1, b) + text.slice(b + 1);
			const why = check(text.slice(0, at) + rest);
			if (why !== "") wrong.push(`bytes ${at}, ${b} (${JSON.stringify(text[at] + text[b])}): ${why}`);
		}
	return wrong;
}

// The other damage of a noisy line: every byte of `text` changed, in turn, to
// each of a letter, a NUL, 0xFF, a CR and an LF (a changed CR or LF merges
// lines or splits one), each handed to `check` as in dropSweep().
const CHANGES = ["q", "\x00", "\xff", "\r", "\n"];

export function changeSweep(text: string, check: (damaged: string) => string): string[] {
	const wrong: string[] = [];
	for (let at = 0; at < text.length; at++)
		for (const change of CHANGES) {
			if (change === text[at]) continue;
			const why = check(text.slice(0, at) + change + text.slice(at + 1));
			if (why !== "") wrong.push(`byte ${at} (${JSON.stringify(text[at])} -> ${JSON.stringify(change)}): ${why}`);
		}
	return wrong;
}
