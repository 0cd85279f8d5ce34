// The timeline page's own script, inlined into the page (it fetches nothing):
// draws the lanes as SVG from the embedded data, and redraws on zoom (wheel,
// the buttons) and pan (drag, the scroll bar). Hovering a shape shows its
// exact text; clicking a report zooms to its window. The SVG carries the
// scale it was drawn with (data-t0, data-t1, data-x0, data-x1) so a test can
// check where a known event landed.
export const PAGE_SCRIPT = String.raw`
(() => {
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const svg = document.getElementById("chart");
const tip = document.getElementById("tip");
const scroll = document.getElementById("scroll");
const NS = "http://www.w3.org/2000/svg";
const LABEL = 200, RIGHT = 16, TOP = 30, LANE = 26, PAD = 4;
const end = Math.max(D.endMs, 1);
let t0 = 0, t1 = end;

const SOCKET_COLORS = { Initial: "#c7c7c7", Opening: "#f0ad4e", Connected: "#59a14f", Closing: "#e15759" };
const POWER_COLORS = { awake: "#e4572e", "light-sleep": "#f3a712", psm: "#3b5b92" };

const ms = (t) => t < 1000 ? (Math.round(t * 10) / 10) + " ms" : (t / 1000).toFixed(t < 10000 ? 3 : 2) + " s";
const uA = (v) => v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + " mA" : v.toFixed(v < 10 ? 1 : 0) + " µA";
const show = (s) => s.replace(/\r/g, "\\r").replace(/\n/g, "\\n\n").replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/g,
	(c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));

// Lanes, top to bottom: each draws its shapes for the current view.
const lanes = [];
lanes.push({ name: "reports (charge)", draw: drawReports });
lanes.push({ name: "host commands", draw: drawCommands });
lanes.push({ name: "URCs", draw: drawUrcs });
for (const s of D.sockets) lanes.push({ name: "socket " + s.id + " (" + s.types.join(", ") + ")", id: "socket-" + s.id, draw: (y) => drawSocket(s, y) });
for (const state of ["awake", "light-sleep", "psm"]) lanes.push({ name: "power: " + state, id: "power-" + state, draw: (y) => drawPower(state, y) });
lanes.push({ name: "current (modelled, log)", draw: drawCurrent });
lanes.push({ name: "UART bytes host → module", draw: (y) => drawBytes("tx", y) });
lanes.push({ name: "UART bytes module → host", draw: (y) => drawBytes("rx", y) });
lanes.push({ name: "notes", draw: drawNotes });

let W = 0;
const x = (t) => LABEL + (t - t0) / (t1 - t0) * (W - LABEL - RIGHT);
const visible = (a, b) => b >= t0 && a <= t1;

function el(name, attrs, parent, tipText) {
	const e = document.createElementNS(NS, name);
	for (const k in attrs) e.setAttribute(k, attrs[k]);
	if (tipText !== undefined) e.__tip = tipText;
	(parent || svg).appendChild(e);
	return e;
}

function bar(a, b, y, fill, tipText, data) {
	const xa = Math.max(x(a), LABEL), xb = Math.min(x(b), W - RIGHT);
	const r = el("rect", { x: xa, y: y + PAD, width: Math.max(xb - xa, 1.5), height: LANE - 2 * PAD, fill }, svg, tipText);
	for (const k in data || {}) r.dataset[k] = data[k];
	return r;
}

function text(t, y, s, attrs) {
	return el("text", Object.assign({ x: t, y: y + LANE / 2 + 4, "font-size": 11 }, attrs || {}), svg).textContent = s;
}

function drawReports(y) {
	for (const r of D.reports) {
		if (!visible(r.from, r.to)) continue;
		const tipText = "report " + r.n + (r.ok ? " acknowledged" : " NOT acknowledged") + "\n" + r.commands + " AT commands\nwindow " +
			ms(r.from) + " – " + ms(r.to) + " (" + ms(r.to - r.from) + ", " + ms(r.awakeMs) + " awake)\ncharge " + r.uAh.toFixed(3) + " µAh\n" +
			"  " + ms(r.split.beforeFirstCommand) + " before the first command\n  " + ms(r.split.inFlight) + " commands in flight\n  " +
			ms(r.split.untilReport) + " more until the report (the answer on its way)\n  " + ms(r.split.untilSleep) + " after it until the module slept\n(click to zoom to it)";
		const b = bar(r.from, r.to, y, r.ok ? "rgba(89,161,79,0.35)" : "rgba(225,87,89,0.45)", tipText, { kind: "report", n: r.n });
		b.addEventListener("click", () => zoomTo(r.from - (r.to - r.from) * 0.1, r.to + (r.to - r.from) * 0.1));
		b.style.cursor = "zoom-in";
		el("line", { x1: x(r.at), x2: x(r.at), y1: y + 2, y2: y + LANE - 2, stroke: "#333", "stroke-width": 2 }, svg, tipText);
		if (x(r.to) - x(r.from) > 70) text(x(r.from) + 3, y, "#" + r.n + " " + r.uAh.toFixed(2) + " µAh", { "pointer-events": "none" });
	}
}

function drawCommands(y) {
	for (const c of D.commands) {
		if (!visible(c.t, c.end)) continue;
		const bad = !/^(OK|SEND OK|CLOSE OK)$/.test(c.status);
		const tipText = "> " + c.text + "\n" + (c.lines.length ? c.lines.map((l) => "< " + show(l)).join("\n") + "\n" : "") +
			"= " + c.status + " after " + ms(c.end - c.t) + " (at " + ms(c.t) + ")";
		bar(c.t, c.end, y, bad ? "#d62728" : "#4e79a7", tipText, { kind: "cmd", t: c.t, text: c.text });
		if (x(c.end) - x(c.t) > 60) text(x(c.t) + 2, y, c.text.slice(0, Math.floor((x(c.end) - x(c.t)) / 6.5)), { fill: "#fff", "pointer-events": "none" });
	}
}

function drawUrcs(y) {
	for (const u of D.urcs) {
		if (!visible(u.t, u.t)) continue;
		el("rect", { x: x(u.t) - 1.5, y: y + 3, width: 3, height: LANE - 6, fill: /closed|pdpdeact/i.test(u.line) ? "#d62728" : "#9c755f" }, svg,
			show(u.line) + "\n(at " + ms(u.t) + ")").dataset.kind = "urc";
	}
}

function drawSocket(s, y) {
	for (const g of s.segments) {
		if (!visible(g.from, g.to)) continue;
		bar(g.from, g.to, y, SOCKET_COLORS[g.state], "socket " + s.id + " (" + g.type + "): " + g.state + "\n" + ms(g.from) + " – " + ms(g.to) + " (" + ms(g.to - g.from) + ")",
			{ kind: "socket", state: g.state });
		if (x(g.to) - x(g.from) > 90) text(x(g.from) + 3, y, g.state + " " + g.type, { "pointer-events": "none" });
	}
}

function drawPower(state, y) {
	for (const p of D.power) {
		if (p.state !== state || !visible(p.from, p.to)) continue;
		bar(p.from, p.to, y, POWER_COLORS[state], "module " + state + "\n" + ms(p.from) + " – " + ms(p.to) + " (" + ms(p.to - p.from) + ")\nmodel: " + uA(D.energy.model[state]),
			{ kind: "power", state });
	}
}

function drawCurrent(y) {
	const top = Math.log10(Math.max(D.energy.model.tx, 10)), bottom = Math.log10(Math.max(Math.min(D.energy.model.psm, 1), 0.1));
	const h = (v) => y + LANE - 2 - (Math.log10(Math.max(v, 0.1)) - bottom) / (top - bottom) * (LANE - 4);
	let d = "";
	const steps = D.current;
	for (let i = 0; i < steps.length; i++) {
		const a = steps[i].t, b = i + 1 < steps.length ? steps[i + 1].t : end;
		if (!visible(a, b)) continue;
		const xa = Math.max(x(a), LABEL), xb = Math.min(x(b), W - RIGHT);
		d += (d ? "L" : "M") + xa + "," + h(steps[i].uA) + "L" + xb + "," + h(steps[i].uA);
		el("rect", { x: xa, y: y, width: Math.max(xb - xa, 1), height: LANE, fill: "transparent" }, svg,
			uA(steps[i].uA) + (steps[i].tx ? " (transmitting)" : "") + "\n" + ms(a) + " – " + ms(b));
	}
	if (d) el("path", { d, fill: "none", stroke: "#b6992d", "stroke-width": 1.5, "pointer-events": "none" });
}

// One mark per pixel column: an hour's recording has more chunks than the
// screen has pixels. The tooltip gives the column's totals and its first bytes.
function drawBytes(dir, y) {
	const columns = new Map();
	for (const b of D.bytes) {
		if (b.dir !== dir || !visible(b.t, b.t)) continue;
		const px = Math.round(x(b.t));
		const c = columns.get(px);
		if (c) { c.n += b.data.length; c.chunks++; c.last = b.t; if (c.text.length < 600) c.text += b.data; }
		else columns.set(px, { n: b.data.length, chunks: 1, first: b.t, last: b.t, text: b.data });
	}
	for (const [px, c] of columns) {
		const hgt = Math.min(LANE - 4, 3 + Math.log2(c.n + 1) * 2.5);
		const head = (dir === "tx" ? "host → module" : "module → host") + ", " + c.n + " bytes" +
			(c.chunks > 1 ? " in " + c.chunks + " chunks, " + ms(c.first) + " – " + ms(c.last) : " at " + ms(c.first));
		el("rect", { x: px - 1, y: y + LANE - 2 - hgt, width: 2, height: hgt, fill: dir === "tx" ? "#76b7b2" : "#b07aa1" }, svg,
			head + ":\n" + show(c.text.slice(0, 600)) + (c.text.length > 600 ? "…" : "")).dataset.kind = dir;
	}
}

// Headings (a note neither indented nor a wake pulse: the demo's phases) get
// a line across every lane; the rest, a dot in the notes lane.
function drawNotes(y) {
	for (const n of D.notes) {
		if (!visible(n.t, n.t)) continue;
		const heading = !/^(wake pulse|\s)/.test(n.text);
		if (heading) el("line", { x1: x(n.t), x2: x(n.t), y1: TOP, y2: y + LANE, stroke: "#888", "stroke-dasharray": "3,3" }, svg, n.text);
		el("circle", { cx: x(n.t), cy: y + LANE / 2, r: heading ? 5 : 3, fill: heading ? "#666" : "#aaa" }, svg, n.text + "\n(at " + ms(n.t) + ")");
	}
}

function niceStep(span, n) {
	const raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
	for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
	return 10 * p;
}

function render() {
	W = Math.max(svg.parentElement.clientWidth, 400);
	const H = TOP + lanes.length * LANE + 8;
	svg.setAttribute("width", W);
	svg.setAttribute("height", H);
	svg.setAttribute("viewBox", "0 0 " + W + " " + H);
	Object.assign(svg.dataset, { t0: t0, t1: t1, x0: LABEL, x1: W - RIGHT });
	svg.textContent = "";
	el("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff" });
	const step = niceStep(t1 - t0, Math.max(2, Math.floor((W - LABEL) / 110)));
	for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
		el("line", { x1: x(t), x2: x(t), y1: TOP - 6, y2: H - 8, stroke: "#eee" });
		if (x(t) < W - 30) el("text", { x: x(t), y: TOP - 10, "font-size": 11, "text-anchor": "middle", fill: "#555" }).textContent = ms(t);
	}
	lanes.forEach((lane, i) => {
		const y = TOP + i * LANE;
		el("rect", { x: 0, y, width: W, height: LANE, fill: i % 2 ? "#fafafa" : "#f3f3f3" });
		lane.draw(y);
		const label = el("text", { x: 6, y: y + LANE / 2 + 4, "font-size": 12, "class": "lane", fill: "#222" });
		label.textContent = lane.name;
		label.dataset.lane = lane.id || lane.name;
	});
	el("rect", { x: 0, y: TOP, width: LABEL - 4, height: lanes.length * LANE, fill: "none", stroke: "#ddd" });
	document.getElementById("view").textContent = ms(t0) + " – " + ms(t1) + " of " + ms(end);
	const span = t1 - t0;
	scroll.disabled = span >= end;
	scroll.value = span >= end ? 0 : Math.round(t0 / (end - span) * 1000);
}

// Wheel and drag events come faster than frames: draw once per frame.
let pending = false;
function zoomTo(a, b) {
	const span = Math.min(Math.max(b - a, 0.5), end * 1.02);
	a = Math.min(Math.max(a, -end * 0.01), end * 1.01 - span);
	t0 = a; t1 = a + span;
	if (pending) return;
	pending = true;
	requestAnimationFrame(() => { pending = false; render(); });
}
function zoomAround(t, factor) { zoomTo(t - (t - t0) * factor, t + (t1 - t) * factor); }
const tAt = (px) => t0 + (px - LABEL) / (W - LABEL - RIGHT) * (t1 - t0);

svg.addEventListener("wheel", (e) => {
	e.preventDefault();
	const r = svg.getBoundingClientRect();
	zoomAround(tAt(e.clientX - r.left), Math.exp(e.deltaY * 0.002));
}, { passive: false });
let drag = null;
svg.addEventListener("mousedown", (e) => { drag = { x: e.clientX, t0, t1 }; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", (e) => {
	if (drag && e.buttons) {
		const dt = (e.clientX - drag.x) / (W - LABEL - RIGHT) * (drag.t1 - drag.t0);
		zoomTo(drag.t0 - dt, drag.t1 - dt);
	}
});
svg.addEventListener("mousemove", (e) => {
	const text = e.target.__tip;
	if (text === undefined || drag && e.buttons) { tip.style.display = "none"; return; }
	tip.textContent = text;
	tip.style.display = "block";
	tip.style.left = Math.min(e.pageX + 12, document.body.scrollWidth - tip.offsetWidth - 4) + "px";
	tip.style.top = (e.pageY + 14) + "px";
});
svg.addEventListener("mouseleave", () => { tip.style.display = "none"; });
document.getElementById("in").onclick = () => zoomAround((t0 + t1) / 2, 0.5);
document.getElementById("out").onclick = () => zoomAround((t0 + t1) / 2, 2);
document.getElementById("fit").onclick = () => zoomTo(0, end);
scroll.oninput = () => { const span = t1 - t0; zoomTo(scroll.value / 1000 * (end - span), scroll.value / 1000 * (end - span) + span); };
window.addEventListener("resize", render);
render();
})();
`;
