// The sensor's report and the collector's acknowledgement: one short text
// line each, so a report costs one small datagram (NB-IoT bills and drains the
// battery by the byte).
//   report:  R,<device>,<seq>,<uptime ms>,<sample>\n
//   ack:     A,<seq>\n

export interface Reading {
	device: string;
	seq: number;
	uptimeMs: number;
	sample: number;
}

const DEVICE = /^[A-Za-z0-9_-]{1,32}$/;

export function checkDevice(device: string): string {
	if (!DEVICE.test(device))
		throw new RangeError(`device name must be 1-32 of A-Z a-z 0-9 _ -: ${JSON.stringify(device)}`);
	return device;
}

export function encodeReport(reading: Reading): Uint8Array {
	const text = `R,${reading.device},${reading.seq},${Math.floor(reading.uptimeMs)},${Math.round(reading.sample * 100) / 100}\n`;
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
	return bytes;
}

// Finds "A,<seq>" lines in received bytes; returns the acknowledged sequence
// numbers (a stream may carry several, or a stale one from an earlier retry).
export function decodeAcks(bytes: Uint8Array, start = 0, end = bytes.length): number[] {
	const acks: number[] = [];
	let i = start;
	while (i < end) {
		let lineEnd = i;
		while (lineEnd < end && bytes[lineEnd] !== 10) lineEnd++;
		if (lineEnd - i >= 3 && bytes[i] === 65 /* A */ && bytes[i + 1] === 44 /* , */) {
			let seq = 0,
				digits = 0;
			for (let k = i + 2; k < lineEnd && bytes[k] >= 48 && bytes[k] <= 57; k++, digits++)
				seq = seq * 10 + bytes[k] - 48;
			if (digits > 0) acks.push(seq);
		}
		i = lineEnd + 1;
	}
	return acks;
}
