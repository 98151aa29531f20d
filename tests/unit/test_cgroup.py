"""Container labels from /proc/<pid>/cgroup: each runtime's real lines, host processes, junk.

Every case is a line (or file) another project recorded from a real host, cited beside it;
"content search" means the stored index found the text but did not name its repository.
A case whose values were made up to fit a documented layout says so. The live tests at the end
read lines the kernel writes here: a ``sleep`` moved into cgroups named as each runtime names them
(made under a ``netread-test-<pid>`` directory and removed), and a reader in a cgroup namespace.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from netread.errors import ParseError
from netread.parse.cgroup import CgroupLine
from netread.parse.cgroup import ContainerLabel
from netread.parse.cgroup import QosClass
from netread.parse.cgroup import Runtime
from netread.parse.cgroup import container_label
from netread.parse.cgroup import decode_cgroup
from netread.parse.cgroup import label_of_path
from netread.parse.cgroup import systemd_unescape

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cgroup"

D, C, CRIO, P, CRI, OCI = Runtime.DOCKER, Runtime.CONTAINERD, Runtime.CRIO, Runtime.PODMAN, Runtime.CRI, Runtime.OCI
G, B, BE = QosClass.GUARANTEED, QosClass.BURSTABLE, QosClass.BESTEFFORT


def want(runtime: Runtime, cid: str, pod: str | None = None, qos: QosClass | None = None) -> tuple[object, ...]:
    return (runtime, cid, pod, qos)


def got(text: str) -> tuple[object, ...] | None:
    label = container_label(text)
    return None if label is None else label[:4]


# -- whole files recorded by neuvector/neuvector share/system/cgroup_test.go (tests/fixtures/cgroup) --

NEUVECTOR = [
    # docker, cgroupfs driver, v1 (Ubuntu)
    ("TestDockerIDUbuntu", want(D, "31cb02944da7a12196a193cf0e0f6c226d7c453a1db62e65ba98287593a2ee30")),
    # docker, systemd driver, v1 (CentOS)
    ("TestDockerIDCentOS", want(D, "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d")),
    # docker in docker (RancherOS): the inner container, not the outer one
    ("TestDockerIDRancherOS", want(D, "ec08435e04266c5ba381fccbb829f626d11d8ddf5f8f547263c7a2d79ab4787a")),
    # old Docker on Debian: a bare /<id>, which no component says is Docker's (runc's default cgroup)
    ("TestDockerIDDebian", want(OCI, "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970")),
    # Kubernetes, kubelet cgroupfs driver, besteffort (dockershim: the path does not name the runtime)
    (
        "TestDockerIDKubepods",
        want(CRI, "cb1eadb7abe3a6545e9856411207073277838e1bdc003337c2f8685faeedc32c", "74ba62da-1a3d-11e7-bb11-080027cb0e22", BE),
    ),
    (
        "TestDockerIDKubepods3",
        want(CRI, "da31e536c8d61304a6d5998d163d12400a7a9a1003e1d86369e8fadb022fc17d", "1fe19bf5-e8ef-11e8-900c-52daee5a874d", BE),
    ),
    # containerd 1.2.13, cgroupfs driver
    (
        "TestK8sContainerd_v1_2_13",
        want(CRI, "5dd96d5394ca930a854a390ea46f7515a8bc930123eb3251ba20f2708a38fc61", "a36d0c1d-0b26-4451-8d80-9c195e004afa", BE),
    ),
    # kube-proxy in a child cgroup of its container
    (
        "TestK8sProxyProcess",
        want(CRI, "c04e0a88a1de067f25bece337d4dbb897396e0b623c2a65330850fc9823f1903", "f8a694f2-7c08-11e9-98da-000c29077430", BE),
    ),
    # Kubernetes, systemd driver, dockershim
    (
        "TestDockerIDKubepods2",
        want(D, "b5b6f2da8008be266864f896f93789762b2ce50792114a5c5f2cc3315af0bc70", "045b1e35-7f13-11e7-ac42-0050568ffca0", BE),
    ),
    # containerd, systemd driver, v1 (Bottlerocket) and v2
    (
        "TestK8sBottleRocket",
        want(C, "f45298cd514d1930c4fe3afc4412e59547f7e3148fddd22ca33cefce046eb830", "dd1bf9d1-241d-47f5-8e25-12de83135812", BE),
    ),
    (
        "TestContainerd_Container_Cgroupv2",
        want(C, "25d057a4c6c9555f2a0eb106e8896968c28f1c44aca4754174851aca7f89ad26", "9493223b-520e-4a97-a45f-359dcf967006", BE),
    ),
    # containerd 1.4.4 on v1 with the shim under containerd.service: slice:cri-containerd:id
    (
        "TestK8sContainerd_v1_4_4",
        want(C, "d3d8ccf5cca91931c6285c1d7472c413dd5a7700fddc0aa9f89a9ac7008b003e", "2105e389-7471-476e-a50f-6074cef29bbd", BE),
    ),
    # CRI-O 1.19 (besteffort), CRI-O v2 (burstable), CRI-O 1.17 with a static pod's md5 UID (burstable)
    (
        "TestK8sCrio_v1_19",
        want(CRIO, "d6d725b909f37c3e232aadfbafa950a58bfe7baa579ba8c47a12be88bb921607", "8ca306fa-3c03-47fa-97dd-19979c345572", BE),
    ),
    (
        "TestCrio_Container_Cgroupv2",
        want(CRIO, "f33f47b0db740bb647cb3e7ac62d96c74966dbb99cbfaf4563bfd42d387e8b44", "042efd86-1f3b-4f2f-8736-f31c58e95bbc", B),
    ),
    (
        "TestCrio_Container_SelfProbe_Cgroupv2",
        want(CRIO, "7b05b98b56047ad0e02e55f4e6bcffbcdc436340179a9c05908df1e5d4f0710d", "395f906e-7c77-4c83-9472-361ea8819cea", BE),
    ),
    (
        "TestK8sCrio_v1_17",
        want(CRIO, "7a1fd6fe8cdfbd44dc78c4cc85dad7031eaab4365801684cad0aabdeaf863f9e", "487a0dc6dccaeefbcfedba7a7ce1ca18", B),
    ),
    # read from inside a container's cgroup namespace: paths relative to it (/..)
    ("TestDockerNative_Container_Cgroupv2", want(D, "1f1d6e2d4940ddac13abd421a2617992bf89f0e0f9a902ed58278c5f843e9ae7")),
    (
        "TestDockerK8s_Ubuntu_Container_Cgroupv2",
        want(D, "2cc65c162ca1388b6b8d5ccfb701d22fc96675ccf8b2f1590c490c2c4039547f", "fd698699-eabf-4c23-92ef-cf0bbdb78261", BE),
    ),
    # host processes
    ("TestHostProcess", None),
    ("TestNsEnterProcess", None),
    ("TestDocker_Host_Proc1_Cgroupv2", None),  # 0::/../../init.scope
    ("TestDocker_Host_ProcAny_Cgroupv2", None),  # 0::/../..
    ("TestCrio_Host_Proc1_Cgroupv2", None),  # 0::/init.scope
]


@pytest.mark.parametrize(("name", "expected"), NEUVECTOR, ids=[n for n, _ in NEUVECTOR])
def test_neuvector_recorded_files(name: str, expected: tuple[object, ...] | None) -> None:
    text = (FIXTURES / f"neuvector-{name}.cgroup").read_text()
    assert got(text) == expected


@pytest.mark.parametrize(
    ("name", "relative"),
    [("TestDockerNative_Container_Cgroupv2", True), ("TestDockerK8s_Ubuntu_Container_Cgroupv2", True), ("TestDockerIDCentOS", False)],
)
def test_relative_paths_are_marked(name: str, relative: bool) -> None:
    label = container_label((FIXTURES / f"neuvector-{name}.cgroup").read_text())
    assert label is not None and label.relative is relative


ID = "a91b1981b6a4ae463fccd273e3f8665fd911e9abcaa1af27de773afb17ec4344"

# -- single lines from other projects' tests -------------------------------------------------

LINES = [
    # Kubernetes, systemd driver, Guaranteed (no QoS level): content search, Go test
    # TestCGroupParentExtraction "systemd" (a build tool reading its pod's cgroup parent)
    (
        "k8s-systemd-guaranteed",
        f"2:cpu:/kubepods.slice/kubepods-podd0d034ed_5204_11e7_9710_507b9d27b5d9.slice/docker-{ID}.scope\n",
        want(D, ID, "d0d034ed-5204-11e7-9710-507b9d27b5d9", G),
    ),
    # the same test's "non-systemd" case: docker-<id> without .scope under the pod slice
    (
        "k8s-slice-docker-no-scope",
        f"11:memory:/kubepods.slice/kubepods-podd0d034ed_5204_11e7_9710_507b9d27b5d9.slice/docker-{ID}\n",
        want(D, ID, "d0d034ed-5204-11e7-9710-507b9d27b5d9", G),
    ),
    # the same test's "nonsystemd-burstablepod": cgroupfs, Burstable
    (
        "k8s-cgroupfs-burstable",
        "11:memory:/kubepods/burstable/podc4ab0636-521a-11e7-8eea-0e5e65642be0/9ea9361dc31b0e18f699497a5a78a010eb7bae3f9a2d2b5d3027b37bdaa4b334\n",
        want(CRI, "9ea9361dc31b0e18f699497a5a78a010eb7bae3f9a2d2b5d3027b37bdaa4b334", "c4ab0636-521a-11e7-8eea-0e5e65642be0", B),
    ),
    # cgroupfs, Guaranteed: content search, a Rust test of CgroupEntry::from_line
    (
        "k8s-cgroupfs-guaranteed",
        "6:cpu,cpuacct:/kubepods/pod5b977639-f878-469b-94ee-47a4aa7e597a/dd55abbabd99bcb4d2ce17ffa77d6f811c90e09202f537c273962a8259cac8a0\n",
        want(CRI, "dd55abbabd99bcb4d2ce17ffa77d6f811c90e09202f537c273962a8259cac8a0", "5b977639-f878-469b-94ee-47a4aa7e597a", G),
    ),
    # Qard/container-info test/fixtures/result.js (GKE, cgroupfs, besteffort)
    (
        "k8s-cgroupfs-gke",
        "11:devices:/kubepods/besteffort/pod74c13223-5a00-11e9-b385-42010a80018d/34dc0b5e626f2c5c4c5170e34b10e7654ce36f0fcd532739f4445baabea03376\n",
        want(CRI, "34dc0b5e626f2c5c4c5170e34b10e7654ce36f0fcd532739f4445baabea03376", "74c13223-5a00-11e9-b385-42010a80018d", BE),
    ),
    # CRI-O's monitor beside a pod's containers is no container: content search, a Go comment
    # "example path (systemd)" in a CPU-pinning tool
    (
        "crio-conmon",
        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7632a2_a56e_4278_987a_22de18008dbe.slice/"
        "crio-conmon-0bc5eac79e3ae7a0c2651f14722aa10fa333eb2325c2ca97da33aa284cda81b0.scope\n",
        None,
    ),
    # docker, systemd driver, v2: content search, a Rust test (get_container_id_from_cgroup)
    (
        "docker-systemd-v2",
        "0::/system.slice/docker-14467e1a5a6da17b660a130932f1ab568f35586bac8bc5147987d9bba4da08de.scope\n",
        want(D, "14467e1a5a6da17b660a130932f1ab568f35586bac8bc5147987d9bba4da08de"),
    ),
    # CentOS 7 with Docker 1.7: name=systemd still says docker.service, the controllers hold the
    # container; content search, Go test TestCGroups_CentOS7_Docker1_7
    (
        "docker-centos7-name-systemd-behind",
        "10:hugetlb:/\n9:perf_event:/docker-daemon\n"
        "8:blkio:/system.slice/docker-5617ed7e7e487d2c4dd2e013e361109b4eceabfe3fa8c7aea9e37498b1aed5fa.scope\n7:net_cls:/\n"
        "4:memory:/system.slice/docker-5617ed7e7e487d2c4dd2e013e361109b4eceabfe3fa8c7aea9e37498b1aed5fa.scope\n"
        "1:name=systemd:/system.slice/docker.service\n",
        want(D, "5617ed7e7e487d2c4dd2e013e361109b4eceabfe3fa8c7aea9e37498b1aed5fa"),
    ),
    # the same project's TestCGroups_Ubuntu_Docker1_9: cgroupfs, name=systemd at /
    (
        "docker-ubuntu-name-systemd-root",
        "11:hugetlb:/docker/bfea6eb2d60179355e370a5d277d496eb0fe75d9a5a47c267221e87dbbbbc93b\n"
        "3:cpuset:/docker/bfea6eb2d60179355e370a5d277d496eb0fe75d9a5a47c267221e87dbbbbc93b\n2:name=systemd:/\n",
        want(D, "bfea6eb2d60179355e370a5d277d496eb0fe75d9a5a47c267221e87dbbbbc93b"),
    ),
    # rootless docker: content search ("Cgroup Path Observed Live" in a project's notes)
    (
        "docker-rootless",
        "0::/user.slice/user-1000.slice/user@1000.service/user.slice/docker-79b03053e0115fdf2987f3f9e06de74f8121e712319b74dddb6dccaca35e6ce0.scope\n",
        want(D, "79b03053e0115fdf2987f3f9e06de74f8121e712319b74dddb6dccaca35e6ce0"),
    ),
    # rootless containerd through nerdctl: layout from an osquery rule (content search)
    # "cgroup_path LIKE '/user.slice/user-1000.slice/user@1000.service/user.slice/nerdctl-%'" (id made up)
    ("nerdctl-rootless", f"0::/user.slice/user-1000.slice/user@1000.service/user.slice/nerdctl-{ID}.scope\n", want(C, ID)),
    # podman rootful: reference section 5.2 (the Kepler project's container-cgroup test)
    (
        "podman-rootful",
        "0::/machine.slice/libpod-06dc5f321aad8726aa26559f16ec203bc099245bc44894b14a89fc02b022d1d5.scope/container\n",
        want(P, "06dc5f321aad8726aa26559f16ec203bc099245bc44894b14a89fc02b022d1d5"),
    ),
    (
        "podman-rootful-no-subgroup",
        "0::/machine.slice/libpod-06dc5f321aad8726aa26559f16ec203bc099245bc44894b14a89fc02b022d1d5.scope\n",
        want(P, "06dc5f321aad8726aa26559f16ec203bc099245bc44894b14a89fc02b022d1d5"),
    ),
    # podman rootless, "observed with podman on Gentoo, openSUSE": content search, the same Rust test
    (
        "podman-rootless",
        "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-3f084b4c7b789c1a0f174da3fcd339e31125d3096b3ff46a0bef4fad71d09362.scope/container\n",
        want(P, "3f084b4c7b789c1a0f174da3fcd339e31125d3096b3ff46a0bef4fad71d09362"),
    ),
    # podman with --cgroups=split: falcosecurity/libs container_engine/docker/podman.cpp layout
    # "/libpod-payload-" ".scope" (values made up)
    ("podman-split", f"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-payload-{ID}.scope\n", want(P, ID)),
    # conmon, podman's monitor, "observed with podman on Fedora" (the same Rust test): no container
    ("podman-conmon", "0::/machine.slice/libpod-conmon-551ccf517b3394d9b953efeb8296b93451e45c2a8288518e4391d7b1db3cc9ee.scope\n", None),
    # kind: containerd nested in a docker node container, reference section 5.2 (Kepler's test;
    # the reference elides the ids, so these ids are made up): the pod's container, not the node
    (
        "kind-nested",
        f"0::/system.slice/docker-{'fd' * 32}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
        f"kubelet-kubepods-besteffort-podeab5a334_93fe_48a8_b139_9e8079c1f163.slice/cri-containerd-{'99' * 32}.scope\n",
        want(C, "99" * 32, "eab5a334-93fe-48a8-b139-9e8079c1f163", BE),
    ),
    # a systemd unit inside a docker container that runs systemd (made up: docker-<id>.scope/<unit>)
    ("docker-systemd-inside", f"0::/system.slice/docker-{ID}.scope/system.slice/ssh.service\n", want(D, ID)),
    # LXC 4 / LXD / Incus: content search (Waydroid's notes "0::/lxc.payload.waydroid"; a Go test
    # TestExtractLXCBasedContainerName with the Incus per-user project prefix)
    ("lxc-payload", "0::/lxc.payload.waydroid\n", want(Runtime.LXC, "waydroid")),
    ("lxc-payload-lxc", "0::/lxc.payload.my-container/.lxc\n", want(Runtime.LXC, "my-container")),
    ("incus-user", "0::/lxc.payload.user-1000_alpine-container/.lxc\n", want(Runtime.LXC, "user-1000_alpine-container")),
    # a service inside an LXC container: content search, a Go test of a runner fleet
    (
        "lxc-inner-service",
        "0::/lxc.payload.gha-fleet_worker/system.slice/actions.runner.one-job.service\n",
        want(Runtime.LXC, "gha-fleet_worker"),
    ),
    # LXC's monitor (Waydroid's notes) and the service that starts it: no container
    ("lxc-monitor", "0::/lxc.monitor.waydroid\n", None),
    ("waydroid-service", "0::/system.slice/waydroid-container.service\n", None),
    # legacy LXC (falcosecurity/libs container_engine/lxc.cpp "/lxc/" layout; name made up)
    ("lxc-legacy", "4:memory:/lxc/web01\n", want(Runtime.LXC, "web01")),
    # a qemu emulator in an LXC container: content search, a PHP test (the container, not the VM)
    (
        "qemu-in-lxc",
        "0::/lxc.payload.host/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/emulator\n",
        want(Runtime.LXC, "host"),
    ),
    # the qemu emulator of a VM on the host is a host process (same PHP test's machine-qemu scope)
    ("qemu-on-host", "0::/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/emulator\n", None),
    # libvirt-lxc: falcosecurity/libs container_engine/libvirt_lxc.cpp layouts (names made up)
    ("libvirt-lxc-machined", "0::/machine.slice/machine-lxc\\x2d4021\\x2dweb.scope\n", want(Runtime.LIBVIRT_LXC, "lxc-4021-web")),
    ("libvirt-lxc-cgroupfs", "4:memory:/machine/web.libvirt-lxc\n", want(Runtime.LIBVIRT_LXC, "web")),
    ("libvirt-lxc-legacy", "4:memory:/libvirt/lxc/web\n", want(Runtime.LIBVIRT_LXC, "web")),
    # systemd-nspawn: machinectl's Subgroup for a machine started as a service (systemd test/units,
    # the unprivileged-nspawn test), and a service inside it (content search)
    ("nspawn-payload", "0::/machine.slice/systemd-nspawn@zurps.service/payload\n", want(Runtime.NSPAWN, "zurps")),
    (
        "nspawn-inner-service",
        "0::/machine.slice/systemd-nspawn@x.service/payload/system.slice/getty.service\n",
        want(Runtime.NSPAWN, "x"),
    ),
    # nspawn's own process beside the payload (systemd's supervisor subgroup): a host process
    ("nspawn-supervisor", "0::/machine.slice/systemd-nspawn@zurps.service/supervisor\n", None),
    # systemd-nspawn run by hand registers machine-<name>.scope with machined (name made up)
    ("machined-scope", "0::/machine.slice/machine-build\\x2dbox.scope\n", want(Runtime.MACHINE, "build-box")),
    # host processes: init, a login session, daemons, a desktop app (the same Rust test), nsenter
    ("init", "0::/init.scope\n", None),
    ("session", "0::/user.slice/user-1000.slice/session-3.scope\n", None),
    ("dockerd", "0::/system.slice/docker.service\n", None),
    ("containerd", "0::/system.slice/containerd.service\n", None),
    ("podman-service", "0::/system.slice/podman.service\n", None),
    ("desktop-app", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-Alacritty-3266.scope\n", None),
    ("root", "0::/\n", None),
    ("empty", "", None),
    # a bare id under a pod slice (made up: the id the cgroupfs layout puts under pod<uid>)
    ("k8s-slice-bare-id", f"0::/kubepods.slice/kubepods-podd0d034ed_5204_11e7_9710_507b9d27b5d9.slice/{ID}\n", want(CRI, ID, "d0d034ed-5204-11e7-9710-507b9d27b5d9", G)),
    # a hex component that no runtime layout names is not guessed at
    ("pod-dir-outside-kubepods", f"0::/system.slice/pod5b977639-f878-469b-94ee-47a4aa7e597a/{ID}\n", None),
    ("stray-hex", f"0::/system.slice/{ID}\n", None),
    ("stray-hex-service", f"0::/system.slice/backup-{ID}.service\n", None),
]


@pytest.mark.parametrize(("text", "expected"), [(t, w) for _, t, w in LINES], ids=[n for n, _, _ in LINES])
def test_runtime_lines(text: str, expected: tuple[object, ...] | None) -> None:
    assert got(text) == expected


def test_whole_label_of_a_relative_pod_path() -> None:
    path = "/../../kubepods-besteffort-podfd698699_eabf_4c23_92ef_cf0bbdb78261.slice/docker-" + "2c" * 32 + ".scope"
    assert container_label(f"0::{path}\n") == ContainerLabel(D, "2c" * 32, "fd698699-eabf-4c23-92ef-cf0bbdb78261", BE, path, True, 1)


def test_v2_line_is_preferred_then_name_systemd() -> None:
    # a hybrid host (reference 5.1 [E]): the v2 line names one container, v1 lines others
    text = (
        "9:name=systemd:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod045b1e35_7f13_11e7_ac42_0050568ffca0.slice/"
        f"cri-containerd-{'11' * 32}.scope\n8:pids:/docker/{'22' * 32}\n0::/system.slice/docker-{'33' * 32}.scope\n"
    )
    label = container_label(text)
    assert label is not None and (label.id, label.lineno) == ("33" * 32, 3)
    label = container_label(text.replace(f"0::/system.slice/docker-{'33' * 32}.scope", "0::/"))
    assert label is not None and (label.runtime, label.id, label.lineno) == (C, "11" * 32, 1)


def test_colons_in_the_path_are_kept() -> None:
    (line,) = decode_cgroup("1:name=systemd:/kubepods-burstable-pod1.slice:cri-containerd:abc\n")
    assert line == CgroupLine(1, 1, ("name=systemd",), "/kubepods-burstable-pod1.slice:cri-containerd:abc")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("0:/init.scope", "line"),
        ("no colons at all", "line"),
        ("x::/init.scope", "hierarchy-ID"),
        (":memory:/docker/x", "hierarchy-ID"),
        ("\u0663::/", "hierarchy-ID"),
        ("0::init.scope", "path"),
        ("4:memory:", "path"),
    ],
)
def test_malformed_lines_are_reported_and_skipped(line: str, field: str) -> None:
    problems: list[ParseError] = []
    text = f"{line}\n0::/system.slice/docker-{ID}.scope\n"
    label = container_label(text, "4242/cgroup", problems)
    assert label is not None and label.id == ID and label.lineno == 2
    assert [(p.path, p.lineno, p.field, p.raw) for p in problems] == [("4242/cgroup", 1, field, line)]


def test_systemd_unescape() -> None:
    assert systemd_unescape("machine-qemu\\x2d1\\x2dvm.scope") == "machine-qemu-1-vm.scope"
    assert systemd_unescape("plain") == "plain"


# -- properties ------------------------------------------------------------------------------

HEX = st.text("0123456789abcdef", min_size=64, max_size=64)
UID = st.uuids().map(str)
COMPONENTS = st.one_of(
    st.sampled_from(
        [
            "system.slice", "user.slice", "init.scope", "docker", "kubepods", "burstable", "besteffort", "kubepods.slice",
            "machine.slice", "lxc", "lxc.payload", "libvirt", "container", "supervisor", "payload", "..", "docker.service",
            ".lxc", "user@1000.service",
        ]
    ),
    HEX,
    HEX.map(lambda h: f"docker-{h}.scope"),
    HEX.map(lambda h: f"cri-containerd-{h}.scope"),
    HEX.map(lambda h: f"nerdctl-{h}.scope"),
    HEX.map(lambda h: f"crio-{h}"),
    HEX.map(lambda h: f"libpod-conmon-{h}.scope"),
    UID.map(lambda u: f"pod{u}"),
    st.tuples(st.sampled_from(["", "-burstable", "-besteffort"]), UID).map(lambda t: f"kubepods{t[0]}-pod{t[1].replace('-', '_')}.slice"),
    st.tuples(UID, HEX).map(lambda t: f"kubepods-besteffort-pod{t[0].replace('-', '_')}.slice:cri-containerd:{t[1]}"),
    st.text("abc-_.@\\x2d", min_size=1, max_size=12).map(lambda s: f"lxc.payload.{s}"),
    st.text("abc-_.\\x2d", min_size=1, max_size=12).map(lambda s: f"systemd-nspawn@{s}.service"),
    st.text("abc-_.\\x2d", min_size=1, max_size=12).map(lambda s: f"machine-{s}.scope"),
    st.text(st.characters(blacklist_characters="/\n"), max_size=12),
)


def _check(text: str, label: ContainerLabel | None) -> None:
    """Every part of a label is read from the input: its path is a line's, its id and pod UID are in it."""
    if label is None:
        return
    paths = {line.partition(":")[2].partition(":")[2] for line in text.split("\n")}
    assert label.path in paths
    assert label.id and (label.id in label.path or label.id in systemd_unescape(label.path))
    assert label.relative == label.path.startswith("/..")
    if label.pod_uid is not None:
        assert label.pod_uid in label.path or label.pod_uid.replace("-", "_") in label.path
        assert label.qos is not None and "kubepods" in label.path
    assert label == label_of_path(label.path, label.lineno)


