"""Container labels from ``/proc/<pid>/cgroup``: runtime, container id, pod UID, QoS class.

Each line is ``hierarchy-ID:controller-list:path`` (kernel/cgroup/cgroup.c
``proc_cgroup_show``): v1 lines name their controllers (``4:memory:/docker/<id>``,
``1:name=systemd:/...``), the v2 line is ``0::/path``, and hybrid hosts have both.
The path may itself hold ``:`` (``...slice:cri-containerd:<id>``), so a line is cut at
its first two colons only.  Paths are relative to the *reader's* cgroup namespace: a
reader inside a container sees a sibling as ``0::/../docker-<id>.scope``; such labels
carry ``relative=True``.

Which line: the v2 line first, then ``name=systemd``, then the others in file order;
the first that names a container wins (on CentOS 7 with Docker 1.7 ``name=systemd``
still said ``/system.slice/docker.service`` while the controllers held the container).
Within a path the innermost component that names a container wins, so docker-in-docker
and kind give the inner container, not the node.  The components that name one:

- ``<prefix>-<64 hex>[.scope]``, prefix ``docker``, ``cri-containerd``, ``nerdctl`` (containerd's
  CLI), ``crio``, ``libpod`` or ``libpod-payload``: the systemd driver (and cgroupfs CRI-O and podman);
  ``libpod-conmon-`` and ``crio-conmon-`` are monitors, not containers;
- a bare ``<64 hex>`` under ``docker`` (Docker's cgroupfs driver), under a Kubernetes
  ``pod<uid>`` (the kubelet's cgroupfs driver: docker or containerd, not named), or at
  the top (runc's default ``/<id>``, old Docker on Debian);
- ``<slice>:cri-containerd:<64 hex>`` (containerd on v1 with the shim under containerd.service);
- ``lxc.payload.<name>``, ``lxc.payload/<name>``, ``lxc/<name>`` (LXC, LXD, Incus;
  ``lxc.monitor.<name>`` is the monitor), ``libvirt/lxc/<name>`` and ``<name>.libvirt-lxc``;
- ``systemd-nspawn@<name>.service`` (not its ``supervisor`` child), ``machine-<name>.scope``
  (a machine systemd-machined registered; ``machine-qemu\\x2d...`` is a VM's emulator, a
  host process, and ``machine-lxc\\x2d...`` libvirt-lxc).

The pod UID is the nearest enclosing ``kubepods[-qos]-pod<uid>.slice`` (``_`` read as ``-``)
or ``pod<uid>`` under ``kubepods[/qos]``; the QoS class is the level between, none meaning
Guaranteed.  Nothing else is guessed: a path without such a component gives no label.
Sources: reference/namespaces-and-containers.md section 5 (neuvector share/system/cgroup_test.go,
falcosecurity/libs container_engine/*, elastic/apm specs/agents/metadata.md).
"""

from __future__ import annotations

import re

from netread.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import Enum
    from typing import NamedTuple
else:
    from netread._enum import Enum
    from netread._namedtuple import NamedTuple


class Runtime(str, Enum):
    """What made the container, as far as its cgroup path says."""

    DOCKER = "docker"
    CONTAINERD = "containerd"
    CRIO = "cri-o"
    PODMAN = "podman"
    #: a Kubernetes container under the kubelet's cgroupfs driver: the path does not name the runtime.
    CRI = "cri"
    #: a bare ``/<64 hex>``: runc's default cgroup, which does not name the engine.
    OCI = "oci"
    LXC = "lxc"
    LIBVIRT_LXC = "libvirt-lxc"
    NSPAWN = "systemd-nspawn"
    #: ``machine-<name>.scope``: registered with systemd-machined (systemd-nspawn run by hand, ...).
    MACHINE = "machine"


class QosClass(str, Enum):
    """A Kubernetes pod's QoS class (pkg/kubelet/cm/qos_container_manager_linux.go levels)."""

    GUARANTEED = "guaranteed"
    BURSTABLE = "burstable"
    BESTEFFORT = "besteffort"


class CgroupLine(NamedTuple):
    """One line of a cgroup file, cut at its first two colons."""

    lineno: int
    hierarchy: int
    #: ``()`` for the v2 line; ``("name=systemd",)`` for systemd's named v1 hierarchy.
    controllers: tuple[str, ...]
    path: str


