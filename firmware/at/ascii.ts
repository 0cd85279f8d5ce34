// Byte constants and ASCII helpers shared by the engine. Strings are turned into
// bytes once, at module load, so matching at run time compares numbers only.

export const CR = 13;
export const LF = 10;
export const QUOTE = 34;
export const EQUALS = 61;
export const QUESTION = 63;
export const COMMA = 44;
export const COLON = 58;
export const SPACE = 32;
export const MINUS = 45;
export const PLUS = 43;
export const DIGIT_0 = 48;
export const DIGIT_9 = 57;

// ASCII text to bytes (characters above 0x7F are not expected in constants).
export function ascii(text: string): Uint8Array {
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
	return bytes;
}

// The uppercase hex digits, by value.
export const HEX_DIGITS = ascii("0123456789ABCDEF");

// The value of every byte as a hex digit, -1 for a byte that is not one: one
// table read per digit on the receive path.
export const HEX_VALUE = hexValues();

function hexValues(): Int8Array {
	const table = new Int8Array(256).fill(-1);
	for (let v = 0; v < 16; v++) {
		table[HEX_DIGITS[v]] = v;
		table[HEX_DIGITS[v] | 0x20] = v; // lowercase (digits are unchanged by the bit)
	}
	return table;
}