@settings(max_examples=examples(300))
@given(st.lists(COMPONENTS, max_size=8), st.sampled_from(["0::", "1:name=systemd:", "4:memory,pids:"]))
def test_generated_paths_give_labels_read_from_them(parts: list[str], prefix: str) -> None:
    text = prefix + "/" + "/".join(parts) + "\n"
    _check(text, container_label(text))


@settings(max_examples=examples(300))
@given(st.text(st.sampled_from(list("0:/\n-_.@abcdefkpodsubelx\\")) | st.characters(), max_size=300))
@example("0::/../docker-" + "a" * 64 + ".scope\n")
@example("::\n:::\n0::/\n")
@example("0::/lxc.payload.\\x2d\n0::/machine-\\x2d.scope\n")
def test_junk_never_raises_and_every_result_comes_from_the_input(text: str) -> None:
    problems: list[ParseError] = []
    label = container_label(text, "cgroup", problems)
    _check(text, label)
    for problem in problems:
        assert problem.path == "cgroup" and problem.raw == text.split("\n")[problem.lineno - 1]
        assert problem.field in ("line", "hierarchy-ID", "path")


@given(st.sampled_from(["docker", "cri-containerd", "crio", "libpod"]), HEX, st.booleans())
def test_scope_ids_round_trip(prefix: str, cid: str, scope: bool) -> None:
    label = label_of_path(f"/machine.slice/{prefix}-{cid}" + (".scope" if scope else ""))
    assert label is not None and label.id == cid and label.pod_uid is None


