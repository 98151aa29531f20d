"""``typing.NamedTuple``'s class syntax without importing :mod:`typing`.

Importing typing (which imports re, enum and contextlib on 3.10 and 3.11) is a
third of the start-up of ``netread -tan``, and the records are the only thing the
listing path takes from it at run time.  A module writes::

    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from netread._namedtuple import NamedTuple

so mypy sees typing's class and the program gets :func:`collections.namedtuple`
with the class body's fields, defaults, methods and docstring copied on, as
typing's own metaclass does (Lib/typing.py, ``NamedTupleMeta``).

>>> class Point(NamedTuple):
...     "A point."
...     x: int
...     y: int = 0
...     def norm(self) -> int:
...         return abs(self.x) + abs(self.y)
>>> Point(3), Point(-1, 2).norm(), Point._field_defaults, Point.__doc__
(Point(x=3, y=0), 3, {'y': 0}, 'A point.')
"""

from __future__ import annotations

import collections

# typing's NamedTupleMeta takes these from the namedtuple it builds, not from the class body.
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace", "_asdict", "_source"})


class _NamedTupleMeta(type):
    def __new__(mcs, typename: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
        if not bases:  # the NamedTuple base below
            return super().__new__(mcs, typename, bases, ns)
        if bases != (NamedTuple,):
            raise TypeError("can only inherit from NamedTuple")
        annotations = dict(ns.get("__annotations__", {}))  # type: ignore[call-overload]
        defaults = [name for name in annotations if name in ns]
        if defaults and list(annotations)[-len(defaults) :] != defaults:
            raise TypeError(f"{typename}: a field without a default follows one with a default")
        record = collections.namedtuple(typename, annotations, defaults=[ns[n] for n in defaults], module=str(ns["__module__"]))  # type: ignore[misc]
        record.__annotations__ = annotations
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in annotations:
                setattr(record, key, value)
        return record


class NamedTuple(metaclass=_NamedTupleMeta):
    """The base of a record class (see the module's docstring)."""
