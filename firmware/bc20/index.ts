// The BC20 TCP/IP service's public API, in one place.
export {
	BC20,
	type BC20Options,
	type ConfigSettings,
	type ModemObserver,
	type ModemStats,
	type OpenOptions,
	type StartCallbacks,
} from "./modem.js";
export type { ModemState, ReadyInfo } from "./bring-up.js";
export { Socket, type SocketCallbacks } from "./socket.js";
export { BUFFER_MODE, CLOSING, CONNECTED, INITIAL, OPENING, PUSH_MODE, type SocketStats } from "./socket-constants.js";
export {
	BC20Error,
	describe,
	E_ARGUMENT,
	E_BAD_RESPONSE,
	E_BUFFER_FULL,
	E_CANCELLED,
	E_CME,
	E_DATA_LOST,
	E_ERROR,
	E_NO_ANSWER,
	E_NOT_ATTACHED,
	E_PEER_CLOSED,
	E_QUEUE_FULL,
	E_REBOOTED,
	E_SEND_FAILED,
	E_SEND_UNKNOWN,
	E_STATE,
	E_TIMEOUT,
} from "./errors.js";
export type { PingOptions, PingReply, PingSummary } from "./ping.js";
export type { NtpOptions, NtpTime } from "./ntp.js";
export type { DnsResult } from "./dns.js";
export type { ModuleConfig } from "./config.js";
export type { SocketRecord } from "./qistate.js";
export { parseModuleTime, type ModuleTime } from "./module-time.js";
