"""What every part of ``--explain-line`` shares: the result records, the collector, token readers.

The records are defined here, below :mod:`netread.explain.line`, so that the
per-table explainers (line_inet*.py, line_unix.py) can build them without
importing the entry point that calls them; line.py re-exports them.

>>> out = Collector()
>>> out.read("st", "0A", "hex"), out.read("st", "0x0A", "hex"), out.read("timeout", "-1", "signed")
(10, None, -1)
>>> out.problems
["st: '0x0A' is not hex (want digits 0-9 and A-F)"]
"""

from __future__ import annotations

import dataclasses
import re

from netread.explain.glossary import FIELD_FORMATS
from netread.explain.glossary import NOT_IN_ROW

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    ByteOrder = Literal["little", "big"]
    #: How a number field is printed: %X, %u or %d.
    NumberFormat = Literal["hex", "dec", "signed"]

#: ``value`` of a field that is present but could not be decoded.
NOT_DECODED = "(not decoded)"


@dataclasses.dataclass(frozen=True, slots=True)
class FieldExplanation:
    """One field of the line: its kernel header name, its text, its decoded value and what it means."""

    name: str
    raw: str
    value: str
    meaning: str


@dataclasses.dataclass(frozen=True, slots=True)
class LineExplanation:
    """The explanation of one line.

    ``table`` is the table the line was read as (``"unknown"`` when it could not
    be told); ``guessed`` is True when it was inferred from the line, and
    ``notes`` then say how.  ``problems`` name each field that could not be
    decoded, and why.
    """

    table: str
    guessed: bool
    notes: tuple[str, ...]
    fields: tuple[FieldExplanation, ...]
    problems: tuple[str, ...]

    def field(self, name: str) -> FieldExplanation | None:
        """The first field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)


HEX = re.compile(r"[0-9A-Fa-f]+")
_DEC = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")
#: Longer numbers than this are not something the kernel prints (and int/str
#: conversion of huge decimal numbers is refused by Python anyway).
_MAX_DIGITS = 32


def read_hex(token: str) -> int | None:
    """The value of a hex token, or None when it is not one (or too long)."""
    if len(token) > _MAX_DIGITS or HEX.fullmatch(token) is None:
        return None
    return int(token, 16)


def read_dec(token: str, signed: bool = False) -> int | None:
    """The value of a decimal token (with an optional '-' when ``signed``), or None."""
    if len(token) > _MAX_DIGITS or (_SIGNED if signed else _DEC).fullmatch(token) is None:
        return None
    return int(token)


def why_hex(token: str) -> str:
    """Why :func:`read_hex` refused ``token``."""
    if not token:
        return "empty, want hex digits"
    if len(token) > _MAX_DIGITS:
        return f"{len(token)} digits is too long for this field"
    return f"{token!r} is not hex (want digits 0-9 and A-F)"


def why_dec(token: str, signed: bool = False) -> str:
    """Why :func:`read_dec` refused ``token``."""
    if len(token) > _MAX_DIGITS:
        return f"{len(token)} digits is too long for this field"
    return f"{token!r} is not a {'signed ' if signed else ''}decimal number"


class Collector:
    """Collects fields, notes and problems while a line is explained."""

    def __init__(self) -> None:
        self.fields: list[FieldExplanation] = []
        self.notes: list[str] = []
        self.problems: list[str] = []

    def add(self, name: str, raw: str, value: str, meaning: str) -> None:
        self.fields.append(FieldExplanation(name, raw, value, meaning))

    def bad(self, name: str, raw: str, why: str) -> None:
        """A field that is there but could not be decoded: a problem, and a row saying what it should be."""
        self.problems.append(f"{name}: {why}")
        self.add(name, raw, NOT_DECODED, FIELD_FORMATS.get(name, NOT_IN_ROW))

    def read(self, name: str, token: str, fmt: NumberFormat) -> int | None:
        """The value of field ``name``, or None after recording why ``token`` is not a number of ``fmt``."""
        if fmt == "hex":
            value = read_hex(token)
            if value is None:
                self.bad(name, token, why_hex(token))
            return value
        signed = fmt == "signed"
        value = read_dec(token, signed)
        if value is None:
            self.bad(name, token, why_dec(token, signed))
        return value

    def result(self, table: str, guessed: bool) -> LineExplanation:
        return LineExplanation(table, guessed, tuple(self.notes), tuple(self.fields), tuple(self.problems))
