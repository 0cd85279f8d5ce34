/**
 * Who the emulated module and its SIM are, and how well it hears the cell:
 * the values AT+CGSN, AT+CIMI, AT+QCCID, AT+CGMR, AT+CSQ/AT+CESQ, AT+QBAND
 * and AT+CGDCONT report. Each is drawn from the seed (well-formed: IMEI and
 * ICCID carry a valid Luhn check digit) unless given, so a run replays exactly.
 */
import { SeededRandom } from "./seeded-random.js";

export interface ModuleIdentity {
	/** 15 digits: Quectel's TAC 86772403, a serial, a Luhn check digit. */
	readonly imei: string;
	/** 15 digits: MCC 460, MNC 04 (an NB-IoT operator), then the subscriber number. */
	readonly imsi: string;
	/** 20 digits: 8986 (telecom, China), issuer and account, a Luhn check digit. */
	readonly iccid: string;
	/** What AT+CGMR prints after "Revision: ". */
	readonly firmware: string;
	/** <rssi> of AT+CSQ while registered: 0-31 (-113 dBm + 2 dB per step). */
	readonly rssi: number;
	/** <rsrq> of AT+CESQ: 0-34. */
	readonly rsrq: number;
	/** The bands AT+QBAND? lists (AT+QBAND= changes them until reboot). */
	readonly bands: readonly number[];
	/** The APN the network assigned (AT+CGDCONT?). */
	readonly apn: string;
}

export type IdentityOptions = Partial<ModuleIdentity>;

/** The bands the BC20 supports (its hardware design: B1/2/3/5/8/12/13/17/18/19/20/25/26/28/66/70/71/85). */
export const SUPPORTED_BANDS = [1, 2, 3, 5, 8, 12, 13, 17, 18, 19, 20, 25, 26, 28, 66, 70, 71, 85] as const;

export function moduleIdentity(seed: number, given: IdentityOptions = {}): ModuleIdentity {
	const random = new SeededRandom(seed ^ 0x1d872b41);
	const digits = (count: number): string =>
		Array.from({ length: count }, () => Math.floor(random.next() * 10)).join("");
	return {
		imei: given.imei ?? withLuhn(`86772403${digits(6)}`),
		imsi: given.imsi ?? `46004${digits(10)}`,
		iccid: given.iccid ?? withLuhn(`898604${digits(13)}`),
		firmware: given.firmware ?? "BC20JAR01A04",
		rssi: given.rssi ?? 10 + Math.floor(random.next() * 18),
		rsrq: given.rsrq ?? 8 + Math.floor(random.next() * 20),
		bands: given.bands ?? [3, 5, 8, 20, 28],
		apn: given.apn ?? "nbiot",
	};
}

/** Appends the Luhn check digit (ISO/IEC 7812) that IMEIs and ICCIDs end with. */
export function withLuhn(body: string): string {
	let sum = 0;
	for (let i = 0; i < body.length; i++) {
		let digit = Number(body[body.length - 1 - i]);
		if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
		sum += digit;
	}
	return body + String((10 - (sum % 10)) % 10);
}
