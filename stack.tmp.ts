import { runFirmware } from "./test/device/device-runner.ts";
for (const protocol of (process.env.PROTO ? [process.env.PROTO] : ["udp", "tcp"]) as ("udp"|"tcp")[]) {
	const r = await runFirmware({ protocol, reports: 4 });
	console.log(protocol, "acked", r.acknowledged, "peak", r.peakStack, "device", r.deviceStack);
}
