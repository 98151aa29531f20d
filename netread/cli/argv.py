"""netstat's command line, read as net-tools 2.10 netstat reads it: glibc ``getopt_long`` and netstat's switch.

netstat.c ``main()`` calls ``getopt_long(argc, argv, SHORTS, longopts, &lop)``
and acts on each option as it comes: ``-V`` prints the version and ``-h``
the usage at once (status 0), a getopt error (an unknown option, a missing
value, a value given to a flag: ``--interfaces=eth0``) prints glibc's line
and the usage (status 3), an address family that ``aftrans_opt`` does not
know ends with status 1.  After the loop, two of ``-s -r -i -M`` (or one
twice) is the usage error.  Non-options are skipped (GNU getopt permutes
them to the end, where netstat never looks: ``netstat -i eth0`` lists every
interface); ``--`` ends the options.

:func:`read_argv` does the same and returns a :class:`Reading`: what to do,
and the command line rewritten in one canonical spelling (every option in
full, every value attached, no stray words) that the quick parser and the
typer application both read the same way.  netread's own long options
(``--proc``, ``--format``, the filters...) are found after netstat's, so an
abbreviation means what it means to netstat (``--prog`` is ``--programs``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NamedTuple
else:
    from netread._namedtuple import NamedTuple

#: netstat.c's optstring: ``A`` takes a value; ``?`` is an option of its own (the usage, status 3).
SHORTS = "A:CFMacdeghilnNoprsStuUvVWw2fx64?Z"
#: netstat.c ``longopts``, in its order (glibc lists an ambiguous abbreviation's matches in it):
#: (name, takes a value, what it does).  The first thirteen are lib/net-support.h ``AFTRANS_OPTS``:
#: getopt returns 1 for them, and netstat hands the option's name to ``aftrans_opt``, but for the
#: thirteenth, ``--tcpip``, which is past its ``AFTRANS_CNT`` (12): netstat prints
#: ``netstat.c: Internal Error `longopts 1 range'.`` and ignores it; netread takes it for what
#: ``-A tcpip`` means, ``--inet`` (README "Differences from netstat").
NETSTAT_LONG: tuple[tuple[str, bool, str], ...] = (
    ("ax25", False, "1"), ("x25", False, "1"), ("ip", False, "1"), ("ipx", False, "1"),
    ("appletalk", False, "1"), ("netrom", False, "1"), ("inet", False, "1"), ("inet6", False, "1"),
    ("ddp", False, "1"), ("rose", False, "1"), ("unix", False, "1"), ("bluetooth", False, "1"), ("tcpip", False, "1"),
    ("version", False, "V"), ("interfaces", False, "i"), ("help", False, "h"), ("route", False, "r"),
    ("masquerade", False, "M"), ("protocol", True, "A"), ("tcp", False, "t"), ("sctp", False, "S"),
    ("udp", False, "u"), ("udplite", False, "U"), ("raw", False, "w"), ("unix", False, "x"),
    ("l2cap", False, "2"), ("rfcomm", False, "f"), ("listening", False, "l"), ("all", False, "a"),
    ("timers", False, "o"), ("continuous", False, "c"), ("extend", False, "e"), ("programs", False, "p"),
    ("verbose", False, "v"), ("statistics", False, "s"), ("wide", False, "W"), ("numeric", False, "n"),
    ("numeric-hosts", False, "!"), ("numeric-ports", False, "@"), ("numeric-users", False, "#"),
    ("symbolic", False, "N"), ("cache", False, "C"), ("fib", False, "F"), ("groups", False, "g"),
    ("context", False, "Z"),
)  # fmt: skip
#: netread's own long options (cli/app.py), looked up only where no netstat option matches.
#: What: ``=`` and the name (each its own, so that two of them are ambiguous to glibc).
NETREAD_LONG: tuple[tuple[str, bool, str], ...] = tuple(
    (name, name not in ("explain", "strict"), "=" + name) for name in (
        "proc", "format", "state", "port", "sport", "dport", "pid", "program", "user", "explain", "strict",
        "explain-line", "table", "byte-order", "netns",
    )
)  # fmt: skip

#: lib/af.c ``aftrans``: what ``-A`` (and ``--inet``, ``-4``, ``-x``...) accepts -> the family it names.
FAMILY_ALIASES = {
    "ax25": "ax25", "ip": "inet", "ip6": "inet6", "ipx": "ipx", "rose": "rose", "appletalk": "ddp",
    "netrom": "netrom", "inet": "inet", "inet6": "inet6", "ddp": "ddp", "unix": "unix", "tcpip": "inet",
    "econet": "ec", "x25": "x25", "ash": "ash", "bluetooth": "bluetooth",
}  # fmt: skip
#: lib/af.c ``afname``: 256 bytes, with its NUL.
AFNAME_SIZE = 256
#: What netstat accepts and netread cannot list: option -> what it is.
UNSUPPORTED = {"2": "Bluetooth L2CAP sockets (-2, --l2cap)", "f": "Bluetooth RFCOMM sockets (-f, --rfcomm)"}
#: The families netread lists; the others netstat knows name tables netread does not read.
LISTED_FAMILIES = ("inet", "inet6", "unix")


class Reading(NamedTuple):
    """What a command line asks for.

    ``action`` is ``"run"`` (``argv`` is the canonical command line), ``"help"`` (netstat's usage
    on stdout, status 0), ``"typer-help"`` (``--help``: typer's help of every option),
    ``"version"``, ``"usage"`` (``message``, if any, then the usage on stderr, status 3) or
    ``"fail"`` (``message`` on stderr, then ``status``).  ``notes`` go to stderr first, whatever
    the action.
    """

    action: str
    argv: tuple[str, ...] = ()
    message: str | None = None
    status: int = 0
    notes: tuple[str, ...] = ()


def read_argv(args: Sequence[str], *, posixly_correct: bool = False) -> Reading:
    """Read ``args`` (without the program name) as netstat 2.10 does.

    >>> read_argv(["-tn", "eth0", "--prog"]).argv
    ('-t', '-n', '-p')
    >>> read_argv(["--interfaces=eth0"]).message
    "netread: option '--interfaces' doesn't allow an argument"
    >>> read_argv(["-s", "-r"]).action
    'usage'
    """
    canonical: list[str] = []
    notes: list[str] = []
    families: list[str] = []
    unsupported: list[str] = []
    counted = 0
    for kind, value in _options(args, posixly_correct):
        if kind == "?":
            return Reading("usage", message=value or None, notes=tuple(notes))
        if kind == "V":
            return Reading("version", notes=tuple(notes))
        if kind == "h":
            return Reading("help" if value == "" else "typer-help", notes=tuple(notes))
        if kind == "Z":
            return Reading("fail", message="SELinux is not enabled for this application.", status=1, notes=tuple(notes))
        if kind in ("A", "1", "4", "6", "x"):
            name = {"4": "inet", "6": "inet6", "x": "unix"}.get(kind, value)
            unknown = _aftrans(name, families, notes)
            if unknown is not None:
                return Reading("fail", message=f"Unknown address family `{unknown}'.", status=1, notes=tuple(notes))
        elif kind == "S":
            canonical.append("--sctp")  # the SCTP listing; -s -S: the SCTP counters only (netstat.c parsesnmp's flag_sctp)
        elif kind in UNSUPPORTED:
            unsupported.append(UNSUPPORTED[kind])
        elif kind == "!":
            canonical.append("--numeric-hosts")
        elif kind == "@":
            canonical.append("--numeric-ports")
        elif kind == "#":
            canonical.append("--numeric-users")
        elif kind == "=":
            canonical.append(value)
        else:
            counted += kind in "sriM"
            canonical.append("-" + kind)
    if counted > 1:
        return Reading("usage", notes=tuple(notes))
    canonical.extend(f"--protocol={name}" for name in families)
    if not counted:
        if "bluetooth" in families:
            unsupported.append("Bluetooth sockets (-A bluetooth)")
        unsupported.extend(f"the {name} address family" for name in families if name not in LISTED_FAMILIES and name != "bluetooth")
        if unsupported:
            return Reading("fail", message=f"netread: {unsupported[0]}: not supported", status=1, notes=tuple(notes))
    return Reading("run", tuple(canonical), notes=tuple(notes))


def _aftrans(arg: str, families: list[str], notes: list[str]) -> str | None:
    """lib/af.c ``aftrans_opt``: append each comma-separated family to ``families``; the first
    unknown one (netstat's status 1), or None."""
    for alias in arg.split(","):
        name = FAMILY_ALIASES.get(alias)
        if name is None:
            return alias
        used = len(",".join(families))
        if len(name) + used + 1 >= AFNAME_SIZE:
            notes.append("Too much address family arguments.")
            return None  # netstat returns 0: the rest of this argument is dropped, the run goes on
        families.append(name)
    return None


def _options(args: Sequence[str], posixly_correct: bool) -> list[tuple[str, str]]:
    """glibc getopt_long over ``args``: (what, value) pairs, up to and including the first error
    ("?", glibc's message) or the first of ``-V``/``-h``/``-Z`` (the options netstat ends at).

    What: a short option's letter (``"1"`` for a long family option, its name the value; ``"A"``
    with its value), ``"="`` for a netread option rewritten as ``--name=value`` or ``--name``,
    ``"h"`` with ``"--help"`` for the long help.
    """
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            if posixly_correct:
                break
            continue  # a non-option: permuted to the end by getopt, never looked at by netstat
        if arg.startswith("--"):
            kind, value, i = _long(arg[2:], args, i)
            found.append((kind, value))
            if kind in "?VhZ":
                return found
            continue
        j = 1
        while j < len(arg):
            c = arg[j]
            j += 1
            if c not in SHORTS or c == ":":
                found.append(("?", f"netread: invalid option -- '{c}'"))
                return found
            if c == "A":
                if j < len(arg):
                    found.append(("A", arg[j:]))
                elif i < len(args):
                    found.append(("A", args[i]))
                    i += 1
                else:
                    found.append(("?", "netread: option requires an argument -- 'A'"))
                    return found
                break
            found.append((c, ""))
            if c in "?VhZ":
                return found
    return found


def _long(text: str, args: Sequence[str], i: int) -> tuple[str, str, int]:
    """One ``--name[=value]`` (``text`` without the dashes): (what, value, the next index)."""
    name, eq, attached = text.partition("=")
    option = _lookup(name, NETSTAT_LONG, text, exact_only=True) or _lookup(name, NETREAD_LONG, text, exact_only=True)
    if option is None:
        option = _lookup(name, NETSTAT_LONG, text) or _lookup(name, NETREAD_LONG, text)
    if option is None:
        return "?", f"netread: unrecognized option '--{text}'", i
    if isinstance(option, str):  # ambiguous: glibc's message
        return "?", option, i
    full, takes_value, what = option
    value = attached
    if eq and not takes_value:
        return "?", f"netread: option '--{full}' doesn't allow an argument", i
    if takes_value and not eq:
        if i >= len(args):
            return "?", f"netread: option '--{full}' requires an argument", i
        value, i = args[i], i + 1
    if what == "1":
        return "1", full, i
    if what.startswith("="):
        return "=", f"--{full}={value}" if takes_value else f"--{full}", i
    if what == "h":
        return "h", "--help", i
    return what, value, i


def _lookup(name: str, table: tuple[tuple[str, bool, str], ...], text: str, exact_only: bool = False) -> tuple[str, bool, str] | str | None:
    """glibc ``process_long_option``'s search of one table: the exact name, else the one
    abbreviation (matches that do the same thing count as one), else None; an ambiguous
    abbreviation is glibc's message, listing the first match and every match unlike it."""
    for option in table:
        if option[0] == name:
            return option
    if exact_only:
        return None
    first: tuple[str, bool, str] | None = None
    unlike: list[str] = []
    for option in table:
        if option[0].startswith(name):
            if first is None:
                first = option
            elif option[1:] != first[1:]:
                unlike.append(option[0])
    if first is None or not unlike:
        return first
    shown = "".join(f" '--{full}'" for full in (first[0], *unlike))
    return f"netread: option '--{text}' is ambiguous; possibilities:{shown}"
