"""The streamed writers of --format json and csv write the very bytes of the whole-document ones."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from netread.render import formats

RECORD = st.fixed_dictionaries(
    {
        "proto": st.sampled_from(["tcp", "udp6", "unix"]),
        "local_port": st.integers(0, 65535),
        "path": st.none() | st.text(max_size=8),
        "pids": st.none() | st.lists(st.integers(1, 10**6), max_size=3),
        "timer": st.fixed_dictionaries({"name": st.sampled_from(["off", "on"]), "seconds": st.floats(0, 100, allow_nan=False)}),
    }
)
PIECES = st.lists(st.lists(RECORD, max_size=4), max_size=4)
SOURCE = {"root": "/proc", "live": True, "byteorder": "little", "clk_tck": 100}


def whole_document(version: str, records: list[dict[str, object]], source: dict[str, object]) -> bytes:
    """The document json_chunks streams, made whole by json.dumps."""
    return json.dumps({"netread": version, "source": source, "sockets": records}, indent=2).encode("ascii") + b"\n"


@given(PIECES)
def test_json_written_a_piece_at_a_time_is_the_whole_document(pieces) -> None:  # type: ignore[no-untyped-def]
    streamed = b"".join(formats.json_chunks("1.2.3", pieces, SOURCE))
    assert streamed == whole_document("1.2.3", [r for piece in pieces for r in piece], SOURCE)


def test_json_of_no_sockets() -> None:
    assert b"".join(formats.json_chunks("1", [[], []], SOURCE)) == whole_document("1", [], SOURCE)
    assert b'"sockets": []\n}' in whole_document("1", [], SOURCE)


def test_csv_header_then_rows_is_the_whole_text() -> None:
    rows = [{"proto": "tcp", "local_port": 22, "pids": [1, 2]}, {"proto": "unix", "path": "/run/x,y"}]
    assert formats.csv_header() + formats.csv_rows(rows[:1]) + formats.csv_rows(rows[1:]) == formats.csv_rows(rows, header=True)
