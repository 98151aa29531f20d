"""Terminal-safe text: what netread writes for bytes that came from /proc.

/proc/net/unix prints socket paths raw (net/unix/af_unix.c unix_seq_show writes the name as it is), and program names come
raw from /proc/<pid>/cmdline, so either may hold control bytes that a terminal
would obey (ESC sequences, the C1 CSI byte 0x9B) or bytes that are not UTF-8.
netstat 2.10 writes them as they are; netread shows them visibly instead.

Text is decoded from /proc with ``surrogateescape``, so an invalid byte 0xNN
arrives here as the lone surrogate U+DCNN and is shown as ``\\xNN``.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape_char(ch: str) -> str:
    """The escape of one character that ``str.isprintable`` rejects (anything else is itself)."""
    if ch.isprintable():
        return ch
    named = _NAMED.get(ch)
    if named is not None:
        return named
    cp = ord(ch)
    if cp < 0x20 or cp == 0x7F:
        return f"\\x{cp:02x}"
    if 0x80 <= cp <= 0x9F:  # C1 controls, written as their UTF-8 bytes
        return "".join(f"\\x{b:02x}" for b in ch.encode("utf-8"))
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not valid UTF-8
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def escape_text(text: str) -> str:
    r"""Return ``text`` with every character a terminal could obey, hide or reorder escaped.

    The one rule is :meth:`str.isprintable`: a character it rejects is written
    as an escape, one it accepts as itself.  It rejects the Unicode categories
    Cc (controls: ``\xNN``, C1 as its UTF-8 bytes), Cf (format controls: the
    bidirectional overrides and isolates U+202A-202E, U+2066-2069, zero-width
    U+200B-200F, U+2060-2064, BOM U+FEFF, soft hyphen U+00AD, U+061C, U+180E,
    U+FFF9-FFFB, tags U+E0000-E007F), Zl/Zp (U+2028, U+2029), Zs other than
    the ASCII space (U+00A0, U+2000-200A, U+3000 look like a space), Co
    (private use, drawn as anything a font likes), Cn (unassigned in this
    Python: a later Unicode may make them format controls) and Cs (a byte that
    was not UTF-8, the ``surrogateescape`` surrogate U+DCNN, is ``\xNN``;
    any other surrogate ``\uXXXX``).  Outside the BMP the escape is
    ``\UXXXXXXXX``.  Printable text, so every ordinary name, is unchanged.

    A backslash is left as it is, as netstat prints it, so ``\x1b`` may also be
    literal text: the escape makes a path safe to show, not unambiguous, and
    escaping escaped text changes nothing.

    >>> escape_text("/tmp/a\x1b[31mb")
    '/tmp/a\\x1b[31mb'
    >>> escape_text("/run/\u202ekcos.nim")
    '/run/\\u202ekcos.nim'
    >>> escape_text("ok path")
    'ok path'
    """
    if text.isprintable():
        return text
    return "".join(map(_escape_char, text))


def undecodable_escaped(text: str) -> str:
    r"""``text`` with each byte that was not UTF-8 (a ``surrogateescape`` surrogate) written ``\xNN``.

    What JSON and CSV need: valid UTF-8 that strict parsers accept, the same
    text in both.  Everything else, control characters included, is left to the
    format (JSON escapes them itself).

    >>> undecodable_escaped(b"/tmp/\xff\xc3\xa9".decode("utf-8", "surrogateescape"))
    '/tmp/\\xffé'
    """
    if text.isascii() or not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return text
    return "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else f"\\u{ord(ch):04x}" if 0xD800 <= ord(ch) <= 0xDFFF else ch
        for ch in text
    )
