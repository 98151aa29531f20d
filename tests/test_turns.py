"""The plain numeric listing of a big table on two CPUs (cli/listing.Turns over proc/workers.Worker):
the same bytes, warnings and status as on one, in the table's order, whatever the child does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fakeproc import FakeProc
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat

from netread.proc import workers
from netread.proc.workers import Worker

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
ROW = "%4d: %08X:%04X %08X:%04X %02X %08X:%08X 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1"


def _rows(count: int, first: int = 0) -> str:
    """``count`` tcp rows, every address different, some listening, queues set on some."""
    out = []
    for i in range(first, first + count):
        listen = i % 7 == 0
        remote, rport, state = (0, 0, 0x0A) if listen else (0x0200000A + (i << 8), 1024 + i % 60000, 1 + i % 11)
        out.append((ROW % (i, 0x0100007F + (i << 8), 80 + i % 5000, remote, rport, state, i % 3, i % 5, 10_000 + i)).ljust(149) + "\n")
    return "".join(out)


def _big(tmp_path: Path, bad: dict[int, str] | None = None) -> Path:
    """A tcp table of ~8 pieces of 128 KiB, with the rows of ``bad`` replaced (row number -> line)."""
    lines = _rows(7000).splitlines(keepends=True)
    for number, line in (bad or {}).items():
        lines[number] = line
    FakeProc(tmp_path).table("tcp", HEADER + "".join(lines)).table("tcp6", HEADER)
    return tmp_path


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Worker]:
    """Every worker a listing starts (so that a test can see the second CPU was used)."""
    seen: list[Worker] = []
    start = Worker.start.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Worker], work: object, busy: int = 1) -> Worker | None:
        worker = start(cls, work, busy)
        if worker is not None:
            seen.append(worker)
        return worker  # type: ignore[no-any-return]

    monkeypatch.setattr(Worker, "start", classmethod(spy))
    return seen


def _one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Worker, "start", classmethod(lambda cls, work, busy=1: None))


@pytest.mark.oracle
@pytest.mark.skipif(workers.cpus() < 2, reason="one CPU: the listing never starts a second")
@pytest.mark.parametrize("flags", ["-tan", "-tn", "-tln", "-tanW"])
def test_a_big_table_on_two_cpus_equals_netstat(tmp_path: Path, started: list[Worker], flags: str) -> None:
    root = _big(tmp_path)
    got = netread_snapshot(root, [flags])
    assert len(started) == 1 and not started[0].alive  # used, then ended and reaped
    assert_same(netstat(root, [flags]), got)


@pytest.mark.skipif(workers.cpus() < 2, reason="one CPU: the listing never starts a second")
def test_malformed_and_irregular_lines_in_pieces_made_either_side(tmp_path: Path, started: list[Worker], monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines the fast path refuses, in pieces the child makes and pieces made here: the warnings
    (file, line, field), rows and status are the one-CPU listing's."""
    bad = {
        900: "garbage\n",  # the 2nd piece (the child's)
        1800: " 1800: 0100007F:0050 ZZZZZZZZ:0000 01 00000000:00000000 00:00000000 00000000  1000        0 5 1\n",  # the 3rd (here)
        2700: " 2700: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5 1\n",  # short: the 4th
        6999: "   x: \x1b]0;title\x07\n",  # the last line
    }
    root = _big(tmp_path, bad)
    two = netread_snapshot(root, ["-tan"])
    assert len(started) == 1
    _one_cpu(monkeypatch)
    one = netread_snapshot(root, ["-tan"])
    assert (two.status, two.stdout, two.stderr) == (one.status, one.stdout, one.stderr)
    assert "/net/tcp:902:" in one.stderr and "/net/tcp:1802:" in one.stderr  # said, with the line


@pytest.mark.skipif(workers.cpus() < 2, reason="one CPU: the listing never starts a second")
def test_a_child_that_dies_mid_listing_costs_nothing_but_time(tmp_path: Path, started: list[Worker], monkeypatch: pytest.MonkeyPatch) -> None:
    root = _big(tmp_path)
    result = Worker.result

    def killed(self: Worker) -> bytes | None:
        os.kill(self._child, 9)  # type: ignore[attr-defined]
        return result(self)

    monkeypatch.setattr(Worker, "result", killed)
    two = netread_snapshot(root, ["-tan"])
    _one_cpu(monkeypatch)
    assert two == netread_snapshot(root, ["-tan"]) and len(started) == 1


def test_a_worker_answers_in_order_refuses_and_is_reaped() -> None:
    worker = Worker(lambda tag, data: None if data == b"no" else bytes([tag]) + data.upper())
    got = []
    for tag, data in [(1, b"abc"), (2, b"no"), (3, b""), (4, b"x" * (3 << 20))]:  # one bigger than both pipes
        assert worker.submit(tag, data)
        assert not worker.submit(9, b"second")  # one job at a time
        got.append(worker.result())
    assert got == [b"\x01ABC", None, b"\x03", b"\x04" + b"X" * (3 << 20)]
    child = worker._child  # type: ignore[attr-defined]
    worker.close()
    worker.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)
    assert not worker.submit(1, b"after") and worker.result() is None


def test_a_worker_needs_a_cpu_of_its_own() -> None:
    assert Worker.start(lambda tag, data: data, busy=workers.cpus()) is None
    worker = Worker.start(lambda tag, data: data, busy=workers.cpus() - 1)
    assert (worker is not None) == (workers.cpus() > 1)
    if worker is not None:
        worker.close()


def test_a_worker_whose_function_raises_is_gone_and_says_none() -> None:
    worker = Worker(lambda tag, data: 1 // 0)  # type: ignore[arg-type, return-value]
    assert worker.submit(0, b"x") and worker.result() is None
    assert not worker.alive and not worker.submit(0, b"y")
