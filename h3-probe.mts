import { bundleForXS } from "./scripts/xs-bundle.mjs";
import { startXS } from "./test/xs/xs-runner.ts";
const xs = await startXS();
try {
	await xs.evaluate(await bundleForXS("h3-probe-entry.ts", { globalName: "p" }));
	await xs.evaluate(`globalThis.ring = new p.ByteRing(2048); globalThis.src = new Uint8Array(512); globalThis.dst = new Uint8Array(1024);
	globalThis.ev = { onLine(){}, isDirectPush(){return true}, onPayloadStart(){}, onPayload(){}, onPayloadEnd(){} };
	globalThis.rd = new p.Reader(ev, 512); rd.viewMode = 1; rd.showLength = true;
	globalThis.hdr = p.ascii('\\r\\n+QIURC: "recv",0,512,'); globalThis.ok = p.ascii('\\r\\nOK\\r\\n'); globalThis.pl = new Uint8Array(512);
	globalThis.send = p.ascii('\\r\\nSEND OK\\r\\n');globalThis.cereg = p.ascii('\\r\\n+CEREG: 1\\r\\n');`);
	const empty = (await xs.call("0")).compute;
	for (const e of ["ring.push(src, 0, 512)", "ring.copyOut(0, dst, 0, 512)", "ring.discard(512)", "rd.receive(hdr, 0, hdr.length)", "rd.receive(pl, 0, 512)", "rd.receive(ok, 0, ok.length)", "rd.receive(send, 0, send.length)", "rd.receive(cereg, 0, cereg.length)"]) {
		const r = await xs.call(e); console.log(e, r.compute - empty);
	}
} finally { await xs.close(); }
