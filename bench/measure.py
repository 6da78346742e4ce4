"""One command, measured: wall and CPU time, peak memory two ways, and which output files it wrote.

Linux only: CPU time and the largest process's peak come from ``os.wait4`` (which
counts the reaped children too: a process pool's workers, Pagefind), the whole
tree's memory from sampling ``/proc`` while the command runs.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PAGE = resource.getpagesize()
# seconds between two samples of the process tree's memory: reading a big process's smaps_rollup walks its page
# tables, so sampling every 20 ms took a third of a core from the tools measured (Hugo's 1.3 GB most)
SAMPLE_EVERY = 0.25

Snapshot = dict[str, tuple[int, int, int]]  # output path → (inode, mtime_ns, size)


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds of the process and every child it reaped
    max_rss_mb: float  # the largest single process (ru_maxrss from wait4)
    tree_rss_mb: float | None  # the process tree's proportional set size at its peak (sampled); None without /proc
    written: int  # output files new or changed (another inode, mtime or size)
    unchanged: int  # output files left exactly as they were
    removed: int  # output files gone after the run
    changed_bytes: int | None  # of the written files, those whose bytes differ (None when not compared)
    log: Path  # the command's stdout and stderr


def snapshot(out: Path) -> Snapshot:
    """Every file under ``out`` with what tells a rewrite apart: inode, mtime and size."""
    found: Snapshot = {}
    for folder, _, files in os.walk(out):
        for name in files:
            path = os.path.join(folder, name)
            st = os.stat(path)
            found[os.path.relpath(path, out)] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def hashes(out: Path, paths: Iterable[str]) -> dict[str, bytes]:
    """The BLAKE2 digest of each of ``paths`` (relative to ``out``)."""
    return {rel: hashlib.blake2b((out / rel).read_bytes(), digest_size=16).digest() for rel in paths}


# Linux lists a thread's children in /proc only with CONFIG_PROC_CHILDREN; without it, no tree figure.
HAS_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def tree_memory(pid: int) -> int:
    """The memory ``pid`` and all its descendants hold now: the sum of their proportional set sizes, where
    a page shared by n processes counts 1/n in each. Forked workers share the parent's pages copy-on-write;
    summing resident sizes would count those once per worker, memory the machine does not spend. (Falls back
    to the resident size where the kernel has no smaps_rollup.)"""
    total, stack = 0, [pid]
    while stack:
        proc = stack.pop()
        try:
            total += _pss(proc)
            for task in os.listdir(f"/proc/{proc}/task"):  # children are listed by the thread that made them
                with open(f"/proc/{proc}/task/{task}/children", encoding="ascii") as f:
                    stack.extend(int(child) for child in f.read().split())
        except (FileNotFoundError, ProcessLookupError):  # it exited between two reads
            continue
    return total


def _pss(proc: int) -> int:
    try:
        with open(f"/proc/{proc}/smaps_rollup", encoding="ascii") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
    except (PermissionError, StopIteration):
        with open(f"/proc/{proc}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE


def measure(command: list[str], out: Path, log: Path, cwd: Path | None = None, compare_bytes: bool = False) -> Run:
    """Run ``command`` to completion and measure it; raise SystemExit with its last lines if it fails."""
    before = snapshot(out)
    old_hashes = hashes(out, before) if compare_bytes else {}
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    done = threading.Event()
    with open(log, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def sample() -> None:
            while HAS_CHILDREN and not done.is_set():
                peak[0] = max(peak[0], tree_memory(proc.pid))
                done.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise SystemExit(f"failed (exit {proc.returncode}): {' '.join(command)}\n{tail}\n(whole output: {log})")
    after = snapshot(out)
    written = [rel for rel, stat in after.items() if before.get(rel) != stat]
    changed = None
    if compare_bytes:
        new_hashes = hashes(out, written)
        changed = sum(old_hashes.get(rel) != digest for rel, digest in new_hashes.items())
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss_mb=usage.ru_maxrss / 1024,
               tree_rss_mb=peak[0] / 2**20 if HAS_CHILDREN else None, written=len(written),
               unchanged=len(after) - len(written), removed=len(before.keys() - after.keys()),
               changed_bytes=changed, log=log)
