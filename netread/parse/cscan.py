"""The pieces of glibc's ``sscanf`` and ``fgets`` that netstat's route readers lean on.

netstat 2.10 reads net/route, net/rt_cache and net/ipv6_route with
``fgets(buff, 1023, fp)`` and ``sscanf``: a conversion that fails stops the
scan and leaves every later variable as the previous line left it.  This
module reproduces those conversions on text decoded as latin-1 (one character
per byte, as C counts widths):

* ``%Ns``: skip white space, then up to N non-white-space bytes;
* ``%d``: an optional sign and decimal digits, converted by ``strtol`` (so
  saturated to 64 bits) and stored in a 32-bit ``int`` (so wrapped):
  ``4294967295`` is -1, ``99999999999`` is 1215752191;
* ``%X``/``%Nx``: an optional sign, an optional ``0x``, hex digits, converted by
  ``strtoul`` (``-1`` is 2**64 - 1) and stored in 32 bits; a width counts the
  sign and the ``0x`` too.

White space is C's ``isspace`` in the C locale.  A string ends at its first NUL,
as a C string does.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

#: isspace() in the C locale.
C_SPACE = frozenset(" \t\n\v\f\r")
_DEC = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_LONG_MAX = (1 << 63) - 1
_ULONG_MAX = (1 << 64) - 1


def int32(value: int) -> int:
    """``value`` stored in a C ``int``: the low 32 bits, signed.

    >>> int32(4294967295), int32(99999999999), int32(-1)
    (-1, 1215752191, -1)
    """
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


class Scanner:
    """One ``sscanf`` over ``text``: each method is one conversion; None is a failed one."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        nul = text.find("\0")
        self.text = text if nul < 0 else text[:nul]
        self.pos = 0

    def _skip_space(self) -> bool:
        """Skip white space; False at the end of the text (an input failure)."""
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in C_SPACE:
            pos += 1
        self.pos = pos
        return pos < len(text)

    def string(self, width: int) -> str | None:
        """``%<width>s``; None at the end of the text."""
        if not self._skip_space():
            return None
        text, start = self.text, self.pos
        end = start
        while end < len(text) and end - start < width and text[end] not in C_SPACE:
            end += 1
        self.pos = end
        return text[start:end]

    def decimal(self) -> int | None:
        """``%d`` into an ``int``; None when no digit is there."""
        digits = self._number(_DEC, -1)
        if digits is None:
            return None
        value = int(digits, 10)
        return int32(max(-_LONG_MAX - 1, min(_LONG_MAX, value)))

    def hexadecimal(self, width: int = -1, bits: int = 32) -> int | None:
        """``%X`` (or ``%<width>x``) into an ``unsigned int`` (``bits=64``: ``%lx``, an ``unsigned
        long``); None when no digit is there."""
        digits = self._number(_HEX, width)
        if digits is None:
            return None
        mask = (1 << bits) - 1
        value = int(digits, 16)
        if abs(value) > _ULONG_MAX:
            return mask
        return value & mask

    def _number(self, allowed: frozenset[str], width: int) -> str | None:
        """The sign and digits of one integer conversion (glibc vfscanf's rules), or None."""
        if not self._skip_space():
            return None
        text, pos = self.text, self.pos
        end = len(text) if width < 0 else min(len(text), pos + width)
        sign = ""
        if pos < end and text[pos] in "+-":
            sign = "-" if text[pos] == "-" else ""
            pos += 1
        digits = ""
        if allowed is _HEX and pos < end and text[pos] == "0":
            digits, pos = "0", pos + 1
            if pos < end and text[pos] in "xX":
                pos += 1
        while pos < end and text[pos] in allowed:
            digits += text[pos]
            pos += 1
        self.pos = pos
        if not digits:
            return None
        return sign + digits


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
