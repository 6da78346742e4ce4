"""One build at a time per output folder, and what killed builds left beside it cleaned up.

Two builds into one folder would mix their files; a build killed by ``kill -9``
leaves its staging folder, and one killed while swapping leaves the previous
output aside under another name. The lock is ``fcntl.flock`` on a file beside
the output folder (which a build replaces whole): the kernel lets go of it
however its holder ends.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import BuildError, Problem


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold ``out`` for this process alone, or fail at once naming the build that holds it: two builds
    into one folder would mix their files. The lock file lies beside ``out`` (a build replaces the folder
    whole) while the build runs; the lock dies with its holder, however it ends. Once it is held, what
    killed builds left is cleaned up."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    fd = _lock(lock, out)
    try:
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _clean_leftovers(out)
        yield
    finally:
        lock.unlink(missing_ok=True)  # before the lock is let go: the next build locks a file of its own
        os.close(fd)


def _lock(lock: Path, out: Path) -> int:
    """An open descriptor of ``lock``, exclusively locked; a BuildError naming the holder if it is taken.
    A file the holder deleted as it let go is locked in vain: opened again until the lock is on the
    file the path names."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BuildError([Problem(str(out), None, f"another build is writing to this folder (pid {holder})",
                                      hint="wait for it to end, or build into another --out")]) from None
        try:
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                os.ftruncate(fd, 0)
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _clean_leftovers(out: Path) -> None:
    """Remove the staging and old folders of builds killed before their cleanup (no other build holds the
    lock, so none is in use); an old output with no output beside it, left by a build killed mid-swap,
    is the previous output and is put back."""
    mine = os.getpid()
    for entry in os.scandir(out.parent):
        kind, _, pid = entry.name.removeprefix(f".{out.name}.").rpartition("-")
        if kind not in ("staging", "old") or not pid.isdigit() or int(pid) == mine or not entry.is_dir():
            continue
        if kind == "old" and not out.exists():
            os.replace(entry.path, out)
        else:
            rmtree(Path(entry.path))


def rmtree(folder: Path) -> None:
    """Delete ``folder``, even where a read-only folder inside it (an output made read-only) blocks it."""
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        for path, _, _ in os.walk(folder):
            os.chmod(path, 0o700)
        shutil.rmtree(folder, ignore_errors=True)
