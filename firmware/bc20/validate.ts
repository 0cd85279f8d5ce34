// Checks on everything a caller hands in before it can reach the wire
// (invariant: no user input can become an AT command). Each check throws a
// BC20Error(E_ARGUMENT) naming what is wrong, so nothing is sent. The
// address tests (isIPv4, isIPAddress) judge what the module gives too.
import { BC20Error, E_ARGUMENT } from "./errors.js";

export const MAX_HOST_LENGTH = 255;

function refuse(what: string, why: string): never {
	throw new BC20Error(E_ARGUMENT, what + " " + why);
}

// A host name or dotted IPv4 address as the module takes it inside quotes.
// Only letters, digits, '-', '.' and '_' pass: no quote, comma, semicolon,
// backslash, space, control or non-ASCII character can ever reach the command
// line. Labels are 1-63 characters; an all-digit name must be a valid IPv4 address.
export function checkHost(host: unknown, what = "host"): string {
	if (typeof host !== "string") refuse(what, "must be a string");
	const length = host.length;
	if (length === 0) refuse(what, "is empty");
	if (length > MAX_HOST_LENGTH) refuse(what, "is longer than " + MAX_HOST_LENGTH + " characters");
	let label = 0,
		digitsAndDots = true;
	for (let i = 0; i < length; i++) {
		const c = host.charCodeAt(i);
		if (c === 46 /* . */) {
			if (label === 0) refuse(what, "has an empty label");
			label = 0;
			continue;
		}
		const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
		const digit = c >= 48 && c <= 57;
		if (!letter && !digit && c !== 45 /* - */ && c !== 95 /* _ */)
			refuse(what, "contains a character not allowed in a host name (code " + c + " at " + i + ")");
		if (!digit) digitsAndDots = false;
		if (++label > 63) refuse(what, "has a label longer than 63 characters");
	}
	if (label === 0) refuse(what, "ends with a dot");
	if (digitsAndDots && !isIPv4(host)) refuse(what, "is not a valid IPv4 address");
	return host;
}

// An address as +CGPADDR gives it: IPv4, or IPv6 written with colons or as
// 3GPP's 16 dotted numbers. A line damaged on the way ("127.0.0M1") is none.
export function isIPAddress(text: string): boolean {
	if (isIPv4(text)) return true;
	if (text.indexOf(":") >= 0) return text.length <= 45 && /^[0-9A-Fa-f:.]+$/.test(text) && !/:::/.test(text);
	const parts = text.split(".");
	return parts.length === 16 && parts.every((part) => /^[0-9]{1,3}$/.test(part) && Number(part) <= 255);
}

export function isIPv4(text: string): boolean {
	const parts = text.split(".");
	if (parts.length !== 4) return false;
	for (const part of parts) {
		if (part.length === 0 || part.length > 3 || !/^[0-9]+$/.test(part) || Number(part) > 255) return false;
	}
	return true;
}

// An integer within [min, max]; `fallback` when undefined.
export function checkInt(value: unknown, min: number, max: number, what: string, fallback?: number): number {
	if (value === undefined && fallback !== undefined) return fallback;
	if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
		refuse(what, "must be an integer from " + min + " to " + max);
	return value;
}

export function checkCallback(value: unknown, what = "callback"): void {
	if (typeof value !== "function") refuse(what, "must be a function");
}

// Commands whose state the driver keeps (sockets, receive settings): issued
// raw they would desynchronise it, so only their test form passes.
const OWNED = Object.freeze(["+QIOPEN", "+QICLOSE", "+QISEND", "+QISENDEX", "+QIRD", "+QISWTMD", "+QICFG"]);

// A raw command line for command(): "AT...", one line of printable ASCII.
export function checkCommandLine(text: unknown, maxLength: number): string {
	if (typeof text !== "string") refuse("command", "must be a string");
	if (text.length < 2 || (text.charCodeAt(0) | 32) !== 97 || (text.charCodeAt(1) | 32) !== 116)
		refuse("command", "must start with AT");
	if (text.length > maxLength) refuse("command", "is longer than " + maxLength + " characters");
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 32 || c > 126) refuse("command", "must be one line of printable ASCII (code " + c + " at " + i + ")");
	}
	// ';' would chain a second command behind the first.
	if (text.indexOf(";") >= 0) refuse("command", "must be a single command (no ';')");
	// Basic commands chain without ';' (ATE0V0): allow one, and none that
	// changes line framing, result codes or the UART (S3/S4/S5, V, Q, &F, Z).
	const body = text.slice(2).toUpperCase().replace(/ /g, "");
	if (body !== "" && body[0] !== "+") {
		if (!/^(&?[A-Z])\d*$/.test(body) || /^(S|V|Q|Z|&F)/.test(body))
			refuse("command", "must be one basic command that leaves line framing and result codes alone");
	}
	if (/^\+(IPR|ICF|IFC)/.test(body)) refuse("command", "would change the UART settings under the driver");
	// A parser may ignore spaces, so names are compared without them.
	const compact = text.toUpperCase().replace(/ /g, "");
	for (const name of OWNED) {
		if (!compact.startsWith(name, 2)) continue;
		const tail = compact.slice(2 + name.length);
		// "+QISEND" must not catch "+QISENDEX": the name ends at '=', '?' or the line end.
		if (tail !== "" && tail[0] !== "=" && tail[0] !== "?") continue;
		if (tail !== "?" && tail !== "=?")
			refuse(
				"command",
				"AT" + name + " is driven by the modem's API; only its test (=?) and read (?) forms are allowed raw",
			);
	}
	return text;
}