# -- this machine: lines the kernel itself writes ----------------------------------------------


def _hierarchies() -> dict[str, Path]:
    """Where the cgroup v2 tree and the v1 ``name=systemd`` tree are mounted here (either may be absent)."""
    found: dict[str, Path] = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, point, fstype, options, *_ = line.split(" ")
        if fstype == "cgroup2":
            found.setdefault("v2", Path(point))
        elif fstype == "cgroup" and "name=systemd" in options.split(","):
            found.setdefault("systemd", Path(point))
    return found


class _Tree:
    """Cgroups made for one test under a ``netread-test-<pid>`` directory, removed afterwards."""

    def __init__(self, root: Path) -> None:
        self.top = root / f"netread-test-{os.getpid()}"
        self.made: list[Path] = []

    def make(self, relative: str) -> Path:
        path = self.top
        for part in [""] + relative.strip("/").split("/"):
            path = path / part if part else path
            if not path.exists():
                path.mkdir()
                self.made.append(path)
        return path

    def remove(self) -> None:
        for path in reversed(self.made):
            with contextlib.suppress(OSError):
                path.rmdir()


@pytest.fixture
def trees() -> Iterator[dict[str, _Tree]]:
    if os.geteuid() != 0:
        pytest.skip("making cgroups needs root")
    made = {name: _Tree(root) for name, root in _hierarchies().items()}
    if "v2" not in made:
        pytest.skip("no cgroup2 hierarchy mounted")
    try:
        made["v2"].make("")
    except OSError as exc:
        pytest.skip(f"cannot make a cgroup: {exc}")
    yield made
    for tree in made.values():
        tree.remove()


