"""Work spread over every core: forked worker processes for the per-article stages of a big build.

Forked workers start at once, inherit the site already in memory (nothing is
pickled to them but the work items) and need no importable ``__main__``. Forking
is only safe in a single-threaded process, so the dev server (which runs
threads) and small batches work in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar


T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 256  # items before a process pool pays for its start-up
show_progress = True  # cleared by --quiet; the bar only ever shows on a terminal
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


_TASK: Callable[[Any], Any] | None = None  # what forked workers run: set before the pool forks them


def fork_map(fn: Callable[[T], R], items: Sequence[T], label: str, chunksize: int = 32) -> Iterator[R]:
    """``map(fn, items)`` in order, on every core when there are many items; a progress bar
    on a terminal for long runs. ``fn`` and ``items`` may be closures: workers inherit them by forking."""
    global _TASK
    if len(items) < PARALLEL_FROM or not _can_fork():
        yield from _progress(map(fn, items), len(items), label)
        return
    from concurrent.futures import ProcessPoolExecutor  # here: a small build or an edit never starts a pool

    _TASK = lambda i: fn(items[i])  # noqa: E731 - workers get indexes: items may not pickle (closures)
    gc.freeze()  # what the workers inherit, out of their collector's sight (see _start_worker)
    _release_free_memory()
    try:
        with ProcessPoolExecutor(cores(), mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
                                 initargs=(os.getpid(),)) as pool:
            yield from _progress(pool.map(_run, range(len(items)), chunksize=chunksize), len(items), label)
    finally:
        _TASK = None
        gc.unfreeze()


def _start_worker(parent: int) -> None:
    """A worker collects its own garbage (Jinja's macros leave cycles: 10,000 pages' worth, kept by a worker of a
    build, which runs with the collector off) but never walks the objects it inherited, frozen before the fork:
    walking them would copy every page of the parent's heap into the worker."""
    die_with_parent(parent)
    gc.enable()


def _release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing) before
    forking: freed memory the heap keeps is inherited like the rest, and copied into each process that
    writes to it again. At the fork of a cold 10,000-article build's renderers, 60 of the parent's 250 MB
    were such memory (what the reading stages freed: their results' pickles, the cache entries)."""
    if sys.platform.startswith("linux"):
        import ctypes

        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # None: a C library other than glibc (musl)
        if trim is not None:
            trim(0)


def cores() -> int:
    """The cores this process may run on: a container's or ``taskset``'s limit, not the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this forked worker when ``parent`` (the process that forked it) dies, even by
    ``kill -9``: a worker left waiting on the dead parent's pipe would otherwise live on for minutes.
    Linux only (prctl)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _can_fork() -> bool:
    return cores() > 1 and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def in_background(fn: Callable[[], R]) -> Iterator[Callable[[], R]]:
    """Run ``fn`` in a forked process while the block runs on; the block calls what this yields to
    wait for the result (an exception ``fn`` raised is raised there). Where forking is not safe,
    ``fn`` runs when its result is asked for. A child not waited for is ended with the block."""
    if not _can_fork():
        yield fn
        return
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: compute, hand the result over, and leave without running any cleanup
        try:
            die_with_parent(parent)
            os.close(read)
            try:
                outcome = (True, fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle, said in words
                data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)  # never back into the caller's code, whatever happened
    os.close(write)
    waited = False

    def result() -> R:
        nonlocal waited
        with os.fdopen(os.dup(read), "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        waited = True
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    try:
        yield result
    finally:
        os.close(read)
        if not waited:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _run(index: int) -> Any:
    assert _TASK is not None
    return _TASK(index)


def _progress(results: Iterable[R], total: int, label: str) -> Iterable[R]:
    if not show_progress or total < PARALLEL_FROM or not sys.stderr.isatty():
        return results
    from tqdm import tqdm  # here: it takes longer to import than an edit takes to build

    return tqdm(results, total=total, desc=label, unit="", leave=False, file=sys.stderr)
