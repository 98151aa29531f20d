#!/usr/bin/env python3
"""netread against netstat and psutil on the same sockets, and netread on huge snapshots.

    sudo .venv/bin/python bench/run.py [--sockets 40000] [--unix 2000] [--rounds 11] [--scaling 10000,100000,1000000]

Runs itself again inside a fresh network namespace (``unshare -n``), so the
tables hold only the benchmark's sockets: N/2 connected loopback TCP pairs over
several listeners, spread over holder processes (bench/holder.py) to stay
under the open-file limit, plus a few thousand unix sockets.  Then, in
interleaved rounds (the order alternates every round), it times whole
processes with their output sent to /dev/null:

- ``netread -tan`` / ``netstat -tan``, ``-tanp``, ``-xan``;
- the library call that returns every TCP socket with its owner,
  ``netread.connections("tcp")``, against ``psutil.net_connections("tcp")``,
  each timed inside one interpreter (import excluded, same Python).

Then ``netread --proc SNAP -tan`` on generated snapshots of 10k, 100k and 1M
tcp rows (a few distinct addresses); the start-up on an empty /proc against
``python -I -c pass``; and the diverse workload: IPv4 and IPv6 snapshots where
every address and port differs (bench/snapshots.py), ``-tan`` and ``-tanp``
against netstat reading the same files, interleaved, and ``--format ndjson``; and
``--netns all -tuwxan`` with 50 namespaces against ``nsenter ... netstat -tuwxan`` for each.  It prints markdown tables: medians, min-max, the ratio of medians,
and peak RSS (ru_maxrss of the child).  The netread used is the ``netread``
script next to this Python (``--netread`` to choose another).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.netns import bring_lo_up

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOLDERS = 5


def start_holders(sockets: int, unix: int) -> list[subprocess.Popen[str]]:
    pairs = sockets // 2
    per = -(-pairs // HOLDERS)
    procs = []
    for i in range(HOLDERS):
        n = min(per, pairs - i * per)
        if n > 0:
            procs.append(subprocess.Popen([sys.executable, str(HERE / "holder.py"), "tcp", str(20000 + i), str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    if unix:
        procs.append(subprocess.Popen([sys.executable, str(HERE / "holder.py"), "unix", str(unix // 2)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    for proc in procs:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a holder did not start")
    return procs


def stop_holders(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
    for proc in procs:
        proc.wait(timeout=60)


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one whole process, output to /dev/null.

    Peak RSS comes from GNU time (``/usr/bin/time -f %M``), a small process that forks: a
    child spawned from this one would count this interpreter's pages in its ``ru_maxrss``
    (the kernel adds the memory it replaces at exec()).  The ~1 ms of time's own fork is
    counted for netread and netstat alike.
    """
    with tempfile.NamedTemporaryFile("r", prefix="netread-bench-rss-") as rss:
        wrapped = [TIME, "-f", "%M", "-o", rss.name, shutil.which(cmd[0]) or cmd[0], *cmd[1:]] if TIME else cmd
        actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        start = time.perf_counter()
        pid = os.posix_spawn(wrapped[0], wrapped, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{cmd}: exit status {os.waitstatus_to_exitcode(status)}")
        peak = int(rss.read().split()[-1]) if TIME else usage.ru_maxrss
    return elapsed, peak


TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


_LIBRARY = {
    "netread": "import netread\nrun = lambda: netread.connections('tcp')",
    "psutil": "import psutil\nrun = lambda: psutil.net_connections('tcp')",
}
_LIBRARY_LOOP = """
import sys, time, json, resource
{setup}
n = len(run())
times = []
for line in sys.stdin:
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)
    print(json.dumps([times[-1], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n]), flush=True)
"""


def library_rounds(rounds: int) -> dict[str, list[tuple[float, int]]]:
    """Each library in its own interpreter, called once per round, alternating."""
    procs = {}
    for name, setup in _LIBRARY.items():
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs[name] = subprocess.Popen([sys.executable, "-c", _LIBRARY_LOOP.format(setup=setup)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in procs}
    counts = {}
    for r in range(rounds):
        order = list(procs) if r % 2 == 0 else list(reversed(procs))
        for name in order:
            proc = procs[name]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
            seconds, rss, n = json.loads(proc.stdout.readline())
            results[name].append((seconds, rss))
            counts[name] = n
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)
    print(f"library rows: {counts}", file=sys.stderr)
    return results


def process_rounds(pairs: list[tuple[str, list[str], list[str]]], rounds: int) -> dict[str, dict[str, list[tuple[float, int]]]]:
    results: dict[str, dict[str, list[tuple[float, int]]]] = {label: {"netread": [], "other": []} for label, _, _ in pairs}
    for r in range(rounds):
        for label, ours, theirs in pairs:
            order = [("netread", ours), ("other", theirs)]
            if r % 2:
                order.reverse()
            for who, cmd in order:
                results[label][who].append(timed(cmd))
    return results


def _cell(samples: list[tuple[float, int]]) -> tuple[str, float, int]:
    times = [s for s, _ in samples]
    med = statistics.median(times)
    return f"{med * 1000:.1f} ms ({min(times) * 1000:.1f}-{max(times) * 1000:.1f})", med, max(rss for _, rss in samples)


def table(rows: list[tuple[str, str, list[tuple[float, int]], str, list[tuple[float, int]]]]) -> str:
    out = ["| what | netread median (min-max) | peak RSS | other | other median (min-max) | peak RSS | ratio |", "|---|---|---|---|---|---|---|"]
    for what, ours_label, ours, theirs_label, theirs in rows:
        a, am, ar = _cell(ours)
        b, bm, br = _cell(theirs)
        out.append(f"| {what} | {a} | {ar / 1024:.1f} MiB | {theirs_label} | {b} | {br / 1024:.1f} MiB | {am / bm:.2f}x |")
    return "\n".join(out)


def make_snapshot(root: Path, rows: int) -> None:
    """A /proc/net/tcp of ``rows`` established sockets, written as the kernel writes it."""
    (root / "net").mkdir(parents=True)
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    with open(root / "net" / "tcp", "w") as out:
        out.write(header.ljust(149) + "\n")
        chunk = []
        for i in range(rows):
            a = 0x0100000A + ((i // 50000) << 16)  # 10.0.x.1 in little-endian words, a few distinct hosts
            b = 0x0200000A + ((i % 251) << 24)
            line = "%4d: %08X:%04X %08X:%04X 01 %08X:%08X 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1" % (
                i, a, 1024 + i % 60000, b, 443, i % 7, i % 3, 100000 + i)
            chunk.append(line.ljust(149) + "\n")
            if len(chunk) == 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


_ORACLE = 'mount --bind "$0" /proc && exec netstat "$@"'


def netstat_on(snapshot: Path, flags: list[str]) -> list[str]:
    """netstat reading ``snapshot`` as its /proc (the oracle's command; ~3 ms of unshare and mount
    are counted against netstat)."""
    return ["unshare", "-m", "sh", "-c", _ORACLE, str(snapshot), *flags]


def diverse(netread: str, specs: list[tuple[int, int]], rounds: int, keep: Path | None) -> str:
    """netread against netstat on snapshots where every address and port is different, made by
    bench/snapshots.py (the shared kernel-text encoder): -tan and -tanp, interleaved, with peak RSS,
    and netread --format ndjson (no netstat counterpart: its memory)."""
    from bench.snapshots import write

    out = [
        "| snapshot | command | netread median (min-max) | peak RSS | netstat median (min-max) | peak RSS | ratio | netread per row |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="netread-diverse-") as tmp:
        base = keep or Path(tmp)
        for family, rows in specs:
            root = base / f"v{family}-{rows}"
            if not (root / "net").is_dir():
                print(f"writing {root} ...", file=sys.stderr)
                write(root, rows, family)
            n = max(3, rounds // (1 + rows // 250_000))
            pairs = [
                ("-tan", [netread, "--proc", str(root), "-tan"], netstat_on(root, ["-tan"])),
                ("-tanp", [netread, "--proc", str(root), "-tanp"], netstat_on(root, ["-tanp"])),
            ]
            results = process_rounds(pairs, n)
            for label, _, _ in pairs:
                a, am, ar = _cell(results[label]["netread"])
                b, bm, br = _cell(results[label]["other"])
                out.append(f"| IPv{family}, {rows:,} rows | `{label}` | {a} | {ar / 1024:.1f} MiB | {b} | {br / 1024:.1f} MiB | {am / bm:.2f}x | {am / rows * 1e6:.2f} µs |")
            nd = [timed([netread, "--proc", str(root), "--format", "ndjson", "-tan"]) for _ in range(1 if rows > 200_000 else 3)]
            c, cm, cr = _cell(nd)
            out.append(f"| IPv{family}, {rows:,} rows | `--format ndjson -tan` | {c} | {cr / 1024:.1f} MiB | | | | {cm / rows * 1e6:.2f} µs |")
    return "\n".join(out)


def startup(netread: str, rounds: int) -> str:
    """``netread --proc EMPTY -tan`` (tables with a header only) against the bare interpreter."""
    python = str(Path(netread).with_name("python"))
    with tempfile.TemporaryDirectory(prefix="netread-empty-") as tmp:
        root = Path(tmp)
        (root / "net").mkdir()
        for table in ("tcp", "tcp6"):
            (root / "net" / table).write_text("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
        results = process_rounds([("start", [netread, "--proc", str(root), "-tan"], [python, "-I", "-c", "pass"])], max(rounds, 21))
    a, am, ar = _cell(results["start"]["netread"])
    b, bm, br = _cell(results["start"]["other"])
    return "\n".join([
        "| start-up | median (min-max) | peak RSS |", "|---|---|---|",
        f"| `netread --proc EMPTY -tan` | {a} | {ar / 1024:.1f} MiB |",
        f"| `python -I -c pass` (same interpreter) | {b} | {br / 1024:.1f} MiB |",
        f"| ratio | {am / bm:.2f}x | |",
    ])


def scaling(netread: str, sizes: list[int], rounds: int) -> str:
    out = ["| tcp rows | netread -tan median (min-max) | per row | peak RSS |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="netread-bench-") as tmp:
        for rows in sizes:
            root = Path(tmp) / str(rows)
            make_snapshot(root, rows)
            samples = [timed([netread, "--proc", str(root), "-tan"]) for _ in range(max(3, rounds // (1 + rows // 200000)))]
            cell, med, rss = _cell(samples)
            out.append(f"| {rows:,} | {cell} | {med / rows * 1e6:.2f} µs | {rss / 1024:.1f} MiB |")
            shutil.rmtree(root)
    return "\n".join(out)


def breakdown(netread: str, rounds: int) -> str:
    """Where the time of ``netread -tan`` goes: each stage timed on its own, in this process."""
    sys.path.insert(0, str(ROOT))
    from netread.model import Table
    from netread.parse.inet_columns import kernel_columns
    from netread.proc.processes import scan_owners
    from netread.proc.source import ProcSource
    from netread.render.netstat_columns import numeric_rows

    python = str(Path(netread).with_name("python"))
    stages: dict[str, list[float]] = {k: [] for k in ("interpreter start-up", "imports", "kernel: read /proc/net/tcp + tcp6", "parse (columns)", "format", "fd scan (-p, in a child beside the reads)")}
    source = ProcSource.live()
    for _ in range(rounds):
        stages["interpreter start-up"].append(timed([python, "-c", "pass"])[0])
        stages["imports"].append(timed([python, "-c", "import netread.cli.quick, netread.cli.listing"])[0] - stages["interpreter start-up"][-1])
        start = time.perf_counter()
        chunks = [(Table(table), c) for table in ("tcp", "tcp6") for c in (source.net_chunks(table) or [])]
        read = time.perf_counter()
        cols = []
        for table, (lineno, piece) in chunks:
            if lineno == 1:
                piece = piece.partition(b"\n")[2]
            cols.append((table, kernel_columns(piece, table, source.byteorder)))
        parsed = time.perf_counter()
        for table, col in cols:
            if col is not None:
                numeric_rows(col, table, True, False, False)
        formatted = time.perf_counter()
        scan_owners(source.root)
        scanned = time.perf_counter()
        stages["kernel: read /proc/net/tcp + tcp6"].append(read - start)
        stages["parse (columns)"].append(parsed - read)
        stages["format"].append(formatted - parsed)
        stages["fd scan (-p, in a child beside the reads)"].append(scanned - formatted)
    out = ["| stage of `netread -tan` / `-tanp` | median |", "|---|---|"]
    out += [f"| {name} | {statistics.median(times) * 1000:.1f} ms |" for name, times in stages.items()]
    return "\n".join(out)


_NAMESPACE_HOLDER = """
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
pids = []
for i in range(int(sys.argv[1])):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        if libc.unshare(0x40000000) != 0:
            os._exit(1)
        held = []
        for port in (80, 443, 8080):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", port)); s.listen(); held.append(s)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 53)); held.append(u)
        x = socket.socket(socket.AF_UNIX); x.bind("\\0bench-%d" % i); x.listen(); held.append(x)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    pids.append((pid, w))
print(" ".join(str(p) for p, _ in pids), flush=True)
sys.stdin.read()
"""


def namespaces(netread: str, count: int, rounds: int) -> str:
    """``netread --netns all -tuwxan`` against ``nsenter -t REP -n netstat -tuwxan`` for each
    namespace (one shell loop), with ``count`` namespaces held by processes (3 TCP listeners, a UDP
    and a unix socket each) besides the others of the machine."""
    holder = subprocess.Popen([sys.executable, "-c", _NAMESPACE_HOLDER, str(count)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        holder.stdout.readline()
        listed = json.loads(subprocess.run([netread, "--netns", "all", "-tan", "--format", "json"], capture_output=True, text=True, check=True).stdout)
        enter = []
        for ns in listed["source"]["namespaces"]:
            if ns["via"] == "self":
                enter.append("netstat -tuwxan")
            elif ns["via"] in ("pid", "task") and ns["inode"] is not None:
                path = f"/proc/{ns['pid']}" + (f"/task/{ns['tid']}" if ns["tid"] else "") + "/ns/net"
                enter.append(f"nsenter --net={path} netstat -tuwxan")
            elif ns["names"]:
                enter.append(f"nsenter --net={ns['names'][0]} netstat -tuwxan")
        loop = ["sh", "-c", "; ".join(enter)]
        procs = process_rounds([("netns", [netread, "--netns", "all", "-tuwxan"], loop)], rounds)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(60)
    rows = [(f"`--netns all -tuwxan` ({len(enter)} namespaces)", "netread", procs["netns"]["netread"], "nsenter ... netstat -tuwxan, each", procs["netns"]["other"])]
    return table(rows)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    netstat = subprocess.run(["netstat", "--version"], capture_output=True, text=True).stdout.splitlines()
    return (
        f"Linux {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}, {netstat[0] if netstat else 'netstat ?'}"
    )


def inner(args: argparse.Namespace) -> int:
    bring_lo_up()
    netread = args.netread
    print(f"holding {args.sockets} tcp and {args.unix} unix sockets...", file=sys.stderr)
    holders = start_holders(args.sockets, args.unix)
    try:
        tcp_rows = sum(1 for _ in open("/proc/net/tcp")) - 1
        print(f"/proc/net/tcp has {tcp_rows} rows", file=sys.stderr)
        pairs = [
            ("-tan", [netread, "-tan"], ["netstat", "-tan"]),
            ("-tanp", [netread, "-tanp"], ["netstat", "-tanp"]),
            ("-xan", [netread, "-xan"], ["netstat", "-xan"]),
        ]
        procs = process_rounds(pairs, args.rounds)
        lib = library_rounds(args.rounds)
        # in a child, so that this process stays small: a forked child's peak RSS counts its parent's
        stages = subprocess.run([sys.executable, __file__, "--breakdown", "--rounds", str(max(3, args.rounds // 2)), "--netread", netread], capture_output=True, text=True, check=True).stdout.strip()
    finally:
        stop_holders(holders)
    rows = [(f"`{label}` ({tcp_rows} tcp rows)" if "t" in label else f"`{label}`", "netread", procs[label]["netread"], f"netstat {label}", procs[label]["other"]) for label, _, _ in pairs]
    rows.append(("library: all TCP sockets with owners", "netread.connections('tcp')", lib["netread"], "psutil.net_connections('tcp')", lib["psutil"]))
    print(f"Machine: {machine()}. Load before: {os.getloadavg()[0]:.2f}. {args.rounds} interleaved rounds, output to /dev/null.\n")
    print(table(rows))
    print()
    print(stages)
    if args.scaling:
        print()
        print(scaling(netread, [int(n) for n in args.scaling.split(",")], args.rounds))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=40000, help="TCP sockets to hold (pairs x 2)")
    ap.add_argument("--unix", type=int, default=2000, help="unix sockets to hold")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--scaling", default="10000,100000,1000000", help="tcp rows of the generated snapshots ('' to skip)")
    ap.add_argument("--diverse", default="4:100000,4:1000000,6:100000,6:300000", help="FAMILY:ROWS snapshots with every address distinct ('' to skip)")
    ap.add_argument("--keep", type=Path, help="where to keep (and reuse) the diverse snapshots")
    ap.add_argument("--namespaces", type=int, default=50, help="network namespaces to list with --netns all against nsenter + netstat each (0 to skip; needs root)")
    ap.add_argument("--live", action=argparse.BooleanOptionalAction, default=True, help="the live loopback workload (needs root for unshare -n)")
    ap.add_argument("--netread", default=str(Path(sys.executable).parent / "netread"))
    ap.add_argument("--watch", action=argparse.BooleanOptionalAction, default=True, help="the CPU of netread watch at 10k sockets (bench/watch.py; needs root)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--breakdown", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.breakdown:
        print(breakdown(args.netread, args.rounds))
        return 0
    if args.inner:
        return inner(args)
    status = 0
    if args.live:
        resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE)[1:] * 2)
        cmd = ["unshare", "-n", sys.executable, __file__, "--inner", "--sockets", str(args.sockets), "--unix", str(args.unix), "--rounds", str(args.rounds), "--scaling", args.scaling, "--netread", args.netread]
        status = subprocess.call(cmd)
    else:
        print(f"Machine: {machine()}. Load before: {os.getloadavg()[0]:.2f}. Output to /dev/null.")
    print()
    print(startup(args.netread, args.rounds))
    if args.namespaces:
        print()
        print(namespaces(args.netread, args.namespaces, args.rounds))
    if args.watch:
        print()
        sys.stdout.flush()
        status = subprocess.call([sys.executable, str(HERE / "watch.py"), "--netread", args.netread]) or status
    if args.diverse:
        specs = [(int(f), int(n)) for f, n in (spec.split(":") for spec in args.diverse.split(","))]
        print()
        print(diverse(args.netread, specs, args.rounds, args.keep))
    return status


if __name__ == "__main__":
    sys.exit(main())
