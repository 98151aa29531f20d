"""Numbers as netstat's sscanf() reads them from /proc text."""

from __future__ import annotations

import re

ULONG_MAX = (1 << 64) - 1
UINT_MAX = (1 << 32) - 1
#: C ``isspace`` in the C locale, what sscanf skips and the only separators netstat knows:
#: Python's ``str.split()`` and ``\s`` also split at \x1c-\x1f, \x85, NBSP, U+2000... and U+3000.
C_SPACE = " \t\n\v\f\r"
C_SPACE_CLASS = "[ \t\n\v\f\r]"
_C_WORDS = re.compile("[^ \t\n\v\f\r]+")


def c_split(text: str) -> list[str]:
    """``text.split()`` with C ``isspace`` as the separators (what netstat's sscanf sees as words).

    >>> c_split(" a\tb\xa0c\u2003d  ")
    ['a', 'b\xa0c\u2003d']
    """
    return _C_WORDS.findall(text)
LONG_MAX = (1 << 63) - 1


def saturated(token: str, base: int, signed: bool = False) -> int:
    """strtoul()/strtol() of a token the pattern already checked: values past 64 bits saturate.

    netstat reads with sscanf, so a 30-digit queue is ULONG_MAX there, not an error; and
    Python's int() refuses strings of over 4300 digits, so those are never given to it.

    >>> saturated("1" + "0" * 30, 10), saturated("-" + "9" * 5000, 10, signed=True)
    (18446744073709551615, -9223372036854775808)
    """
    negative = token.startswith("-")
    digits = token.lstrip("-").lstrip("0") or "0"
    if len(digits) > (16 if base == 16 else 20):
        value = ULONG_MAX
    else:
        value = min(int(digits, base), ULONG_MAX)
    if not signed:
        return value
    return -min(value, LONG_MAX + 1) if negative else min(value, LONG_MAX)


_STRTOULL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")


def strtoull(text: str, pos: int = 0) -> tuple[int, int]:
    """C ``strtoull(text + pos, &end, 10)``: (value, end), as netstat -s reads a counter.

    Leading C spaces, then an optional sign, then decimal digits; ``-n`` is
    ``2**64 - n``, past 64 bits saturates to ULONG_MAX, and no digits gives 0
    with ``end == pos`` (the cursor does not move).  The text stops at a NUL,
    as a C string does, so callers cut it there first.

    >>> strtoull(" 12abc"), strtoull("-1"), strtoull("+7 8"), strtoull("x5"), strtoull("9" * 30)
    ((12, 3), (18446744073709551615, 2), (7, 2), (0, 0), (18446744073709551615, 30))
    >>> strtoull("-18446744073709551615"), strtoull("-18446744073709551616")
    ((1, 21), (18446744073709551615, 21))
    """
    match = _STRTOULL.match(text, pos)
    if match is None:
        return 0, pos
    digits = match.group(2).lstrip("0") or "0"
    if len(digits) > 20 or int(digits) > ULONG_MAX:  # overflow: ULONG_MAX whatever the sign (glibc)
        return ULONG_MAX, match.end()
    value = int(digits)
    return (-value & ULONG_MAX) if match.group(1) == "-" else value, match.end()
