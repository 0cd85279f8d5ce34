// The ECMA-419 classes over the BC20, in one place.
export { TCP, type TCPOptions } from "./tcp.js";
export { UDP, type UDPOptions, type Datagram } from "./udp.js";
export { Resolver, isAddressLiteral, type ResolverOptions, type ResolveRequest } from "./dns.js";
