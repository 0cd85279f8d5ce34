// What the XS tests load into the real XS engine: the reader transcripts and
// the steady-state workload, bundled with the core they exercise.
export { runAllReaderChecks } from "../core/reader-cases.js";
export { SteadyWorkload } from "../core/steady-workload.js";
