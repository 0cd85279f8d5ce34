/**
 * The module's TCP/IP stack as the manual describes it: every command of
 * chapter 2 (QIOPEN, QICLOSE, QISTATE, QISEND, QIRD, QISENDEX, QISWTMD,
 * QPING, QNTP, QIDNSGIP, QICFG, QIGETERROR) in all its forms, the URCs of
 * 2.2, and the <err> codes of chapter 3. One instance lives for one power
 * cycle: a reboot starts a fresh stack with no sockets.
 */
import {
	type Argument,
	type AtCommand,
	integerArgument,
	optionalInteger,
	splitArguments,
	stringArgument,
} from "./at-command.js";
import type { CommandHandlers, CommandTable } from "./command-table.js";
import type { EmulatorStats } from "./emulator-stats.js";
import { describeTcpipError, TcpipError, type TcpipErrorCode } from "./error-codes.js";
import { formatModuleTime } from "./module-time.js";
import { type NameResolver, preferIPv4, REPORTED_DNS_TTL } from "./name-resolver.js";
import { type Bit, type NvramSettings, SOCKET_COUNT } from "./nvram.js";
import type { PowerCycle } from "./power-cycle.js";
import type { ViolationKind } from "./protocol-violations.js";
import { Response } from "./response.js";
import { SocketService, SocketState } from "./socket-service.js";
import { querySntp } from "./sntp-client.js";
import { tcpPing } from "./tcp-ping.js";

/** What the stack needs from the rest of the module. */
export interface TcpipContext {
	readonly cycle: PowerCycle;
	/** Live NVRAM settings; call saveSettings() after changing them. */
	readonly settings: NvramSettings;
	saveSettings(): void;
	/** 0 while the data connection is up, else the code TCP/IP commands fail with (561 or 570). */
	networkError(): TcpipErrorCode;
	/** Sends a framed line (a URC or a late result such as SEND OK) to the host. */
	urc(line: string): void;
	/** Sends raw bytes (direct-push data) to the host. */
	output(bytes: Buffer): void;
	/** Bytes queued on the UART, not yet delivered to the host. */
	outputBacklog(): number;
	/** Runs `action` once the UART has delivered everything queued. */
	whenOutputDrained(action: () => void): void;
	readonly resolver: NameResolver;
	readonly stats: EmulatorStats;
	/** True once for each armed failNextSend() fault. */
	takeSendFailure(): boolean;
	/** A mark at the end of the output queued so far. */
	outputMark(): number;
	/** Whether the host had received all output up to `mark` when the command line being run began to reach the module: what it could know when it wrote the line. */
	heard(mark: number): boolean;
	/** The host had received the boot banner of this power cycle when that line reached the module (until then it cannot know its sockets are gone). */
	bannerHeard(): boolean;
	/** Records something the host did that the manual forbids. */
	violation(kind: ViolationKind, command: string, reason: string): void;
	/** AT+QNTP with <autosettime> 1 sets the module clock. */
	setClock(unixMs: number): void;
	readonly socketBufferSize: number;
	readonly openTimeoutMs: number;
	readonly ntpTimeoutMs: number;
	readonly pingPort: number;
	/** A flow idle this long loses its NAT binding. */
	readonly natTimeoutMs: number;
	/** The module is in PSM (deep sleep): unreachable from the network. */
	inPsm(): boolean;
}

/** Largest QISEND payload (manual 2.1.4). */
const MAX_SEND_LENGTH = 1024;
/** Largest QISENDEX payload and QIRD read (manual 2.1.5, 2.1.6). */
const MAX_HEX_SEND_LENGTH = 512;
const MAX_READ_LENGTH = 512;
/** Direct-push URCs carry at most this many bytes each. */
const MAX_PUSH_LENGTH = 512;
/**
 * Loopback delivers TCP data in chunks of up to 64 KiB; a radio link delivers
 * segments. Buffer-mode nodes are cut to one Ethernet-sized MSS so node
 * boundaries look like the module's.
 */
const NETWORK_SEGMENT_BYTES = 1460;
const DEFAULT_NTP_PORT = 123;
/** A TCP peer's first retransmission timeout (RFC 6298: 1 s), doubling after each try. */
const RETRANSMISSION_TIMEOUT_MS = 1000;
/** TTL reported for each ping reply (the manual's example shows 255). */
const PING_TTL = 255;
const HEX_STRING = /^[0-9A-Fa-f]*$/;
/** "<id>,<len>,<data>": the data is the raw rest of the line, commas and quotes included. */
const SEND_ARGUMENTS = /^(\d+),(\d+),(.*)$/s;

