// A BC20 driver wired to a fake module and a step clock, with the usual
// bring-up scripted, and a log of what the app heard.
import type { ReadyInfo } from "../../firmware/bc20/bring-up.js";
import { BC20Error } from "../../firmware/bc20/errors.js";
import { BC20, type BC20Options, type OpenOptions } from "../../firmware/bc20/modem.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { FakeModule, type FakeOptions } from "./bc20-fake-module.js";
import { VirtualClock } from "./virtual-clock.js";
import { bytes, latin1 } from "./bytes.js";

export type HarnessOptions = Partial<Omit<BC20Options, "transport" | "clock">> & FakeOptions;

export const OK = "\r\nOK\r\n";

export class Harness {
	readonly clock = new VirtualClock();
	readonly fake: FakeModule;
	readonly modem: BC20;
	readonly ready: ReadyInfo[] = [];
	readonly failures: BC20Error[] = [];
	readonly states: string[] = [];
	// What sockets reported, as short strings.
	readonly log: string[] = [];

	constructor(options: HarnessOptions = {}) {
		this.fake = new FakeModule(options);
		const { chunks: _c, seed: _s, maxChunk: _m, echo: _e, ...modemOptions } = options;
		// The tests' scripts are written in hex receive format, the driver's
		// default until text took its place (test/bc20/defaults.test.ts checks that).
		this.modem = new BC20({ transport: this.fake, clock: this.clock, receiveHex: true, ...modemOptions });
		this.fake.connect((chunk, start, end) => this.modem.receive(chunk, start, end));
	}

	// Runs until the fake has nothing to say and no timer is due now.
	settle(): void {
		for (let i = 0; i < 100000; i++) {
			const delivered = this.fake.pump();
			const fired = this.clock.fireOne();
			if (!delivered && !fired) return;
		}
		throw new Error("harness does not settle");
	}

	// Moves time forward by `ms`, letting the fake answer between timers.
	advance(ms: number): void {
		const end = this.clock.time + ms;
		this.settle();
		for (;;) {
			const at = this.clock.nextAt();
			if (at > end) break;
			this.clock.moveTo(at);
			this.settle();
		}
		this.clock.moveTo(end);
		this.settle();
	}

	start(): void {
		this.modem.start({
			onReady: (info) => void this.ready.push(info),
			onError: (error) => void this.failures.push(error),
			onStateChange: (state) => void this.states.push(state),
		});
		this.settle();
	}

	// Scripts and runs the usual bring-up; asserts it reached "ready".
	bringUp(settings = { hex: 1, view: 1, show: 1 }, states = ""): void {
		expectBringUp(this.fake, settings, states);
		this.start();
		if (this.modem.state !== "ready")
			throw new Error("not ready: " + this.modem.state + " " + this.fake.unexpected.join("|"));
	}

	// Opens a socket whose callbacks log into `log` as "<id> <event> ...".
	open(options: Partial<OpenOptions>, urc = "0,0"): Socket {
		const log = this.log;
		const socket = this.modem.open({
			host: "127.0.0.1",
			port: 9000,
			onConnected() {
				log.push(this.id + " connected");
			},
			onReadable(bytes, datagrams) {
				log.push(this.id + " readable " + bytes + (this.type === "udp" ? "/" + datagrams : ""));
			},
			onWritable(bytes) {
				log.push(this.id + " writable " + bytes);
			},
			onWarning(error) {
				log.push(
					this.id +
						" warning " +
						error.code +
						(error.count ? " " + error.offset + "+" + error.count : "") +
						(error.lost ? " lost " + error.lost : ""),
				);
			},
			onError(error) {
				log.push(
					this.id +
						" error " +
						error.code +
						(error.count ? " unsent " + error.offset + "+" + error.count : "") +
						(error.lost ? " lost " + error.lost : ""),
				);
			},
			onClose() {
				log.push(this.id + " closed");
			},
			...options,
		});
		if (urc !== "") {
			this.settle();
			this.fake.send("\r\n+QIOPEN: " + urc + "\r\n");
			this.settle();
		}
		return socket;
	}

