// Byte constants and ASCII helpers shared by the engine. Strings are turned into
// bytes once, at module load, so matching at run time compares numbers only.

export const CR = 13;
export const LF = 10;
export const QUOTE = 34;
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

// Value of a hex digit, or -1.
export function hexValue(c: number): number {
	if (c >= 48 && c <= 57) return c - 48;
	if (c >= 65 && c <= 70) return c - 55;
	if (c >= 97 && c <= 102) return c - 87;
	return -1;
}
