// The baseline the benchmark compares the project's Reader against: an AT
// parser written the way most JavaScript modem code is. Module output is
// decoded into a latin1 text buffer, lines are cut at "\r\n" with indexOf and
// slice, recognised with string compares and regular expressions, and a
// payload is sliced out of the text once all of it has arrived, then turned
// back into bytes.
//
// It is meant to be honest, not a strawman: one pass per line, no needless
// copies beyond what the string approach implies, each runtime's own fastest
// latin1 conversion (Buffer on Node, see Latin1Codec). It emits the events the
// project's Reader emits for the benchmark workloads (line kinds from
// firmware/at/line-kind.ts, announced payload lengths, payload bytes), so the
// two are compared on the same work. View mode 0 only, like the workloads.
//
// Runtime-agnostic (no Node APIs): the benchmark also bundles it into XS.
import * as K from "../firmware/at/line-kind.js";
import * as U from "../firmware/bc20/urcs.js";

// Bytes <-> latin1 text (one char per byte).
export interface Latin1Codec {
	decode(bytes: Uint8Array, start: number, end: number): string;
	encode(text: string): Uint8Array;
}

// What portable code without Buffer writes (the XS side uses it).
export const portableLatin1: Latin1Codec = {
	decode(bytes, start, end) {
		return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
	},
	encode(text) {
		const bytes = new Uint8Array(text.length);
		for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
		return bytes;
	},
};

export interface NaiveEvents {
	// Every non-blank line, with its kind and the payload length it announces (0 if none).
	onLine(kind: number, line: string, payloadLength: number): void;
	// Whether socket `id` is in direct-push mode (its "recv" URC carries the data).
	isDirectPush(id: number): boolean;
	// A whole payload: `id` is the socket of a direct push, -1 for +QIRD data.
	onPayload(id: number, data: Uint8Array): void;
}

const URC_NAME = /^\+([A-Z]+)(?::|$)/;
const QIURC = /^\+QIURC: "(\w+)"(?:,(\d+))?(?:,(\d+))?/;
const QIRD = /^\+QIRD: (\d+)(?:,(\d+))?$/;
const ECHO = /^AT/i;

export class NaiveParser {
	// Response prefix of the command waiting for an answer, e.g. "+QIRD:".
	expect: string | null = null;
	buffer = "";
	payloadLeft = 0;
	payloadId = -1;
	// The match of the last +QIURC line, so its fields are not matched twice.
	qiurc: RegExpExecArray | null = null;
	events: NaiveEvents;
	codec: Latin1Codec;

	constructor(events: NaiveEvents, codec: Latin1Codec = portableLatin1) {
		this.events = events;
		this.codec = codec;
	}

	receive(chunk: Uint8Array, start = 0, end = chunk.length): void {
		this.buffer += this.codec.decode(chunk, start, end);
		for (;;) {
			if (this.payloadLeft > 0) {
				if (this.buffer.length < this.payloadLeft) return;
				const data = this.buffer.slice(0, this.payloadLeft);
				this.buffer = this.buffer.slice(this.payloadLeft);
				this.payloadLeft = 0;
				this.events.onPayload(this.payloadId, this.codec.encode(data));
				continue;
			}
			const eol = this.buffer.indexOf("\r\n");
			if (eol < 0) return;
			const line = this.buffer.slice(0, eol);
			this.buffer = this.buffer.slice(eol + 2);
			if (line !== "") this.line(line);
		}
	}

	line(line: string): void {
		const kind = this.classify(line);
		let length = 0,
			id = -1;
		if (kind === K.URC_RECV) {
			const m = this.qiurc as RegExpExecArray;
			if (m[3] !== undefined && this.events.isDirectPush(Number(m[2]))) {
				id = Number(m[2]);
				length = Number(m[3]);
			}
		} else if (kind === K.RESPONSE || kind === K.URC_OTHER) {
			const m = QIRD.exec(line);
			if (m !== null) length = Number(m[1]);
		}
		this.events.onLine(kind, line, length);
		if (length > 0) {
			this.payloadLeft = length;
			this.payloadId = id;
		}
	}

	classify(line: string): number {
		if (this.expect !== null && line.startsWith(this.expect)) return K.RESPONSE;
		switch (line) {
			case "OK":
				return K.OK;
			case "ERROR":
				return K.ERROR;
			case "SEND OK":
				return K.SEND_OK;
			case "SEND FAIL":
				return K.SEND_FAIL;
			case "CLOSE OK":
				return K.CLOSE_OK;
			case "RDY":
				return K.URC_RDY;
		}
		if (line.startsWith("+CME ERROR:")) return K.CME_ERROR;
		const urc = URC_NAME.exec(line);
		if (urc !== null) {
			switch (urc[1]) {
				case "QIURC": {
					const m = (this.qiurc = QIURC.exec(line));
					switch (m === null ? "" : m[1]) {
						case "recv":
							return K.URC_RECV;
						case "closed":
							return U.URC_CLOSED;
						case "dnsgip":
							return U.URC_DNSGIP;
						case "pdpdeact":
							return U.URC_PDPDEACT;
					}
					return K.URC_QIURC_OTHER;
				}
				case "QIOPEN":
					return U.URC_QIOPEN;
				case "QPING":
					return U.URC_QPING;
				case "QNTP":
					return U.URC_QNTP;
				case "CPIN":
					return U.URC_CPIN;
				case "CFUN":
					return U.URC_CFUN;
				case "IP":
					return U.URC_IP;
				case "CEREG":
					return U.URC_CEREG;
				case "CSCON":
					return U.URC_CSCON;
				case "QATWAKEUP":
					return U.URC_QATWAKEUP;
				case "QATSLEEP":
					return U.URC_QATSLEEP;
				case "QNBIOTEVENT":
					return U.URC_QNBIOTEVENT;
			}
		}
		if (ECHO.test(line)) return K.ECHO;
		if (line.startsWith("+")) return K.URC_OTHER;
		return K.NOISE;
	}
}
