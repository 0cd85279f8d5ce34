// The timeline page: one self-contained HTML file (inline style, data and
// script; no URL anywhere it could fetch) with the energy summary on top and
// the lanes below.
import { PAGE_SCRIPT } from "./page-script.js";
import type { TimelineData } from "./timeline-data.js";

const escape = (s: string) =>
	s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
// JSON inside <script>: no "</script>" or "<!--" can end or bend it.
const embed = (data: unknown) => JSON.stringify(data).replace(/</g, "\\u003c");

const current = (uA: number) =>
	uA >= 1000 ? `${(uA / 1000).toFixed(uA >= 10000 ? 1 : 2)} mA` : `${uA.toFixed(uA < 10 ? 2 : 1)} µA`;
const duration = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
const every = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);
const life = (days: number) => (days >= 730 ? `${(days / 365.25).toFixed(1)} years` : `${days.toFixed(0)} days`);

function summary(d: TimelineData): string {
	const e = d.energy;
	const total = e.time.awake + e.time["light-sleep"] + e.time.psm;
	const share = (ms: number) => (total > 0 ? `${duration(ms)} (${((ms / total) * 100).toFixed(1)}%)` : "0");
	const rows = e.runs
		.map(
			(
				r,
			) => `<tr><td>${escape(r.label)}</td><td>${r.reports}</td><td><b>${r.uAh.toFixed(2)}</b></td><td>${duration(r.awakeMs)}</td>
		<td>${Math.round(r.split.beforeFirstCommand)} · ${Math.round(r.split.inFlight)} · ${Math.round(r.split.untilReport)} · ${Math.round(r.split.untilSleep)}</td>
		<td>${r.commands.toFixed(1)}</td><td>${r.sleep}</td><td>${current(r.projection.averageUA)}</td><td><b>${life(r.projection.lifeDays)}</b></td></tr>`,
		)
		.join("\n");
	const p = e.runs[0]?.projection;
	const model = Object.entries(e.model)
		.map(([k, v]) => `${k} ${current(v)}`)
		.join(", ");
	return `<p>Recorded ${escape(d.started)} on <code>${escape(d.port)}</code> by <code>${escape(d.command)}</code>: ${duration(d.endMs)},
${d.commands.length} AT commands, ${d.urcs.length} URCs, ${d.reports.length} reports. Module awake ${share(e.time.awake)}, light sleep ${share(e.time["light-sleep"])},
PSM ${share(e.time.psm)}; charge ${e.totalUAh.toFixed(2)} µAh, average ${current(e.averageUA)} over the recording.</p>
${
	rows
		? `<table id="runs"><thead><tr><th>run</th><th>reports</th><th>charge per report (µAh)</th><th>awake per report</th><th title="to the first command (waking) · commands in flight · until the report (the answer on its way) · after it until the module slept">window: wake · commands · answer · tail (ms)</th><th>AT commands per report</th>
<th>sleeps in</th><th>average at one report every ${p ? every(p.intervalS) : ""}</th><th>battery life (${p?.capacityMAh ?? ""} mAh)</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="small">Per report: the awake window from the wake to the next sleep, leaving out the run's first report (it carries the set-up before it).
The projection charges the rest of each interval at the sleep current. The radio's own timers (RRC tail, T3324) are not on the UART and not counted.</p>`
		: "<p>No reports in this recording.</p>"
}
<p class="small">Current model (µA): ${escape(model)}. Transmitting: while AT+QIOPEN, QISEND, QISENDEX, QICLOSE, QPING, QNTP or QIDNSGIP is in flight.</p>`;
}

export function timelinePage(data: TimelineData): string {
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>${escape(data.title)}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 12px 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 6px; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; max-width: 420px; }
th { background: #f0f0f0; font-weight: 600; }
.small { color: #555; font-size: 12px; margin: 4px 0; }
#bar { position: sticky; top: 0; background: #fff; padding: 6px 0; z-index: 1; display: flex; gap: 8px; align-items: center; }
#bar button { font-size: 14px; min-width: 32px; }
#scroll { flex: 1; }
#wrap { overflow-x: hidden; border: 1px solid #ddd; }
#chart { display: block; user-select: none; cursor: grab; }
#tip { position: absolute; display: none; background: #fffbe6; border: 1px solid #c9b458; padding: 4px 6px; font: 12px/1.35 ui-monospace, monospace;
	white-space: pre-wrap; max-width: 640px; pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.2); z-index: 2; }
</style></head>
<body>
<h1>${escape(data.title)}</h1>
${summary(data)}
<div id="bar"><button id="out" title="zoom out">−</button><button id="in" title="zoom in">+</button><button id="fit" title="the whole recording">fit</button>
<input id="scroll" type="range" min="0" max="1000" value="0" title="scroll"><span id="view"></span>
<span class="small">wheel: zoom · drag: pan · hover: the exact lines · click a report: zoom to it</span></div>
<div id="wrap"><svg id="chart" xmlns="http://www.w3.org/2000/svg"></svg></div>
<div id="tip"></div>
<script id="data" type="application/json">${embed(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
