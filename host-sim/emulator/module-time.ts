/**
 * The module's time format, used by +QNTP and +CCLK: "YY/MM/DD,hh:mm:ss+zz",
 * where zz is the time zone in quarter hours. The emulated module keeps UTC,
 * so zz is always 00.
 */
function twoDigits(value: number): string {
	return String(value).padStart(2, "0");
}

export function formatModuleTime(unixMs: number): string {
	const t = new Date(unixMs);
	const date = [t.getUTCFullYear() % 100, t.getUTCMonth() + 1, t.getUTCDate()].map(twoDigits).join("/");
	const time = [t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()].map(twoDigits).join(":");
	return `${date},${time}+00`;
}
