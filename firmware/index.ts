// Everything a host program needs, as one module: the entry of dist/xs/bc20.js
// (globalThis.bc20 in any XS host) and of the Node side's imports.
export { ByteRing } from "./at/byte-ring.js";
export { Channel, type ChannelEvents, type ChannelOptions } from "./at/channel.js";
export * from "./at/command.js";
export { Line } from "./at/line.js";
export * as LineKind from "./at/line-kind.js";
export { Reader, type ReaderEvents } from "./at/reader.js";
export * from "./at/result.js";
export type { Clock, Transport } from "./at/seams.js";
