/**
 * The module's own reading of one command line: "AT" prefix, command name and
 * form (test "=?", read "?", write "=...", execute), and its arguments. The
 * emulator deliberately shares no parsing code with the driver in firmware/.
 */

export type CommandForm = "test" | "read" | "write" | "execute";

export interface AtCommand {
	/** Upper-cased name: "" for a bare AT, "E" or "I" for basic commands, "+QIOPEN" for extended ones. */
	readonly name: string;
	readonly form: CommandForm;
	/** Everything after "=" for a write, the digits after a basic command's letter, otherwise "". */
	readonly argText: string;
	/** The whole line as received. */
	readonly line: string;
}

const EXTENDED_NAME = /^\+[A-Za-z][A-Za-z0-9]*/;
const BASIC_COMMAND = /^([A-Za-z])(\d*)$/;

/** Returns undefined when the line is not an AT command the module can read. */
export function parseCommandLine(line: string): AtCommand | undefined {
	if (line.length < 2 || line.slice(0, 2).toUpperCase() !== "AT") return undefined;
	const body = line.slice(2);
	if (body === "") return { name: "", form: "execute", argText: "", line };
	const extended = EXTENDED_NAME.exec(body);
	if (extended) {
		const name = extended[0].toUpperCase();
		const rest = body.slice(extended[0].length);
		if (rest === "") return { name, form: "execute", argText: "", line };
		if (rest === "?") return { name, form: "read", argText: "", line };
		if (rest === "=?") return { name, form: "test", argText: "", line };
		if (rest.startsWith("=")) return { name, form: "write", argText: rest.slice(1), line };
		return undefined;
	}
	const basic = BASIC_COMMAND.exec(body);
	if (basic) return { name: basic[1]!.toUpperCase(), form: "execute", argText: basic[2]!, line };
	return undefined;
}

/** One comma-separated argument; quoted ones have their quotes removed. */
export interface Argument {
	readonly text: string;
	readonly quoted: boolean;
}

/**
 * Splits "1,\"TCP\",\"a,b\",5" into arguments. Commas inside quotes do not
 * split. Returns undefined for an unterminated quote or text after a closing
 * quote.
 */
export function splitArguments(argText: string): Argument[] | undefined {
	const args: Argument[] = [];
	let index = 0;
	for (;;) {
		if (argText[index] === '"') {
			const close = argText.indexOf('"', index + 1);
			if (close < 0) return undefined;
			args.push({ text: argText.slice(index + 1, close), quoted: true });
			index = close + 1;
			if (index === argText.length) return args;
			if (argText[index] !== ",") return undefined;
		} else {
			const comma = argText.indexOf(",", index);
			const end = comma < 0 ? argText.length : comma;
			const text = argText.slice(index, end);
			if (text.includes('"')) return undefined;
			args.push({ text, quoted: false });
			if (comma < 0) return args;
			index = comma;
		}
		index++;
	}
}

/** An unquoted decimal integer within [min, max], else undefined. */
export function integerArgument(arg: Argument | undefined, min: number, max: number): number | undefined {
	if (arg === undefined || arg.quoted || !/^\d{1,10}$/.test(arg.text)) return undefined;
	const value = Number(arg.text);
	return value >= min && value <= max ? value : undefined;
}

/** A quoted string argument, else undefined. */
export function stringArgument(arg: Argument | undefined): string | undefined {
	return arg !== undefined && arg.quoted ? arg.text : undefined;
}

/** An integer argument that may be left out: `absent` when missing, null when present but invalid. */
export function optionalInteger(arg: Argument | undefined, min: number, max: number, absent: number): number | null {
	if (arg === undefined) return absent;
	return integerArgument(arg, min, max) ?? null;
}
