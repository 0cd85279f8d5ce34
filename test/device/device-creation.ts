// manifest.json's `creation` as bc20-device-xs takes it (environment
// variables read by native/device-xs.c when it creates the machine).
//
// What maps, and what does not (xsnap's worker value is kept):
//   stack                 -> stack slots, exactly: XS counts its stack in slots
//                            on every platform (a slot is 16 bytes on the
//                            ESP32, 32 here)
//   chunk.initial/.incremental -> the first chunk block and each growth, bytes
//   heap.initial/.incremental  -> the first slot block and each growth, slots
//   static                -> no equivalent: on the ESP32 it is the one block
//                            all of XS lives in (slots, chunks, stack); xsnap
//                            grows without such a cap (up to 2 GB), its slots
//                            are twice as large, and nothing is preloaded
//                            into flash, so the firmware's code and every
//                            module's objects are in the heap too
//   keys.available        -> no equivalent: on the device it counts keys made
//                            at run time beyond those of the preloaded
//                            archive; here every key is made at run time
import { readFileSync } from "node:fs";

export interface Creation {
	stack: number;
	chunk: { initial: number; incremental: number };
	heap: { initial: number; incremental: number };
}

const manifest = new URL("../../manifest.json", import.meta.url);

/** manifest.json's creation sizes; `stack` may be replaced (to measure a
 * firmware that does not fit the manifest's stack). */
export function manifestCreation(overrides: Partial<Creation> = {}): Creation {
	const { creation } = JSON.parse(readFileSync(manifest, "utf8")) as { creation: Creation };
	return { ...creation, ...overrides };
}

export function creationEnv(creation: Creation): Record<string, string> {
	return {
		BC20_XS_STACK: String(creation.stack),
		BC20_XS_CHUNK_INITIAL: String(creation.chunk.initial),
		BC20_XS_CHUNK_INCREMENTAL: String(creation.chunk.incremental),
		BC20_XS_HEAP_INITIAL: String(creation.heap.initial),
		BC20_XS_HEAP_INCREMENTAL: String(creation.heap.incremental),
	};
}
