/**
 * The <err> codes of the manual's chapter 3, with the descriptions AT+QIGETERROR
 * prints. The module prints them in lower case (manual example 4.5:
 * "+QIGETERROR: 552,invalid parameters"); acronyms keep their capitals.
 */
export const TcpipError = {
	None: 0,
	Unknown: 550,
	OperationBlocked: 551,
	InvalidParameters: 552,
	MemoryNotEnough: 553,
	CreateSocketFailed: 554,
	OperationNotSupported: 555,
	SocketBindFailed: 556,
	SocketListenFailed: 557,
	SocketWriteFailed: 558,
	SocketReadFailed: 559,
	SocketAcceptFailed: 560,
	OpenPdpContextFailed: 561,
	ClosePdpContextFailed: 562,
	SocketIdentityUsed: 563,
	DnsBusy: 564,
	DnsParseFailed: 565,
	SocketConnectFailed: 566,
	SocketClosed: 567,
	OperationBusy: 568,
	OperationTimeout: 569,
	PdpContextBrokenDown: 570,
	CancelSend: 571,
	OperationNotAllowed: 572,
	ApnNotConfigured: 573,
	PortBusy: 574,
} as const;

export type TcpipErrorCode = (typeof TcpipError)[keyof typeof TcpipError];

const descriptions: Record<TcpipErrorCode, string> = {
	0: "operation successful",
	550: "unknown error",
	551: "operation blocked",
	552: "invalid parameters",
	553: "memory not enough",
	554: "create socket failed",
	555: "operation not supported",
	556: "socket bind failed",
	557: "socket listen failed",
	558: "socket write failed",
	559: "socket read failed",
	560: "socket accept failed",
	561: "open PDP context failed",
	562: "close PDP context failed",
	563: "socket identity has been used",
	564: "DNS busy",
	565: "DNS parse failed",
	566: "socket connect failed",
	567: "socket has been closed",
	568: "operation busy",
	569: "operation timeout",
	570: "PDP context broken down",
	571: "cancel send",
	572: "operation not allowed",
	573: "APN not configured",
	574: "port busy",
};

export function describeTcpipError(code: TcpipErrorCode): string {
	return descriptions[code];
}
