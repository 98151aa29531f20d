"""A private network namespace for the ``-i`` tests: interfaces made with ip(8), removed with it.

netstat -i asks the kernel by ioctl, and the kernel answers from the caller's
network namespace, not from /proc (reference/netstat-other-modes.md 5.8), so
the oracle for ``-i`` runs netstat inside a namespace whose interfaces the
test made.  The namespace is held by one ``unshare -n sleep`` process; every
command enters it with ``nsenter`` and, in a private mount namespace, mounts
a sysfs of its own (so /sys/class/net is the namespace's).  Killing the holder
removes the namespace and every interface in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from oracle import ORACLE_SCRIPT
from oracle import Run

ROOT = Path(__file__).resolve().parent.parent

#: The interfaces the tests make: a bridge with a veth port, the veth's peer (MTU, queue length
#: and addresses of its own), a tun (no carrier: no RUNNING, point-to-point), an ifb (NOARP), a
#: macvlan in promiscuous mode, a dummy where the kernel has the module, an IPv4 alias label.
SETUP = """
set -e
for knob in router_solicitations dad_transmits accept_ra; do sysctl -qw net.ipv6.conf.default.$knob=0; done
ip link set lo up
ip link add br0 type bridge
ip link add v0 type veth peer name v1
ip link set v0 master br0
ip link set v1 mtu 1400 txqueuelen 77
ip link add ifb3 type ifb
ip link set ifb3 up
ip link add link v1 name mv0 type macvlan
ip link set mv0 promisc on
ip tuntap add tun0 mode tun
ip link add d0 type dummy 2>/dev/null && ip link set d0 up && ip addr add 10.7.0.1/8 dev d0 && ip -6 addr add fd07::1/48 dev d0 nodad || true
ip addr add 10.1.0.1/24 dev br0
ip addr add 10.1.0.9/24 dev br0 label br0:1
ip addr add 10.2.0.1/16 broadcast 10.2.255.255 dev v1
ip -6 addr add fd00:1::1/64 dev v1 nodad
ip -6 addr add fd00:2::2/128 dev v1 nodad
ip addr add 10.9.0.1 peer 10.9.0.2 dev tun0
ip -6 addr add fd00:9::1/64 dev tun0 nodad
ip link set v0 up
ip link set v1 up
ip link set br0 up
ip link set mv0 up
ip link set tun0 up
"""


def need_netns() -> None:
    """Skip only where namespaces are refused here (not root, no unshare/nsenter/ip)."""
    for tool in ("unshare", "nsenter", "ip", "netstat"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n -m refused: {probe.stderr.decode(errors='replace').strip()}")


class Netns:
    """A network namespace that lives until :meth:`close` (or the end of the ``with``)."""

    def __init__(self, setup: str = SETUP) -> None:
        need_netns()
        self.holder = subprocess.Popen(["unshare", "-n", "--", "sleep", "900"])
        try:
            mine = os.readlink("/proc/self/ns/net")
            for _ in range(200):
                try:
                    if os.readlink(f"/proc/{self.holder.pid}/ns/net") != mine:
                        break
                except OSError:
                    pass
                time.sleep(0.01)
            else:
                raise AssertionError("unshare -n did not make a namespace")
            made = self.sh(setup)
            assert made.returncode == 0, made.stderr
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Netns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait(timeout=30)

    def run(self, command: Sequence[str], timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
        """``command`` inside the namespace, in a private mount namespace with its own sysfs."""
        script = 'mount -t sysfs sysfs /sys && exec "$@"'
        return subprocess.run(
            ["nsenter", "-t", str(self.holder.pid), "-n", "--", "unshare", "-m", "--", "sh", "-c", script, "sh", *command],
            capture_output=True,
            env={**os.environ, "LC_ALL": "C", "PYTHONPATH": str(ROOT)},
            timeout=timeout,
        )

    def settle(self, most: float = 15.0) -> None:
        """Wait (at most ``most`` seconds) until net/dev's counters stop moving for half a second:
        the first seconds of a link bring IPv6 neighbour and MLD packets."""
        end = time.monotonic() + most
        last = b""
        while time.monotonic() < end:
            now = self.run(["cat", "/proc/net/dev"]).stdout
            if now == last:
                return
            last = now
            time.sleep(0.5)

    def sh(self, script: str) -> subprocess.CompletedProcess[bytes]:
        return self.run(["sh", "-c", script])

    def netstat(self, args: Sequence[str], snapshot: Path | None = None) -> Run:
        """netstat in the namespace, reading the live /proc, or ``snapshot`` bound over /proc."""
        if snapshot is None:
            proc = self.run(["netstat", *args])
        else:
            proc = self.run(["sh", "-c", ORACLE_SCRIPT, str(snapshot.resolve()), *args])
        return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))

    def netread(self, args: Sequence[str]) -> Run:
        proc = self.run([sys.executable, "-m", "netread", *args])
        return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))

    def capture(self, where: Path) -> None:
        proc = self.run([sys.executable, "-m", "netread", "capture", str(where)])
        assert proc.returncode == 0, proc.stderr
