import '@endo/init';
import { parentPort } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { type } from 'node:os';
import fs from 'node:fs';
import { xsnap } from '@agoric/xsnap';
const td = new TextDecoder();
let reports = [];
const w = await xsnap({ os: type(), spawn, fs: { ...fs, ...fs.promises }, meteringLimit: 0, stdout: 'inherit', stderr: 'inherit',
  handleCommand: async (msg) => { reports.push(td.decode(msg)); return new Uint8Array(0); } });
parentPort.on('message', async ({ id, op, code }) => {
  if (op === 'close') { await w.close(); parentPort.close(); return; }
  try { reports = []; const r = await w.evaluate(code); parentPort.postMessage({ id, meter: r.meterUsage, reply: td.decode(r.reply), reports }); }
  catch (e) { parentPort.postMessage({ id, error: String(e.message) }); }
});
