"""``--explain-line`` for /proc/net/unix (net/unix/af_unix.c unix_seq_show), field by field.

::

    Num       RefCount Protocol Flags    Type St Inode Path
    0000000000000000: 00000002 00000000 00010000 0001 01 42776 /run/foo.sock

The seven fixed fields are split on blanks; the path is the rest of the line
after the one space that follows the inode, so it keeps its own spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping

from netread.explain.glossary import UNIX_STATE_MEANINGS
from netread.explain.glossary import UNIX_TYPE_MEANINGS
from netread.explain.line_base import Collector
from netread.explain.line_base import read_hex
from netread.model import SO_ACCEPTCON
from netread.model import SO_NOSPACE
from netread.model import SO_WAITDATA
from netread.model import UnixState
from netread.model import UnixType
from netread.parse.inet_format import UNIX_FIXED_FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    import enum

_TOKEN = re.compile(r"[^ \t\n\v\f\r]+")  # C isspace separates, as in netstat's sscanf
_AUTOBIND = re.compile(r"@[0-9a-f]{5}")

Explainer = Callable[[str, Collector], None]


def explain_unix(line: str, out: Collector) -> None:
    """Explain the fields of a /proc/net/unix record into ``out``."""
    matches = list(_TOKEN.finditer(line))
    for name, m in zip(UNIX_FIXED_FIELDS, matches):
        EXPLAINERS[name](m.group(), out)
    if len(matches) < len(UNIX_FIXED_FIELDS):
        missing = UNIX_FIXED_FIELDS[len(matches) :]
        out.problems.append(
            f"{', '.join(missing)}: missing; the line ends after {len(matches)} field"
            f"{'s' * (len(matches) != 1)}, and a unix record has at least 7 (then the optional Path)."
        )
        return
    rest = line[matches[len(UNIX_FIXED_FIELDS) - 1].end() :]
    _path(rest, out)


def _num(token: str, out: Collector) -> None:
    digits = token.removesuffix(":")
    value = read_hex(digits)
    if value is None or not token.endswith(":"):
        out.bad("Num", token, f"{token!r} is not a hex kernel address followed by ':'")
        return
    shown = "all zeros: hidden by kptr_restrict" if value == 0 else "a hashed kernel address"
    out.add(
        "Num",
        token,
        f"0x{digits.upper()}",
        f"Address of the kernel socket (%pK), {shown}. Not an ID: netstat ignores it.",
    )


def _refcount(token: str, out: Collector) -> None:
    value = out.read("RefCount", token, "hex")
    if value is not None:
        out.add(
            "RefCount",
            token,
            str(value),
            f"Reference count of the socket, printed in HEX; netstat's RefCnt shows it in decimal ({value}).",
        )


def _protocol(token: str, out: Collector) -> None:
    value = out.read("Protocol", token, "hex")
    if value is None:
        return
    meaning = "Always 0 for unix sockets."
    if value:
        meaning += " It is not 0 here, so netstat would print ?? as Proto."
        out.problems.append(f"Protocol: {token} is not 0, which the kernel always prints")
    out.add("Protocol", token, str(value), meaning)


#: The Flags bits netstat knows (net-tools netstat.c unix_do_one), with what they mean.
_FLAG_NAMES = (
    (SO_ACCEPTCON, "__SO_ACCEPTCON (listening)"),
    (SO_WAITDATA, "SO_WAITDATA (netstat W; not set by current kernels)"),
    (SO_NOSPACE, "SO_NOSPACE (netstat N; not set by current kernels)"),
)


def _flags(token: str, out: Collector) -> None:
    value = out.read("Flags", token, "hex")
    if value is None:
        return
    if not value:
        out.add("Flags", token, "0 (none)", "No flags: the socket is not listening; netstat shows [ ].")
        return
    names = [name for bit, name in _FLAG_NAMES if value & bit]
    unknown = value & ~(SO_ACCEPTCON | SO_WAITDATA | SO_NOSPACE)
    if unknown:
        names.append(f"unknown bits 0x{unknown:X}")
    out.add(
        "Flags",
        token,
        ", ".join(names),
        "Socket flags (%08X): 00010000 is __SO_ACCEPTCON, set exactly when the socket listens;"
        " netstat shows it as [ ACC ].",
    )


def _enumerated(
    name: str, kind: type[enum.IntEnum], meanings: Mapping[int, str], unknown: str, problem: str
) -> Explainer:
    """The explainer of a hex field that names one of ``kind``'s values."""

    def explain(token: str, out: Collector) -> None:
        value = out.read(name, token, "hex")
        if value is None:
            return
        if value in meanings:
            out.add(name, token, kind(value).name, meanings[value])
        else:
            out.add(name, token, f"unknown ({value})", unknown)
            out.problems.append(f"{name}: {token} is not {problem}")

    return explain


_type = _enumerated(
    "Type",
    UnixType,
    UNIX_TYPE_MEANINGS,
    unknown="Not a socket type (1 STREAM, 2 DGRAM, 5 SEQPACKET).",
    problem="a socket type",
)
_st = _enumerated(
    "St",
    UnixState,
    UNIX_STATE_MEANINGS,
    unknown="Not a socket state (01 to 04); netstat shows UNKNOWN.",
    problem="a socket state",
)


def _inode(token: str, out: Collector) -> None:
    value = out.read("Inode", token, "dec")
    if value is None:
        return
    if value:
        meaning = (
            "The socket's inode number (%5lu, space-padded): a program holding the socket has a"
            f" /proc/<pid>/fd link to socket:[{value}], which is how netstat -p finds it."
        )
    else:
        meaning = (
            "0: no struct socket, so no process owns it: the server side of a connection not yet"
            " accept()ed (St 02), or one being torn down."
        )
    out.add("Inode", token, str(value), meaning)


def _path(rest: str, out: Collector) -> None:
    if not rest:
        out.add(
            "Path",
            "",
            "(none)",
            "No path: the socket has no address (unbound, a socketpair, or an unnamed client).",
        )
        return
    if not rest.startswith(" "):
        out.problems.append("Path: the kernel separates the path from the inode by one space")
        rest = " " + rest.lstrip()
    path = rest[1:]
    extra = []
    if " " in path:
        extra.append("It contains spaces: the path is everything after the one space that follows the inode.")
    if path != path.strip():
        extra.append("It starts or ends with blanks, which are part of the name.")
    if not path.isprintable():
        extra.append("It holds control bytes or bytes that are not UTF-8; they are shown escaped, as \\xNN.")
    if _AUTOBIND.fullmatch(path):
        value = f"autobind name {path[1:]}"
        meaning = "Autobind: the kernel chose this abstract name (@ + 5 hex digits) for an unnamed socket."
    elif path.startswith("@"):
        value = f"abstract name {path[1:]!r}"
        meaning = "An abstract name (no file): the kernel shows its leading NUL byte as @."
        if "@" in path[1:]:
            meaning += (
                " Every NUL byte inside the name is also shown as @, so each later @ may be a NUL"
                " or a real @: the text is ambiguous."
            )
    elif path.startswith("/"):
        value = path
        meaning = "A filesystem path the socket is bound to (it stays listed after the file is removed)."
    else:
        value = path
        meaning = "A relative filesystem path, as given to bind(), relative to that program's directory then."
    out.add("Path", path, value, " ".join([meaning, *extra]))


#: The explainer of each fixed field, by the name parse/inet_format.py gives it.
EXPLAINERS: dict[str, Explainer] = {
    "Num": _num,
    "RefCount": _refcount,
    "Protocol": _protocol,
    "Flags": _flags,
    "Type": _type,
    "St": _st,
    "Inode": _inode,
}
