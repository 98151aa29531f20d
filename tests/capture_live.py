"""Run inside a fresh network namespace: hold loopback sockets, list them live, capture, list the capture.

Prints one JSON object: live ``netread``/``netstat -tuwxanp`` taken around
``netread capture DIR`` and ``netread capture --tar DIR.tar.gz`` (retaken once
if the live tables moved), then ``netread --proc DIR``, ``--proc DIR.tar.gz``
and netstat reading DIR as its /proc, all with the same flags.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from live_sockets import bring_lo_up
from live_sockets import open_sockets

FLAGS = ["-tuwxanp"]


def run(cmd: list[str]) -> dict[str, object]:
    proc = subprocess.run(cmd, capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
    return {"status": proc.returncode, "stdout": proc.stdout.decode("utf-8", "replace"), "stderr": proc.stderr.decode("utf-8", "replace")}


def main() -> None:
    bring_lo_up()
    tmp = os.environ["NETREAD_LIVE_TMP"]
    held = open_sockets(tmp)
    netread = [sys.executable, "-m", "netread"]
    snap, tarball = os.path.join(tmp, "snap"), os.path.join(tmp, "snap.tar.gz")
    try:
        for _attempt in range(2):
            before = (run([*netread, *FLAGS]), run(["netstat", *FLAGS]))
            capture = run([*netread, "capture", snap, "--force"])
            capture_tar = run([*netread, "capture", "--tar", tarball, "--force"])
            after = (run([*netread, *FLAGS]), run(["netstat", *FLAGS]))
            if before == after:
                break
        result = {
            "live_netread": before[0],
            "live_netstat": before[1],
            "capture": capture,
            "capture_tar": capture_tar,
            "snap_netread": run([*netread, "--proc", snap, *FLAGS]),
            "tar_netread": run([*netread, "--proc", tarball, *FLAGS]),
            "snap_netstat": run(["unshare", "-m", "sh", "-c", 'mount --bind "$0" /proc && exec netstat "$@"', snap, *FLAGS]),
        }
        print(json.dumps(result))
    finally:
        for s in held:
            s.close()


if __name__ == "__main__":
    main()
