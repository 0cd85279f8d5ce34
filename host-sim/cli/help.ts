export const HELP = `bc20: drive a Quectel BC20 NB-IoT module (or its emulator) from a desktop

usage: bc20 [--port SPEC] [--baud N] [--trace] [--trace-file FILE] COMMAND [options]
       bc20 sim --listen HOST:PORT [--quiet] [--baud N] [--nvram FILE] [emulator and fault options]

  --port SPEC    the module: a serial device (/dev/ttyUSB0, COM3), tcp://HOST:PORT
                 (a serial-over-TCP bridge such as ser2net or \`bc20 sim\`), or sim
                 (an emulated BC20 in this process). Default: $BC20_PORT, else sim
  --baud N       UART speed (default 115200); for sim, output is paced at this rate
  --trace        print every byte exchanged with the module on stderr, a line of
                 the wire per line, with the seconds since the start
  --trace-file FILE  the same, appended to FILE (with or without --trace)
  --sync N       "AT" tries before the module counts as silent (default 20)
  --attach-timeout MS  how long nc, ping, dns and ntp wait for registration and
                 attach (default 120000); on a terminal, stderr shows the wait
  --json         info, state, ping, dns, ntp: one JSON document on stdout
  --record FILE  record the session (bytes, commands, URCs, sockets, power) as JSON Lines;
                 bc20 sim --replay FILE serves it as a module (README: Record and replay)

commands:
  at 'AT+...'          send one raw command, print its response lines; exit 0 on OK, 1 on ERROR
                       [--timeout MS]
  nc [-u] HOST PORT    a TCP (or UDP) socket through the module: stdin to the socket, the
                       socket's data to stdout, binary-safe. TCP ends when stdin ended,
                       everything was sent and the peer closed (or --wait MS idle after);
                       UDP sends each stdin chunk as datagrams of up to 512 bytes and ends
                       --wait MS (default 1000) after the last byte went or came.
                       --buffer: receive in buffer access mode (AT+QIRD), not by push.
  ping HOST            AT+QPING [--count N] [--timeout S] [--size BYTES]
  dns HOST             AT+QIDNSGIP: every address
  ntp SERVER           AT+QNTP: the network time [--ntp-port PORT]
  state                AT+QISTATE: the module's sockets
  info                 IMEI, firmware, IMSI, ICCID, signal, registration, bands, PSM, eDRX
  monitor              print every URC as it comes, from the first byte [--seconds N]
  demo                 the sensor app against loopback collectors (what npm start runs)
                       [--reports N per protocol (3)] [--interval MS between reports (400)]
  sim                  serve an emulated module's UART over TCP, one client at a time;
                       logs the clients [--quiet]
  timeline RECORDING   the recording as one HTML page, with each report's charge
                       [-o FILE] [--current-model FILE] [--report-interval S] [--capacity MAH]

emulator options (sim, and --port sim; an error with any other --port):
  --attach-delay MS  --chunk-size N  --no-echo  --boot-garbage  --nvram FILE
  --drop-rate R  --corrupt-rate R  --seed N   (R from 0 to 1: bytes from the module)
  --host NAME=ADDR[,ADDR...]   the module's DNS answers NAME with these addresses
                               (NAME= : "no such host", 565); repeatable. Other
                               names go to this machine's resolver, except
                               *.invalid, which never resolves

a module as hostile as a real one may be (sim, and --port sim; choices drawn from --seed):
  --trickle                    the module's output in writes of 1-3 bytes
  --interleave-urcs R          URCs between the lines of responses, chance R (0-1):
                               real events held back briefly (data, +QIOPEN...), and
                               +CEREG re-reports while the host has them on
  --damage-line PREFIX[:N]     one byte of the Nth (default 1st) line the module sends
                               starting with PREFIX is damaged (RDY, +CPIN: READY,
                               OK, SEND OK...); repeatable
  --boot-answer MODE           a command sent while the module boots is lost (ignore,
                               the default), answered after the RDY banner
                               (after-banner), or never answered (never)
  --nat-timeout MS             a connection idle this long (across PSM too) is
                               forgotten by the network's NAT: TCP's next send is lost
                               and the socket reported closed (default 60000)
  bc20 sim prints the protocol violations it saw (two commands on the wire, a send
  while SEND OK is pending, a send on a closed socket...) when it exits.

fault options (sim, and --port sim). Each fault fires once; the PREFIX options
and --fail-send, --urc-after are repeatable. PREFIX is the start of a command
line as the module reads it, any case: AT+QIOPEN matches AT+QIOPEN=0,0,"TCP",...
  --reboot-after-commands N    reboot right after answering the Nth command line
  --reboot-on PREFIX           reboot right after answering the next such command
  --cut-response BYTES         with --reboot-on: only the first BYTES bytes of that
                               answer get out before the reboot
  --withhold PREFIX            the next such command is read (and echoed) but
                               never answered: the host's command times out
  --delay PREFIX=MS            the next such command is answered MS ms late; the
                               module reads nothing meanwhile (split at the last =)
  --urc-in-response PREFIX=LINE  the answer to the next such command carries the
                               URC LINE after its first line (or before OK/ERROR);
                               =LINE: the next answer to any command. LINE has no =
  --fail-send N                the Nth AT+QISEND/AT+QISENDEX (from 1) gets OK, then
                               SEND FAIL, and nothing is sent
  --reboot-after MS            reboot MS ms after the first command line the module
                               reads (the host is there)
  --pdpdeact-after MS          the network drops the PDP context MS ms after the first
                               command line: sockets close, "+QIURC: "pdpdeact",1",
                               re-attach after --attach-delay (no effect if the module
                               is not attached at that moment)
  --urc-after MS=LINE          the module sends the URC LINE MS ms after the first
                               command line

what each command changes on the module:
  at, state, info, monitor  nothing: AT (echo left as it is), then their queries
                       (at: whatever its command changes)
  ping, dns, ntp       nothing: AT, then the wait for registration and attach,
                       read only (ntp: the module sets its clock)
  nc                   a clean slate: ATE0, AT+QICFG "dataformat", "viewmode" and
                       "showlength" written, every open socket closed (AT+QICLOSE),
                       the wait for attach; one socket, closed at the end
  demo, sim, timeline  no module (demo and sim emulate their own; timeline reads a file)

\`bc20 COMMAND --help\` (or \`bc20 help COMMAND\`): that command's options, an
example, and what it changes on the module.

exit: 0 done; 1 a runtime failure (the module silent or refusing, the link
lost, connection refused...), in one line on stderr; 2 a usage error (an
unknown option, a bad value, a bad HOST or --port); 130 nc ended by Ctrl-C.
`;
