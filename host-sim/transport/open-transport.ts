// One string picks the link: a serial device path, tcp://HOST:PORT, or "sim".
// The emulator comes in as a factory so this folder does not import it.
import { TransportError, type HostTransport } from "./host-transport.js";
import { PipeTransport, type EmulatedModule } from "./pipe.js";
import { SerialTransport } from "./serial.js";
import { TcpBridgeTransport } from "./tcp-bridge.js";

export type TransportSpec =
	| { readonly kind: "serial"; readonly path: string }
	| { readonly kind: "tcp"; readonly host: string; readonly port: number }
	| { readonly kind: "sim" };

export interface TransportOptions {
	/** UART rate for a serial port and for the emulator; a TCP bridge sets its own. */
	readonly baud: number;
	/** Makes the module behind "sim". */
	readonly emulator?: (options: { baud: number }) => EmulatedModule;
	readonly connectTimeoutMs?: number;
}

const EXPECTED = "expected a serial device path, tcp://HOST:PORT or sim";

export function parseTransportSpec(spec: string): TransportSpec {
	if (spec === "") throw new TransportError(`empty transport (${EXPECTED})`);
	if (spec === "sim") return { kind: "sim" };
	const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(spec);
	if (!scheme) return { kind: "serial", path: spec };
	if (scheme[1].toLowerCase() !== "tcp") {
		throw new TransportError(`unsupported scheme "${scheme[1]}" in ${spec} (${EXPECTED})`);
	}
	const rest = spec.slice(scheme[0].length);
	let host: string;
	let portText: string;
	if (rest.startsWith("[")) {
		const close = rest.indexOf("]");
		if (close < 0) throw new TransportError(`missing "]" after the IPv6 address in ${spec}`);
		host = rest.slice(1, close);
		if (rest[close + 1] !== ":") throw new TransportError(`missing port in ${spec} (expected tcp://HOST:PORT)`);
		portText = rest.slice(close + 2);
	} else {
		const colon = rest.lastIndexOf(":");
		if (colon < 0) throw new TransportError(`missing port in ${spec} (expected tcp://HOST:PORT)`);
		host = rest.slice(0, colon);
		portText = rest.slice(colon + 1);
		if (host.includes(":")) throw new TransportError(`an IPv6 address needs brackets: tcp://[${host}]:${portText}`);
	}
	if (host === "") throw new TransportError(`missing host in ${spec} (expected tcp://HOST:PORT)`);
	if (/[\s/@\[\]]/.test(host)) throw new TransportError(`bad host "${host}" in ${spec}`);
	const port = Number(portText);
	if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
		throw new TransportError(`bad port "${portText}" in ${spec} (expected 1-65535)`);
	}
	return { kind: "tcp", host, port };
}

/** A transport, not yet open: set onData and onClose, then open(). */
export function createTransport(spec: string, options: TransportOptions): HostTransport {
	const { baud } = options;
	if (!Number.isInteger(baud) || baud <= 0) throw new TransportError(`bad baud rate ${baud}`);
	const parsed = parseTransportSpec(spec);
	switch (parsed.kind) {
		case "serial":
			return new SerialTransport({ path: parsed.path, baud });
		case "tcp":
			return new TcpBridgeTransport({
				host: parsed.host,
				port: parsed.port,
				connectTimeoutMs: options.connectTimeoutMs,
			});
		case "sim":
			if (!options.emulator) throw new TransportError(`"sim" needs an emulator, and none was given`);
			return new PipeTransport(options.emulator({ baud }));
	}
}

/**
 * createTransport() and open(). Bytes that arrive before the caller sets
 * onData are dropped: to keep everything (a boot banner), use
 * createTransport(), set onData, then open().
 */
export async function openTransport(spec: string, options: TransportOptions): Promise<HostTransport> {
	const transport = createTransport(spec, options);
	await transport.open();
	return transport;
}
