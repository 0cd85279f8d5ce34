// The module's time format, "YY/MM/DD,hh:mm:ss+zz" (+QNTP, +CCLK), read
// into a UTC millisecond count without Date.
//
// As with 3GPP +CCLK, the fields are local time and zz is the offset of local
// time from UTC in quarter hours (-48..56), so UTC = local - zz * 15 min.
// Lenient on purpose: the manual's own example "18/04/20,11:08:20:35+32"
// has a fourth time field (ignored), a space may precede the zone, a year
// may have four digits, and the zone may be missing (taken as 0).

export interface ModuleTime {
	// Milliseconds since 1970-01-01T00:00:00Z.
	utc: number;
	// Offset of the module's local time from UTC, in quarter hours.
	zone: number;
}

// Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
function daysFromCivil(year: number, month: number, day: number): number {
	const y = month <= 2 ? year - 1 : year;
	const era = Math.floor(y / 400);
	const yoe = y - era * 400;
	const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
	const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
	return era * 146097 + doe - 719468;
}

// null when the text holds no valid date and time.
export function parseModuleTime(text: string): ModuleTime | null {
	const groups: number[] = [];
	let zoneSign = 0;
	for (let i = 0; i < text.length;) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) {
			i++;
			continue;
		}
		const sign = i > 0 ? text.charCodeAt(i - 1) : 0;
		let value = 0;
		while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57)
			value = value * 10 + text.charCodeAt(i++) - 48;
		groups.push(value);
		// A sign before a group after the date and time starts the zone.
		zoneSign = groups.length > 6 && (sign === 43 || sign === 45) ? (sign === 45 ? -1 : 1) : zoneSign;
		if (zoneSign !== 0) break;
	}
	if (groups.length < 6) return null;
	let [year] = groups;
	const [, month, day, hour, minute, second] = groups;
	if (year < 100) year += 2000;
	const zone = zoneSign === 0 ? 0 : zoneSign * groups[groups.length - 1];
	if (
		month < 1 ||
		month > 12 ||
		day < 1 ||
		day > 31 ||
		hour > 23 ||
		minute > 59 ||
		second > 60 ||
		zone < -96 ||
		zone > 96
	)
		return null;
	const local = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
	return { utc: (local - zone * 900) * 1000, zone };
}
