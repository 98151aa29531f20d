""":class:`enum.Enum` and :class:`enum.IntEnum` for netread's own vocabularies, without importing enum.

The enum module (with functools, which it imports) is a third of the start-up of
``netread -tan``, and the model's five vocabularies (tables, TCP states and timers,
unix types and states) use a small part of it: members made from the class body,
lookup by value (``TcpState(10)``, ValueError for a value that is no member),
iteration in definition order, ``name``/``value``, ``_value2member_map_``, and the
str, repr, format, hash and pickling of Python 3.11's enums.  A module writes::

    if TYPE_CHECKING:
        from enum import IntEnum
    else:
        from netread._enum import IntEnum

so mypy checks against the real enum, and tests/unit/test_enum.py checks each
vocabulary against the same one made by the enum module.

>>> class Colour(IntEnum):
...     RED = 1
...     GREEN = 2
>>> Colour(2), Colour.RED.name, str(Colour.RED), f"{Colour.GREEN:>3}", [c.value for c in Colour]
(<Colour.GREEN: 2>, 'RED', '1', '  2', [1, 2])
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


def _is_member(key: str, value: object) -> bool:
    """enum's rule: a class attribute is a member unless it is a _sunder_ or __dunder__ name
    or a descriptor (a function, property or classmethod)."""
    return not key.startswith("_") and not hasattr(type(value), "__get__")


class _EnumType(type):
    _member_map_: dict[str, Any]
    _value2member_map_: dict[Any, Any]
    _member_list_: list[Any]

    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> _EnumType:
        members = {key: value for key, value in ns.items() if _is_member(key, value)}
        for key in members:
            del ns[key]
        cls = super().__new__(mcs, name, bases, ns)
        if not members:  # Enum and IntEnum themselves, or a mixin base
            return cls
        data: Any = next((b for b in cls.__mro__[1:] if b not in (object,) and not isinstance(b, _EnumType)), object)
        first_enum = next(b for b in cls.__mro__[1:] if isinstance(b, _EnumType))
        for method in ("__repr__", "__str__", "__format__", "__reduce_ex__"):
            # enum's rule: the enum's methods, not the data type's, unless the class body has its own
            if method not in ns and getattr(cls, method) in (getattr(data, method), getattr(object, method)):
                type.__setattr__(cls, method, getattr(first_enum, method))
        member_map: dict[str, Any] = {}
        by_value: dict[Any, Any] = {}
        for key, value in members.items():
            member = by_value.get(value)  # an alias: the same value again names the first member
            if member is None:
                member = data.__new__(cls, *(() if data is object else (value,)))
                member._name_ = key
                member._value_ = value
                by_value[value] = member
            member_map[key] = member
            type.__setattr__(cls, key, member)
        type.__setattr__(cls, "_member_map_", member_map)
        type.__setattr__(cls, "_value2member_map_", by_value)
        type.__setattr__(cls, "_member_list_", list(by_value.values()))
        return cls

    def __call__(cls, value: object) -> Any:
        try:
            return cls._value2member_map_[value]
        except (KeyError, TypeError):
            raise ValueError(f"{value!r} is not a valid {cls.__qualname__}") from None

    def __iter__(cls) -> Iterator[Any]:
        return iter(cls._member_list_)

    def __len__(cls) -> int:
        return len(cls._member_list_)

    def __contains__(cls, value: object) -> bool:
        return value in cls._value2member_map_ if not isinstance(value, cls) else True

    @property
    def __members__(cls) -> dict[str, Any]:
        return dict(cls._member_map_)

    def __setattr__(cls, key: str, value: object) -> None:
        if key in cls.__dict__.get("_member_map_", ()):
            raise AttributeError(f"cannot reassign member {key!r}")
        super().__setattr__(key, value)

    def __repr__(cls) -> str:
        return f"<enum {cls.__name__!r}>"


class Enum(metaclass=_EnumType):
    """A vocabulary: its members are the class body's plain attributes."""

    _name_: str
    _value_: Any

    @property
    def name(self) -> str:
        return self._name_

    @property
    def value(self) -> Any:
        return self._value_

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    def __format__(self, spec: str) -> str:
        if type(self).__str__ is not Enum.__str__ or not isinstance(self, (int, str)):
            return format(str(self), spec)
        return format(self._value_, spec)

    def __hash__(self) -> int:
        return hash(self._name_)

    def __reduce_ex__(self, protocol: object) -> tuple[object, tuple[object]]:
        return type(self), (self._value_,)

    def __copy__(self) -> Enum:
        return self

    def __deepcopy__(self, memo: object) -> Enum:
        return self


class IntEnum(int, Enum):
    """A vocabulary of numbers: each member is also the int."""

    __repr__ = Enum.__repr__
    __reduce_ex__ = Enum.__reduce_ex__
    __str__ = int.__repr__  # as Python 3.11's IntEnum: str(TcpState.LISTEN) == "10"

    def __format__(self, spec: str) -> str:
        return format(self._value_, spec)
