// bc20 info: who the module is and how it hears the network, read with the
// standard queries (3GPP TS 27.007 and the BC20 manual): IMEI, firmware,
// IMSI, ICCID, signal, registration, bands, PSM and eDRX. Read only: a look
// start (AT), then one query after the other. An item the module refuses
// (no SIM: AT+CIMI gives ERROR) is shown as unavailable; the command still
// succeeds, since the module answered. With --json: one JSON document.
import { type BC20Error, E_CME, E_ERROR } from "../../firmware/bc20/errors.js";
import type { BC20 } from "../../firmware/bc20/modem.js";
import { type ParsedArgs, UsageError } from "./args.js";
import { REGISTRATION } from "./attach-progress.js";
import { connect } from "./connect.js";

type Answer = { lines: string[] } | { error: string };

function ask(modem: BC20, command: string): Promise<Answer> {
	return new Promise((resolve) =>
		modem.command(command, (error: BC20Error | null, lines: string[]) =>
			resolve(
				error === null
					? { lines }
					: {
							error:
								error.code === E_CME ? `+CME ERROR: ${error.cme}` : error.code === E_ERROR ? "ERROR" : error.message,
						},
			),
		),
	);
}

// The fields after "+NAME: " of the first line with that prefix, unquoted.
function fields(answer: Answer, prefix: string): string[] | null {
	if (!("lines" in answer)) return null;
	const line = answer.lines.find((l) => l.startsWith(prefix));
	return line === undefined
		? null
		: line
				.slice(prefix.length)
				.trim()
				.split(",")
				.map((f) => f.replace(/^"|"$/g, ""));
}

// GPRS timer 3 (T3412 extended, the periodic TAU) and GPRS timer 2 (T3324,
// the active time), TS 24.008 10.5.7.4a and 10.5.7.3: three bits of unit,
// five of value. null: deactivated.
const TAU_UNIT_S = [600, 3600, 36000, 2, 30, 60, 1152000, -1];
const ACTIVE_UNIT_S = [2, 60, 360, 60, 60, 60, 60, -1];
function timer(bits: string, units: readonly number[]): number | null {
	if (!/^[01]{8}$/.test(bits)) return null;
	const unit = units[parseInt(bits.slice(0, 3), 2)];
	return unit < 0 ? null : unit * parseInt(bits.slice(3), 2);
}

// The eDRX cycle of an NB-S1 value (TS 24.008 table 10.5.5.32), seconds.
const EDRX_S: Readonly<Record<string, number>> = {
	"0010": 20.48,
	"0011": 40.96,
	"0101": 81.92,
	"1001": 163.84,
	"1010": 327.68,
	"1011": 655.36,
	"1100": 1310.72,
	"1101": 2621.44,
	"1110": 5242.88,
	"1111": 10485.76,
};

function duration(seconds: number | null): string {
	if (seconds === null) return "deactivated";
	if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
	if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
	return `${seconds} s`;
}

export interface ModuleInfo {
	imei: string | null;
	firmware: string | null;
	imsi: string | null;
	iccid: string | null;
	// rssi 0-31 (99: not known) and its dBm; rsrq 0-34 and rsrp 0-97 (255: not
	// known) and the lower bound of the range each stands for.
	signal: {
		rssi: number;
		rssiDbm: number | null;
		rsrq: number | null;
		rsrqDb: number | null;
		rsrp: number | null;
		rsrpDbm: number | null;
	} | null;
	registration: { stat: number; text: string } | null;
	bands: number[] | null;
	psm: {
		enabled: boolean;
		periodicTau: string;
		periodicTauSeconds: number | null;
		activeTime: string;
		activeTimeSeconds: number | null;
	} | null;
	edrx: { enabled: boolean; value: string | null; cycleSeconds: number | null } | null;
	// Why each null item is unavailable: the module's answer.
	unavailable: Record<string, string>;
}

