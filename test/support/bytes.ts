// Test helpers for bytes written as JavaScript strings: each char code is one
// byte (0-255), so "\x00\xff" is two bytes. No Node APIs: also used inside XS.

export function bytes(text: string): Uint8Array {
	const out = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
	return out;
}

export function latin1(src: Uint8Array, start = 0, end = src.length): string {
	let s = "";
	for (let i = start; i < end; i++) s += String.fromCharCode(src[i]);
	return s;
}

export function hex(src: Uint8Array, start = 0, end = src.length): string {
	let s = "";
	for (let i = start; i < end; i++) s += (src[i] < 16 ? "0" : "") + src[i].toString(16);
	return s;
}

// A small deterministic PRNG (mulberry32) so failures reproduce from a seed.
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
