// `bc20 nc` over a line that drops bytes (bc20 sim --drop-rate): whatever
// the damage, nc never exits 0 with bytes missing or wrong on stdout, and its
// last stderr line names a count no smaller than the damage, or says the
// stream ended at the gap: then stdout is what the peer sent up to there,
// wrong only in bytes the count ("at least N") covers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSocket } from "node:dgram";
import { type CliRun, runCli } from "../support/cli-process.js";
import { hostilePayload, sender } from "../support/loopback-servers.js";

// Bytes of `got` not what `sent` has at their place.
function misplaced(sent: Uint8Array, got: Uint8Array): number {
	let wrong = 0;
	for (let i = 0; i < Math.min(sent.length, got.length); i++) if (sent[i] !== got[i]) wrong++;
	return wrong;
}

// Direct push, then buffer access mode (AT+QIRD), where a damaged +QIRD header
// once let a final result in the data end the read, and a command went on
// the wire before the module's own (runCli fails on two commands on the wire).
const MODES: [name: string, flags: string[], rate: string, seeds: string[]][] = [
	// Seeds 4, 5, 6 and 10 once found runs two bytes short, lengths shortened
	// onto an LF of the data, and damaged headers taken for short lines.
	["direct push", [], "0.001", ["1", "2", "4", "5", "6", "10"]],
	// Seeds 401, 409 and 414 once put two commands on the wire.
	["buffer access mode", ["--buffer"], "0.002", ["401", "409", "414"]],
];

// What nc printed, held against what the peer sent: nothing lost or wrong
// without exit 1 and a count, or a gap, that covers it. Returns whether the
// run was damaged.
function assertAccounted(reply: Uint8Array, run: CliRun, seed: string): boolean {
	const wrong = misplaced(reply, run.stdout);
	const missing = reply.length - run.stdout.length;
	if (wrong === 0 && missing === 0) return false;
	const why = `seed ${seed}: ${wrong} bytes wrong, ${missing} missing, ${run.stderr}`;
	assert.is(run.code, 1, why);
	const last = run.stderr.trimEnd().split("\n").pop() as string;
	// The drops can cost the open its answer (a damaged +QIOPEN ends it
	// as 550): nc then fails before any data, naming the command. No data,
	// nothing to account for.
	if (run.stdout.length === 0 && !/received bytes/.test(last)) {
		assert.match(last, /^bc20: AT\+\S+: .*\(\d+\)(: \d+ of the \d+ bytes from stdin not sent)?$/, why);
		return false;
	}
	const counted = /(\d+) received bytes lost or damaged/.exec(last);
	if (counted !== null) assert.ok(Number(counted[1]) >= wrong + Math.abs(missing), why);
	else {
		// A TCP stream ends at its first gap: stdout is what the peer sent up to
		// there, wrong only in runs reported at stake before it ("at least N").
		const gap = /received bytes lost \(count unknown(?:, at least (\d+))?\): the stream ended at the gap/.exec(last);
		assert.ok(gap !== null, why);
		assert.ok(missing >= 0, why);
		assert.ok(Number(gap[1] ?? 0) >= wrong, why);
	}
	return true;
}

for (const [mode, flags, rate, seeds] of MODES)
	test(`${mode}: received bytes dropped on the line: exit 1, the count covers the damage, or the stream ended at the gap`, async () => {
		const reply = hostilePayload(20000, 5);
		const peer = await sender(reply);
		try {
			const runs = await Promise.all(
				seeds.map((seed) =>
					runCli(
						["nc", ...flags, "127.0.0.1", String(peer.port), "--drop-rate", rate, "--seed", seed],
						new Uint8Array(0),
						30000,
					),
				),
			);
			let damaged = 0;
			for (const [k, run] of runs.entries()) if (assertAccounted(reply, run, seeds[k])) damaged++;
			assert.ok(damaged > 0, "the drops damaged some run");
		} finally {
			await peer.close();
		}
	});

