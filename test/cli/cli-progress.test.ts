// Progress on a terminal (the attach wait, nc's transfer): one line rewritten
// in place on a stream that is a TTY, nothing on one that is not. The stream
// and the clock are the seams.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AttachProgress } from "../../host-sim/cli/attach-progress.js";
import { StatusLine } from "../../host-sim/cli/status-line.js";
import { TransferProgress } from "../../host-sim/cli/transfer-progress.js";

function terminal(isTTY: boolean) {
	const written: string[] = [];
	return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

test("not a terminal: no status line at all", () => {
	const { stream, written } = terminal(false);
	assert.is(StatusLine.on(stream), null);
	assert.is(StatusLine.on({ write: (text: string) => written.push(text) }), null);
	assert.equal(written, []);
});

test("the attach wait: registration state and seconds, from the second second; cleared at the end", () => {
	const { stream, written } = terminal(true);
	const clock = { ms: 0 };
	const progress = new AttachProgress(StatusLine.on(stream)!, () => clock.ms);
	progress.line("+CEREG: 0,2");
	assert.equal(written, [], "nothing in the first second");
	clock.ms = 1200;
	progress.render();
	progress.line("OK");
	clock.ms = 3500;
	progress.line("+CEREG: 0,1");
	progress.line("+CGATT: 1");
	progress.done();
	assert.equal(written, [
		"\r\x1b[Kbc20: waiting for the network: searching (+CEREG stat 2), 1 s",
		"\r\x1b[Kbc20: waiting for the network: registered (home) (+CEREG stat 1), 3 s",
		"\r\x1b[Kbc20: waiting for the network: attached, waiting for an address, 3 s",
		"\r\x1b[K",
	]);
});

test("nc's transfer: bytes each way and the rate since the last update", () => {
	const { stream, written } = terminal(true);
	const clock = { ms: 0 };
	const progress = new TransferProgress(StatusLine.on(stream)!, () => clock.ms);
	clock.ms = 1000;
	progress.show(2048, 100);
	clock.ms = 2000;
	progress.show(30000, 100);
	progress.done();
	assert.equal(written, [
		"\r\x1b[Kbc20 nc: sent 2048 B (2048 B/s), received 100 B (100 B/s)",
		"\r\x1b[Kbc20 nc: sent 30.0 kB (28.0 kB/s), received 100 B (0 B/s)",
		"\r\x1b[K",
	]);
});

test.run();