export class TcpipService {
	readonly commands: CommandTable;
	private readonly sockets: (SocketService | undefined)[] = new Array(SOCKET_COUNT).fill(undefined);
	private lastError: TcpipErrorCode = TcpipError.None;
	private operationsInFlight = 0;
	/** TCP sockets in push mode paused until the UART catches up. */
	private readonly waitingForUart = new Set<SocketService>();

	constructor(private readonly ctx: TcpipContext) {
		this.commands = new Map<string, CommandHandlers>([
			[
				"+QIOPEN",
				this.tracked({
					test: () =>
						Response.ok(
							'+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-1)[,(0-1)]',
						),
					write: (c) => this.open(c),
				}),
			],
			["+QICLOSE", this.tracked({ test: () => Response.ok("+QICLOSE: (0-4)"), write: (c) => this.close(c) })],
			[
				"+QISTATE",
				this.tracked({
					test: () => Response.ok(),
					read: () => Response.ok(...this.stateLines(() => true)),
					write: (c) => this.state(c),
				}),
			],
			[
				"+QISEND",
				this.tracked({ test: () => Response.ok("+QISEND: (0-4),(1-1024),<data>"), write: (c) => this.sendText(c) }),
			],
			[
				"+QISENDEX",
				this.tracked({
					test: () => Response.ok("+QISENDEX: (0-4),(1-512),<hex_string>"),
					write: (c) => this.sendHex(c),
				}),
			],
			["+QIRD", this.tracked({ test: () => Response.ok("+QIRD: (0-4),(1-512)"), write: (c) => this.read(c) })],
			[
				"+QISWTMD",
				this.tracked({
					test: () => Response.ok("+QISWTMD: (0-4),(0-1)"),
					read: () => Response.ok(),
					write: (c) => this.switchMode(c),
				}),
			],
			[
				"+QPING",
				this.tracked({
					test: () => Response.ok('+QPING: (1-3),"<host>"[,(1-255)[,(1-10)[,(32-200)]]]'),
					write: (c) => this.ping(c),
				}),
			],
			[
				"+QNTP",
				this.tracked({
					test: () => Response.ok('+QNTP: (1-3),"<server>"[,<port>[,(0-1)]]'),
					write: (c) => this.ntp(c),
				}),
			],
			[
				"+QIDNSGIP",
				this.tracked({ test: () => Response.ok('+QIDNSGIP: (1-3),"<hostname>"'), write: (c) => this.dnsLookup(c) }),
			],
			[
				"+QICFG",
				this.tracked({
					test: () =>
						Response.ok('+QICFG: "dataformat",(0,1),(0,1)', '+QICFG: "viewmode",(0,1)', '+QICFG: "showlength",(0,1)'),
					write: (c) => this.configure(c),
				}),
			],
			// Not tracked: reading the last error must not reset it.
			[
				"+QIGETERROR",
				{
					test: () => Response.ok(),
					execute: () => Response.ok(`+QIGETERROR: ${this.lastError},${describeTcpipError(this.lastError)}`),
				},
			],
		]);
	}

	/** Opens, lookups, pings or NTP queries are under way: the module stays awake for them. */
	get busy(): boolean {
		return this.operationsInFlight > 0;
	}

	/**
	 * The data connection went away (PDP deactivated, CFUN=0): every socket
	 * drops its network side and waits in Closing for the host's AT+QICLOSE;
	 * data already buffered stays readable.
	 */
	detach(): void {
		for (const socket of this.sockets) {
			if (socket === undefined) continue;
			socket.ended(this.ctx.outputMark(), "was closed by the network (the data connection went down)");
			socket.state = SocketState.Closing;
			socket.held.length = 0;
			void socket.destroy();
		}
	}

	/** Drops every socket silently; resolves once all are closed. */
	async shutdown(): Promise<void> {
		const sockets = this.sockets.splice(0, SOCKET_COUNT, ...new Array<undefined>(SOCKET_COUNT));
		await Promise.all(sockets.map((socket) => socket?.destroy()));
	}

	/** Each TCP/IP command sets the error AT+QIGETERROR reports: 0 unless it fails. */
	private tracked(handlers: CommandHandlers): CommandHandlers {
		const wrapped: CommandHandlers = {};
		for (const [form, handler] of Object.entries(handlers) as [
			keyof CommandHandlers,
			NonNullable<CommandHandlers[keyof CommandHandlers]>,
		][]) {
			wrapped[form] = (command) => {
				this.lastError = TcpipError.None;
				return handler(command);
			};
		}
		return wrapped;
	}

	private fail(code: TcpipErrorCode): Response {
		this.lastError = code;
		return code === TcpipError.InvalidParameters ? Response.invalid() : Response.error();
	}

