/**
 * What a host asks to learn who and where the module is: signal (AT+CSQ,
 * AT+CESQ), SIM identity (AT+QCCID), bands (AT+QBAND), eDRX (AT+CEDRXS) and
 * the PDP context (AT+CGDCONT), answered in the manuals' shapes (3GPP TS
 * 27.007; Quectel's BC20/BC26 conventions) from the module's identity.
 */
import { integerArgument, splitArguments } from "./at-command.js";
import type { CommandHandlers, CommandTable } from "./command-table.js";
import type { ModemState } from "./modem-state.js";
import { type ModuleIdentity, SUPPORTED_BANDS } from "./module-identity.js";
import { Response } from "./response.js";

export interface RadioContext {
	state(): ModemState;
	readonly identity: ModuleIdentity;
	readonly ownAddress: string;
}

/** <AcT-type> 5: E-UTRAN (NB-S1 mode), the only one an NB-IoT module has. */
const NB_S1 = 5;
const EDRX_VALUE = /^[01]{4}$/;

export function createRadioCommands(ctx: RadioContext): CommandTable {
	const s = (): ModemState => ctx.state();
	const registered = (): boolean => s().registration === 1;
	const commands: [string, CommandHandlers][] = [
		[
			"+CSQ",
			{
				test: () => Response.ok("+CSQ: (0-31,99),(99)"),
				// NB-IoT measures no bit error rate: <ber> is 99 (not known).
				execute: () => Response.ok(`+CSQ: ${registered() ? ctx.identity.rssi : 99},99`),
			},
		],
		[
			"+CESQ",
			{
				test: () => Response.ok("+CESQ: (99),(99),(255),(255),(0-34,255),(0-97,255)"),
				execute: () => {
					if (!registered()) return Response.ok("+CESQ: 99,99,255,255,255,255");
					// One resource block: RSRP is about RSSI - 11 dB; index = dBm + 141.
					const rsrp = Math.min(97, 17 + 2 * ctx.identity.rssi);
					return Response.ok(`+CESQ: 99,99,255,255,${ctx.identity.rsrq},${rsrp}`);
				},
			},
		],
		["+QCCID", { test: () => Response.ok(), execute: () => Response.ok(`+QCCID: ${ctx.identity.iccid}`) }],
		[
			"+QBAND",
			{
				test: () => Response.ok(`+QBAND: (${SUPPORTED_BANDS.join(",")})`),
				read: () => Response.ok(`+QBAND: ${s().bands.join(",")}`),
				// AT+QBAND=<num>,<band1>[,<band2>...]
				write: (c) => {
					const args = splitArguments(c.argText);
					const count = integerArgument(args?.[0], 1, SUPPORTED_BANDS.length);
					const bands = args?.slice(1).map((arg) => integerArgument(arg, 1, 255)) ?? [];
					if (
						count === undefined ||
						bands.length !== count ||
						bands.some((b) => b === undefined || !SUPPORTED_BANDS.includes(b as never))
					) {
						return Response.invalid();
					}
					s().bands = bands as number[];
					return Response.ok();
				},
			},
		],
		[
			"+CEDRXS",
			{
				test: () => Response.ok(`+CEDRXS: (0-3),(${NB_S1}),("0000"-"1111")`),
				// Only an enabled setting is listed.
				read: () =>
					s().edrxMode === 1 || s().edrxMode === 2
						? Response.ok(`+CEDRXS: ${NB_S1},"${s().edrxValue}"`)
						: Response.ok(),
				// AT+CEDRXS=<mode>[,<AcT-type>[,<Requested_eDRX_value>]]; mode 3 disables and resets.
				write: (c) => {
					const args = splitArguments(c.argText);
					const mode = integerArgument(args?.[0], 0, 3);
					const act = args?.[1] === undefined ? NB_S1 : integerArgument(args[1], NB_S1, NB_S1);
					const value = args?.[2]?.text;
					if (
						mode === undefined ||
						act === undefined ||
						args!.length > 3 ||
						(value !== undefined && !EDRX_VALUE.test(value))
					) {
						return Response.invalid();
					}
					s().edrxMode = mode === 3 ? 0 : mode;
					if (mode === 3) s().edrxValue = "0010";
					else if (value !== undefined) s().edrxValue = value;
					return Response.ok();
				},
			},
		],
		[
			"+CGDCONT",
			{
				test: () => Response.ok('+CGDCONT: (1),"IP",,,(0),(0)'),
				read: () =>
					Response.ok(`+CGDCONT: 1,"IP","${ctx.identity.apn}","${s().attached ? ctx.ownAddress : "0.0.0.0"}",0,0`),
			},
		],
	];
	return new Map(commands);
}
