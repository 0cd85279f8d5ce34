// A small, always-answering BC20 for the fuzzer: unlike FakeModule it needs no
// script. It answers every command the driver issues (bring-up, QIOPEN,
// QISEND/QISENDEX, QIRD, QICLOSE, QISTATE, QPING, QIDNSGIP, QNTP, QIGETERROR,
// AT+CSQ...) the way the manual's examples do, and behind each socket sits an
// echo peer: what is sent comes back, through the module's receive buffer
// (buffer access mode: "recv" notice, then AT+QIRD) or pushed (direct push).
//
// Nothing is delivered from inside write(): output waits in an outbox that
// the fuzzer hands to the driver, in chunks it chooses, possibly damaged.
// Strings carry one byte per char code. No Node APIs.
import type { Transport } from "../../firmware/at/seams.js";

interface ModuleSocket {
	udp: boolean;
	mode: number; // 0 buffer, 1 direct push
	// Buffer mode: what the module holds, as nodes (one per arrival).
	nodes: string[];
}

export interface ScriptedOptions {
	// Start with echo on (as after a boot).
	echo?: boolean;
}

function hexOf(text: string): string {
	let s = "";
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i) & 255;
		s += (c < 16 ? "0" : "") + c.toString(16).toUpperCase();
	}
	return s;
}

function fromHex(hex: string): string | null {
	if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return null;
	let s = "";
	for (let i = 0; i < hex.length; i += 2) s += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
	return s;
}

const OK = "\r\nOK\r\n";
const ERROR = "\r\nERROR\r\n";

export class ScriptedBC20 implements Transport {
	// Every command line received, in order.
	readonly commands: string[] = [];
	echo: boolean;
	hex = 0;
	view = 0;
	show = 0;
	// Bytes sent with SEND OK, per connectID, and the data of each send.
	readonly sentBytes = [0, 0, 0, 0, 0];
	readonly sends: string[][] = [[], [], [], [], []];
	// Whether the peers echo what they receive.
	peerEcho = true;
	#sockets: (ModuleSocket | null)[] = [null, null, null, null, null];
	#input = "";
	#outbox = "";
	#lastError = 0;

	constructor(options: ScriptedOptions = {}) {
		this.echo = options.echo ?? false;
	}

	get pendingOutput(): number {
		return this.#outbox.length;
	}

	// Takes up to `max` bytes of output.
	take(max: number): string {
		const text = this.#outbox.slice(0, max);
		this.#outbox = this.#outbox.slice(text.length);
		return text;
	}

	// Unsolicited output.
	send(text: string): void {
		this.#outbox += text;
	}

	// Forgets all output not yet delivered (a line that went dead).
	dropOutput(): void {
		this.#outbox = "";
	}

	// The module loses its sockets and prints its boot banner.
	reboot(): void {
		this.#sockets = [null, null, null, null, null];
		this.echo = true;
		this.#input = "";
		this.#outbox += "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+IP: 10.0.0.2\r\n";
	}

	write(data: Uint8Array, start: number, end: number): void {
		for (let i = start; i < end; i++) {
			const c = data[i];
			if (c === 13 || c === 10) {
				const line = this.#input;
				this.#input = "";
				if (line !== "") this.#command(line);
			} else if (this.#input.length < 4096) this.#input += String.fromCharCode(c);
		}
	}

	#command(line: string): void {
		this.commands.push(line);
		if (this.echo) this.#outbox += line + "\r";
		this.#outbox += this.#answer(line);
	}

