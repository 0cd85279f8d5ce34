// The transport spec: parsing, its errors, and the factory.
import { EventEmitter } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TransportError } from "../../host-sim/transport/host-transport.js";
import { createTransport, openTransport, parseTransportSpec } from "../../host-sim/transport/open-transport.js";
import { PipeTransport } from "../../host-sim/transport/pipe.js";
import { SerialTransport } from "../../host-sim/transport/serial.js";
import { TcpBridgeTransport } from "../../host-sim/transport/tcp-bridge.js";
import { latin1 } from "../support/bytes.js";
import { receive } from "./helpers.js";

test("serial device paths, tcp://HOST:PORT and sim", () => {
	assert.equal(parseTransportSpec("/dev/ttyUSB0"), { kind: "serial", path: "/dev/ttyUSB0" });
	assert.equal(parseTransportSpec("COM3"), { kind: "serial", path: "COM3" });
	assert.equal(parseTransportSpec("\\\\.\\COM12"), { kind: "serial", path: "\\\\.\\COM12" });
	assert.equal(parseTransportSpec("sim"), { kind: "sim" });
	assert.equal(parseTransportSpec("tcp://127.0.0.1:2000"), { kind: "tcp", host: "127.0.0.1", port: 2000 });
	assert.equal(parseTransportSpec("TCP://localhost:65535"), { kind: "tcp", host: "localhost", port: 65535 });
	assert.equal(parseTransportSpec("tcp://[::1]:1"), { kind: "tcp", host: "::1", port: 1 });
});

test("bad specs give one clear sentence each", () => {
	const cases: [string, string][] = [
		["", "empty transport (expected a serial device path, tcp://HOST:PORT or sim)"],
		[
			"udp://127.0.0.1:2000",
			'unsupported scheme "udp" in udp://127.0.0.1:2000 (expected a serial device path, tcp://HOST:PORT or sim)',
		],
		[
			"rfc2217://127.0.0.1:2000",
			'unsupported scheme "rfc2217" in rfc2217://127.0.0.1:2000 (expected a serial device path, tcp://HOST:PORT or sim)',
		],
		["tcp://127.0.0.1", "missing port in tcp://127.0.0.1 (expected tcp://HOST:PORT)"],
		["tcp://:2000", "missing host in tcp://:2000 (expected tcp://HOST:PORT)"],
		["tcp://127.0.0.1:0", 'bad port "0" in tcp://127.0.0.1:0 (expected 1-65535)'],
		["tcp://127.0.0.1:65536", 'bad port "65536" in tcp://127.0.0.1:65536 (expected 1-65535)'],
		["tcp://127.0.0.1:20x0", 'bad port "20x0" in tcp://127.0.0.1:20x0 (expected 1-65535)'],
		["tcp://127.0.0.1:", 'bad port "" in tcp://127.0.0.1: (expected 1-65535)'],
		["tcp://127.0.0.1:2000/", 'bad port "2000/" in tcp://127.0.0.1:2000/ (expected 1-65535)'],
		["tcp://::1:2000", "an IPv6 address needs brackets: tcp://[::1]:2000"],
		["tcp://[::1:2000", 'missing "]" after the IPv6 address in tcp://[::1:2000'],
		["tcp://[::1]", "missing port in tcp://[::1] (expected tcp://HOST:PORT)"],
		["tcp://user@host:2000", 'bad host "user@host" in tcp://user@host:2000'],
	];
	for (const [spec, message] of cases) {
		assert.throws(
			() => parseTransportSpec(spec),
			(error: Error) => error instanceof TransportError && error.message === message,
			`${JSON.stringify(spec)} should fail with: ${message}`,
		);
	}
});

test("createTransport picks the transport and validates the options", () => {
	assert.instance(createTransport("/dev/ttyUSB0", { baud: 9600 }), SerialTransport);
	assert.is(createTransport("/dev/ttyUSB0", { baud: 9600 }).description, "/dev/ttyUSB0 at 9600 baud");
	assert.instance(createTransport("tcp://127.0.0.1:2000", { baud: 9600 }), TcpBridgeTransport);
	assert.throws(() => createTransport("sim", { baud: 9600 }), /"sim" needs an emulator/);
	assert.throws(() => createTransport("/dev/ttyUSB0", { baud: 0 }), /bad baud rate 0/);
	assert.throws(() => createTransport("/dev/ttyUSB0", { baud: 9600.5 }), /bad baud rate 9600.5/);
});

test("sim: the emulator factory gets the baud rate and the pipe owns the module", async () => {
	let factoryBaud = 0;
	const module = Object.assign(new EventEmitter(), {
		write() {},
		start() {},
		async close() {},
	});
	const transport = createTransport("sim", {
		baud: 115200,
		emulator: ({ baud }) => {
			factoryBaud = baud;
			return module;
		},
	});
	assert.instance(transport, PipeTransport);
	assert.is(factoryBaud, 115200);
	await transport.open();
	const got = receive(transport, 4);
	module.emit("data", Buffer.from("OK\r\n"));
	assert.is(latin1(await got), "OK\r\n");
	await transport.close();
});

test("openTransport returns an open transport, or the transport's clear error", async () => {
	const server = createServer((socket) => socket.end("\r\nRDY\r\n"));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	const transport = await openTransport(`tcp://127.0.0.1:${port}`, { baud: 9600 });
	assert.is(latin1(await receive(transport, 7)), "\r\nRDY\r\n");
	await transport.close();
	await new Promise((resolve) => server.close(resolve));

	await openTransport("/dev/ttyBC20-does-not-exist", { baud: 9600 }).then(
		() => assert.unreachable("open should have failed"),
		(error: Error) => assert.is(error.message, "no such port /dev/ttyBC20-does-not-exist"),
	);
});

test.run();
