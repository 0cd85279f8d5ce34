// Everything a program needs, as one module: the entry of dist/xs/bc20.js
// (globalThis.bc20 in any XS host) and of the Node side's imports.
//   bc20.BC20, bc20.Socket, errors    the modem (firmware/bc20/)
//   bc20.TCP, bc20.UDP, bc20.Resolver  ECMA-419 classes over it (firmware/net/)
//   bc20.Channel, bc20.Reader, ...     the AT engine (firmware/at/), for other modules
export * from "./bc20/index.js";
export * from "./net/index.js";
export { ByteRing } from "./at/byte-ring.js";
export { Channel, type ChannelEvents, type ChannelOptions } from "./at/channel.js";
export * from "./at/command.js";
export { Line } from "./at/line.js";
export * as LineKind from "./at/line-kind.js";
export { Reader, type ReaderEvents } from "./at/reader.js";
export * from "./at/result.js";
export type { Clock, Transport } from "./at/seams.js";