	/**
	 * Whether the host could know that socket `id` is not open when it sent
	 * `command`; if so, that is a violation. A socket that vanished in a reboot
	 * counts once the host heard the boot banner, one closed by the network once
	 * it heard the URC saying so.
	 */
	private checkOpen(id: number, command: AtCommand, socket: SocketService | undefined): void {
		const line = commandText(command);
		if (socket === undefined) {
			if (this.ctx.bannerHeard()) this.ctx.violation("socket-not-open", line, `connect ID ${id} is not open`);
		} else if (socket.state === SocketState.Opening) {
			this.ctx.violation("socket-not-open", line, `connect ID ${id} is still opening (no +QIOPEN: ${id},0 yet)`);
		} else if (
			socket.state !== SocketState.Connected &&
			socket.endMark !== undefined &&
			this.ctx.heard(socket.endMark)
		) {
			this.ctx.violation("socket-not-open", line, `connect ID ${id} ${socket.endReason}`);
		}
	}

	/** Runs an asynchronous operation after the command's final result has been queued. */
	private inFlight(operation: () => Promise<void>): void {
		this.operationsInFlight++;
		this.ctx.cycle.soon(() => {
			void operation().finally(() => this.operationsInFlight--);
		});
	}

	private requireNetwork(): Response | undefined {
		const error = this.ctx.networkError();
		return error === TcpipError.None ? undefined : this.fail(error);
	}

	// AT+QIOPEN=<contextID>,<connectID>,<service_type>,<address>,<remote_port>[,<local_port>[,<access_mode>[,<protocol_type>]]]
	private open(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		if (args === undefined || args.length < 5 || args.length > 8) return this.fail(TcpipError.InvalidParameters);
		const context = integerArgument(args[0], 1, 3);
		const id = integerArgument(args[1], 0, SOCKET_COUNT - 1);
		const type = stringArgument(args[2])?.toUpperCase();
		const remote = stringArgument(args[3]);
		const remotePort = integerArgument(args[4], 1, 65535);
		const localPort = optionalInteger(args[5], 0, 65535, 0);
		const accessMode = optionalInteger(args[6], 0, 1, id === undefined ? 0 : this.ctx.settings.accessModes[id]!);
		const protocol = optionalInteger(args[7], 0, 1, 0);
		if (
			context !== 1 ||
			id === undefined ||
			(type !== "TCP" && type !== "UDP") ||
			!remote ||
			remotePort === undefined ||
			localPort === null ||
			accessMode === null ||
			protocol === null
		) {
			return this.fail(TcpipError.InvalidParameters);
		}
		if (protocol === 1) return this.fail(TcpipError.OperationNotSupported);
		const offline = this.requireNetwork();
		if (offline) return offline;
		if (this.sockets[id] !== undefined) {
			this.ctx.violation(
				"socket-in-use",
				commandText(command),
				`connect ID ${id} is still in use: AT+QICLOSE it first`,
			);
			this.lastError = TcpipError.SocketIdentityUsed;
			this.ctx.cycle.soon(() => this.ctx.urc(`+QIOPEN: ${id},${TcpipError.SocketIdentityUsed}`));
			return Response.ok();
		}
		const socket: SocketService = new SocketService(
			{ id, type, remote, remotePort, localPort, accessMode: accessMode as Bit, bufferSize: this.ctx.socketBufferSize },
			{
				arrived: this.ctx.cycle.guard((bytes: Buffer) => this.arrived(socket, bytes)),
				peerClosed: this.ctx.cycle.guard(() => this.peerClosed(socket)),
			},
		);
		this.sockets[id] = socket;
		this.ctx.stats.sockets[id]!.opens++;
		this.inFlight(() => this.connect(socket, remote));
		return Response.ok();
	}

	private async connect(socket: SocketService, remote: string): Promise<void> {
		const address = preferIPv4(await this.ctx.resolver.resolve(remote, this.ctx.cycle.signal));
		if (!this.ctx.cycle.alive || socket.state !== SocketState.Opening) return;
		if (address === undefined) return this.openFailed(socket, TcpipError.DnsParseFailed);
		const error = await new Promise<TcpipErrorCode>((resolve) =>
			socket.connect(address, this.ctx.openTimeoutMs, resolve),
		);
		if (!this.ctx.cycle.alive || socket.state !== SocketState.Opening) return;
		if (error !== TcpipError.None) return this.openFailed(socket, error);
		socket.state = SocketState.Connected;
		socket.lastTraffic = Date.now();
		this.ctx.urc(`+QIOPEN: ${socket.id},0`);
	}

