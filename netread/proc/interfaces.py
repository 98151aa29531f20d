"""What ``netstat -i`` needs that /proc does not hold: the kernel's answers about each interface.

Live, they are asked as netstat asks them (net-tools lib/interface.c
``if_fetch``, ``if_readconf``): ioctls on an AF_INET socket, which answer
from this process's network namespace, so ``unshare -n`` and ``ip netns exec``
see their own interfaces (a /sys mounted for another namespace would not).
From a snapshot, they are read from ``kernel/ifreq`` (written by ``netread
capture``), or else from copies of /sys/class/net under ``sysfs/class/net``
(netread/parse/ifreq.py says what each form holds).
"""

from __future__ import annotations

import array
import errno
import fcntl
import os
import socket
import struct

from netread.errors import ParseError
from netread.errors import SourceError
from netread.parse.dev import Inet6Address
from netread.parse.dev import Interface
from netread.parse.dev import decode_if_inet6
from netread.parse.dev import decode_net_dev
from netread.parse.dev import interface_order
from netread.parse.ifreq import SYSFS_FILES
from netread.parse.ifreq import Address
from netread.parse.ifreq import IfReq
from netread.parse.ifreq import Inet4
from netread.parse.ifreq import decode_ifreq
from netread.parse.ifreq import from_sysfs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import NamedTuple

    from netread.parse.dev import DevCounters
    from netread.proc.source import ProcSource
else:
    from netread._namedtuple import NamedTuple

# include/uapi/linux/sockios.h
SIOCGIFCONF = 0x8912
SIOCGIFFLAGS = 0x8913
SIOCGIFADDR = 0x8915
SIOCGIFDSTADDR = 0x8917
SIOCGIFBRDADDR = 0x8919
SIOCGIFNETMASK = 0x891B
SIOCGIFMTU = 0x8921
SIOCGIFHWADDR = 0x8927
SIOCGIFMAP = 0x8970
SIOCGIFTXQLEN = 0x8942
#: struct ifreq: IFNAMSIZ bytes of name, then a 24-byte union (x86_64; the largest member is ifmap).
IFNAMSIZ = 16
IFREQ_SIZE = IFNAMSIZ + struct.calcsize("@LLHBBB") + (-struct.calcsize("@LLHBBB") % struct.calcsize("@L"))
#: Where a snapshot keeps the ioctl answers, and its copies of /sys/class/net.
IFREQ_FILE = "kernel/ifreq"
SYSFS_DIR = "sysfs/class/net"
#: The largest file read here (net/dev of a host with 100,000 interfaces is about 20 MB).
MAX_READ = 1 << 28


class Kernel:
    """The kernel's answers, by interface name: ``listed`` (SIOCGIFCONF's names, in its order)
    and :meth:`fetch`; ``problems`` are malformed lines of a snapshot's files, ``note`` a sentence
    on what a snapshot lacks."""

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.problems: list[ParseError] = []
        self.note: str | None = None

    def fetch(self, name: str) -> IfReq | int:
        """The answers for ``name``, or the errno of a failed SIOCGIFFLAGS (netstat stops there)."""
        raise NotImplementedError

    def close(self) -> None:
        """Let go of the socket (live)."""


def _name(name: str) -> bytes:
    """safe_strncpy(ifr_name, name, IFNAMSIZ): at most 15 bytes and a NUL."""
    return name.encode("utf-8", "surrogateescape").split(b"\0", 1)[0][: IFNAMSIZ - 1]