class ContainerLabel(NamedTuple):
    """The container a process is in, from one line of its cgroup file."""

    runtime: Runtime
    #: the 64-hex container id, or the name (LXC, nspawn, machined machines).
    id: str
    pod_uid: str | None
    qos: QosClass | None
    #: the cgroup path the label came from, as the file has it.
    path: str
    #: the path starts with ``/..``: it is relative to the reader's cgroup namespace.
    relative: bool
    lineno: int


_HEX64 = r"[0-9a-f]{64}"
_SCOPE = re.compile(rf"(docker|cri-containerd|nerdctl|crio|libpod|libpod-payload)-({_HEX64})(?:\.scope)?")
_BARE = re.compile(_HEX64)
_SHIM = re.compile(rf"(.*):cri-containerd:({_HEX64})")
#: the kubelet's systemd driver: kubepods[-qos]-pod<uid>.slice, '-' in the uid escaped as '_';
#: kind's nested kubelet prefixes ``kubelet-``.
_POD_SLICE = re.compile(r"(?:[a-z0-9.]+-)*kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]{1,64})\.slice")
_POD_DIR = re.compile(r"pod([0-9a-f-]{1,64})")
_NSPAWN = re.compile(r"systemd-nspawn@(.+)\.service")
_MACHINE = re.compile(r"machine-(.+)\.scope")
_SYSTEMD_ESCAPE = re.compile(r"\\x([0-9a-f]{2})")
_RUNTIMES = {
    "docker": Runtime.DOCKER,
    "cri-containerd": Runtime.CONTAINERD,
    "nerdctl": Runtime.CONTAINERD,
    "crio": Runtime.CRIO,
    "libpod": Runtime.PODMAN,
    "libpod-payload": Runtime.PODMAN,
}
_QOS = {None: QosClass.GUARANTEED, "burstable": QosClass.BURSTABLE, "besteffort": QosClass.BESTEFFORT}


def systemd_unescape(name: str) -> str:
    r"""A unit name with systemd's ``\xNN`` escapes decoded (systemd-escape(1)).

    >>> systemd_unescape("lxc\\x2d1234\\x2dweb")
    'lxc-1234-web'
    """
    return _SYSTEMD_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name) if "\\x" in name else name


def decode_cgroup(text: str, path: str = "cgroup", problems: list[ParseError] | None = None) -> list[CgroupLine]:
    """The lines of a cgroup file; a malformed one is left out and reported in ``problems``.

    >>> decode_cgroup("12:pids:/docker/x\\n1:name=systemd:/a:b\\n0::/\\n")
    [CgroupLine(lineno=1, hierarchy=12, controllers=('pids',), path='/docker/x'), CgroupLine(lineno=2, hierarchy=1, controllers=('name=systemd',), path='/a:b'), CgroupLine(lineno=3, hierarchy=0, controllers=(), path='/')]
    """
    lines: list[CgroupLine] = []
    for index, line in enumerate(text.split("\n")):
        if not line:
            continue
        hierarchy, colon, rest = line.partition(":")
        controllers, colon2, cgroup_path = rest.partition(":")
        field, reason = "", ""
        if not (colon and colon2):
            field, reason = "line", "not hierarchy-ID:controller-list:path"
        elif not (0 < len(hierarchy) <= 10 and hierarchy.isascii() and hierarchy.isdigit()):
            field, reason = "hierarchy-ID", "not a decimal number"
        elif not cgroup_path.startswith("/"):
            field, reason = "path", "not an absolute path"
        if field:
            if problems is not None:
                problems.append(ParseError(path, index + 1, field, reason, line))
            continue
        names = tuple(controllers.split(",")) if controllers else ()
        lines.append(CgroupLine(index + 1, int(hierarchy), names, cgroup_path))
    return lines


def _pod_at(parts: list[str], i: int) -> tuple[str, QosClass] | None:
    """The pod UID and QoS class ``parts[i]`` names (the part before a ``:`` for the shim form)."""
    part = parts[i].partition(":")[0]
    found = _POD_SLICE.fullmatch(part)
    if found is not None:
        return found.group(2).replace("_", "-"), _QOS[found.group(1)]
    found = _POD_DIR.fullmatch(part)
    if found is not None:
        if i >= 1 and parts[i - 1] == "kubepods":
            return found.group(1), QosClass.GUARANTEED
        if i >= 2 and parts[i - 2] == "kubepods" and parts[i - 1] in ("burstable", "besteffort"):
            return found.group(1), _QOS[parts[i - 1]]
    return None


