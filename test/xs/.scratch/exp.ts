import { startXS, measureHeapGrowth } from "../xs-runner.js";
const t0 = performance.now();
const xs = await startXS();
console.log("start ms", (performance.now() - t0).toFixed(0));
const show = (l: string, d: any) => console.log(l.padEnd(30), JSON.stringify(d));
for (let k = 0; k < 4; k++) show("run(0)", await xs.run(0));
show("eval gc()", await xs.evaluate("gc()"));
for (let k = 0; k < 3; k++) show("run(0)", await xs.run(0));
show("call", await xs.call("({a: [1,2,3], b: 'x'})"));
show("call undef", await xs.call("undefined"));
show("report", await xs.evaluate("report({e:1}); report('two'); 5"));
for (let k = 0; k < 3; k++) show("run(0)", await xs.run(0));
try { await xs.evaluate("throw new RangeError('boom')"); } catch (e) { console.log("rejected:", (e as Error).message); }
try { await xs.call("Promise.resolve(1)"); } catch (e) { console.log("rejected:", (e as Error).message); }
show("zero", await measureHeapGrowth(xs, { setup: "const ring = new Uint8Array(4096); const chunk = new Uint8Array(1024); let sum = 0;", step: "for (let j = 0; j < 1024; j++) { ring[(i * 1024 + j) & 4095] = chunk[j]; sum = (sum + ring[j]) | 0; }", iterations: 1024 }));
show("zero again", await measureHeapGrowth(xs, { setup: "const ring = new Uint8Array(4096); const chunk = new Uint8Array(1024); let sum = 0;", step: "for (let j = 0; j < 1024; j++) { ring[(i * 1024 + j) & 4095] = chunk[j]; sum = (sum + ring[j]) | 0; }", iterations: 1024 }));
show("push", await measureHeapGrowth(xs, { setup: "const kept = [];", step: "kept.push({ i });", iterations: 1000 }));
show("view", await measureHeapGrowth(xs, { setup: "const buf = new Uint8Array(64);", step: "new Uint8Array(buf.buffer, i & 63, 1)[0] = 1;", iterations: 1000 }));
show("closure", await measureHeapGrowth(xs, { setup: "let f;", step: "f = () => i;", iterations: 1000 }));
show("string concat", await measureHeapGrowth(xs, { setup: "let s = '';", step: "s = 'x' + i;", iterations: 1000 }));
show("view 1e6", await measureHeapGrowth(xs, { setup: "const buf = new Uint8Array(64);", step: "new Uint8Array(buf.buffer, i & 63, 1)[0] = 1;", iterations: 1e6 }));
show("perfnow", await measureHeapGrowth(xs, { setup: "let t = 0;", step: "t = performance.now();", iterations: 1000 }));
show("number float", await measureHeapGrowth(xs, { setup: "let t = 0.5; const o = {x: 0};", step: "t = t * 1.0001 + 0.3; o.x = t;", iterations: 1000 }));
await xs.close();
console.log("total ms", (performance.now() - t0).toFixed(0));
