import { bundleForXS } from "../scripts/xs-bundle.mjs";
import { startXS } from "../test/xs/xs-runner.js";
const xs = await startXS();
await xs.evaluate(await bundleForXS("bench/device-path.ts", { globalName: "device" }));
for (const w of (process.env.W ?? "push-text,buffer-text").split(",")) {
	await xs.evaluate(`globalThis.one = device.createDevice(${JSON.stringify(w)}, "project"); one.run(64 * 1024);`);
	const empty = Math.min(...(await Promise.all([0, 1, 2].map(async () => (await xs.call("0")).compute))));
	const row: string[] = [];
	for (let i = 0; i < 48; i++) {
		const b = (await xs.call("one.before()")).compute - empty;
		const { compute, value } = await xs.call<number>("one.receive()");
		row.push(`${b > 60 ? "[" + b + "]" : ""}${compute - empty}/${value}`);
	}
	console.log(w, row.join(" "));
}
await xs.close?.();
process.exit(0);
