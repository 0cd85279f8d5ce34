/** Counters tests read to check what the emulated module did. */
import { SOCKET_COUNT } from "./nvram.js";

export interface SocketCounters {
	/** AT+QIOPEN attempts on this connect ID. */
	opens: number;
	/** Payload bytes handed to the network by QISEND/QISENDEX. */
	bytesSent: number;
	/** Payload bytes that arrived from the network (including UDP datagrams later dropped). */
	bytesReceived: number;
	/** Payload bytes given to the host, by AT+QIRD or pushed in direct push mode. */
	bytesDelivered: number;
	sendOk: number;
	sendFail: number;
}

export interface EmulatorStats {
	/** Bytes the host wrote to the UART. */
	bytesIn: number;
	/** Bytes delivered to the host through 'data' events. */
	bytesOut: number;
	/** Host bytes the module never read: sent while booting, powered off or asleep. */
	bytesIgnored: number;
	/** Host bytes written while booting that the module read after its banner (bootAnswer "after-banner"). */
	bytesReadAfterBoot: number;
	/** Module output bytes removed by the dropRate fault. */
	bytesDropped: number;
	/** Module output bytes altered by the corruptRate fault. */
	bytesCorrupted: number;
	/** Lines damaged by the damageLines fault. */
	linesDamaged: number;
	/** URCs the interleaveUrcs option put between the lines of a response. */
	urcsInterleaved: number;
	/** UDP payload bytes that arrived while the module was in PSM: lost in the network. */
	psmLostBytes: number;
	/** TCP connections whose NAT binding expired (idle longer than natTimeoutMs). */
	natExpired: number;
	/** Bytes either way lost to an expired NAT binding. */
	natDroppedBytes: number;
	/** UDP datagrams dropped because the receive buffer had no room. */
	udpDropped: number;
	/** Protocol violations by the host (BC20Emulator.violations holds them). */
	violations: number;
	/** Boots after the first (reboot(), AT+QRST=1, reboot faults). */
	reboots: number;
	/** Indexed by connect ID, counted over the emulator's whole life. */
	sockets: SocketCounters[];
}

export function createStats(): EmulatorStats {
	return {
		bytesIn: 0,
		bytesOut: 0,
		bytesIgnored: 0,
		bytesReadAfterBoot: 0,
		bytesDropped: 0,
		bytesCorrupted: 0,
		linesDamaged: 0,
		urcsInterleaved: 0,
		psmLostBytes: 0,
		natExpired: 0,
		natDroppedBytes: 0,
		udpDropped: 0,
		reboots: 0,
		violations: 0,
		sockets: Array.from({ length: SOCKET_COUNT }, () => ({
			opens: 0,
			bytesSent: 0,
			bytesReceived: 0,
			bytesDelivered: 0,
			sendOk: 0,
			sendFail: 0,
		})),
	};
}