def _sleeper(*cgroups: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(["sleep", "60"])
    for cgroup in cgroups:
        (cgroup / "cgroup.procs").write_text(f"{proc.pid}\n")
    return proc


KUBE = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod042efd86_1f3b_4f2f_8736_f31c58e95bbc.slice"


def test_live_kernel_lines_and_a_reader_inside_a_cgroup_namespace(trees: dict[str, _Tree]) -> None:
    crio = trees["v2"].make(f"{KUBE}/crio-{'f3' * 32}.scope")
    docker = trees["v2"].make(f"system.slice/docker-{'d0' * 32}.scope")
    target = _sleeper(crio)
    try:
        text = Path(f"/proc/{target.pid}/cgroup").read_text()
        label = container_label(text, f"{target.pid}/cgroup")
        assert label is not None and label[:4] == want(CRIO, "f3" * 32, "042efd86-1f3b-4f2f-8736-f31c58e95bbc", B)
        assert label.relative is False and label.path.startswith(f"/netread-test-{os.getpid()}/")
        # a reader in a cgroup namespace rooted at the docker scope sees the pod's container as /../../..
        script = f'echo $$ > "{docker}/cgroup.procs" && exec unshare -C cat /proc/{target.pid}/cgroup /proc/self/cgroup'
        seen = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=20)
        if seen.returncode != 0:
            pytest.skip(f"unshare -C refused: {seen.stderr.strip()[:200]}")
        theirs, own = [line for line in seen.stdout.splitlines() if line.startswith("0::")]
        assert own == "0::/"
        assert theirs == f"0::/../../{KUBE}/crio-{'f3' * 32}.scope"
        inside = container_label(theirs + "\n")
        assert inside is not None and inside[:4] == label[:4] and inside.relative is True
    finally:
        target.kill()
        target.wait()


