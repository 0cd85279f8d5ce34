export { ByteRing } from "./firmware/at/byte-ring.js";
export { Reader } from "./firmware/at/reader.js";
export { ascii } from "./firmware/at/ascii.js";
