// The sessions in this folder: bc20 commands recorded against the emulated
// module (`npm run record-fixtures` makes them again), each replayed by
// test/record/replay.test.ts with the command that made it. NAME.jsonl is the
// recording, NAME.stdout what the command printed then.
import { type Peer, tcpEcho, udpEcho } from "../support/loopback-servers.js";

export interface Fixture {
	name: string;
	// The command's own arguments; `port` is the loopback peer's, if any.
	args(port: number): string[];
	stdin?: string;
	// A loopback peer the emulated module talks to while recording (a replay
	// needs none: the recording answers for the network).
	peer?(): Promise<Peer>;
}

export const FIXTURES: readonly Fixture[] = [
	{ name: "at-csq", args: () => ["at", "AT+CSQ"] },
	{ name: "dns-localhost", args: () => ["dns", "localhost"] },
	{ name: "ping", args: () => ["ping", "127.0.0.1", "--count", "2"] },
	{ name: "nc-tcp-echo", args: (port) => ["nc", "127.0.0.1", String(port)], stdin: "hello over TCP\nsecond line\n", peer: () => tcpEcho() },
	{ name: "nc-udp-echo", args: (port) => ["nc", "-u", "127.0.0.1", String(port)], stdin: "hello over UDP\n", peer: () => udpEcho() },
];
