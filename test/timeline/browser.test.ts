// The timeline page in a real browser: Debian's chromium, headless, driven by
// playwright-core. The page must draw (the screenshot is not blank), have one
// lane per socket and per power state, put a known command at its recorded
// time on the axis (also after zooming in), show the exact lines on hover,
// and ask the network for nothing.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_CURRENT_MODEL } from "../../host-sim/energy/current-model.js";
import { parseRecording } from "../../host-sim/timeline/read-recording.js";
import { timeline } from "../../host-sim/timeline/timeline.js";

const CHROMIUM = "/usr/bin/chromium";
const recording = parseRecording(readFileSync(new URL("fixtures/two-sockets.jsonl", import.meta.url), "utf8"));
const page = timeline(recording, {
	model: { ...DEFAULT_CURRENT_MODEL },
	intervalS: 3600,
	capacityMAh: 2400,
	title: "two sockets",
});
const file = join(mkdtempSync(join(tmpdir(), "bc20-timeline-")), "timeline.html");
writeFileSync(file, page.html);
const url = pathToFileURL(file).href;

let browser: Browser;
let tab: Page;
const requests: string[] = [];
const errors: string[] = [];

// In a test, not a hook: uvu drops what a hook throws without a word.
test("headless chromium opens the page", async () => {
	assert.ok(
		existsSync(CHROMIUM),
		`${CHROMIUM} is missing: this test needs Debian's chromium package (apt-get install -y chromium; .ci/run installs it)`,
	);
	browser = await chromium.launch({ executablePath: CHROMIUM });
	const context = await browser.newContext({ viewport: { width: 1200, height: 700 }, offline: true });
	tab = await context.newPage();
	tab.on("request", (r) => requests.push(r.url()));
	tab.on("pageerror", (e) => errors.push(e.message));
	await tab.goto(url);
});

test.after(async () => {
	await browser?.close();
});

test("the page draws: the chart's screenshot is not blank", async () => {
	assert.equal(errors, [], "no script errors");
	const png = (await tab.locator("#chart").screenshot()).toString("base64");
	// Decode the PNG in a second page (a canvas counts the colours) rather than in Node.
	const probe = await browser.newPage();
	// Browser-side code as text: this project's type checking has no DOM.
	const stats = (await probe.evaluate(`(async () => {
		const img = new Image();
		img.src = "data:image/png;base64,${png}";
		await img.decode();
		const canvas = document.createElement("canvas");
		canvas.width = img.width;
		canvas.height = img.height;
		const ctx = canvas.getContext("2d");
		ctx.drawImage(img, 0, 0);
		const px = ctx.getImageData(0, 0, img.width, img.height).data;
		const colours = new Set();
		let inked = 0;
		for (let i = 0; i < px.length; i += 4) {
			colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
			if (px[i] + px[i + 1] + px[i + 2] < 600) inked++;
		}
		return { colours: colours.size, inked: inked / (px.length / 4), width: img.width, height: img.height };
	})()`)) as { colours: number; inked: number; width: number; height: number };
	await probe.close();
	assert.ok(stats.width > 1000 && stats.height > 250, `chart size ${stats.width}×${stats.height}`);
	assert.ok(stats.colours > 20, `only ${stats.colours} colours: nothing drawn`);
	assert.ok(stats.inked > 0.05, `only ${(stats.inked * 100).toFixed(1)}% of the chart inked`);
});

test("one lane per socket and per power state", async () => {
	const lanes = (await tab.evaluate(
		`[...document.querySelectorAll("text.lane")].map((e) => e.dataset.lane)`,
	)) as string[];
	assert.equal(
		lanes.filter((l) => l.startsWith("socket-")),
		["socket-0", "socket-1"],
	);
	assert.equal(
		lanes.filter((l) => l.startsWith("power-")),
		["power-awake", "power-light-sleep", "power-psm"],
	);
	// Each power lane has a bar where the recording was in that state.
	for (const state of ["awake", "light-sleep", "psm"])
		assert.ok((await tab.locator(`rect[data-kind="power"][data-state="${state}"]`).count()) > 0, state);
});

const KNOWN = 'AT+QISEND=0,26,"R,demo-sensor,1,1200,21.6"'; // recorded at t = 1200 ms

type Placement = { x: number; expected: number; span: number } | null;

// Where the command's bar starts, and where the scale the SVG was drawn with puts 1200 ms.
function placement(): Promise<Placement> {
	return tab.evaluate(`(() => {
		const svg = document.getElementById("chart");
		const rect = [...svg.querySelectorAll('rect[data-kind="cmd"]')].find((r) => r.dataset.text === ${JSON.stringify(KNOWN)});
		if (!rect) return null;
		const { t0, t1, x0, x1 } = svg.dataset;
		const expected = Number(x0) + (1200 - Number(t0)) / (Number(t1) - Number(t0)) * (Number(x1) - Number(x0));
		return { x: rect.getBoundingClientRect().left - svg.getBoundingClientRect().left, expected, span: Number(t1) - Number(t0) };
	})()`) as Promise<Placement>;
}

// The page draws once per animation frame after a zoom: wait for the frame.
// (Polled from here: the page's CSP forbids the eval waitForFunction uses.)
async function drawnSpan(span: number) {
	const drawn = () =>
		tab.evaluate(
			`(() => { const d = document.getElementById("chart").dataset; return d.t1 - d.t0; })()`,
		) as Promise<number>;
	for (let i = 0; i < 100 && Math.abs((await drawn()) - span) > 1e-6; i++) await new Promise((r) => setTimeout(r, 20));
}

test("a known command is drawn at its recorded time, before and after zooming in", async () => {
	const whole = await placement();
	assert.ok(whole, "the command is drawn");
	assert.ok(Math.abs(whole!.x - whole!.expected) < 1, `at x ${whole!.x}, expected ${whole!.expected}`);
	// Independently of the page's own scale: the axis runs 0 to 2720 ms across the plot.
	assert.is(whole!.span, 2720);
	await tab.click("#in");
	await tab.click("#in");
	await drawnSpan(680);
	const zoomed = await placement();
	assert.is(zoomed!.span, 680, "two zooms in: a quarter of the recording");
	assert.ok(Math.abs(zoomed!.x - zoomed!.expected) < 1, `zoomed: at x ${zoomed!.x}, expected ${zoomed!.expected}`);
	await tab.click("#fit");
	await drawnSpan(2720);
});

test("hovering a command shows its exact line and the module's response", async () => {
	const rect = tab.locator(`rect[data-kind="cmd"][data-t="1200"]`);
	await rect.hover();
	const tip = await tab.locator("#tip").innerText();
	assert.match(tip, `> ${KNOWN}`);
	assert.match(tip, "< SEND OK");
	assert.match(tip, "= OK after 21 ms");
});

test("the energy per report is on the page", async () => {
	const rows = await tab.locator("#runs tbody tr").allInnerTexts();
	assert.is(rows.length, 2);
	assert.match(rows[0], "UDP reports, light sleep between them");
	assert.match(rows[1], "TCP reports, PSM between them");
	assert.ok((await tab.locator('rect[data-kind="report"]').count()) === 4);
});

test("the page made no request but its own file", () => {
	assert.equal(requests, [url]);
	assert.not.match(page.html, /\b(src|href)\s*=\s*["']?(https?:|\/\/)/i, "no external reference");
});

test.run();
