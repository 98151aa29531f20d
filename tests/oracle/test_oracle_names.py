"""Without -n: netread equals netstat when both resolve names through the same /etc.

Each snapshot gets an /etc (tests/names_etc.py) naming most of its addresses,
ports and uids; netstat and netread read it inside a mount namespace, so the
comparison does not depend on this machine's resolver and never touches DNS.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from conftest import PEER
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from names_etc import etc_for
from names_etc import snapshot_sockets
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_etc
from oracle import netstat_etc
from peers import DELIBERATE
from peers import SNAPSHOTS
from strategies import snapshot_with_owners

pytestmark = pytest.mark.oracle

FLAGS = [
    "-tuwxa",
    "-tuwxaep",
    "-tuwa --numeric-hosts",
    "-tuwa --numeric-ports",
    "-tuwae --numeric-users",
    "-tuwxaeo",
    "-tuwxapW",
    "-tuwxlW",
    "-tuwaU",
]


def compare_all(root: Path, etc: Path, **allowed: object) -> dict[str, str]:
    """Compare every flag set; return netread's stdout per flag set."""
    runs = netread_etc(root, [flags.split() for flags in FLAGS], etc)
    outputs = {}
    for flags, got in zip(FLAGS, runs):
        want = netstat_etc(root, flags.split(), etc)
        try:
            assert_same(want, got, **allowed)  # type: ignore[arg-type]
        except AssertionError as exc:
            raise AssertionError(f"netread {flags}: {exc}") from None
        outputs[flags] = got.stdout.decode("utf-8", "surrogateescape")
    return outputs


def test_sample_proc_with_names(tmp_path: Path) -> None:
    out = compare_all(
        SAMPLE_PROC,
        etc_for(SAMPLE_PROC, tmp_path),
        netread_only=lambda line: line.endswith(" " + SPACE_PATH),
        netstat_only=lambda line: line.endswith(" /tmp/netread-sample/with"),
    )
    text = out["-tuwxa"]
    assert "localhost:" in text and "[::]:*" in text and "0.0.0.0:*" in text
    assert ":icmp-again " in text  # raw port 1: the last /etc/protocols line wins
    assert "netread-sample" in text  # unix rows unchanged
    assert "localhost:" not in out["-tuwa --numeric-hosts"]


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_peer_snapshot_with_names(snapshot: str, tmp_path: Path) -> None:
    root = PEER / snapshot
    _, netread_only, netstat_only = DELIBERATE.get(snapshot, ("", None, None))
    compare_all(root, etc_for(root, tmp_path), netread_only=netread_only, netstat_only=netstat_only)


HOST_NAMES = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=140),
    st.text(st.characters(codec="utf-8", exclude_categories=("C", "Z")), min_size=1, max_size=30),
)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot_with_owners(), st.data())
def test_generated_snapshots_with_names(spec: tuple[dict[str, str], list[tuple[int, bytes, list[int]]]], data: st.DataObject) -> None:
    """Generated tables and process trees, with hosts named at random (long, non-ASCII, shared names)."""
    need_oracle()
    tables, procs = spec
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proc"
        FakeProc(root).owned_snapshot((tables, procs))
        etc = etc_for(root, Path(tmp) / "etc")
        addresses = sorted({str(a) for r in snapshot_sockets(root) for a in (r.local.address, r.remote.address)})
        named = data.draw(st.lists(st.sampled_from(addresses), unique=True) if addresses else st.just([]))
        lines = [f"{address} {data.draw(HOST_NAMES)}" for address in named]
        with open(etc / "hosts", "a", encoding="utf-8") as hosts:
            hosts.write("\n".join(lines) + "\n")
        # A non-ASCII name cut inside a character leaves a stray byte: netstat
        # writes it raw, netread escapes it (README "Differences from netstat").
        compare_all(root, etc, netstat_only=_has_stray_byte, netread_only=lambda line: re.search(r"\\x[89a-f][0-9a-f]", line) is not None)


def _has_stray_byte(line: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in line)
