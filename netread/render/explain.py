"""``--explain``: the text around netstat's rows that teaches them and points at trouble.

Every line written here starts with ``#``, and no netstat line does (banners
start with ``Active``, headers with ``Proto``, rows with the protocol), so
``grep -v '^#'`` gives back exactly what netstat prints.  Colour (only on a
terminal, never with NO_COLOR) goes after the ``#``.

Under each header: a diagram marking every column, and a legend saying what
each column is and which /proc field it comes from.  After each table: the
states it contains.  At the end: the findings (netread/explain/findings.py).
"""

from __future__ import annotations

import collections
import textwrap

from netread.escape import escape_text
from netread.explain.findings import GROUPS
from netread.explain.findings import RULES
from netread.explain.findings import Finding
from netread.explain.findings import Listing
from netread.explain.findings import Watch
from netread.explain.glossary import GROUP_COLUMNS
from netread.explain.glossary import INET_COLUMNS
from netread.explain.glossary import RAW_STATES
from netread.explain.glossary import TCP_STATES
from netread.explain.glossary import TCP_UNKNOWN
from netread.explain.glossary import UDP_STATES
from netread.explain.glossary import UNIX_COLUMNS
from netread.explain.glossary import UNIX_STATES
from netread.explain.glossary import UNIX_UNKNOWN
from netread.explain.glossary import Column
from netread.explain.glossary import State
from netread.model import InetSocket
from netread.model import Table
from netread.model import UnixSocket
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import banner
from netread.render.netstat import inet_header
from netread.render.netstat import unix_header

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    from netread.model import Owners
    from netread.parse.snmp import Facts
    from netread.render.netstat import Names
    from netread.select import Options

#: Prose is wrapped to this many columns; table cells to CELL_WIDTH.
WIDTH = 100
CELL_WIDTH = 60

_STYLE = {"dim": "\x1b[2m", "warning": "\x1b[1;33m", "note": "\x1b[1;36m", "head": "\x1b[1m"}
_RESET = "\x1b[0m"


def _table(rows: Sequence[Sequence[str]], header: Sequence[str], wrap: int | Sequence[int] = CELL_WIDTH) -> list[str]:
    """A tabulate table, each cell escaped and wrapped (``wrap``: one width, or one per column)."""
    from tabulate import tabulate

    widths = [wrap] * len(header) if isinstance(wrap, int) else list(wrap)
    cells = [["\n".join(textwrap.wrap(escape_text(c), w)) for c, w in zip(row, widths)] for row in rows]
    return str(tabulate(cells, headers=list(header), tablefmt="simple", disable_numparse=True)).split("\n")


