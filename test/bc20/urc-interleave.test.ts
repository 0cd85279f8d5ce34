// URCs at every point of every command's answer: before it, between its
// lines, between its OK and its SEND OK / CLOSE OK / +QIOPEN / +QPING /
// dnsgip / +QNTP, and after it. The command must end as if nothing came in
// between, and the URC must have its effect once the wire is free.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "../../firmware/bc20/socket.js";
import { Harness, hexOf, OK } from "../support/bc20-harness.js";
import { bytes } from "../support/bytes.js";
import { CONNECTED, INITIAL } from "../../firmware/bc20/socket-constants.js";

interface World {
	h: Harness;
	s0: Socket; // TCP, buffer mode
	s1: Socket; // TCP, buffer mode, the URCs' target
	s2: Socket; // TCP, direct push, the URCs' target
	pending1: string; // what AT+QIRD=1 returns next
	result: unknown;
}

interface Urc {
	name: string;
	text: string;
	arm?(w: World): void;
	check(w: World): void;
}

const URCS: Urc[] = [
	{
		name: "recv notice for another socket",
		text: '\r\n+QIURC: "recv",1,5\r\n',
		arm: (w) => void (w.pending1 = "hello"),
		check: (w) => assert.is(w.h.readAll(w.s1), "hello"),
	},
	{
		name: "pushed data for another socket",
		text: '\r\n+QIURC: "recv",2,6,' + hexOf("\r\nOK\r\n") + "\r\n",
		check: (w) => assert.is(w.h.readAll(w.s2), "\r\nOK\r\n"),
	},
	{
		name: "buff full for another socket",
		text: '\r\n+QIURC: "recv",1,"buff full"\r\n',
		arm: (w) => void (w.pending1 = "full!"),
		check: (w) => {
			assert.ok(w.h.log.includes("1 warning 1009"));
			assert.is(w.h.readAll(w.s1), "full!");
		},
	},
	{
		name: "another socket closed by the peer",
		text: '\r\n+QIURC: "closed",1\r\n',
		check: (w) => {
			assert.ok(w.h.log.includes("1 error 1010"), w.h.log.join());
			assert.is(w.s1.state, INITIAL);
		},
	},
	...[
		"+CEREG: 1",
		"+CSCON: 1",
		"+QATWAKEUP",
		"+QATSLEEP",
		'+QNBIOTEVENT: "EXIT PSM"',
		"+IP: 127.0.0.2",
		"+CPIN: READY",
		"+CFUN: 1",
		'+QIURC: "other",1',
		"+QIOPEN: 4,0",
		"+QPING: 0",
		'+QNTP: 0,"x"',
		'+QIURC: "dnsgip","127.0.0.3"',
		"+WHATEVER: 1",
	].map((line) => ({
		name: line,
		text: "\r\n" + line + "\r\n",
		check: (w: World) => {
			assert.is(w.s1.state, CONNECTED);
			assert.is(w.s2.state, CONNECTED);
		},
	})),
];

interface Operation {
	name: string;
	// The command line and the module's answer; each "@" is a point where a URC may come.
	line: string;
	reply: string;
	// More exchanges the operation causes after the answer (no URC points).
	then?: [string, string][];
	// Lines of this kind during the operation are its own: not injected.
	own?: string;
	start(w: World): void;
	check(w: World): void;
}