class LiveKernel(Kernel):
    """This network namespace's interfaces, asked by ioctl."""

    def __init__(self) -> None:
        super().__init__()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.listed = self._conf()

    def close(self) -> None:
        self.sock.close()

    def _ask(self, request: int, name: str, payload: bytes = b"") -> bytes | None:
        buffer = bytearray(IFREQ_SIZE)
        raw = _name(name)
        buffer[: len(raw)] = raw
        buffer[IFNAMSIZ : IFNAMSIZ + len(payload)] = payload
        try:
            fcntl.ioctl(self.sock.fileno(), request, buffer)
        except OSError:
            return None
        return bytes(buffer[IFNAMSIZ:])

    def _conf(self) -> list[str]:
        """SIOCGIFCONF: every IPv4 address label, grown until the answer is not full (as netstat)."""
        count = 30
        while True:
            size = IFREQ_SIZE * count
            buffer = array.array("B", bytes(size))
            address, _ = buffer.buffer_info()
            ifconf = bytearray(struct.pack("@iP", size, address))
            fcntl.ioctl(self.sock.fileno(), SIOCGIFCONF, ifconf)
            used = struct.unpack_from("@i", ifconf)[0]
            if used == size:
                count += 10
                continue
            data = buffer.tobytes()
            return [
                data[at : at + IFNAMSIZ].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
                for at in range(0, used, IFREQ_SIZE)
            ]

    def fetch(self, name: str) -> IfReq | int:
        buffer = bytearray(IFREQ_SIZE)
        raw = _name(name)
        buffer[: len(raw)] = raw
        try:
            fcntl.ioctl(self.sock.fileno(), SIOCGIFFLAGS, buffer)
        except OSError as exc:
            return exc.errno or errno.ENODEV
        flags = struct.unpack_from("@H", buffer, IFNAMSIZ)[0]
        hw = self._ask(SIOCGIFHWADDR, name)
        # a failed SIOCGIFHWADDR leaves ifr_flags where sa_family is read (netstat reads it anyway)
        hw_type = flags if hw is None else struct.unpack_from("@H", hw)[0]
        hw_address = bytes(8) if hw is None else hw[2:10]
        mtu = self._ask(SIOCGIFMTU, name)
        ifmap = self._ask(SIOCGIFMAP, name)
        mem_start, mem_end, base_addr, irq, dma, port = (0, 0, 0, 0, 0, 0) if ifmap is None else struct.unpack_from("@LLHBBB", ifmap)
        qlen = self._ask(SIOCGIFTXQLEN, name)
        return IfReq(
            name,
            flags,
            mtu=0 if mtu is None else struct.unpack_from("@i", mtu)[0],
            tx_queue_len=None if qlen is None else struct.unpack_from("@i", qlen)[0],
            hw_type=hw_type,
            hw_address=hw_address,
            irq=irq,
            base_addr=base_addr,
            mem_start=mem_start,
            mem_end=mem_end,
            dma=dma,
            port=port,
            listed=name in self.listed,
            inet=self._inet(name),
        )

    def _inet(self, name: str) -> Inet4 | None:
        family = struct.pack("@H", socket.AF_INET)
        address = self._ask(SIOCGIFADDR, name, family)
        if address is None:
            return None

        def ipv4(request: int) -> Address | None:
            answer = self._ask(request, name, family)
            if answer is None or struct.unpack_from("@H", answer)[0] == 0:
                return None  # netstat's memset: family 0, printed "[NONE SET]"
            return Address(answer[4:8])

        return Inet4(Address(address[4:8]), ipv4(SIOCGIFNETMASK), ipv4(SIOCGIFBRDADDR), ipv4(SIOCGIFDSTADDR))


class SnapshotKernel(Kernel):
    """A snapshot's record of the kernel's answers: kernel/ifreq, else sysfs/class/net copies."""

    def __init__(self, source: ProcSource) -> None:
        super().__init__()
        self.source = source
        self.answers: dict[str, IfReq] | None = None
        text = read_file(source, IFREQ_FILE)
        if text is not None:
            self.answers, self.problems = decode_ifreq(text, _shown(source, IFREQ_FILE))
            self.listed = [name for name, answer in self.answers.items() if answer.listed]
        elif not _exists(source, SYSFS_DIR):
            self.note = (
                f"{_shown(source, '')}: no {IFREQ_FILE} nor {SYSFS_DIR}/ (what the kernel answered about each"
                " interface): `netread capture` saves them"
            )
        self._sysfs: dict[str, IfReq | None] = {}

    def fetch(self, name: str) -> IfReq | int:
        if self.answers is not None:
            answer = self.answers.get(name)
            return errno.ENODEV if answer is None else answer
        base = name.split(":", 1)[0]  # the kernel strips an alias's ":N" in these ioctls
        if base not in self._sysfs:
            self._sysfs[base] = self._from_sysfs(base)
        answer = self._sysfs[base]
        if answer is None:
            return errno.ENODEV
        return IfReq(name, answer.flags, answer.mtu, answer.tx_queue_len, answer.hw_type, answer.hw_address)

    def _from_sysfs(self, name: str) -> IfReq | None:
        if not name or name in (".", ".."):
            return None
        where = f"{SYSFS_DIR}/{name}"
        files = {file: read_file(self.source, f"{where}/{file}") for file in SYSFS_FILES}
        answer, problems = from_sysfs(name, files, _shown(self.source, where))
        self.problems += problems
        return answer


