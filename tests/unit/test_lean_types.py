"""netread._enum and netread._namedtuple behave as the enum and typing classes they stand in for."""

from __future__ import annotations

import copy
import enum
import json
import pickle
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netread import _enum
from netread import _namedtuple
from netread.cli.status import ExitStatus
from netread.model import Owner
from netread.model import Table
from netread.model import TcpState
from netread.model import TcpTimer
from netread.model import UnixState
from netread.model import UnixType

VOCABULARIES = (Table, TcpState, TcpTimer, UnixType, UnixState, ExitStatus)


def _outcome(call: typing.Callable[[], object]) -> object:
    try:
        return repr(call())
    except Exception as exc:  # the same exception, with the same words, is part of the behaviour
        return type(exc).__name__, str(exc)


def _made(base_enum: typing.Any, base_int: typing.Any) -> tuple[typing.Any, typing.Any]:
    """One str vocabulary with methods and one int vocabulary with a classmethod, from the same bodies."""

    class Word(str, base_enum):  # type: ignore[misc,valid-type]
        A = "a"
        B = "b"
        ALIAS = "a"

        def __str__(self) -> str:
            return str(self.value)

        @property
        def up(self) -> str:
            return str(self.value).upper()

    class Number(base_int):  # type: ignore[misc,valid-type]
        """Numbers."""

        ONE = 1
        TWO = 2
        ZERO = 0

        @classmethod
        def small(cls, v: int) -> typing.Any:
            return cls(v) if v < 2 else None

    return Word, Number


def _behaviour(word: typing.Any, number: typing.Any) -> list[object]:
    a, one, two = word.A, number.ONE, number.TWO
    seen: list[object] = [
        [(m.name, m.value) for m in word], [(m.name, m.value) for m in number], len(word), len(number),
        dict(word.__members__), dict(number.__members__), number._value2member_map_, word.ALIAS is a,
        repr(a), str(a), format(a, ">3"), f"{a}", repr(one), str(one), f"{two:>3}", "%s %d %r %x" % (one, one, one, two),
        hash(a) == hash("a"), {a: 1}.get("a"), hash(one) == hash(1), json.dumps([a, one]), a.__reduce_ex__(4), one.__reduce_ex__(4),
        copy.copy(one) is one, copy.deepcopy(a) is a, a in word, one in number, bool(number.ZERO), bool(one), one < 2, one + 1,
        type(one + 1).__name__, a + "b", type(a + "b").__name__, a.upper(), a.up, number.small(1), number.small(5),
        isinstance(one, int), isinstance(a, str), ("x", "y", "z")[two], sorted([word.B, a]), number.__doc__,
    ]
    seen += [_outcome(lambda v=v: number(v)) for v in (7, [1], "1", 1.0, True, None, one, -1)]
    seen += [_outcome(lambda v=v: word(v)) for v in ("c", 1, word.B, "A", None)]
    seen.append(_outcome(lambda: setattr(number, "ONE", 5)))
    return seen


def test_enum_stand_in_behaves_as_enum() -> None:
    ours = _behaviour(*_made(_enum.Enum, _enum.IntEnum))
    theirs = _behaviour(*_made(enum.Enum, enum.IntEnum))
    for got, want in zip(ours, theirs, strict=True):
        # repr/str of the classes themselves differ (<enum 'X'> either way), member text must not
        assert got == want or str(got) == str(want), (got, want)


def _reference(vocabulary: typing.Any) -> typing.Any:
    members = [(m.name, m.value) for m in vocabulary]
    if issubclass(vocabulary, str):
        return enum.Enum(vocabulary.__name__, members, type=str)
    return enum.IntEnum(vocabulary.__name__, members)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_each_vocabulary_as_the_enum_module_makes_it(vocabulary: typing.Any) -> None:
    ref = _reference(vocabulary)
    assert [(m.name, m.value) for m in vocabulary] == [(m.name, m.value) for m in ref]
    values: list[object] = [*range(-2, 300), "tcp", "udp6", "unix", "TCP", "", None, 1.0, b"tcp"]
    for value in values:
        assert _outcome(lambda v=value: vocabulary(v)) == _outcome(lambda v=value: ref(v)), value
    for member, twin in zip(vocabulary, ref, strict=True):
        assert repr(member) == repr(twin) and hash(member) == hash(twin)
        # the reference has no __str__ of Table's, and enum formats by __str__ where a class has its own
        assert format(member, ">9") == format(member.value, ">9")
        assert json.dumps(member) == json.dumps(twin) and bool(member) == bool(twin)
        assert pickle.loads(pickle.dumps(member)) is member
        if not issubclass(vocabulary, str):
            assert str(member) == str(twin) == str(member.value)
    assert str(Table.TCP6) == "tcp6" and Table.TCP6 == "tcp6"  # Table's own __str__


@given(st.integers(-(1 << 70), 1 << 70) | st.text(max_size=8))
def test_lookup_by_any_value_is_a_member_or_value_error(value: int | str) -> None:
    for vocabulary in VOCABULARIES:
        assert _outcome(lambda v=vocabulary: v(value)) == _outcome(lambda v=vocabulary: _reference(v)(value))


def _records(base: typing.Any) -> typing.Any:
    class Point(base):  # type: ignore[misc,valid-type]
        """A point."""

        x: int
        y: int = 0
        label: str | None = None

        @property
        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        def moved(self, dx: int) -> typing.Any:
            return self._replace(x=self.x + dx)

    return Point


def test_namedtuple_stand_in_behaves_as_typing_namedtuple() -> None:
    ours, theirs = _records(_namedtuple.NamedTuple), _records(typing.NamedTuple)
    for cls in (ours, theirs):
        p = cls(3)
        assert (p, p.norm, p.moved(2), p._asdict(), cls._fields, cls._field_defaults, cls.__doc__) == (
            (3, 0, None), 3, (5, 0, None), {"x": 3, "y": 0, "label": None}, ("x", "y", "label"), {"y": 0, "label": None}, "A point."
        )
        assert repr(cls(1, 2, "a")) == "Point(x=1, y=2, label='a')" and cls._make([1, 2, 3]) == (1, 2, 3)
        assert cls.__qualname__.endswith("_records.<locals>.Point") and cls.__module__ == __name__
        assert list(cls.__annotations__) == ["x", "y", "label"]
    assert pickle.loads(pickle.dumps(Owner(1, "sshd", "sshd"))) == Owner(1, "sshd", "sshd")


@pytest.mark.parametrize("base", [_namedtuple.NamedTuple, typing.NamedTuple], ids=["ours", "typing"])
def test_namedtuple_refuses_what_typing_refuses(base: typing.Any) -> None:
    with pytest.raises(TypeError):

        class Bad(base):  # type: ignore[misc,valid-type]
            a: int = 0
            b: int

    with pytest.raises(AttributeError):

        class Worse(base):  # type: ignore[misc,valid-type]
            a: int

            def _replace(self) -> None: ...