const OPERATIONS: Operation[] = [
	{
		name: "AT+QISEND",
		line: "AT+QISEND=0,4,data",
		reply: "@" + OK + "@\r\nSEND OK\r\n@",
		start: (w) => void w.s0.write(bytes("data")),
		check: (w) => assert.is(w.s0.stats.sent, 4),
	},
	{
		name: "AT+QISENDEX",
		line: "AT+QISENDEX=0,3,000D0A",
		reply: "@" + OK + "@\r\nSEND FAIL\r\n@",
		start: (w) => void w.s0.write(bytes("\x00\r\n")),
		check: (w) => assert.ok(w.h.log.includes("0 warning 1006 0+3")),
	},
	{
		name: "AT+QICLOSE",
		line: "AT+QICLOSE=0",
		reply: "@" + OK + "@\r\nCLOSE OK\r\n@",
		start: (w) => w.s0.close(),
		check: (w) => assert.ok(w.h.log.includes("0 closed")),
	},
	{
		name: "AT+QIOPEN",
		line: 'AT+QIOPEN=1,3,"TCP","127.0.0.1",9000,0,0',
		reply: "@" + OK + "@\r\n+QIOPEN: 3,0\r\n@",
		start: (w) => void (w.result = w.h.open({ connectId: 3 }, "")),
		check: (w) => assert.is((w.result as Socket).state, CONNECTED),
	},
	{
		name: "AT+QIOPEN failing",
		line: 'AT+QIOPEN=1,3,"TCP","127.0.0.1",9000,0,0',
		reply: "@" + OK + "@\r\n+QIOPEN: 3,566\r\n@",
		then: [["AT+QICLOSE=3", OK + "\r\nCLOSE OK\r\n"]],
		start: (w) => void (w.result = w.h.open({ connectId: 3 }, "")),
		check: (w) => assert.ok(w.h.log.includes("3 error 566")),
	},
	{
		name: "AT+QIRD",
		line: "AT+QIRD=0,512",
		reply: "@\r\n+QIRD: 3,0," + hexOf("abc") + "\r\n@" + OK + "@",
		then: [["AT+QIRD=0,512", "\r\n+QIRD: 0\r\n" + OK]],
		start: (w) => void w.h.fake.send('\r\n+QIURC: "recv",0,3\r\n'),
		check: (w) => assert.is(w.h.readAll(w.s0), "abc"),
	},
	{
		name: "AT+QISTATE?",
		line: "AT+QISTATE?",
		reply:
			'@\r\n+QISTATE: 0,"TCP","127.0.0.1",9000,0,2,1,0\r\n@' +
			'\r\n+QISTATE: 1,"TCP","127.0.0.1",9000,0,2,1,0\r\n@' +
			OK +
			"@",
		start: (w) => w.h.modem.queryState(null, (_e, records) => (w.result = records?.length)),
		check: (w) => assert.is(w.result, 2),
	},
	{
		name: "AT+QPING",
		own: "+QPING:",
		line: 'AT+QPING=1,"127.0.0.1",4,2,32',
		reply: "@" + OK + '@\r\n+QPING: 0,"127.0.0.1",32,5,64\r\n@' + "\r\n+QPING: 569\r\n@\r\n+QPING: 0,2,1,1,5,5,5\r\n@",
		start: (w) => w.h.modem.ping("127.0.0.1", { count: 2 }, (_e, summary) => (w.result = summary?.received)),
		check: (w) => assert.is(w.result, 1),
	},
	{
		name: "AT+QIDNSGIP",
		own: '"dnsgip"',
		line: 'AT+QIDNSGIP=1,"localhost"',
		reply:
			"@" +
			OK +
			'@\r\n+QIURC: "dnsgip",0,2,600\r\n@' +
			'\r\n+QIURC: "dnsgip","127.0.0.1"\r\n@\r\n+QIURC: "dnsgip","127.0.0.2"\r\n@',
		start: (w) => w.h.modem.resolve("localhost", (_e, r) => (w.result = r?.addresses.join())),
		check: (w) => assert.is(w.result, "127.0.0.1,127.0.0.2"),
	},
	{
		name: "AT+QNTP",
		own: "+QNTP:",
		line: 'AT+QNTP=1,"127.0.0.1"',
		reply: "@" + OK + '@\r\n+QNTP: 0,"24/02/29,23:59:59+00"\r\n@',
		start: (w) => w.h.modem.ntp("127.0.0.1", {}, (_e, t) => (w.result = t?.utc)),
		check: (w) => assert.is(w.result, Date.UTC(2024, 1, 29, 23, 59, 59)),
	},
	{
		name: "AT+QICFG read",
		line: 'AT+QICFG="dataformat"',
		reply: '@\r\n+QICFG: "dataformat",0,1\r\n@' + OK + "@",
		then: [
			['AT+QICFG="viewmode"', '\r\n+QICFG: "viewmode",1\r\n' + OK],
			['AT+QICFG="showlength"', '\r\n+QICFG: "showlength",1\r\n' + OK],
		],
		start: (w) => w.h.modem.config((_e, c) => (w.result = c)),
		check: (w) => assert.equal(w.result, { sendHex: false, receiveHex: true, viewMode: 1, showLength: true }),
	},
	{
		name: "AT+QIGETERROR after ERROR",
		line: 'AT+QIOPEN=1,3,"TCP","127.0.0.1",9000,0,0',
		reply: "@\r\nERROR\r\n@",
		then: [["AT+QIGETERROR", "\r\n+QIGETERROR: 566,socket connect failed\r\n" + OK]],
		start: (w) => void w.h.open({ connectId: 3 }, ""),
		check: (w) => assert.ok(w.h.log.includes("3 error 566"), w.h.log.join()),
	},
];

