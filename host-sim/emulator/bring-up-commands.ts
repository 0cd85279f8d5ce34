/**
 * The general commands a host uses to bring the module up and manage power:
 * AT, ATE, ATI, identification, SIM, radio, registration, attach, address,
 * sleep and PSM settings, reboot and clock.
 */
import { integerArgument, splitArguments } from "./at-command.js";
import type { CommandHandlers, CommandTable } from "./command-table.js";
import { formatModuleTime } from "./module-time.js";
import { type ModemState, registrationFields } from "./modem-state.js";
import type { ModuleIdentity } from "./module-identity.js";
import { Response } from "./response.js";

/** What these commands may do to the module beyond changing its state. */
export interface ModemControl {
	/** The current boot's state (replaced at every reboot). */
	state(): ModemState;
	readonly ownAddress: string;
	/** AT+CFUN=0|1: radio off (drops registration and sockets) or on (starts searching). */
	setFunctionality(functionality: 0 | 1): void;
	/** AT+CGATT=0|1: detach (drops sockets) or attach. */
	setAttached(attached: boolean): void;
	/** Reboots once the current response has been sent (AT+QRST=1). */
	rebootAfterResponse(): void;
	/** The module clock (host clock plus any offset AT+QNTP set), in Unix ms. */
	now(): number;
	readonly identity: ModuleIdentity;
}

const MANUFACTURER = "Quectel_Ltd";
const MODEL = "Quectel_BC20";
const SOFTWARE_VERSION = "11";
/** Eight-bit GPRS timer strings as AT+CPSMS takes them. */
const TIMER_BITS = /^[01]{8}$/;

