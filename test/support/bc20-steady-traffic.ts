// Steady-state traffic through a ready modem, allocation-free on the test
// side too: timers in fixed slots, module output prebuilt, fed by offset.
// A buffer-mode TCP socket, a direct-push TCP socket and a direct-push UDP
// socket; run(n) moves n rounds of traffic (sends in text and hex, OK /
// SEND OK, buffer-mode reads, pushes) through them. No Node APIs: the V8 test
// (test/bc20/no-allocation.test.ts) and the XS test (test/bc20/xs.test.ts) share it.
import type { Transport } from "../../firmware/at/seams.js";
import { BC20 } from "../../firmware/bc20/modem.js";
import type { Socket } from "../../firmware/bc20/socket.js";
import { FakeModule } from "./bc20-fake-module.js";
import { expectBringUp, hexOf, OK } from "./bc20-harness.js";
import { bytes } from "./bytes.js";
import { VirtualClock } from "./virtual-clock.js";
import { CONNECTED } from "../../firmware/bc20/socket-constants.js";

class SwitchTransport implements Transport {
	fake: FakeModule | null = null;
	written = 0;
	write(data: Uint8Array, start: number, end: number): void {
		if (this.fake !== null) this.fake.write(data, start, end);
		else this.written += end - start;
	}
}

// A ready modem with a buffer-mode TCP socket, a direct-push TCP socket and a
// direct-push UDP socket; run(n) moves n rounds of traffic through them.
export class SteadyTraffic {
	errors = 0;
	readable = 0; // bytes the sockets announced (onReadable)
	writable = 0;
	#clock = new VirtualClock();
	#transport = new SwitchTransport();
	#modem: BC20;
	#tcp: Socket;
	#push: Socket;
	#udp: Socket;
	#pieces: Uint8Array[];
	#text = bytes("t".repeat(100));
	#binary: Uint8Array;
	#into = new Uint8Array(512);

	constructor() {
		const fake = new FakeModule();
		this.#transport.fake = fake;
		const modem = (this.#modem = new BC20({ transport: this.#transport, clock: this.#clock, receiveHex: true }));
		fake.connect((chunk, start, end) => modem.receive(chunk, start, end));
		expectBringUp(fake);
		modem.start({ onReady() {}, onError() {} });
		this.#spin(fake);
		fake
			.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0', OK + "\r\n+QIOPEN: 0,0\r\n")
			.expect('AT+QIOPEN=1,1,"TCP","127.0.0.1",9000,0,1', OK + "\r\n+QIOPEN: 1,0\r\n")
			.expect('AT+QIOPEN=1,2,"UDP","127.0.0.1",9000,0,1', OK + "\r\n+QIOPEN: 2,0\r\n");
		const self = this;
		const callbacks = {
			onReadable(n: number) {
				self.readable += n;
			},
			onWritable(n: number) {
				self.writable += n;
			},
			onWarning() {
				self.errors++;
			},
			onError() {
				self.errors++;
			},
		};
		this.#tcp = modem.open({ host: "127.0.0.1", port: 9000, ...callbacks });
		this.#push = modem.open({ host: "127.0.0.1", port: 9000, mode: 1, ...callbacks });
		this.#udp = modem.open({ type: "udp", host: "127.0.0.1", port: 9000, mode: 1, ...callbacks });
		this.#spin(fake);
		if (this.#udp.state !== CONNECTED || fake.unexpected.length > 0) throw new Error("steady traffic: setup failed");
		this.#transport.fake = null;
		const data = "\x00\r\nOK\r\n\xff" + "z".repeat(92);
		this.#binary = bytes(data);
		this.#pieces = [
			OK + "\r\nSEND OK\r\n",
			'\r\n+QIURC: "recv",0,100\r\n',
			"\r\n+QIRD: 100,0," + hexOf(data) + "\r\n" + OK,
			"\r\n+QIRD: 0\r\n" + OK,
			'\r\n+QIURC: "recv",1,100,' + hexOf(data) + "\r\n",
			'\r\n+QIURC: "recv",2,100,' + hexOf(data) + "\r\n",
		].map((piece) => {
			const buffer = new Uint8Array(piece.length + 8);
			buffer.set(bytes(piece), 4);
			return buffer;
		});
	}

	#spin(fake: FakeModule): void {
		for (let i = 0; i < 100; i++) {
			fake.pump();
			this.#clock.run();
		}
	}

	#feed(piece: Uint8Array, split: number): void {
		const end = piece.length - 4,
			cut = 4 + (split % (end - 4));
		this.#modem.receive(piece, 4, cut);
		this.#modem.receive(piece, cut, end);
	}

	// Bytes of command lines written to the module once set up.
	get written(): number {
		return this.#transport.written;
	}

	// TCP bytes the module confirmed (SEND OK) and bytes the app wrote.
	get tcpSent(): number {
		return this.#tcp.stats.sent;
	}

	get tcpWritten(): number {
		return this.#tcp.stats.written;
	}

	// Returns the bytes moved (both directions, payload only).
	run(rounds: number): number {
		const pieces = this.#pieces,
			into = this.#into;
		let moved = 0;
		for (let i = 0; i < rounds; i++) {
			moved += this.#tcp.write(i & 1 ? this.#text : this.#binary);
			this.#clock.run(); // the send goes out from a turn of the clock
			this.#feed(pieces[0], i);
			this.#feed(pieces[1], i);
			this.#feed(pieces[2], i);
			this.#feed(pieces[3], i);
			moved += this.#tcp.read(into);
			this.#feed(pieces[4], i);
			moved += this.#push.read(into);
			this.#feed(pieces[5], i);
			moved += this.#udp.read(into);
			this.#clock.time += 10;
			this.#clock.run();
		}
		return moved;
	}
}