// A UDP peer that answers any datagram with `count` datagrams of `size`
// hostile bytes, each starting with its number.
async function datagramSource(
	count: number,
	size: number,
): Promise<{ port: number; datagram(seq: number): Buffer; close(): void }> {
	const datagram = (seq: number) => {
		const bytes = Buffer.from(hostilePayload(size, seq + 1));
		bytes.writeUInt16BE(seq, 0);
		return bytes;
	};
	const socket = createSocket("udp4");
	socket.on("message", (_data, from) => {
		let seq = 0;
		const timer = setInterval(() => {
			socket.send(datagram(seq), from.port, from.address);
			if (++seq === count) clearInterval(timer);
		}, 40);
	});
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
	return { port: socket.address().port, datagram, close: () => socket.close() };
}

test("received datagrams dropped on the line: exit 1, and the count covers every datagram not delivered intact", async () => {
	const COUNT = 30,
		SIZE = 300;
	const peer = await datagramSource(COUNT, SIZE);
	try {
		let damaged = 0;
		const seeds = ["1", "2", "3"];
		const runs = await Promise.all(
			seeds.map((seed) =>
				runCli(
					["nc", "-u", "127.0.0.1", String(peer.port), "--wait", "2500", "--drop-rate", "0.002", "--seed", seed],
					new Uint8Array(Buffer.from("go\n")),
					30000,
				),
			),
		);
		for (const [k, run] of runs.entries()) {
			const out = Buffer.from(run.stdout);
			// stdout holds the datagrams delivered, back to back: count those that
			// came whole and right, at the place where the previous one ended.
			let intact = 0;
			for (let at = 0; at + SIZE <= out.length;) {
				const seq = out.readUInt16BE(at);
				if (seq < COUNT && out.subarray(at, at + SIZE).equals(peer.datagram(seq))) {
					intact++;
					at += SIZE;
				} else at++;
			}
			if (intact === COUNT && out.length === COUNT * SIZE) continue;
			damaged++;
			const why = `seed ${seeds[k]}: ${intact} of ${COUNT} intact, ${out.length} bytes out, ${run.stderr}`;
			assert.is(run.code, 1, why);
			const last = run.stderr.trimEnd().split("\n").pop() as string;
			// UDP loses datagrams, not a stream: nothing says a stream ended.
			assert.not.match(last, /stream/, why);
			const counted = /(\d+) received bytes lost or damaged on the line/.exec(last);
			if (counted !== null) assert.ok(Number(counted[1]) >= (COUNT - intact) * SIZE, why);
			else {
				// Datagrams of unknown number lost: what was delivered and is not an
				// intact datagram is covered by "at least N".
				const unknown = /received datagrams lost \(count unknown, at least (\d+) bytes lost or damaged\)/.exec(last);
				assert.ok(unknown !== null, why);
				assert.ok(Number(unknown[1]) >= out.length - intact * SIZE, why);
			}
		}
		assert.ok(damaged > 0, "the drops damaged some datagram");
	} finally {
		peer.close();
	}
});

// Sending while the peer sends: in direct push mode a damaged pushed header
// lets its data be parsed as lines, and an ERROR among them once ended the
// AT+QISENDEX on the wire, the next command going before the module's own
// answer (seeds 1, 2 and 3, nearly every run; runCli fails on two commands on
// the wire). UDP, as the socket lives on after a datagram is lost.
test("direct push, sending while receiving: never two commands on the wire; the losses both ways are named", async () => {
	const peer = createSocket("udp4");
	let sent = 0;
	// Three hostile datagrams for each one received.
	peer.on("message", (_data, from) => {
		for (let k = 0; k < 3; k++)
			setTimeout(() => peer.send(Buffer.from(hostilePayload(300, ++sent)), from.port, from.address), k * 15);
	});
	await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
	try {
		const seeds = ["1", "2", "3"];
		const runs = await Promise.all(
			seeds.map((seed) =>
				runCli(
					[
						"nc",
						"-u",
						"127.0.0.1",
						String(peer.address().port),
						"--wait",
						"1500",
						"--drop-rate",
						"0.005",
						"--seed",
						seed,
					],
					hostilePayload(6000, 7),
					// A SEND OK lost on the line costs its 10 s deadline, and 10 s more for the
					// owed line (the module refuses a send while one is pending).
					60000,
				),
			),
		);
		for (const [k, run] of runs.entries()) {
			const why = `seed ${seeds[k]}: ${run.stderr}`;
			assert.is(run.code, 1, why);
			const last = run.stderr.trimEnd().split("\n").pop() as string;
			assert.match(last, /received (datagrams|bytes) lost/, why);
		}
	} finally {
		peer.close();
	}
});

test.run();
