/**
 * The module's DNS: an address literal is its own answer; then the emulator's
 * `hosts` table (case-insensitive; an empty list means "known not to exist",
 * which lets tests provoke a DNS failure without any network traffic); names
 * under ".invalid" fail at once (RFC 6761 reserves them never to resolve, so
 * no query leaves the machine for them); then Node's resolver, which follows
 * the machine's configuration (/etc/hosts, then whatever name server it names).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export type HostsTable = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_HOSTS: HostsTable = { localhost: ["127.0.0.1"] };

/** The TTL AT+QIDNSGIP reports: node:dns lookups do not expose one. */
export const REPORTED_DNS_TTL = 600;

export class NameResolver {
	private readonly hosts = new Map<string, readonly string[]>();

	constructor(
		hosts: HostsTable,
		private readonly timeoutMs: number,
	) {
		for (const [name, addresses] of Object.entries(hosts)) this.hosts.set(name.toLowerCase(), addresses);
	}

	/** Every address of `name`, or an empty list when it cannot be resolved. */
	async resolve(name: string, signal: AbortSignal): Promise<string[]> {
		if (isIP(name) !== 0) return [name];
		const listed = this.hosts.get(name.toLowerCase());
		if (listed !== undefined) return [...listed];
		if (/(^|\.)invalid\.?$/i.test(name)) return [];
		let timer: NodeJS.Timeout | undefined;
		let giveUp = (): void => undefined;
		const timeout = new Promise<string[]>((resolve) => {
			giveUp = () => resolve([]);
			timer = setTimeout(giveUp, this.timeoutMs);
			signal.addEventListener("abort", giveUp);
		});
		const answer = lookup(name, { all: true, verbatim: true }).then(
			(entries) => entries.map((entry) => entry.address),
			() => [],
		);
		try {
			return await Promise.race([answer, timeout]);
		} finally {
			clearTimeout(timer);
			signal.removeEventListener("abort", giveUp);
		}
	}
}

/** The address a socket connects to: IPv4 first (the module's <protocol_type> 0), else IPv6. */
export function preferIPv4(addresses: readonly string[]): string | undefined {
	return addresses.find((address) => isIP(address) === 4) ?? addresses.find((address) => isIP(address) === 6);
}