export function createBringUpCommands(modem: ModemControl): CommandTable {
	const s = (): ModemState => modem.state();
	const { imei, imsi, firmware } = modem.identity;
	// IMEISV: the IMEI without its check digit, then the software version.
	const imeisv = imei.slice(0, 14) + SOFTWARE_VERSION;
	const serialNumber = `SN${imei.slice(8, 14)}`;
	/** A write form with exactly one argument in [0, max]. */
	const single = (argText: string, max: number): number | undefined => {
		const args = splitArguments(argText);
		return args?.length === 1 ? integerArgument(args[0], 0, max) : undefined;
	};
	const flag = (argText: string, apply: (on: boolean) => void): Response => {
		const value = single(argText, 1);
		if (value === undefined) return Response.invalid();
		apply(value === 1);
		return Response.ok();
	};

	const commands: [string, CommandHandlers][] = [
		["", { execute: () => Response.ok() }],
		[
			"E",
			{
				execute: (c) => {
					if (c.argText !== "" && c.argText !== "0" && c.argText !== "1") return Response.invalid();
					s().echo = c.argText === "1";
					return Response.ok();
				},
			},
		],
		[
			"I",
			{
				execute: (c) =>
					c.argText === "" || c.argText === "0"
						? Response.ok(MANUFACTURER, MODEL, `Revision: ${firmware}`)
						: Response.invalid(),
			},
		],
		["+CGMI", { execute: () => Response.ok(MANUFACTURER), test: () => Response.ok() }],
		["+CGMM", { execute: () => Response.ok(MODEL), test: () => Response.ok() }],
		["+CGMR", { execute: () => Response.ok(`Revision: ${firmware}`), test: () => Response.ok() }],
		[
			"+CGSN",
			{
				test: () => Response.ok("+CGSN: (0-3)"),
				execute: () => Response.ok(`+CGSN: ${imei}`),
				write: (c) => {
					const answers = [serialNumber, imei, imeisv, SOFTWARE_VERSION];
					const which = single(c.argText, 3);
					return which === undefined ? Response.invalid() : Response.ok(`+CGSN: ${answers[which]}`);
				},
			},
		],
		[
			"+CFUN",
			{
				test: () => Response.ok("+CFUN: (0,1),(0)"),
				read: () => Response.ok(`+CFUN: ${s().functionality}`),
				write: (c) => {
					const args = splitArguments(c.argText);
					const functionality = integerArgument(args?.[0], 0, 1);
					if (
						functionality === undefined ||
						(args!.length === 2 && integerArgument(args![1], 0, 0) === undefined) ||
						args!.length > 2
					) {
						return Response.invalid();
					}
					modem.setFunctionality(functionality as 0 | 1);
					return Response.ok();
				},
			},
		],
		[
			"+CIMI",
			{ test: () => Response.ok(), execute: () => (s().functionality === 1 ? Response.ok(imsi) : Response.error()) },
		],
		["+CPIN", { test: () => Response.ok(), read: () => Response.ok("+CPIN: READY") }],
		[
			"+CEREG",
			{
				test: () => Response.ok("+CEREG: (0-5)"),
				read: () => Response.ok(`+CEREG: ${s().ceregMode},${registrationFields(s())}`),
				write: (c) => {
					const mode = single(c.argText, 5);
					if (mode === undefined) return Response.invalid();
					s().ceregMode = mode;
					return Response.ok();
				},
			},
		],
		[
			"+CGATT",
			{
				test: () => Response.ok("+CGATT: (0,1)"),
				read: () => Response.ok(`+CGATT: ${s().attached ? 1 : 0}`),
				write: (c) => flag(c.argText, (on) => modem.setAttached(on)),
			},
		],
		[
			"+CGPADDR",
			{
				test: () => Response.ok("+CGPADDR: (1)"),
				execute: () => (s().attached ? Response.ok(`+CGPADDR: 1,${modem.ownAddress}`) : Response.ok()),
				write: (c) => {
					if (single(c.argText, 1) !== 1) return Response.invalid();
					return s().attached ? Response.ok(`+CGPADDR: 1,${modem.ownAddress}`) : Response.ok();
				},
			},
		],
		[
			"+QSCLK",
			{
				test: () => Response.ok("+QSCLK: (0-2)"),
				read: () => Response.ok(`+QSCLK: ${s().sleepMode}`),
				write: (c) => {
					const mode = single(c.argText, 2);
					if (mode === undefined) return Response.invalid();
					s().sleepMode = mode as 0 | 1 | 2;
					return Response.ok();
				},
			},
		],
		[
			"+CPSMS",
			{
				test: () => Response.ok('+CPSMS: (0,1,2),,,("00000000"-"11111111"),("00000000"-"11111111")'),
				read: () => Response.ok(`+CPSMS: ${s().psmMode},,,"${s().psmPeriodicTau}","${s().psmActiveTime}"`),
				write: (c) => {
					const args = splitArguments(c.argText);
					const mode = integerArgument(args?.[0], 0, 2);
					const tau = args?.[3]?.text;
					const activeTime = args?.[4]?.text;
					if (mode === undefined || args!.length > 5) return Response.invalid();
					if (
						(tau !== undefined && tau !== "" && !TIMER_BITS.test(tau)) ||
						(activeTime !== undefined && !TIMER_BITS.test(activeTime))
					) {
						return Response.invalid();
					}
					// Mode 2 disables PSM and restores the default timers.
					s().psmMode = mode === 1 ? 1 : 0;
					if (tau) s().psmPeriodicTau = tau;
					if (activeTime) s().psmActiveTime = activeTime;
					return Response.ok();
				},
			},
		],
		[
			"+QATWAKEUP",
			{
				test: () => Response.ok("+QATWAKEUP: (0,1)"),
				read: () => Response.ok(`+QATWAKEUP: ${s().wakeupUrc ? 1 : 0}`),
				write: (c) => flag(c.argText, (on) => (s().wakeupUrc = on)),
			},
		],
		[
			"+QNBIOTEVENT",
			{
				test: () => Response.ok("+QNBIOTEVENT: (0,1),(1)"),
				read: () => Response.ok(`+QNBIOTEVENT: ${s().nbiotEvents ? 1 : 0},1`),
				write: (c) => {
					const args = splitArguments(c.argText);
					const enable = integerArgument(args?.[0], 0, 1);
					const eventType = args?.length === 2 ? integerArgument(args[1], 1, 1) : 1;
					if (enable === undefined || eventType === undefined || args!.length > 2) return Response.invalid();
					s().nbiotEvents = enable === 1;
					return Response.ok();
				},
			},
		],
		[
			"+QRST",
			{
				test: () => Response.ok("+QRST: 1"),
				write: (c) => {
					if (c.argText !== "1") return Response.invalid();
					modem.rebootAfterResponse();
					return Response.ok();
				},
			},
		],
		[
			"+CCLK",
			{
				test: () => Response.ok(),
				read: () => Response.ok(`+CCLK: "${formatModuleTime(modem.now())}"`),
			},
		],
	];
	return new Map(commands);
}
