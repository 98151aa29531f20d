"""glibc's scanf conversions, as netstat's ``sscanf``/``fscanf`` calls apply them to a C string.

netstat reads net/igmp, net/igmp6 and net/ip_masquerade with scanf formats
(netstat.c igmp_do_one, lib/masq_info.c read_masqinfo), and net/route, net/rt_cache,
net/ipv6_route and net/ndisc with ``fgets`` and ``sscanf`` (lib/inet_gr.c, lib/inet6_gr.c:
:class:`TextScan`, :func:`fgets_pieces`), so what it shows for
an odd line is what these conversions make of it: a blank in the format skips
any run of whitespace (newlines too), ``%d`` reads a ``long`` (``strtol``
saturates) and keeps its low 32 bits, ``%Nc`` copies bytes without a NUL,
``%N[set]`` and ``%Ns`` stop at the width.  Pure: bytes in, values out.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

#: C's isspace(): what a blank in a format, %d and %s skip.
SPACE = b" \t\n\v\f\r"
_HEX = frozenset(b"0123456789ABCDEFabcdef")
_DIGITS = frozenset(b"0123456789")
_LONG_MAX = (1 << 63) - 1
_ULONG_MAX = (1 << 64) - 1


def wrap(value: int, bits: int, signed: bool) -> int:
    """``value`` stored in a C integer of ``bits`` bits (``(int)``, ``(short)``, ``(unsigned short)``).

    >>> wrap(4294967297, 32, True), wrap(-1, 16, False), wrap(0x8000, 16, True)
    (1, 65535, -32768)
    """
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >> (bits - 1) else value


class Scan:
    """A cursor over one C string (cut at its first NUL by the caller)."""

    __slots__ = ("at", "text")

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.at = 0

    @property
    def done(self) -> bool:
        return self.at >= len(self.text)

    def blanks(self) -> None:
        """A blank in the format: any run of whitespace, maybe none."""
        while self.at < len(self.text) and self.text[self.at] in SPACE:
            self.at += 1

    def literal(self, char: bytes) -> bool:
        """An ordinary character of the format (``:``): it must come next, no blanks skipped."""
        if self.text[self.at : self.at + 1] == char:
            self.at += 1
            return True
        return False

    def integer(self, base: int = 10, unsigned: bool = False, width: int | None = None) -> int | None:
        """``%d``/``%ld`` (``strtol``: saturated to a long) or ``%u``/``%x``/``%lX`` (``strtoul``:
        a ``-`` negates modulo 2**64, an overflow is 2**64-1); None when no digit is there.
        Hex takes a ``0x`` prefix, as glibc's does.  A ``width`` (``%8X``) counts the sign and the
        ``0x`` too.  The caller :func:`wrap` s it to its type.

        >>> Scan(b" -12x").integer(), Scan(b"99999999999999999999").integer(), Scan(b"-1").integer(16, True)
        (-12, 9223372036854775807, 18446744073709551615)
        """
        self.blanks()
        text = self.text if width is None else self.text[: self.at + width]
        start = self.at
        negative = False
        if self.at < len(text) and text[self.at] in b"+-":
            negative = text[self.at] == ord("-")
            self.at += 1
        digits_set = _HEX if base == 16 else _DIGITS
        zero_x = False
        if base == 16 and text[self.at : self.at + 1] == b"0" and text[self.at + 1 : self.at + 2] in (b"x", b"X"):
            self.at += 2  # glibc keeps the 0: "0x" alone reads as 0
            zero_x = True
        first = self.at
        while self.at < len(text) and text[self.at] in digits_set:
            self.at += 1
        if self.at == first and not zero_x:
            self.at = start
            return None
        digits = text[first : self.at].lstrip(b"0") or b"0"
        # a number of thousands of digits is never handed to int(): it saturates anyway
        magnitude = _ULONG_MAX + 1 if len(digits) > 20 else int(digits, base)
        if unsigned:
            if magnitude > _ULONG_MAX:
                return _ULONG_MAX
            return (-magnitude) & _ULONG_MAX if negative else magnitude
        if negative:
            return max(-magnitude, -_LONG_MAX - 1)
        return min(magnitude, _LONG_MAX)

    def decimal(self) -> int | None:
        """``%d``: an ``int``, what netstat prints with ``%d``."""
        value = self.integer()
        return None if value is None else wrap(value, 32, True)

    def chars(self, most: int) -> bytes:
        """``%Nc``: up to ``most`` bytes as they are (no blanks skipped); empty at the end of the string."""
        got = self.text[self.at : self.at + most]
        self.at += len(got)
        return got

    def word(self, most: int | None = None) -> bytes:
        """``%Ns`` (``%s`` without ``most``): blanks, then the non-blank bytes; empty when none."""
        self.blanks()
        start = self.at
        end = len(self.text) if most is None else min(len(self.text), start + most)
        while self.at < end and self.text[self.at] not in SPACE:
            self.at += 1
        return self.text[start : self.at]

    def hex_run(self, most: int) -> bytes:
        """``%N[0-9A-Fa-f]``: up to ``most`` hex digits (no blanks skipped); empty when none."""
        start = self.at
        while self.at < len(self.text) and self.at - start < most and self.text[self.at] in _HEX:
            self.at += 1
        return self.text[start : self.at]


class TextScan:
    """One ``sscanf`` over text decoded as latin-1 (one character a byte, as C counts widths),
    on :class:`Scan`: each method is one conversion; None is a failed one (nothing left to read,
    or no digit). The text ends at its first NUL, as a C string does."""

    __slots__ = ("_scan",)

    def __init__(self, text: str) -> None:
        self._scan = Scan(text.split("\0", 1)[0].encode("latin-1"))

    def string(self, width: int) -> str | None:
        """``%<width>s``; None at the end of the text."""
        got = self._scan.word(width)
        return got.decode("latin-1") if got else None

    def decimal(self) -> int | None:
        """``%d`` into an ``int`` (``strtol`` saturated to a long, then its low 32 bits, signed)."""
        return self._scan.decimal()

    def hexadecimal(self, width: int = -1, bits: int = 32) -> int | None:
        """``%X`` (or ``%<width>x``) into an ``unsigned int`` (``bits=64``: ``%lx``, an ``unsigned
        long``): ``strtoul``'s value, ``-1`` is all ones, past 64 bits all ones."""
        value = self._scan.integer(16, unsigned=True, width=None if width < 0 else width)
        return None if value is None else value & ((1 << bits) - 1)


def fgets_pieces(lines: Iterable[str], first: int = 1022, rest: int = 1022) -> Iterator[tuple[int, str]]:
    """(line number, text) of each ``fgets`` call over ``lines`` (latin-1 text without newlines).

    ``fgets(buf, n)`` returns at most n - 1 bytes, so a longer line comes back
    in pieces (each numbered by the line it is in); the first call returns at
    most ``first`` bytes (proc_gen_fmt reads the header with a 511-byte buffer).
    """
    size = first
    for lineno, line in enumerate(lines, 1):
        text = line + "\n"
        while text:
            yield lineno, text[:size]
            text = text[size:]
            size = rest
