import { startXS } from "../xs-runner.js";
const xs = await startXS({ meteringLimit: 100000 });
try { await xs.evaluate("for (;;) {}"); } catch (e) { console.log("rejected:", (e as Error).message); }
try { await xs.call("1"); } catch (e) { console.log("after:", (e as Error).message); }
await xs.close();
console.log("closed");
const xs2 = await startXS();

console.log((await xs2.call("1+1")).value);
try { await xs2.run(3); console.log("run ok with default workload"); } catch (e) { console.log(e); }
await xs2.evaluate("setWorkload((n) => { throw new Error('in workload ' + n) })");
try { await xs2.run(3); } catch (e) { console.log("rejected:", (e as Error).message); }
console.log("leaving without close");
