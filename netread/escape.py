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
    return ch


def escape_text(text: str) -> str:
    r"""Return ``text`` with control characters and undecodable bytes escaped.

    A backslash is left as it is, as netstat prints it, so ``\\x1b`` may also be
    literal text: the escape makes a path safe to show, not unambiguous.

    >>> escape_text("/tmp/a\x1b[31mb")
    '/tmp/a\\x1b[31mb'
    >>> escape_text("ok path")
    'ok path'
    """
    if text.isprintable():
        return text
    return "".join(_escape_char(ch) for ch in text)


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
