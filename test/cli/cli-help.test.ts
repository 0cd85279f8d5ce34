// `bc20 COMMAND --help`: that command's usage, options and an example, and
// whether it changes the module; not the global text.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMMAND_HELP } from "../../host-sim/cli/command-help.js";
import { runCli } from "../support/cli-process.js";

const COMMANDS = ["at", "state", "info", "monitor", "ping", "dns", "ntp", "nc", "demo", "sim"];

test("every command has its own help: usage, an example, what it changes on the module", () => {
	for (const command of COMMANDS) {
		const text = COMMAND_HELP[command];
		assert.ok(text, command);
		assert.ok(text.startsWith(`usage: bc20 ${command}`), command);
		assert.match(text, /\nexample: .*bc20 /, command);
		assert.match(text, /[Cc]hanges/, command);
	}
	assert.match(COMMAND_HELP.nc, /--wait MS/);
	assert.match(COMMAND_HELP.ping, /--count N/);
	for (const command of ["at", "state", "info", "monitor", "ping", "dns", "ntp"])
		assert.match(COMMAND_HELP[command], /Changes nothing on the module/, `${command} only looks`);
	assert.match(COMMAND_HELP.nc, /changes the module: .*ATE0.*AT\+QICLOSE/s, "nc needs a clean slate");
	for (const command of ["info", "state", "ping", "dns", "ntp"]) assert.match(COMMAND_HELP[command], /--json/, command);
});

test("bc20 nc --help and bc20 help sim print that command's help, exit 0", async () => {
	const nc = await runCli(["nc", "--help"]);
	assert.is(nc.code, 0);
	assert.is(nc.stdout.toString(), COMMAND_HELP.nc + "\n");
	const sim = await runCli(["help", "sim"]);
	assert.is(sim.code, 0);
	assert.is(sim.stdout.toString(), COMMAND_HELP.sim + "\n");
});

test.run();
