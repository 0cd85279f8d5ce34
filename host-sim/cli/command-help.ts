// `bc20 COMMAND --help` (or `bc20 help COMMAND`): that command's options, an
// example, and what it changes on the module.

// nc needs a clean slate, and its bring-up writes settings. The other
// commands only look: AT (the module answers?), and for the network services
// the wait for registration and attach, read only.
const BRING_UP = `changes the module: it is brought up first (ATE0, AT+QICFG "dataformat",
  "viewmode" and "showlength" written, every open socket closed with AT+QICLOSE,
  then the wait for registration and attach)`;
const LOOKS = `Changes nothing on the module: it sends AT (echo on or off, as the module
  has it) and its own queries; no setting written, no socket closed`;
const LOOKS_ATTACHED = `Changes nothing on the module: it sends AT (echo on or off, as the module
  has it), waits for registration and attach (AT+CEREG?, AT+CGATT?, AT+CGPADDR=1,
  read only; progress on a terminal), then`;

const PORT = `
global options: --port SPEC (a serial device, tcp://HOST:PORT, or sim; default
  $BC20_PORT, else sim) --baud N --trace --trace-file FILE --sync N
  --attach-timeout MS; with --port sim, the emulator's options too (bc20 --help)`;

const ENERGY = `  --current-model FILE   JSON of currents in µA replacing the defaults:
                         {"psm": 3.5, "light-sleep": 400, "awake": 54000, "tx": 167000}
  --report-interval S    the battery-life projection's report interval (default 3600)
  --capacity MAH         the battery's capacity (default 2400)`;

const EXIT = "exit: 0 done, 1 failed (one line on stderr), 2 usage error";
const JSON_OPTION = "  --json         one JSON document on stdout instead";