def _shown(source: ProcSource, relative: str) -> str:
    return os.path.join(source.top or source.root, relative) if relative else (source.top or source.root)


def _exists(source: ProcSource, relative: str) -> bool:
    """A directory under the root (looked at, not followed: the files are read through ``open``)."""
    path = os.path.join(source.root, relative)
    return os.path.isdir(path) and not os.path.islink(path)


def read_file(source: ProcSource, relative: str) -> str | None:
    """A whole file under the source's root (UTF-8, surrogateescape), or None if it is absent;
    another error (permission, a symlink out of a snapshot) is a :class:`SourceError`."""
    try:
        with source.open(relative) as handle:
            data = handle.read(MAX_READ)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise SourceError(f"{_shown(source, relative)}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
    return (data or b"").decode("utf-8", "surrogateescape")


def kernel_for(source: ProcSource) -> Kernel:
    """The live kernel's answers for the live /proc, a snapshot's record of them otherwise."""
    if source.confined:
        return SnapshotKernel(source)
    try:
        return LiveKernel()
    except OSError as exc:
        raise SourceError(f"socket: {exc.strerror or exc}") from exc


def live_answers(names: list[str]) -> tuple[list[IfReq], list[str]]:
    """For ``netread capture``: the answers for ``names`` and every SIOCGIFCONF label, and the
    names (of those) the kernel knew (ioctl SIOCGIFFLAGS succeeded) in the order asked."""
    kernel = LiveKernel()
    try:
        wanted = list(dict.fromkeys([*names, *kernel.listed]))
        answers = [a for a in (kernel.fetch(name) for name in wanted) if isinstance(a, IfReq)]
    finally:
        kernel.close()
    return answers, [a.name for a in answers]


class Failed(NamedTuple):
    """netstat's stop: SIOCGIFFLAGS failed for ``name`` with ``errno``; nothing after it is shown."""

    name: str
    errno: int


class Table:
    """``netstat -i``'s inputs, opened: :meth:`rows` asks the kernel one name at a time, in
    netstat's order, as netstat does (an interface that goes away meanwhile ends the table there)."""

    def __init__(self, source: ProcSource) -> None:
        self.source = source
        #: netstat's "cannot open /proc/net/dev" warning, when it is absent.
        self.warnings: list[str] = []
        self.kernel = kernel_for(source)
        self.problems: list[ParseError] = list(self.kernel.problems)
        dev_text = read_file(source, "net/dev")
        self.counters: dict[str, DevCounters] = {}
        if dev_text is None:
            self.warnings.append(f"cannot open {source.net_path('dev')} ({os.strerror(errno.ENOENT)}). Limited output.")
        else:
            dev = decode_net_dev(dev_text, source.net_path("dev"))
            self.counters = dev.counters
            self.problems += dev.problems
        self.inet6: list[Inet6Address] = []
        inet6_text = read_file(source, "net/if_inet6")
        if inet6_text is not None:
            self.inet6, bad = decode_if_inet6(inet6_text, source.net_path("if_inet6"))
            self.problems += bad
        self.names = interface_order(self.counters, self.kernel.listed)
        self._by_device: dict[str, list[Inet6Address]] = {}
        for row in self.inet6:
            self._by_device.setdefault(row.device, []).append(row)

    def rows(self) -> Iterator[Interface | Failed]:
        """Each interface of the list, or the :class:`Failed` that ends it."""
        try:
            for name in self.names:
                answer = self.kernel.fetch(name)
                if isinstance(answer, int):
                    yield Failed(name, answer)
                    return
                yield Interface(answer, self.counters.get(name), self._by_device.get(name, []))
        finally:
            self.kernel.close()
        self.problems += [p for p in self.kernel.problems if p not in self.problems]
