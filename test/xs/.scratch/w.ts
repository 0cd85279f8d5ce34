import { Worker } from "node:worker_threads";
console.log(process.execArgv);
const w = new Worker(`console.log("in worker", process.execArgv)`, { eval: true });
