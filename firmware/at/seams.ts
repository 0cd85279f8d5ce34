// The two things the engine needs from a platform, handed in at construction
// (no module-level singletons: preloaded modules are frozen on the device).

// Bytes to the module. The engine reuses `bytes` after the call returns, so a
// transport that cannot write at once must copy what it keeps.
export interface Transport {
	write(bytes: Uint8Array, start: number, end: number): void;
}

// Time. Tests hand in a virtual clock; the device wraps `timer`; Node wraps
// setTimeout. `set` should not allocate when the same callback is set again
// (the device adapter reschedules one Timer per callback).
export interface Clock {
	now(): number;
	set(callback: () => void, ms: number): unknown;
	clear(handle: unknown): void;
}
