// `embedded:io/digital` for the Linux build: the SDK's lin platform has no
// GPIO module, and main.ts imports one for the optional PWRKEY, RESET and
// PSM_EINT pulses. The lin platform's config leaves those pins at -1, so
// nothing constructs it; a pin set there fails at once, saying why. The
// methods are the shape main.ts (and mcconfig's type check) expects of the
// real module; they cannot be reached.
export default class Digital {
	static readonly Output = 8; // kDigitalOutput of the SDK's digitalbank.c

	constructor(_options: { pin: number; mode: number }) {
		throw new Error("no GPIO on a Linux host: leave modem_pwrkey, modem_reset and modem_psm_eint at -1");
	}

	write(_value: number): void {}

	close(): void {}
}
