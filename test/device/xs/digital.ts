// embedded:io/digital as Moddable's ESP32 implementation behaves for what the
// firmware does with it (main.ts pulses PWRKEY, RESET and PSM_EINT): a pin
// opened as output keeps the level last written; a closed pin throws. Runs
// inside XS (bundled by firmware-bundle.ts); no module is wired in the device
// test's configuration, so this only has to exist and be right.
export interface DigitalOptions {
	pin: number;
	mode: number;
}

export class DeviceDigital {
	static readonly Input = 0;
	static readonly InputPullUp = 1;
	static readonly InputPullDown = 2;
	static readonly InputPullUpDown = 3;
	static readonly Output = 8;
	static readonly OutputOpenDrain = 9;

	readonly pin: number;
	#level = 0;
	#closed = false;

	constructor(options: DigitalOptions) {
		if (!(options.pin >= 0)) throw new RangeError("invalid pin");
		this.pin = options.pin;
	}

	read(): number {
		this.#check();
		return this.#level;
	}

	write(value: number): void {
		this.#check();
		this.#level = value ? 1 : 0;
	}

	close(): void {
		this.#closed = true;
	}

	#check(): void {
		if (this.#closed) throw new Error("closed");
	}
}
