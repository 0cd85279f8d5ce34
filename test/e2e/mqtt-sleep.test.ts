// An MQTT session kept alive across light sleep: the module may sleep
// (AT+QSCLK=2) whenever the UART is idle, the client's PINGREQs wake it (the
// channel sends a lone CR first, which a sleeping module swallows), and the
// session stays up: PINGRESPs come back, and a QoS 1 PUBLISH after them is
// acknowledged.
import { assertNoViolations } from "../support/emulator-violations.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Resolver } from "../../firmware/net/dns.js";
import { TCP } from "../../firmware/net/tcp.js";
import type { BC20Emulator } from "../../host-sim/emulator/bc20-emulator.js";
import { openSession } from "../../host-sim/modem-session.js";
import { hostilePayload, mqttBroker } from "../support/loopback-servers.js";
import { mqttKeepAliveSession } from "../support/moddable-style-clients.js";

test("an MQTT session with a 1 s keepalive pings across light sleep, then publishes QoS 1", async () => {
	let emulator: BC20Emulator | undefined;
	// The module sleeps 300 ms after its last UART activity: the driver's wake CR
	// comes after 100 ms idle by its own count, which starts when the module's
	// bytes reach it, later than the module's on a loaded host.
	const session = await openSession({
		baud: 921600,
		emulator: { sleepAfterMs: 300 },
		onEmulator: (e) => (emulator = e),
	});
	const broker = await mqttBroker();
	// Entries into light sleep, seen by sampling the emulated module's state.
	let sleeps = 0,
		asleep = false;
	const watch = setInterval(() => {
		const now = emulator?.sleep === "light";
		if (now && !asleep) sleeps++;
		asleep = now;
	}, 10);
	try {
		await new Promise<void>((resolve, reject) =>
			session.modem.command("AT+QSCLK=2", (error) => (error ? reject(error) : resolve())),
		);
		const ignoredBefore = emulator!.stats.bytesIgnored;
		const payload = hostilePayload(200, 13);
		const result = await mqttKeepAliveSession({
			socket: { io: TCP, modem: session.modem },
			dns: { io: Resolver, modem: session.modem },
			host: "127.0.0.1",
			port: broker.port,
			clientId: "bc20-sleepy",
			keepAlive: 1,
			pings: 2,
			topic: "sensors/sleepy",
			payload,
		});
		assert.is(result.connack, 0);
		assert.equal(broker.keepAlives, [1]);
		assert.is(broker.pings, 2, "the broker answered two PINGREQs");
		assert.is(result.pingresps, 2);
		assert.is(result.pubackId, 9);
		assert.is(broker.published.length, 1);
		assert.equal(
			Buffer.compare(Buffer.from(broker.published[0].payload), Buffer.from(payload)),
			0,
			"the publish arrived byte-exact",
		);
		assert.ok(sleeps >= 2, `the module slept between pings (entered light sleep ${sleeps} times)`);
		assert.ok(
			emulator!.stats.bytesIgnored - ignoredBefore >= 2,
			"each wake-up byte was swallowed by the sleeping module",
		);
		assertNoViolations(session.emulator);
	} finally {
		clearInterval(watch);
		await broker.close();
		await session.close();
	}
});

test.run();