export async function readInfo(modem: BC20): Promise<ModuleInfo> {
	const answers: Record<string, Answer> = {};
	for (const [name, command] of [
		["imei", "AT+CGSN=1"],
		["firmware", "AT+CGMR"],
		["imsi", "AT+CIMI"],
		["iccid", "AT+QCCID"],
		["csq", "AT+CSQ"],
		["cesq", "AT+CESQ"],
		["cereg", "AT+CEREG?"],
		["bands", "AT+QBAND?"],
		["psm", "AT+CPSMS?"],
		["edrx", "AT+CEDRXS?"],
	])
		answers[name] = await ask(modem, command);
	const unavailable: Record<string, string> = {};
	const item = <T>(name: string, answer: Answer, value: T | null): T | null => {
		if (value === null)
			unavailable[name] = "error" in answer ? answer.error : `no answer understood (${answer.lines.join(" | ")})`;
		return value;
	};
	const a = answers;
	const imei = fields(a.imei, "+CGSN:")?.[0] ?? null;
	const firmwareLine = "lines" in a.firmware ? a.firmware.lines.find((l) => l.trim() !== "") : undefined;
	const imsi = "lines" in a.imsi ? (a.imsi.lines.find((l) => /^\d{6,15}$/.test(l.trim()))?.trim() ?? null) : null;
	const csq = fields(a.csq, "+CSQ:");
	const cesq = fields(a.cesq, "+CESQ:");
	const cereg = fields(a.cereg, "+CEREG:");
	const bands = fields(a.bands, "+QBAND:");
	const psm = fields(a.psm, "+CPSMS:");
	const edrx = fields(a.edrx, "+CEDRXS:");
	const rsrq = cesq ? Number(cesq[4]) : null,
		rsrp = cesq ? Number(cesq[5]) : null;
	return {
		imei: item("imei", a.imei, imei),
		firmware: item(
			"firmware",
			a.firmware,
			firmwareLine === undefined ? null : firmwareLine.replace(/^Revision:\s*/, ""),
		),
		imsi: item("imsi", a.imsi, imsi),
		iccid: item("iccid", a.iccid, fields(a.iccid, "+QCCID:")?.[0] ?? null),
		signal: item(
			"signal",
			a.csq,
			csq === null
				? null
				: {
						rssi: Number(csq[0]),
						rssiDbm: Number(csq[0]) === 99 ? null : -113 + 2 * Number(csq[0]),
						rsrq: rsrq,
						rsrqDb: rsrq === null || rsrq === 255 ? null : -20 + rsrq / 2,
						rsrp: rsrp,
						rsrpDbm: rsrp === null || rsrp === 255 ? null : -141 + rsrp,
					},
		),
		registration: item(
			"registration",
			a.cereg,
			cereg === null
				? null
				: {
						stat: Number(cereg[1]),
						text: REGISTRATION[Number(cereg[1])] ?? "unknown",
					},
		),
		bands: item("bands", a.bands, bands === null ? null : bands.map(Number)),
		psm: item(
			"psm",
			a.psm,
			psm === null
				? null
				: {
						enabled: psm[0] === "1",
						periodicTau: psm[3] ?? "",
						periodicTauSeconds: timer(psm[3] ?? "", TAU_UNIT_S),
						activeTime: psm[4] ?? "",
						activeTimeSeconds: timer(psm[4] ?? "", ACTIVE_UNIT_S),
					},
		),
		// No +CEDRXS line: eDRX is not in use.
		edrx: item(
			"edrx",
			a.edrx,
			!("lines" in a.edrx)
				? null
				: edrx === null
					? { enabled: false, value: null, cycleSeconds: null }
					: { enabled: true, value: edrx[1] ?? null, cycleSeconds: EDRX_S[edrx[1] ?? ""] ?? null },
		),
		unavailable,
	};
}

// The lines a person reads.
export function describe(info: ModuleInfo): string[] {
	const row = (label: string, name: string, text: string | null) =>
		`${label.padEnd(13)} ${text ?? `unavailable (${info.unavailable[name]})`}`;
	const s = info.signal;
	return [
		row("IMEI", "imei", info.imei),
		row("firmware", "firmware", info.firmware),
		row("IMSI", "imsi", info.imsi),
		row("ICCID", "iccid", info.iccid),
		row(
			"signal",
			"signal",
			s === null
				? null
				: s.rssiDbm === null
					? `none (+CSQ: ${s.rssi})`
					: `rssi ${s.rssiDbm} dBm (+CSQ: ${s.rssi})` +
						(s.rsrpDbm === null ? "" : `, rsrp ${s.rsrpDbm} dBm`) +
						(s.rsrqDb === null ? "" : `, rsrq ${s.rsrqDb} dB`),
		),
		row(
			"registration",
			"registration",
			info.registration && `${info.registration.text} (+CEREG stat ${info.registration.stat})`,
		),
		row("bands", "bands", info.bands && info.bands.join(", ")),
		row(
			"PSM",
			"psm",
			info.psm &&
				(info.psm.enabled
					? `on: periodic TAU ${duration(info.psm.periodicTauSeconds)} ("${info.psm.periodicTau}"), active time ${duration(info.psm.activeTimeSeconds)} ("${info.psm.activeTime}")`
					: "off"),
		),
		row(
			"eDRX",
			"edrx",
			info.edrx &&
				(info.edrx.enabled
					? `on: "${info.edrx.value}"` + (info.edrx.cycleSeconds === null ? "" : ` (cycle ${info.edrx.cycleSeconds} s)`)
					: "off"),
		),
	];
}

export async function info(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	if (args.positional.length !== 0) throw new UsageError("usage: bc20 info [--json]");
	const session = await connect(args, "look");
	try {
		const found = await readInfo(session.modem);
		if (args.flags.has("--json")) out(JSON.stringify(found));
		else for (const line of describe(found)) out(line);
		return 0;
	} finally {
		await session.close();
	}
}
