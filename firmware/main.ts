// The device firmware: the BC20 on an ESP32 UART (or, with modem_device, a tty
// on a Linux host), the sensor app on top.
//
// Everything comes from the manifest's `config`, overridable on the mcconfig
// command line (e.g. `collector_host=203.0.113.7 modem_tx=17`; values given
// there arrive as strings). No native call runs at module load: this module is
// not preloaded, and the preloaded ones hold only classes and constant tables.
import config from "mc/config";
import Digital from "embedded:io/digital";
import Time from "time";
import Timer from "timer";
import { SensorApp } from "./app/sensor-app.js";
import type { BC20Error } from "./bc20/errors.js";
import { BC20 } from "./bc20/modem.js";
import { LinuxSerialTransport } from "./platform/linux-serial-transport.js";
import { SerialTransport } from "./platform/serial-transport.js";
import { TimerClock } from "./platform/timer-clock.js";

function number(key: string): number {
	const value = Number(config[key]);
	if (!Number.isFinite(value)) throw new Error(`config ${key} must be a number, not ${JSON.stringify(config[key])}`);
	return value;
}

function text(key: string): string {
	return String(config[key] ?? "");
}

// Holds `pin` low for `ms` then releases it high: the BC20's PWRKEY and RESET
// act on a low pulse, PSM_EINT wakes deep sleep on a falling edge.
function pulse(pin: number, ms: number, then?: () => void): void {
	const io = new Digital({ pin, mode: Digital.Output });
	io.write(0);
	Timer.set(() => {
		io.write(1);
		io.close();
		then?.();
	}, ms);
}

// RESET_N is active low: a low pulse reboots a running module (150 ms, above
// the ~100 ms Quectel's NB-IoT modules need; see your board's hardware design).
// Pulsed at every start so the module begins from a known state even when only
// the ESP32 was reset.
function reset(then: () => void): void {
	const pin = number("modem_reset");
	if (pin < 0) {
		then(); // not wired: bring-up closes any socket left open instead
		return;
	}
	trace("bc20: pulsing RESET\n");
	pulse(pin, 150, () => Timer.set(then, 3000)); // then boot
}

function powerOn(then: () => void): void {
	const pwrkey = number("modem_pwrkey");
	if (pwrkey < 0) {
		then(); // the module powers up by itself (PWRKEY tied low on the board)
		return;
	}
	trace("bc20: pulsing PWRKEY\n");
	pulse(pwrkey, 600, () => Timer.set(then, 3000)); // >= 500 ms low, then boot
}

const host = text("collector_host");
if (host === "")
	throw new Error("set the collector: mcconfig ... collector_host=<address or name> collector_port=<port>");

// modem_device (the lin platform's config) is a tty on a Linux host; without it, the ESP32's UART.
const device = text("modem_device");
const transport =
	device !== ""
		? new LinuxSerialTransport({ device, baud: number("modem_baud") })
		: new SerialTransport({
				port: number("modem_port"),
				receive: number("modem_rx"),
				transmit: number("modem_tx"),
				baud: number("modem_baud"),
			});
const clock = new TimerClock();
const modem = new BC20({ transport, clock, baud: number("modem_baud") });
transport.attach(modem);

const psmEint = number("modem_psm_eint");
const started = Time.ticks;
let sample = 0;
const app = new SensorApp(
	{
		device: text("device"),
		host,
		port: number("collector_port"),
		protocol: text("collector_protocol") === "tcp" ? "tcp" : "udp",
		intervalMs: number("interval_ms"),
		ackTimeoutMs: number("ack_timeout_ms"),
		retries: number("retries"),
		reports: 0,
		// "psm" without modem_psm_eint falls back to light sleep (the app logs it).
		sleep: (["psm", "light", "none"].includes(text("sleep")) ? text("sleep") : "light") as "psm" | "light" | "none",
	},
	{
		modem,
		clock,
		// A stand-in reading: replace with the sensor of your board.
		sample: () => (sample = (sample + 1) % 100),
		uptimeMs: () => Time.ticks - started,
		log: (line) => trace(`bc20 sensor: ${line}\n`),
		pulseWakePin: psmEint >= 0 ? () => pulse(psmEint, 100) : undefined,
	},
);

let running = false;
function start(): void {
	modem.start({
		onReady(info) {
			trace(`bc20: ready, address ${info.address}\n`);
			if (!running) {
				running = true;
				app.start();
			}
		},
		onError(error: BC20Error) {
			trace(`bc20: bring-up failed: ${error.message}; retrying in 10 s\n`);
			Timer.set(start, 10000);
		},
		onStateChange(state) {
			trace(`bc20: ${state}\n`);
		},
	});
}

reset(() => powerOn(start));