def test_live_v1_name_systemd_line_when_v2_names_nothing(trees: dict[str, _Tree]) -> None:
    if "systemd" not in trees:
        pytest.skip("no v1 name=systemd hierarchy here")
    try:
        cgroupfs = trees["systemd"].make(f"docker/{'ab' * 32}")
    except OSError as exc:
        pytest.skip(f"cannot make a v1 cgroup: {exc}")
    target = _sleeper(cgroupfs)
    try:
        text = Path(f"/proc/{target.pid}/cgroup").read_text()
        lines = decode_cgroup(text)
        assert any(line.controllers == ("name=systemd",) and line.path.endswith(f"/docker/{'ab' * 32}") for line in lines)
        label = container_label(text)
        assert label is not None and label[:4] == want(D, "ab" * 32)
    finally:
        target.kill()
        target.wait()


def test_live_processes_of_this_machine_parse_without_problems() -> None:
    """Every readable /proc/<pid>/cgroup here decodes cleanly, and any label is read from its text."""
    seen = 0
    for pid in [p for p in os.listdir("/proc") if p.isdigit()][:500]:
        try:
            text = Path(f"/proc/{pid}/cgroup").read_text()
        except OSError:
            continue
        problems: list[ParseError] = []
        label = container_label(text, f"{pid}/cgroup", problems)
        assert problems == [], problems
        _check(text, label)
        seen += 1
    assert seen