	/** The connect ID stays taken: the manual requires the host to AT+QICLOSE it. */
	private openFailed(socket: SocketService, error: TcpipErrorCode): void {
		socket.state = SocketState.Initial;
		this.lastError = error;
		this.ctx.urc(`+QIOPEN: ${socket.id},${error}`);
		socket.ended(this.ctx.outputMark(), `failed to open (+QIOPEN: ${socket.id},${error})`);
	}

	// AT+QICLOSE=<connectID>
	private close(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const id = args?.length === 1 ? integerArgument(args[0], 0, SOCKET_COUNT - 1) : undefined;
		if (id === undefined) return this.fail(TcpipError.InvalidParameters);
		const socket = this.sockets[id];
		if (socket === undefined) {
			this.ctx.cycle.soon(() => this.ctx.urc("CLOSE OK"));
			return Response.ok();
		}
		socket.state = SocketState.Closing;
		socket.ended(0, "was closed by the host (AT+QICLOSE)");
		socket.close(
			this.ctx.cycle.guard(() => {
				if (this.sockets[id] === socket) this.sockets[id] = undefined;
				this.ctx.urc("CLOSE OK");
			}),
		);
		return Response.ok();
	}

	// AT+QISTATE=<query_type>,<contextID|connectID>
	private state(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const queryType = integerArgument(args?.[0], 0, 1);
		if (args?.length !== 2 || queryType === undefined) return this.fail(TcpipError.InvalidParameters);
		if (queryType === 0) {
			const context = integerArgument(args[1], 1, 3);
			if (context === undefined) return this.fail(TcpipError.InvalidParameters);
			return Response.ok(...this.stateLines(() => context === 1));
		}
		const id = integerArgument(args[1], 0, SOCKET_COUNT - 1);
		if (id === undefined) return this.fail(TcpipError.InvalidParameters);
		return Response.ok(...this.stateLines((socket) => socket.id === id));
	}

	private stateLines(include: (socket: SocketService) => boolean): string[] {
		return this.sockets
			.filter((socket): socket is SocketService => socket !== undefined && include(socket))
			.map(
				(s) =>
					`+QISTATE: ${s.id},"${s.type}","${s.remoteAddress}",${s.remotePort},${s.localPort},${s.state},1,${s.accessMode}`,
			);
	}

	// AT+QISEND=<connectID>,<send_length>,<data>
	private sendText(command: AtCommand): Response {
		const match = SEND_ARGUMENTS.exec(command.argText);
		const id = match ? integerArgument(unquoted(match[1]!), 0, SOCKET_COUNT - 1) : undefined;
		const length = match ? integerArgument(unquoted(match[2]!), 1, MAX_SEND_LENGTH) : undefined;
		if (!match || id === undefined || length === undefined) return this.fail(TcpipError.InvalidParameters);
		const data = match[3]!;
		// The manual shows both AT+QISEND=0,10,1234567890 and AT+QISEND=0,12,"012345678901".
		let payload: string;
		if (data.length === length) payload = data;
		else if (data.length === length + 2 && data.startsWith('"') && data.endsWith('"')) payload = data.slice(1, -1);
		else return this.fail(TcpipError.InvalidParameters);
		return this.send(id, Buffer.from(payload, "latin1"), command);
	}

	// AT+QISENDEX=<connectID>,<send_length>,<hex_string>
	private sendHex(command: AtCommand): Response {
		const match = SEND_ARGUMENTS.exec(command.argText);
		const id = match ? integerArgument(unquoted(match[1]!), 0, SOCKET_COUNT - 1) : undefined;
		const length = match ? integerArgument(unquoted(match[2]!), 1, MAX_HEX_SEND_LENGTH) : undefined;
		const hex = match?.[3] ?? "";
		if (id === undefined || length === undefined || hex.length !== 2 * length || !HEX_STRING.test(hex)) {
			return this.fail(TcpipError.InvalidParameters);
		}
		return this.send(id, Buffer.from(hex, "hex"), command);
	}