	// Reads everything buffered on a socket, as latin1 text.
	readAll(socket: Socket): string {
		const buffer = new Uint8Array(4096);
		let text = "";
		for (;;) {
			const n = socket.read(buffer);
			if (n === 0) return text;
			text += latin1(buffer, 0, n);
			if (socket.type === "udp") text += "|";
		}
	}

	// Sends `output` from the module and lets `ms` pass; returns the command
	// lines the driver wrote meanwhile.
	writtenDuring(output: string, ms: number): string[] {
		const before = this.fake.written.length;
		this.fake.send(output);
		this.settle();
		this.advance(ms);
		return this.fake.written.slice(before);
	}

	takeLog(): string[] {
		return this.log.splice(0);
	}
}

// The usual bring-up exchange.
// Bring-up up to the settings: the module answers, is registered, attached
// and has an address.
// `addresses`: what each AT+CGPADDR=1 in turn answers.
export function expectAttach(fake: FakeModule, addresses = ['"127.0.0.2"']): FakeModule {
	fake
		.expect("AT")
		.expect("ATE0")
		.expect("AT+CEREG?", "\r\n+CEREG: 0,1\r\n\r\nOK\r\n")
		.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
	for (const address of addresses) fake.expect("AT+CGPADDR=1", `\r\n+CGPADDR: 1,${address}\r\n\r\nOK\r\n`);
	return fake;
}

export function expectBringUp(
	fake: FakeModule,
	settings = { hex: 1, view: 1, show: 1 },
	states = "",
	addresses?: string[],
): void {
	expectAttach(fake, addresses)
		.expect('AT+QICFG="dataformat",0,' + settings.hex)
		.expect('AT+QICFG="viewmode",' + settings.view)
		.expect('AT+QICFG="showlength",' + settings.show)
		.expect("AT+QISTATE?", states + OK);
}

// The resync probe that precedes the next command after a timeout, or after
// a reboot that cut a command before its OK.
export function expectProbe(fake: FakeModule): void {
	fake.expect("AT+CGATT?", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
}

// Hex of latin1 text, uppercase, as the module prints it.
export function hexOf(text: string): string {
	let s = "";
	for (let i = 0; i < text.length; i++) s += text.charCodeAt(i).toString(16).padStart(2, "0").toUpperCase();
	return s;
}

// A harness already brought up.
export function ready(options: HarnessOptions = {}): Harness {
	const h = new Harness(options);
	h.bringUp();
	return h;
}

// Socket 0 open in access mode `mode`, with text receive unless `options`
// say receiveHex, in view mode `view` (with showlength in view mode 1, as
// bc20 nc has it), and the module's answers to a probe and a close
// scripted: where the tests that damage the module's output on the line start.
export function openSession(
	type: "tcp" | "udp",
	mode: number,
	view: number,
	socketOptions: Partial<OpenOptions> = {},
	options: HarnessOptions = {},
): { h: Harness; socket: Socket } {
	const h = new Harness({ receiveHex: false, viewMode: view, showLength: view === 1, ...options });
	h.bringUp({ hex: options.receiveHex ? 1 : 0, view, show: view });
	h.fake.expect(`AT+QIOPEN=1,0,"${type.toUpperCase()}","127.0.0.1",9000,0,${mode}`);
	const socket = h.open({ type, mode, ...socketOptions });
	h.takeLog();
	h.fake.always("AT", OK);
	h.fake.always("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK);
	h.fake.always("AT+QICLOSE=0", OK + "\r\nCLOSE OK\r\n");
	return { h, socket };
}

// openSession's socket in direct push mode with "hello" written: its
// AT+QISEND answered with `reply` ("": not yet; OK: its SEND OK awaited).
export function helloInFlight(type: "tcp" | "udp", view: number, reply: string): { h: Harness; socket: Socket } {
	const session = openSession(type, 1, view);
	session.h.fake.expect("AT+QISEND=0,5,hello", reply);
	session.socket.write(bytes("hello"));
	session.h.settle();
	return session;
}

// The BC20Error code `fn` throws (it must throw one).
export function thrownCode(fn: () => unknown): number {
	try {
		fn();
	} catch (error) {
		if (!(error instanceof BC20Error)) throw new Error(`threw ${String(error)}, not a BC20Error`);
		return error.code;
	}
	throw new Error("did not throw");
}
