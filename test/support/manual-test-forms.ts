// The test form (AT+X=?) of every TCP/IP command and its answer lines, as
// the BC20 TCP/IP AT manual prints them: the one oracle for both sides, the
// emulated module that must answer them and the driver that must pass them
// through whole.
export const MANUAL_TEST_FORMS: readonly (readonly [command: string, lines: readonly string[]])[] = [
	[
		"AT+QIOPEN=?",
		['+QIOPEN: (1-3),(0-4),"TCP/UDP","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-1)[,(0-1)]'],
	],
	["AT+QICLOSE=?", ["+QICLOSE: (0-4)"]],
	["AT+QISTATE=?", []],
	["AT+QISEND=?", ["+QISEND: (0-4),(1-1024),<data>"]],
	["AT+QIRD=?", ["+QIRD: (0-4),(1-512)"]],
	["AT+QISENDEX=?", ["+QISENDEX: (0-4),(1-512),<hex_string>"]],
	["AT+QISWTMD=?", ["+QISWTMD: (0-4),(0-1)"]],
	["AT+QPING=?", ['+QPING: (1-3),"<host>"[,(1-255)[,(1-10)[,(32-200)]]]']],
	["AT+QNTP=?", ['+QNTP: (1-3),"<server>"[,<port>[,(0-1)]]']],
	["AT+QIDNSGIP=?", ['+QIDNSGIP: (1-3),"<hostname>"']],
	["AT+QICFG=?", ['+QICFG: "dataformat",(0,1),(0,1)', '+QICFG: "viewmode",(0,1)', '+QICFG: "showlength",(0,1)']],
	["AT+QIGETERROR=?", []],
];