function world(chunking: object): World {
	const h = new Harness(chunking);
	h.bringUp();
	h.fake.expect('AT+QIOPEN=1,0,"TCP","127.0.0.1",9000,0,0');
	const s0 = h.open({});
	h.fake.expect('AT+QIOPEN=1,1,"TCP","127.0.0.1",9000,0,0');
	const s1 = h.open({}, "1,0");
	h.fake.expect('AT+QIOPEN=1,2,"TCP","127.0.0.1",9000,0,1');
	const s2 = h.open({ mode: 1 }, "2,0");
	h.takeLog();
	const w: World = { h, s0, s1, s2, pending1: "", result: undefined };
	h.fake.always("AT+QIRD=1,512", () => {
		const data = w.pending1;
		w.pending1 = "";
		return data === "" ? "\r\n+QIRD: 0\r\n" + OK : "\r\n+QIRD: " + data.length + ",0," + hexOf(data) + "\r\n" + OK;
	});
	h.fake.always("AT+QICLOSE=1", OK + "\r\nCLOSE OK\r\n");
	// A line the driver cannot place (an unknown +QIURC) may have been a damaged
	// "recv" notice: it reads every buffer-mode socket once, to lose nothing.
	for (const id of [0, 2, 3, 4]) h.fake.always(`AT+QIRD=${id},512`, "\r\n+QIRD: 0\r\n" + OK);
	// A boot banner (+CPIN: READY, +CFUN: 1) in a healthy session raises a
	// reboot check: the module lists its sockets and does not echo, so nothing changes.
	h.fake.always(
		"AT+QISTATE?",
		[0, 1, 2, 3]
			.map((id) => "\r\n+QISTATE: " + id + ',"TCP","127.0.0.1",9000,4000,2,1,' + (id === 2 ? 1 : 0) + "\r\n")
			.join("") + OK,
	);
	return w;
}

for (const op of OPERATIONS) {
	test(op.name + ": a URC at every point", () => {
		const points = op.reply.split("@").length - 1;
		for (const chunking of [{}, { chunks: [1] }, { seed: 3, maxChunk: 7 }]) {
			for (const urc of URCS) {
				if (op.own !== undefined && urc.text.includes(op.own)) continue;
				for (let point = 0; point < points; point++) {
					const w = world(chunking);
					let at = 0;
					const reply = op.reply.replace(/@/g, () => (at++ === point ? urc.text : ""));
					w.h.fake.expect(op.line, reply);
					for (const [line, answer] of op.then ?? []) w.h.fake.expect(line, answer);
					urc.arm?.(w);
					op.start(w);
					w.h.settle();
					const where = op.name + " / " + urc.name + " / point " + point + " / " + JSON.stringify(chunking);
					assert.equal(w.h.fake.unexpected, [], where);
					assert.is(w.h.fake.expectationsLeft, 0, where);
					op.check(w);
					urc.check(w);
					w.h.settle();
				}
			}
		}
	});
}

test.run();
