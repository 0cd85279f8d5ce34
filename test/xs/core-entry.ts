// What the XS tests load into the real XS engine: the reader transcripts and
// the steady-state workload, bundled with the core they exercise.
export { runAllReaderChecks } from "../at/reader-cases.js";
export { SteadyWorkload } from "../at/steady-workload.js";