	private send(id: number, payload: Buffer, command: AtCommand): Response {
		const offline = this.requireNetwork();
		if (offline) return offline;
		const socket = this.sockets[id];
		if (socket === undefined || socket.state !== SocketState.Connected) {
			this.checkOpen(id, command, socket);
			return this.fail(
				socket?.state === SocketState.Closing ? TcpipError.SocketClosed : TcpipError.OperationNotAllowed,
			);
		}
		if (socket.sendPending || !this.ctx.heard(socket.sendResultMark)) {
			this.ctx.violation(
				"send-pending",
				commandText(command),
				`the previous send on connect ID ${id} had no SEND OK/SEND FAIL yet`,
			);
		}
		// Manual 4.1.2: a send while the previous SEND OK is outstanding gets ERROR.
		if (socket.sendPending) return this.fail(TcpipError.OperationBusy);
		if (this.natGone(socket) && socket.type === "TCP") return this.sendIntoTheVoid(socket, payload);
		// A UDP send through an expired binding simply makes a new one.
		socket.natExpired = false;
		socket.lastTraffic = Date.now();
		socket.sendPending = true;
		const counters = this.ctx.stats.sockets[id]!;
		const report = this.ctx.cycle.guard((ok: boolean) => {
			socket.sendPending = false;
			socket.lastTraffic = Date.now();
			if (ok) {
				counters.sendOk++;
				counters.bytesSent += payload.length;
			} else {
				counters.sendFail++;
				this.lastError = TcpipError.SocketWriteFailed;
			}
			this.ctx.urc(ok ? "SEND OK" : "SEND FAIL");
			socket.sendResultMark = this.ctx.outputMark();
		});
		if (this.ctx.takeSendFailure()) this.ctx.cycle.soon(() => report(false));
		else socket.write(payload, report);
		return Response.ok();
	}

	/**
	 * A TCP send on a connection whose NAT binding expired. The module's stack
	 * takes the data (OK, SEND OK: it only means the data was handed to the
	 * stack), the segment reaches the server through a new binding from an
	 * unknown port and draws a reset, and the module reports the connection
	 * closed. The bytes are lost; only an application-level acknowledgement can
	 * tell. (A NAT that drops the segment instead ends the same way, later,
	 * after the module's retransmissions.)
	 */
	private sendIntoTheVoid(socket: SocketService, payload: Buffer): Response {
		const counters = this.ctx.stats.sockets[socket.id]!;
		this.ctx.stats.natDroppedBytes += payload.length;
		this.ctx.cycle.soon(() => {
			counters.sendOk++;
			this.ctx.urc("SEND OK");
			socket.sendResultMark = this.ctx.outputMark();
			socket.reset();
			this.peerClosed(socket);
		});
		return Response.ok();
	}

	/** Whether the carrier's NAT has forgotten this flow (idle longer than natTimeoutMs); once gone, gone. */
	private natGone(socket: SocketService): boolean {
		if (socket.natExpired) return true;
		if (socket.state !== SocketState.Connected || socket.lastTraffic === 0) return false;
		if (Date.now() - socket.lastTraffic <= this.ctx.natTimeoutMs) return false;
		socket.natExpired = true;
		if (socket.type === "TCP") this.ctx.stats.natExpired++;
		return true;
	}

	/**
	 * The module left PSM: flows idle past the NAT timeout are gone (their
	 * peers' data with them); the others get what their peers sent meanwhile
	 * at the peer's next retransmission (exponential backoff from a 1 s
	 * timeout, RFC 6298), and new data only after it.
	 */
	leavePsm(): void {
		for (const socket of this.sockets) {
			if (socket === undefined) continue;
			if (this.natGone(socket)) {
				for (const bytes of socket.deferred.splice(0)) this.ctx.stats.natDroppedBytes += bytes.length;
				continue;
			}
			if (socket.deferred.length === 0) continue;
			const now = Date.now();
			let retransmission = socket.deferredSince + RETRANSMISSION_TIMEOUT_MS;
			for (let backoff = 2 * RETRANSMISSION_TIMEOUT_MS; retransmission < now; backoff *= 2) retransmission += backoff;
			this.ctx.cycle.after(retransmission - now, () => {
				// Asleep again: the retransmission is not acknowledged either; the next wake tries again.
				if (this.ctx.inPsm()) return;
				for (const bytes of socket.deferred.splice(0)) this.arrived(socket, bytes);
			});
		}
	}

	// AT+QIRD=<connectID>,<read_length>
	private read(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const id = integerArgument(args?.[0], 0, SOCKET_COUNT - 1);
		const max = integerArgument(args?.[1], 1, MAX_READ_LENGTH);
		if (args?.length !== 2 || id === undefined || max === undefined) return this.fail(TcpipError.InvalidParameters);
		const socket = this.sockets[id];
		// Nothing to read from a connect ID never opened, or one whose data is pushed.
		if (socket === undefined || socket.accessMode === 1) {
			if (socket === undefined) this.checkOpen(id, command, socket);
			else
				this.ctx.violation(
					"wrong-mode",
					commandText(command),
					`connect ID ${id} is in direct push mode: its data is pushed, not read`,
				);
			return this.fail(TcpipError.OperationNotAllowed);
		}
		const { data, remaining } = socket.buffer.read(max);
		if (data.length === 0) return Response.ok("+QIRD: 0");
		this.ctx.stats.sockets[id]!.bytesDelivered += data.length;
		this.refill(socket);
		const header = this.ctx.settings.showLength === 1 ? `+QIRD: ${data.length},${remaining}` : `+QIRD: ${data.length}`;
		return Response.ok().raw(this.dataPart(header, data));
	}

