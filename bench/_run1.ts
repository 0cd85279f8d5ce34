import { formatTable } from "./section.js";
const mod = await import(process.argv[2]);
const section = Object.values(mod).find((v: any) => v && v.key) as any;
const t0 = performance.now();
const r = await section.run();
console.log(formatTable(r.table)); for (const n of r.notes) console.log("  " + n);
console.log(JSON.stringify(r.targets, null, 1)); console.log(((performance.now()-t0)/1000).toFixed(1), "s");