def _pod(parts: list[str], before: int) -> tuple[str, QosClass] | None:
    """The pod of the nearest pod component at or above ``parts[before]``."""
    for i in range(before, -1, -1):
        pod = _pod_at(parts, i)
        if pod is not None:
            return pod
    return None


def _container(parts: list[str], i: int) -> tuple[Runtime, str, int] | None:
    """The container ``parts[i]`` names: runtime, id and the index its pod lies above; else None."""
    part = parts[i]
    parent = parts[i - 1] if i >= 1 else None
    found = _SCOPE.fullmatch(part)
    if found is not None:
        return _RUNTIMES[found.group(1)], found.group(2), i - 1
    if _BARE.fullmatch(part) is not None:
        if parent == "docker":
            return Runtime.DOCKER, part, i - 1
        if i >= 1 and _pod_at(parts, i - 1) is not None:
            return Runtime.CRI, part, i - 1
        if parent is None or parent == "..":
            return Runtime.OCI, part, -1
        return None
    found = _SHIM.fullmatch(part)
    if found is not None:
        return Runtime.CONTAINERD, found.group(2), i
    if part.startswith("lxc.payload.") and len(part) > len("lxc.payload."):
        return Runtime.LXC, part[len("lxc.payload.") :], -1
    if i >= 2 and parts[i - 2] == "libvirt" and parent == "lxc":
        return Runtime.LIBVIRT_LXC, part, -1
    if parent in ("lxc", "lxc.payload"):
        return Runtime.LXC, part, -1
    if part.endswith(".libvirt-lxc") and len(part) > len(".libvirt-lxc"):
        return Runtime.LIBVIRT_LXC, part[: -len(".libvirt-lxc")], -1
    found = _NSPAWN.fullmatch(part)
    if found is not None:
        return Runtime.NSPAWN, systemd_unescape(found.group(1)), -1
    found = _MACHINE.fullmatch(part)
    if found is not None:
        machine = systemd_unescape(found.group(1))
        if machine.startswith("qemu-"):
            return None
        return (Runtime.LIBVIRT_LXC if machine.startswith("lxc-") else Runtime.MACHINE), machine, -1
    return None


def label_of_path(cgroup_path: str, lineno: int = 0) -> ContainerLabel | None:
    """The container one cgroup path names (its innermost), else None.

    >>> label_of_path("/system.slice/docker-" + "ab" * 32 + ".scope").runtime
    <Runtime.DOCKER: 'docker'>
    >>> label_of_path("/system.slice/docker.service"), label_of_path("/init.scope"), label_of_path("/")
    (None, None, None)
    """
    parts = [p for p in cgroup_path.split("/") if p]
    for i in range(len(parts) - 1, -1, -1):
        # a monitor is not its container: nspawn's supervisor beside its payload
        if parts[i] == "supervisor" and i >= 1 and _NSPAWN.fullmatch(parts[i - 1]):
            break
        found = _container(parts, i)
        if found is None:
            continue
        runtime, container_id, above = found
        pod = _pod(parts, above) if above >= 0 else None
        return ContainerLabel(
            runtime,
            container_id,
            None if pod is None else pod[0],
            None if pod is None else pod[1],
            cgroup_path,
            cgroup_path.startswith("/.."),
            lineno,
        )
    return None


def _order(line: CgroupLine) -> int:
    if line.hierarchy == 0 and not line.controllers:
        return 0
    return 1 if "name=systemd" in line.controllers else 2


def container_label(text: str, path: str = "cgroup", problems: list[ParseError] | None = None) -> ContainerLabel | None:
    """The container a process is in, from its cgroup file's text; None for a host process.

    >>> container_label("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod9493223b_520e_4a97_a45f_359dcf967006.slice/cri-containerd-" + "25" * 32 + ".scope\\n")[:4]
    (<Runtime.CONTAINERD: 'containerd'>, '2525252525252525252525252525252525252525252525252525252525252525', '9493223b-520e-4a97-a45f-359dcf967006', <QosClass.BESTEFFORT: 'besteffort'>)
    >>> container_label("0::/init.scope\\n"), container_label("0::/user.slice/user-1000.slice/session-2.scope\\n")
    (None, None)
    """
    for line in sorted(decode_cgroup(text, path, problems), key=_order):
        label = label_of_path(line.path, line.lineno)
        if label is not None:
            return label
    return None