	/** "\r\n<header>\r\n<data>\r\n" in view mode 0, "\r\n<header>,<data>\r\n" in view mode 1. */
	private dataPart(header: string, data: Buffer): Buffer {
		const separator = this.ctx.settings.viewMode === 1 ? "," : "\r\n";
		const payload =
			this.ctx.settings.recvDataFormat === 1 ? Buffer.from(data.toString("hex").toUpperCase(), "latin1") : data;
		return Buffer.concat([Buffer.from(`\r\n${header}${separator}`, "latin1"), payload, Buffer.from("\r\n", "latin1")]);
	}

	// AT+QISWTMD=<connectID>,<access_mode>
	private switchMode(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const id = integerArgument(args?.[0], 0, SOCKET_COUNT - 1);
		const mode = integerArgument(args?.[1], 0, 1) as Bit | undefined;
		if (args?.length !== 2 || id === undefined || mode === undefined) return this.fail(TcpipError.InvalidParameters);
		const socket = this.sockets[id];
		if (socket === undefined) {
			this.checkOpen(id, command, socket);
			return this.fail(TcpipError.OperationNotAllowed);
		}
		this.ctx.settings.accessModes[id] = mode;
		this.ctx.saveSettings();
		// Switched after the OK, so that anything buffered is pushed after it, in order.
		this.ctx.cycle.soon(() => {
			socket.accessMode = mode;
			if (mode === 1) {
				for (const node of [...socket.buffer.takeAll(), ...socket.held.splice(0)]) this.push(socket, node);
				socket.fullReported = false;
				socket.resume("buffer");
			}
		});
		return Response.ok();
	}

	// AT+QICFG="dataformat"[,<send>,<recv>] | "viewmode"[,<mode>] | "showlength"[,<mode>]
	private configure(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const name = stringArgument(args?.[0])?.toLowerCase();
		if (args === undefined || name === undefined) return this.fail(TcpipError.InvalidParameters);
		const settings = this.ctx.settings;
		const values = args.slice(1).map((arg) => integerArgument(arg, 0, 1) as Bit | undefined);
		if (values.some((value) => value === undefined)) return this.fail(TcpipError.InvalidParameters);
		const bits = values as Bit[];
		switch (name) {
			case "dataformat":
				if (bits.length === 0)
					return Response.ok(`+QICFG: "dataformat",${settings.sendDataFormat},${settings.recvDataFormat}`);
				if (bits.length !== 2) return this.fail(TcpipError.InvalidParameters);
				settings.sendDataFormat = bits[0]!;
				settings.recvDataFormat = bits[1]!;
				break;
			case "viewmode":
				if (bits.length === 0) return Response.ok(`+QICFG: "viewmode",${settings.viewMode}`);
				if (bits.length !== 1) return this.fail(TcpipError.InvalidParameters);
				settings.viewMode = bits[0]!;
				break;
			case "showlength":
				if (bits.length === 0) return Response.ok(`+QICFG: "showlength",${settings.showLength}`);
				if (bits.length !== 1) return this.fail(TcpipError.InvalidParameters);
				settings.showLength = bits[0]!;
				break;
			default:
				return this.fail(TcpipError.InvalidParameters);
		}
		this.ctx.saveSettings();
		return Response.ok();
	}

	// AT+QIDNSGIP=<contextID>,<hostname>
	private dnsLookup(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const name = stringArgument(args?.[1]);
		if (args?.length !== 2 || !isContextOne(args[0]) || !name) return this.fail(TcpipError.InvalidParameters);
		const offline = this.requireNetwork();
		if (offline) return offline;
		this.inFlight(async () => {
			const addresses = await this.ctx.resolver.resolve(name, this.ctx.cycle.signal);
			if (!this.ctx.cycle.alive) return;
			if (addresses.length === 0) {
				this.lastError = TcpipError.DnsParseFailed;
				this.ctx.urc(`+QIURC: "dnsgip",${TcpipError.DnsParseFailed},0,0`);
				return;
			}
			this.ctx.urc(`+QIURC: "dnsgip",0,${addresses.length},${REPORTED_DNS_TTL}`);
			for (const address of addresses) this.ctx.urc(`+QIURC: "dnsgip","${address}"`);
		});
		return Response.ok();
	}

