// ECMA-419 callers hand in an ArrayBuffer, a typed array or a DataView; the
// modem works on Uint8Array. A Uint8Array passes through untouched (no
// allocation); anything else gets a byte view (one object per call: callers on
// a hot path pass a Uint8Array).
export function byteView(data: ArrayBufferLike | ArrayBufferView): Uint8Array {
	if (data instanceof Uint8Array) return data;
	if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	return new Uint8Array(data);
}

// Runs `callback` after the current turn: ECMA-419 classes never call back
// from inside their own constructor or methods.
export function later(callback: () => void): void {
	Promise.resolve().then(callback);
}