class Explainer:
    """Renders the explanation lines; ``color`` adds ANSI styles after each ``#``."""

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def _lines(self, lines: Sequence[str], style: str = "dim") -> str:
        out = []
        for line in lines:
            text = escape_text(line.rstrip())  # every line: prose may quote a path or a name too
            if self.color and text:
                text = _STYLE[style] + text + _RESET
            out.append(("# " + text if text else "#") + "\n")
        return "".join(out)

    def _prose(self, label: str, text: str, style: str = "dim") -> str:
        return self._lines(textwrap.wrap(text, WIDTH, initial_indent=label, subsequent_indent=" " * len(label)), style)

    # -- under the header ----------------------------------------------------

    def legend(self, kind: str, header: str) -> str:
        """The column diagram and legend for a table whose header line is ``header``."""
        columns = [c for c in {"inet": INET_COLUMNS, "groups": GROUP_COLUMNS}.get(kind, UNIX_COLUMNS) if c.header in header]
        marks = [" "] * (len(header) + 2)
        labels = [" "] * (len(header) + 4)
        position = 0
        found: list[Column] = []
        for column in columns:
            at = header.find(column.header, position)
            if at < 0:
                continue
            position = at + len(column.header)
            spot = max(at, 1) - 1  # the '#' takes column 0 of the line
            marks[spot] = "^"
            number = str(len(found) + 1)
            labels[spot : spot + len(number)] = list(number)
            found.append(column)
        diagram = "#" + "".join(marks).rstrip() + "\n" + "#" + "".join(labels).rstrip() + "\n"
        rows = [(str(i), c.header, c.source, c.meaning) for i, c in enumerate(found, start=1)]
        return diagram + self._lines(_table(rows, ("", "column", "from /proc", "meaning"), wrap=(3, 16, 30, 56)))

    # -- after the rows ----------------------------------------------------------

    def inet_states(self, counts: Mapping[tuple[object, int], int]) -> str:
        """The states present in an Internet table, with their counts (rows by table and state)."""
        merged: collections.Counter[tuple[str, int]] = collections.Counter()
        for (table, st), n in counts.items():
            merged[(Table(table).services, st)] += n
        entries = []
        for (family, st), n in sorted(merged.items()):
            known = {"tcp": TCP_STATES, "udp": UDP_STATES, "raw": RAW_STATES}[family]
            state = known.get(st, TCP_UNKNOWN if family == "tcp" else State("UNKNOWN", f"{st:02X}", "a state number this table does not use."))
            entries.append((family, state, n))
        return self._states(entries)

    def unix_states(self, counts: Mapping[int, int]) -> str:
        """The states present in the unix table, with their counts (rows by state)."""
        return self._states([("unix", UNIX_STATES.get(st, UNIX_UNKNOWN), n) for st, n in sorted(counts.items())])

    def _states(self, entries: Sequence[tuple[str, State, int]]) -> str:
        if not entries:
            return ""
        rows = [(family, state.shown, state.kernel, str(n), state.meaning) for family, state, n in entries]
        return self._lines(["States in this table:"], "head") + self._lines(
            _table(rows, ("proto", "state", "kernel", "rows", "meaning"), wrap=(5, 20, 22, 8, 60))
        )

    # -- at the end --------------------------------------------------------------

    def findings(self, findings: Sequence[Finding], rules: int) -> str:
        if not findings:
            return self._lines([f"Findings: none ({rules} rules looked at the rows shown)."], "head")
        text = self._lines([f"Findings ({len(findings)}):"], "head")
        for finding in findings:
            text += self._lines(["", f"[{finding.severity}] {escape_text(finding.title)}"], finding.severity)
            evidence = _table(finding.rows, finding.header, wrap=40)
            if finding.more:
                evidence.append(f"... and {finding.more} more")
            if finding.others:
                evidence.append(f"... and {finding.others} rows more in the groups past the first {GROUPS}, counted together")
            text += self._lines(evidence)
            text += self._prose("Why: ", finding.why)
            text += self._prose("Next: ", finding.next)
        return text


class Explained:
    """--explain's text a piece of the listing at a time: the banner, header and legend of each
    section, its rows as they come (each counted by state and given to the rules, nothing else
    kept: explain/findings.Watch), the states after its rows, and the findings at the end."""

    def __init__(
        self,
        opts: Options,
        clk_tck: int,
        names: Names | None,
        owners: Owners | None,
        users: Mapping[int, str | None],
        facts: Facts,
        *,
        snapshot: bool,
        color: bool = False,
    ) -> None:
        self.opts = opts
        self.fmt = NetstatFormatter(opts, owners=owners, clk_tck=clk_tck, user_name=users.get, names=names)
        self.explainer = Explainer(color=color)
        self.watch = Watch(Listing(endpoints=self.fmt.endpoints, owners=owners if opts.programs else None, facts=facts, snapshot=snapshot))
        self._inet: collections.Counter[tuple[object, int]] = collections.Counter()
        self._unix: collections.Counter[int] = collections.Counter()

    def inet_head(self) -> str:
        header = inet_header(self.opts)
        return banner("inet", self.opts) + "\n" + header + "\n" + self.explainer.legend("inet", header)

    def inet_rows(self, rows: Sequence[InetSocket]) -> str:
        """The text of ``rows``, which the states and the rules take in."""
        self._inet.update([(row.table, row.st) for row in rows])
        self.watch.inet(rows)
        row_text = self.fmt.inet_row
        return "".join([row_text(row) + "\n" for row in rows])

    def inet_end(self) -> str:
        return self.explainer.inet_states(self._inet)

    def unix_head(self) -> str:
        header = unix_header(self.opts)
        return banner("unix", self.opts) + "\n" + header + "\n" + self.explainer.legend("unix", header)

    def unix_rows(self, rows: Sequence[UnixSocket]) -> str:
        self.count_unix(rows)
        row_text = self.fmt.unix_row
        return "".join([row_text(row) + "\n" for row in rows])

    def count_unix(self, rows: Sequence[UnixSocket]) -> None:
        self._unix.update([row.st for row in rows])
        self.watch.unix(rows)

    def unix_end(self) -> str:
        return self.explainer.unix_states(self._unix)

    def findings(self) -> list[Finding]:
        return self.watch.findings()

    def end(self) -> str:
        """The findings, rendered."""
        return self.explainer.findings(self.findings(), len(RULES))