	// AT+QNTP=<contextID>,<server>[,<port>[,<autosettime>]]
	private ntp(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const server = stringArgument(args?.[1]);
		const port = optionalInteger(args?.[2], 1, 65535, DEFAULT_NTP_PORT);
		const setClock = optionalInteger(args?.[3], 0, 1, 1);
		if (
			args === undefined ||
			args.length < 2 ||
			args.length > 4 ||
			!isContextOne(args[0]) ||
			!server ||
			port === null ||
			setClock === null
		) {
			return this.fail(TcpipError.InvalidParameters);
		}
		const offline = this.requireNetwork();
		if (offline) return offline;
		this.inFlight(async () => {
			const address = preferIPv4(await this.ctx.resolver.resolve(server, this.ctx.cycle.signal));
			if (!this.ctx.cycle.alive) return;
			if (address === undefined) return this.ntpFailed(TcpipError.DnsParseFailed);
			const outcome = await querySntp(address, port, this.ctx.ntpTimeoutMs, this.ctx.cycle.signal);
			if (!this.ctx.cycle.alive) return;
			if (!outcome.ok) return this.ntpFailed(TcpipError.OperationTimeout);
			if (setClock === 1) this.ctx.setClock(outcome.unixMs);
			this.ctx.urc(`+QNTP: 0,"${formatModuleTime(outcome.unixMs)}"`);
		});
		return Response.ok();
	}

	private ntpFailed(error: TcpipErrorCode): void {
		this.lastError = error;
		this.ctx.urc(`+QNTP: ${error}`);
	}

	// AT+QPING=<contextID>,<host>[,<timeout>[,<pingnum>[,<ping_size>]]]
	private ping(command: AtCommand): Response {
		const args = splitArguments(command.argText);
		const host = stringArgument(args?.[1]);
		const timeoutSeconds = optionalInteger(args?.[2], 1, 255, 4);
		const count = optionalInteger(args?.[3], 1, 10, 4);
		const size = optionalInteger(args?.[4], 32, 200, 32);
		if (
			args === undefined ||
			args.length < 2 ||
			args.length > 5 ||
			!isContextOne(args[0]) ||
			!host ||
			timeoutSeconds === null ||
			count === null ||
			size === null
		) {
			return this.fail(TcpipError.InvalidParameters);
		}
		const offline = this.requireNetwork();
		if (offline) return offline;
		this.inFlight(async () => {
			const address = preferIPv4(await this.ctx.resolver.resolve(host, this.ctx.cycle.signal));
			if (!this.ctx.cycle.alive) return;
			if (address === undefined) {
				this.lastError = TcpipError.DnsParseFailed;
				this.ctx.urc(`+QPING: ${TcpipError.DnsParseFailed}`);
				return;
			}
			const times: number[] = [];
			for (let request = 0; request < count; request++) {
				const rtt = await tcpPing(address, this.ctx.pingPort, timeoutSeconds * 1000, this.ctx.cycle.signal);
				if (!this.ctx.cycle.alive) return;
				if (rtt === undefined) {
					this.ctx.urc(`+QPING: ${TcpipError.OperationTimeout}`);
				} else {
					times.push(rtt);
					this.ctx.urc(`+QPING: 0,"${address}",${size},${rtt},${PING_TTL}`);
				}
			}
			const min = times.length > 0 ? Math.min(...times) : 0;
			const max = times.length > 0 ? Math.max(...times) : 0;
			const avg = times.length > 0 ? Math.floor(times.reduce((a, b) => a + b, 0) / times.length) : 0;
			this.ctx.urc(`+QPING: 0,${count},${times.length},${count - times.length},${min},${max},${avg}`);
		});
		return Response.ok();
	}

	private arrived(socket: SocketService, bytes: Buffer): void {
		if (this.natGone(socket)) {
			// The carrier's NAT has no binding for this flow any more: dropped before the radio.
			this.ctx.stats.natDroppedBytes += bytes.length;
			return;
		}
		if (this.ctx.inPsm() && socket.type === "UDP") {
			// Unreachable in PSM: the datagram is lost in the network.
			this.ctx.stats.psmLostBytes += bytes.length;
			return;
		}
		if (this.ctx.inPsm() || socket.deferred.length > 0) {
			// Unacknowledged by a module in PSM: the peer will retransmit it (and
			// what it sends next waits behind it) after the module wakes.
			if (socket.deferred.length === 0) socket.deferredSince = Date.now();
			socket.deferred.push(bytes);
			return;
		}
		socket.lastTraffic = Date.now();
		this.ctx.stats.sockets[socket.id]!.bytesReceived += bytes.length;
		if (socket.state !== SocketState.Connected) return;
		if (socket.accessMode === 1) this.push(socket, bytes);
		else this.store(socket, bytes);
	}

