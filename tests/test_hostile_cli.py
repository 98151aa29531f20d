"""Hostile command lines, snapshots and outputs (issue 14, classes 1 and 8): one clear message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from oracle import netread

HUGE = "1" * 5000  # past int()'s 4300-digit limit


def _cli(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """netread in a child process, as a user runs it."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "netread", *args], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, **kwargs
    )


# -- numeric options -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--user", HUGE, "--user wants a user name or a uid 0-4294967294, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--user", "4294967296", "--user wants a user name or a uid 0-4294967294, not '4294967296'"),
        ("--user", "", "--user wants a user name or a uid, not an empty name"),
        ("--pid", HUGE, "--pid wants a process id 1-2147483647, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--pid", "99999999999999999999999", "--pid wants a process id 1-2147483647, not '99999999999999999999999'"),
        ("--pid", "\u0663", "--pid wants a process id 1-2147483647, not '\u0663'"),
        ("--pid", "0", "--pid wants a process id 1-2147483647, not '0'"),
        ("--port", HUGE, "--port wants a port number 0-65535 or a service name, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--sport", "65536", "--sport wants a port number 0-65535 or a service name, not '65536'"),
        ("--dport", "0" * 5000 + "1" * 5000, "--dport wants a port number 0-65535 or a service name, not '" + "0" * 40 + "...' (10000 characters)"),
    ],
    ids=["user-huge", "user-33-bits", "user-empty", "pid-huge", "pid-64-bits", "pid-arabic-digit", "pid-0", "port-huge", "sport-65536", "dport-zeros"],
)
def test_a_numeric_option_out_of_range_is_one_usage_error(option: str, value: str, message: str) -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-tane", option, value])
    assert (got.status, got.stdout, got.stderr) == (2, b"", f"netread: {message}\n")


@pytest.mark.parametrize(("option", "value"), [("--user", "0000000000000000000000000"), ("--pid", "000000000000000000000000001"), ("--port", "00000000000000000000022")])
def test_leading_zeros_are_still_the_number(option: str, value: str) -> None:
    short = str(int(value))
    assert netread(["--proc", str(SAMPLE_PROC), "-tane", option, value]) == netread(["--proc", str(SAMPLE_PROC), "-tane", option, short])


def test_the_largest_uid_is_a_uid_not_an_error() -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-tane", "--user", "4294967294"])
    assert got.status == 0 and got.stderr == ""
    assert got.stdout.decode().splitlines()[2:] == []  # nobody there: the headers only
