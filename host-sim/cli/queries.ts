// bc20 ping | dns | ntp | state: one service of the module each, printed for
// a person, or with --json as one JSON document. Exit 0 on success, else the
// error is thrown for the caller to print. They write no setting and close
// no socket: state only needs the module to answer, the others wait for it to
// be attached (see connect.ts).
import type { BC20 } from "../../firmware/bc20/modem.js";
import type { SocketRecord } from "../../firmware/bc20/qistate.js";
import { type ParsedArgs, UsageError, hostArgument, intOption, portNumber } from "./args.js";
import { type BringUp, connect } from "./connect.js";

function call<T>(start: (done: (error: Error | null, value: T | null) => void) => void): Promise<T> {
	return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

async function withModem(args: ParsedArgs, bringUp: BringUp, work: (modem: BC20) => Promise<number>): Promise<number> {
	const session = await connect(args, bringUp);
	try {
		return await work(session.modem);
	} finally {
		await session.close();
	}
}

function onlyHost(args: ParsedArgs, usage: string): string {
	if (args.positional.length !== 1) throw new UsageError(`usage: ${usage}`);
	return hostArgument(args.positional[0], "HOST");
}

export function ping(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const host = onlyHost(args, "bc20 ping HOST [--count N] [--timeout S] [--size BYTES]");
	const count = intOption(args, "--count", 4, 1, 10);
	const timeout = intOption(args, "--timeout", 4, 1, 255);
	const size = intOption(args, "--size", 32, 32, 200);
	const json = args.flags.has("--json");
	return withModem(args, "look-attached", async (modem) => {
		const replies: { result: number; address: string; bytes: number; time: number; ttl: number }[] = [];
		const summary = await call<{ sent: number; received: number; lost: number; min: number; max: number; avg: number }>(
			(done) =>
				modem.ping(
					host,
					{
						count,
						timeout,
						size,
						onReply(reply) {
							const { result, address, bytes, time, ttl } = reply;
							if (json) replies.push({ result, address, bytes, time, ttl });
							else
								out(
									result === 0
										? `reply from ${address}: bytes=${bytes} time=${time}ms ttl=${ttl}`
										: `request failed: error ${result}`,
								);
						},
					},
					done,
				),
		);
		const { sent, received, lost, min, avg, max } = summary;
		if (json) out(JSON.stringify({ host, replies, sent, received, lost, ...(received ? { min, avg, max } : {}) }));
		else
			out(
				`${host}: ${sent} sent, ${received} received, ${lost} lost` +
					(received ? `, time min/avg/max ${min}/${avg}/${max} ms` : ""),
			);
		return received > 0 ? 0 : 1;
	});
}

export function dns(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const host = onlyHost(args, "bc20 dns HOST");
	return withModem(args, "look-attached", async (modem) => {
		const result = await call<{ addresses: string[]; ttl: number }>((done) => modem.resolve(host, done));
		if (args.flags.has("--json")) out(JSON.stringify({ host, addresses: result.addresses, ttl: result.ttl }));
		else for (const address of result.addresses) out(address);
		return 0;
	});
}

export function ntp(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	const server = onlyHost(args, "bc20 ntp SERVER [--ntp-port PORT]");
	const port = args.options.has("--ntp-port") ? portNumber(args.options.get("--ntp-port"), "--ntp-port") : undefined;
	return withModem(args, "look-attached", async (modem) => {
		const time = await call<{ utc: number; zone: number; text: string }>((done) => modem.ntp(server, { port }, done));
		const utc = new Date(time.utc).toISOString();
		if (args.flags.has("--json")) out(JSON.stringify({ server, utc, module: time.text, zoneHours: time.zone / 4 }));
		else out(`${utc} (module: "${time.text}", zone ${time.zone / 4} h)`);
		return 0;
	});
}

const STATES = ["initial", "opening", "connected", "closing"];

export function state(args: ParsedArgs, out: (line: string) => void): Promise<number> {
	if (args.positional.length !== 0) throw new UsageError("usage: bc20 state");
	return withModem(args, "look", async (modem) => {
		const records = await call<SocketRecord[]>((done) => modem.queryState(null, done));
		if (args.flags.has("--json")) {
			out(
				JSON.stringify({
					sockets: records.map((r) => ({
						connectId: r.connectId,
						type: r.serviceType,
						address: r.address,
						remotePort: r.remotePort,
						localPort: r.localPort,
						state: STATES[r.state] ?? r.state,
						accessMode: r.accessMode ? "direct push" : "buffer",
					})),
				}),
			);
			return 0;
		}
		if (records.length === 0) out("no sockets open");
		for (const r of records) {
			out(
				`${r.connectId}  ${r.serviceType}  ${r.address}:${r.remotePort}  local ${r.localPort}  ${STATES[r.state] ?? r.state}  ${r.accessMode ? "direct push" : "buffer"}`,
			);
		}
		return 0;
	});
}