	/**
	 * Direct push mode: "+QIURC: "recv",<id>,<len>" and the data, at most 512
	 * bytes per URC. The module cannot push faster than its UART runs, so a TCP
	 * socket stops reading from the network while more than a buffer's worth
	 * waits for the UART (the peer's window closes; nothing is lost).
	 */
	private push(socket: SocketService, bytes: Buffer): void {
		for (let offset = 0; offset < bytes.length; offset += MAX_PUSH_LENGTH) {
			const piece = bytes.subarray(offset, offset + MAX_PUSH_LENGTH);
			this.ctx.output(this.dataPart(`+QIURC: "recv",${socket.id},${piece.length}`, piece));
			this.ctx.stats.sockets[socket.id]!.bytesDelivered += piece.length;
		}
		if (
			socket.type !== "TCP" ||
			this.waitingForUart.has(socket) ||
			this.ctx.outputBacklog() <= this.ctx.socketBufferSize
		)
			return;
		this.waitingForUart.add(socket);
		socket.pause("uart");
		this.ctx.whenOutputDrained(() => {
			this.waitingForUart.delete(socket);
			socket.resume("uart");
		});
	}

	/**
	 * Buffer access mode. The "recv" URC comes only when the buffer goes from
	 * empty to non-empty (manual 1.2 note). When data no longer fits, "buff
	 * full" is reported once; TCP pauses (the peer's window closes, nothing is
	 * lost) and UDP drops the datagram.
	 */
	private store(socket: SocketService, bytes: Buffer): void {
		const wasEmpty = socket.buffer.length === 0;
		let stored: number;
		if (socket.type === "UDP") {
			if (bytes.length > socket.buffer.free) {
				this.ctx.stats.udpDropped++;
				this.reportFull(socket);
				return;
			}
			socket.buffer.append(bytes);
			stored = bytes.length;
		} else if (socket.held.length > 0) {
			// Chunks already read from the kernel before the pause took effect queue behind the held ones.
			socket.held.push(bytes);
			stored = 0;
		} else {
			stored = this.fill(socket, bytes);
			if (stored < bytes.length) {
				socket.held.push(bytes.subarray(stored));
				socket.pause("buffer");
			}
		}
		if (wasEmpty && stored > 0) {
			this.ctx.urc(
				this.ctx.settings.showLength === 1 ? `+QIURC: "recv",${socket.id},${stored}` : `+QIURC: "recv",${socket.id}`,
			);
		}
		if (socket.buffer.free === 0) this.reportFull(socket);
	}

	/** Appends as much of `bytes` as fits, in segment-sized nodes; returns how much was stored. */
	private fill(socket: SocketService, bytes: Buffer): number {
		let stored = 0;
		while (stored < bytes.length && socket.buffer.free > 0) {
			const size = Math.min(NETWORK_SEGMENT_BYTES, bytes.length - stored, socket.buffer.free);
			socket.buffer.append(bytes.subarray(stored, stored + size));
			stored += size;
		}
		return stored;
	}

	/** After a read made room: move held TCP data in, and resume the socket once nothing is held. */
	private refill(socket: SocketService): void {
		while (socket.held.length > 0 && socket.buffer.free > 0) {
			const next = socket.held[0]!;
			const stored = this.fill(socket, next);
			if (stored === next.length) socket.held.shift();
			else socket.held[0] = next.subarray(stored);
		}
		if (socket.held.length === 0 && socket.buffer.free > 0) {
			socket.fullReported = false;
			socket.resume("buffer");
		}
	}

	private reportFull(socket: SocketService): void {
		if (socket.fullReported) return;
		socket.fullReported = true;
		this.ctx.urc(`+QIURC: "recv",${socket.id},"buff full"`);
	}

	/** Manual 2.2.1: the socket goes to Closing; buffered data stays readable until AT+QICLOSE. */
	private peerClosed(socket: SocketService): void {
		if (socket.state !== SocketState.Connected) return;
		socket.state = SocketState.Closing;
		this.ctx.urc(`+QIURC: "closed",${socket.id}`);
		socket.ended(this.ctx.outputMark(), `was reported closed (+QIURC: "closed",${socket.id})`);
	}
}

/** The command line as the host wrote it (for violation reports). */
function commandText(command: AtCommand): string {
	return command.line;
}

/** The ID/length fields of QISEND may not be quoted; they are plain integers. */
function unquoted(text: string): Argument {
	return { text, quoted: false };
}

/** Only context 1 exists ("Currently only <contextID>=1 is supported"); 2-3 are in range but fail. */
function isContextOne(arg: Argument | undefined): boolean {
	return integerArgument(arg, 1, 3) === 1;
}
