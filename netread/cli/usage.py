"""netstat's own texts, naming netread: the usage (``-h``, and every usage error) and the version (``-V``).

net-tools 2.10 netstat.c ``usage()`` writes :data:`USAGE` to stdout for ``-h``
(status 0) and to stderr for a usage error (status 3); either way
``print_aflist(1)`` then writes :data:`ROUTING_FAMILIES` to stderr
(lib/af.c: four spaces, then each ``name (title) `` with its trailing space,
a line break before an item that would pass column 70).  The texts are
netstat's byte for byte with its name replaced; tests/test_cli_netstat.py
compares them with the installed netstat.  ``netread --help`` is typer's help
of every netread option (cli/app.py).
"""

from __future__ import annotations

from netread._version import __version__

#: The program name in every message of the command line (glibc's getopt prints argv[0]; netread
#: prints its name, however it was started).
PROG = "netread"

USAGE = """\
usage: netread [-vWeenNcCF] [<Af>] -r         netread {-V|--version|-h|--help}
       netread [-vWnNcaeol] [<Socket> ...]
       netread { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)
        -M, --masquerade         display masqueraded connections

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -N, --symbolic           resolve hardware names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -o, --timers             display timers
        -c, --continuous         continuous listing

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB
        -Z, --context            display SELinux security context for sockets

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}
           {-x|--unix} --ax25 --ipx --netrom
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
"""

#: lib/af.c ``print_aflist(1)``: the families net-tools 2.10 (Debian's build) can route.
ROUTING_FAMILIES = (
    "    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) \n"
    "    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) \n"
    "    ddp (Appletalk DDP) x25 (CCITT X.25) \n"
)

#: netstat.c ``version()``: Release, Signature, Features; netread's in the same three parts.
VERSION = f"""\
netread {__version__}
net-tools 2.10 netstat's output, read from /proc or a snapshot of it
AF: (inet) +UNIX +INET +INET6
"""
