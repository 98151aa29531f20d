"""The banner line of a namespace's section: ``Network namespace net:[INODE] NAMES LABELS (pid N)``."""

from __future__ import annotations

from netread.escape import escape_text


def section_banner(label: str, names: tuple[str, ...], labels: tuple[str, ...], via: str, pid: int | None, tid: int | None, path: str) -> str:
    """One line, every name escaped for the terminal.

    >>> section_banner("net:[4026532387]", ("/run/netns/red",), (), "pid", 42, None, "42/net")
    'Network namespace net:[4026532387] /run/netns/red (pid 42)\\n'
    >>> section_banner("net:[4026531840]", (), ("host",), "self", 1, None, "net")
    'Network namespace net:[4026531840] host (pid 1)\\n'
    """
    parts = ["Network namespace", label, *(escape_text(n) for n in names), *(escape_text(x) for x in labels)]
    if via == "task":
        parts.append(f"(thread {tid} of pid {pid})")
    elif via == "fd":
        parts.append(f"(no task; held open by pid {pid})")
    elif via == "socket":
        parts.append(f"(no task; found through a socket held by pid {pid})")
    elif via == "mount":
        parts.append("(no task; bind mount)")
    elif pid is not None:
        parts.append(f"(pid {pid})")
    return " ".join(parts) + "\n"


#: The CSV columns a --netns listing adds (the record's ``namespace`` object, flattened).
NETNS_CSV_KEYS = ("namespace_inode", "namespace_id", "namespace_names", "namespace_labels", "namespace_via", "namespace_pid", "namespace_tid")


def netns_record(inode: int | None, ns_id: int | None, names: tuple[str, ...], labels: tuple[str, ...], via: str, pid: int | None, tid: int | None) -> dict[str, object]:
    """The ``namespace`` object each record of a --netns listing carries beside its ``netns``
    inode (JSON: text as it is, the encoder escapes it)."""
    return {"inode": inode, "id": ns_id, "names": list(names), "labels": list(labels), "via": via, "pid": pid, "tid": tid}