	#answer(line: string): string {
		const upper = line.toUpperCase();
		if (upper === "AT") return OK;
		if (upper === "ATE0") {
			this.echo = false;
			return OK;
		}
		if (upper === "ATI") return "\r\nQuectel_Ltd\r\nQuectel_BC20\r\nRevision: BC20JAR01A04\r\n" + OK;
		if (upper === "AT+CSQ") return "\r\n+CSQ: 20,0\r\n" + OK;
		if (upper === "AT+CEREG?") return "\r\n+CEREG: 0,1\r\n" + OK;
		if (upper === "AT+CFUN?") return "\r\n+CFUN: 1\r\n" + OK;
		if (upper === "AT+CGATT?") return "\r\n+CGATT: 1\r\n" + OK;
		if (upper === "AT+CPSMS?") return '\r\n+CPSMS: 0,,,"00000000","00000000"\r\n' + OK;
		if (upper === "AT+CCLK?") return '\r\n+CCLK: "26/12/07,03:00:00+00"\r\n' + OK;
		if (upper === "AT+CGSN=1") return "\r\n+CGSN: 867724030000000\r\n" + OK;
		if (upper === "AT+CGPADDR=1") return '\r\n+CGPADDR: 1,"10.0.0.2"\r\n' + OK;
		if (upper === "AT+QIGETERROR") return "\r\n+QIGETERROR: " + this.#lastError + ",error\r\n" + OK;
		let m = /^AT\+QICFG="(dataformat|viewmode|showlength)",(?:0,)?([01])$/.exec(line);
		if (m) {
			const v = Number(m[2]);
			if (m[1] === "dataformat") this.hex = v;
			else if (m[1] === "viewmode") this.view = v;
			else this.show = v;
			return OK;
		}
		if (upper === "AT+QISTATE?") {
			let out = "";
			this.#sockets.forEach((s, id) => {
				if (s !== null) out += `\r\n+QISTATE: ${id},"${s.udp ? "UDP" : "TCP"}","127.0.0.1",9000,0,2,1,${s.mode}\r\n`;
			});
			return out + OK;
		}
		m = /^AT\+QIOPEN=1,(\d),"(TCP|UDP)","[^"]*",\d+,\d+,([01])$/.exec(line);
		if (m) {
			const id = Number(m[1]);
			if (this.#sockets[id] !== null) return OK + `\r\n+QIOPEN: ${id},563\r\n`;
			this.#sockets[id] = { udp: m[2] === "UDP", mode: Number(m[3]), nodes: [] };
			return OK + `\r\n+QIOPEN: ${id},0\r\n`;
		}
		m = /^AT\+QICLOSE=(\d)$/.exec(line);
		if (m) {
			this.#sockets[Number(m[1])] = null;
			return OK + "\r\nCLOSE OK\r\n";
		}
		m = /^AT\+QISWTMD=(\d),([01])$/.exec(line);
		if (m) {
			const s = this.#sockets[Number(m[1])];
			if (s === null) return this.#fail(572);
			s.mode = Number(m[2]);
			let out = OK;
			if (s.mode === 1) for (const node of s.nodes.splice(0)) out += this.#push(Number(m[1]), node);
			return out;
		}
		m = /^AT\+QISEND=(\d),(\d+),([\s\S]*)$/.exec(line);
		if (m) return this.#send(Number(m[1]), Number(m[2]), m[3]);
		m = /^AT\+QISENDEX=(\d),(\d+),([0-9A-Fa-f]*)$/.exec(line);
		if (m) {
			const data = fromHex(m[3]);
			if (data === null || data.length !== Number(m[2])) return this.#fail(552);
			return this.#send(Number(m[1]), data.length, data);
		}
		m = /^AT\+QIRD=(\d),(\d+)$/.exec(line);
		if (m) return this.#read(Number(m[1]), Number(m[2]));
		m = /^AT\+QPING=1,"([^"]+)"(?:,(\d+),(\d+),(\d+))?$/.exec(line);
		if (m) {
			const count = Number(m[3] ?? 4);
			let out = OK;
			for (let i = 0; i < count; i++) out += `\r\n+QPING: 0,"127.0.0.1",32,5,255\r\n`;
			return out + `\r\n+QPING: 0,${count},${count},0,5,5,5\r\n`;
		}
		m = /^AT\+QIDNSGIP=1,"([^"]+)"$/.exec(line);
		if (m) return OK + '\r\n+QIURC: "dnsgip",0,1,600\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n';
		m = /^AT\+QNTP=1,"([^"]+)"/.exec(line);
		if (m) return OK + '\r\n+QNTP: 0,"24/01/02,03:04:05+00"\r\n';
		return ERROR;
	}

	#fail(code: number): string {
		this.#lastError = code;
		return ERROR;
	}

	#send(id: number, length: number, data: string): string {
		const s = this.#sockets[id];
		if (s === null || s === undefined) return this.#fail(572);
		if (data.length !== length) return this.#fail(552);
		this.sentBytes[id] += length;
		this.sends[id].push(data);
		let out = OK + "\r\nSEND OK\r\n";
		if (this.peerEcho) out += this.#arrival(id, data);
		return out;
	}

	// Data from the peer of socket `id`: pushed, or kept in the module's
	// buffer with a "recv" notice if it was empty. One call is one TCP
	// segment or one UDP datagram.
	arrive(id: number, data: string): void {
		this.#outbox += this.#arrival(id, data);
	}

	// Bytes the module holds for socket `id` (buffer mode).
	held(id: number): number {
		return this.#sockets[id]?.nodes.reduce((n, node) => n + node.length, 0) ?? 0;
	}

	#arrival(id: number, data: string): string {
		const s = this.#sockets[id];
		if (s === null || s === undefined) return "";
		if (s.mode === 1) return this.#push(id, data);
		const wasEmpty = s.nodes.length === 0;
		s.nodes.push(data);
		if (!wasEmpty) return "";
		return this.show ? `\r\n+QIURC: "recv",${id},${data.length}\r\n` : `\r\n+QIURC: "recv",${id}\r\n`;
	}

	#data(data: string): string {
		return this.hex ? hexOf(data) : data;
	}

	#push(id: number, data: string): string {
		const header = `+QIURC: "recv",${id},${data.length}`;
		return "\r\n" + header + (this.view ? "," : "\r\n") + this.#data(data) + "\r\n";
	}

	#read(id: number, max: number): string {
		const s = this.#sockets[id];
		if (s === null || s === undefined || s.mode === 1) return this.#fail(572);
		const node = s.nodes[0];
		if (node === undefined) return "\r\n+QIRD: 0\r\n" + OK;
		const data = node.slice(0, max);
		const rest = node.slice(data.length);
		if (rest === "") s.nodes.shift();
		else s.nodes[0] = rest;
		const header = this.show ? `+QIRD: ${data.length},${rest.length}` : `+QIRD: ${data.length}`;
		return "\r\n" + header + (this.view ? "," : "\r\n") + this.#data(data) + "\r\n" + OK;
	}
}