export const COMMAND_HELP: Readonly<Record<string, string>> = {
	at: `usage: bc20 at 'AT+COMMAND' [--timeout MS]

Sends one raw command and prints the module's response lines and its final
result (OK, ERROR, +CME ERROR: N). Exit 0 on OK, 1 on ERROR or no answer.

  --timeout MS   how long to wait for the final result (default 5000)

${LOOKS}; whatever the command itself changes, it changes.
${PORT}
${EXIT}

example: bc20 --port /dev/ttyUSB0 at 'AT+CGMR'`,

	info: `usage: bc20 info [--json]

Prints who the module is and how it hears the network: IMEI (AT+CGSN=1),
firmware (AT+CGMR), IMSI (AT+CIMI), ICCID (AT+QCCID), signal (AT+CSQ,
AT+CESQ), registration (AT+CEREG?), bands (AT+QBAND?), PSM (AT+CPSMS?) and
eDRX (AT+CEDRXS?) settings. An item the module refuses (no SIM) is shown as
unavailable, with its answer.

${JSON_OPTION}

${LOOKS}.
${PORT}
${EXIT}

example: bc20 --port /dev/ttyUSB0 info --json`,

	state: `usage: bc20 state [--json]

Prints the module's sockets (AT+QISTATE?): id, TCP/UDP, remote address, local
port, state, access mode; those another program left open too.

${JSON_OPTION}

${LOOKS} (AT+QICLOSE is never sent).
${PORT}
${EXIT}

example: bc20 --port tcp://127.0.0.1:2000 state`,

	monitor: `usage: bc20 monitor [--seconds N]

Prints each line the module sends on its own (URCs: data arriving, sockets
closing, registration, sleep, a reboot's RDY) with the seconds since the
command started, from the first byte on, until Ctrl-C or N seconds (default:
until Ctrl-C). Replies to commands are not shown. The link going away is a
failure (exit 1).

  --seconds N    stop after N seconds

${LOOKS}.
${PORT}
${EXIT}

example: bc20 --port /dev/ttyUSB0 monitor --seconds 60`,

	ping: `usage: bc20 ping HOST [--count N] [--timeout S] [--size BYTES] [--json]

Pings HOST from the module (AT+QPING) and prints each reply and a summary.
Exit 0 when at least one reply came.

  --count N      requests, 1-10 (default 4)
  --timeout S    seconds to wait for each reply, 1-255 (default 4)
  --size BYTES   payload, 32-200 (default 32)
${JSON_OPTION}

${LOOKS_ATTACHED} AT+QPING.
${PORT}
${EXIT}

example: bc20 --port /dev/ttyUSB0 ping 8.8.8.8 --count 2`,

	dns: `usage: bc20 dns HOST [--json]

Resolves HOST through the module's DNS (AT+QIDNSGIP) and prints every address.

${JSON_OPTION}

${LOOKS_ATTACHED} AT+QIDNSGIP.
${PORT}
${EXIT}

example: bc20 dns example.com --host example.com=192.0.2.1   (--port sim)`,

	ntp: `usage: bc20 ntp SERVER [--ntp-port PORT] [--json]

Asks SERVER for the time through the module (AT+QNTP) and prints it in UTC
with the module's own answer.

  --ntp-port PORT   the server's port (default 123)
${JSON_OPTION}

${LOOKS_ATTACHED} AT+QNTP; the module sets its clock from the answer.
${PORT}
${EXIT}

example: bc20 --port /dev/ttyUSB0 ntp pool.ntp.org`,

	nc: `usage: bc20 nc [-u] [--buffer] HOST PORT [--wait MS]

A TCP (or, with -u, UDP) socket through the module, netcat style: stdin to the
socket, the socket's data to stdout, binary-safe. TCP ends when stdin ended,
every byte was settled and the peer closed (or MS idle after); UDP sends each
stdin chunk as datagrams of up to 512 bytes and ends MS after the last byte
went or came. Exit 0 only when every stdin byte was confirmed sent; otherwise
one line says how many were not sent (and how many are of unknown fate), exit
1. Ctrl-C ends it with that summary, exit 130. On a terminal, stderr shows
the bytes each way and the rate while it runs.

  -u             UDP instead of TCP
  --buffer       receive in buffer access mode (the module keeps the data and
                 the driver reads it with AT+QIRD) instead of direct push
  --wait MS      idle time before ending (default 1000)

${BRING_UP}; it opens one socket and closes it at the end.
${PORT}
${EXIT}

example: printf 'hello\\n' | bc20 --port tcp://127.0.0.1:2000 nc 127.0.0.1 7`,

	demo: `usage: bc20 demo [--reports N] [--interval MS] [--record FILE] [-o timeline.html] [energy options]

The sensor app against loopback collectors (UDP, TCP, SNTP) on an emulated
module in this process (what npm start runs), then the naive open, send, close
cycle on the same network; prints the charge each report cost and writes the
session's recording and timeline page. --port is not used.

  --reports N     reports per protocol (default 3)
  --interval MS   time between reports (default 400)
  --record FILE   where the session is recorded (default bc20-demo.jsonl in the
                  temporary folder, printed at the end)
  -o FILE         where its timeline page goes (default: the recording's name
                  with .html)
${ENERGY}

Changes nothing outside this process (but the recording and its page): its module is emulated.
${EXIT}

example: bc20 demo --reports 5`,

	timeline: `usage: bc20 timeline RECORDING [-o timeline.html] [energy options]

Draws a recording (--record FILE) as one self-contained HTML page: lanes for
the host's commands and their response times, URCs, each socket's state, the
module's power state, the modelled current and the bytes on the UART; zoom
with the wheel or the buttons, drag to pan, hover for the exact lines. Prints
and shows the charge each report cost and the battery life it projects.

  -o FILE         the page (default: RECORDING with .html for .jsonl)
${ENERGY}

Changes nothing: reads the recording, writes the page.
${EXIT}

example: bc20 --record session.jsonl demo && bc20 timeline session.jsonl -o timeline.html`,

	sim: `usage: bc20 sim --listen HOST:PORT [--quiet] [--baud N] [--nvram FILE] [--record FILE] [emulator and fault options]
       bc20 sim --replay FILE --listen HOST:PORT [--replay-speed X]

Serves an emulated BC20's UART as raw bytes over TCP, one client at a time,
for socat, minicom, or bc20 --port tcp://HOST:PORT. Prints each client that
connects and leaves; a second client is refused with one line saying so
(bc20 prints it and exits 1). Runs until Ctrl-C, then prints the protocol
violations the clients committed. The emulator and fault options are listed
in bc20 --help.

  --listen HOST:PORT   where to listen (port 0: a free one, printed)
  --quiet              do not print the clients
  --baud N             the UART speed the output is paced at (default 115200)
  --nvram FILE         keep the module's saved settings in FILE
  --record FILE        record the session from the module's side (README: Record and replay)
  --replay FILE        be the module of a recording for one client: its command lines
                       must come in order; exit 0 when they all came, 1 with the
                       recording's line at the first that differs
  --replay-speed X     the recorded module's delays divided by X (default 1)

Changes no module: it is one (its settings persist only with --nvram).
${EXIT}

example: bc20 sim --listen 127.0.0.1:2000 --attach-delay 2000 &`,
};
