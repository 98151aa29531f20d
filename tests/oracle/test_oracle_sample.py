"""netread equals real netstat on sample_proc/, a real capture made by scripts/make_sample_proc.py."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat

pytestmark = pytest.mark.oracle

FLAGS = ["-tuwxan", "-tuwan", "-tuwxln", "-tuwxanW", "-tn", "-xn", "-tuwan -4", "-tuwan -6", "-tuwaUn", "-Uan", "-xa", "-x", "-xl", "-wn", "-an",
         # the -e/-p/-o columns; names (no -n) are compared in test_oracle_names.py under a controlled /etc
         "-tuwxanp", "-tuwane", "-tuwano", "-tuwanpeo", "-tuwxanpeo", "-xap", "-tuwxlnpe", "-Uanpeo"]


@pytest.mark.parametrize("flags", FLAGS)
def test_sample_proc_equals_netstat(flags: str) -> None:
    want = netstat(SAMPLE_PROC, flags.split())
    got = netread_snapshot(SAMPLE_PROC, flags.split())
    # The one deliberate difference in this capture: a unix path with a space,
    # which netstat cuts at the space (README "Differences from netstat").
    assert_same(
        want,
        got,
        netread_only=lambda line: line.endswith(" " + SPACE_PATH),
        netstat_only=lambda line: line.endswith(" /tmp/netread-sample/with"),
    )


def test_sample_proc_has_every_kind_of_row() -> None:
    out = netread_snapshot(SAMPLE_PROC, ["-tuwxanU"]).stdout.decode()
    for proto in ("tcp ", "tcp6 ", "udp ", "udp6 ", "udpl ", "udpl6 ", "raw ", "raw6 ", "unix "):
        assert f"\n{proto}" in out, proto
    for state in (
        "LISTEN",
        "ESTABLISHED",
        "SYN_SENT",
        "SYN_RECV",
        "FIN_WAIT1",
        "FIN_WAIT2",
        "TIME_WAIT",
        "CLOSE_WAIT",
        "LAST_ACK",
        "CLOSING",
        "LISTENING",
        "CONNECTING",
        "CONNECTED",
        SPACE_PATH,
        "@netread-abstract",
        "@netread@embedded-nul",
    ):
        assert state in out, state
