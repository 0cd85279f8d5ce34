// A DNS resolver in Moddable's shape (`dns: {io: Resolver, modem}`):
// resolve({host, onResolved(host, address), onError(host)}) through
// AT+QIDNSGIP. An IPv4 or IPv6 literal resolves to itself without asking the
// module. Callbacks always come after resolve() returned.
import type { BC20 } from "../bc20/modem.js";
import type { BC20Error } from "../bc20/errors.js";
import { later } from "./bytes.js";

export interface ResolverOptions {
	modem: BC20;
}

export interface ResolveRequest {
	host: string;
	onResolved?: (host: string, address: string) => void;
	onError?: (host: string, error?: BC20Error) => void;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isAddressLiteral(host: string): boolean {
	const m = IPV4.exec(host);
	if (m) return m.slice(1).every((part) => Number(part) <= 255);
	return host.includes(":") && /^[0-9A-Fa-f:.]+$/.test(host);
}

export class Resolver {
	#modem: BC20;

	constructor(options: ResolverOptions) {
		if (!options?.modem) throw new TypeError("Resolver: options.modem (a BC20) is required");
		this.#modem = options.modem;
	}

	resolve(request: ResolveRequest): void {
		const { host, onResolved, onError } = request;
		if (isAddressLiteral(host)) {
			later(() => onResolved?.(host, host));
			return;
		}
		try {
			this.#modem.resolve(host, (error, result) => {
				if (error !== null || result === null || result.addresses.length === 0) onError?.(host, error ?? undefined);
				else onResolved?.(host, result.addresses[0]);
			});
		} catch (error) {
			// Refused before anything was sent (a hostile name, a full queue).
			later(() => onError?.(host, error as BC20Error));
		}
	}
}
