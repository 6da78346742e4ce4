"""The output folder under faults: a failed build leaves every file as the previous build wrote it,
whichever way the output is updated; external tools never run code from the site's folder; what a
killed build leaves is cleaned by the next; two builds never share an output folder; workers die with
their parent."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.render import search as search_module
from builder.commands.build import build
from builder.errors import BuildError
from builder.output.lock import output_lock
from builder.model import Output
from builder.output.write import update_outputs
from conftest import REPO, MakeSite
from helpers import run, tree
from helpers import EDITS, stamps

DEAD_PID = 999_999_999  # above any pid_max: never a live process


def test_modules_in_the_site_folder_never_run(make_site: MakeSite, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m`` puts the current folder first on the module path: the indexer must not see it."""
    marker = tmp_path / "ran"
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text(__name__)\n"
    site = make_site({"pagefind.py": code, "concurrent.py": code})
    monkeypatch.chdir(site)
    monkeypatch.setenv("PYTHONPATH", str(site))
    out = tmp_path / "out"
    build(site, out)
    assert not marker.exists(), f"{marker.read_text()} from the site's folder ran"
    assert (out / "pagefind" / "pagefind-entry.json").is_file()


def test_an_indexer_that_writes_no_index_fails_the_build(make_site: MakeSite, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out)
    before = tree(out)
    EDITS["article body"](site)
    monkeypatch.setattr(search_module, "PAGEFIND", [sys.executable, "-c", "pass"])  # exits 0, writes nothing
    with pytest.raises(BuildError) as caught:
        build(site, out)
    assert "Pagefind wrote no index" in caught.value.report()
    assert tree(out) == before


# --- all or nothing ---------------------------------------------------------------


def fail_replace(monkeypatch: pytest.MonkeyPatch, when: Callable[[int, str, str], bool]) -> list[int]:
    """Make ``os.replace`` fail as a read-only folder would, on the calls ``when(n, source, target)`` picks;
    return the list of calls made (failed or not), as call numbers."""
    real = os.replace
    calls: list[int] = []

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append(len(calls) + 1)
        if when(len(calls), os.fspath(source), os.fspath(target)):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(source), None, os.fspath(target))
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def nth(n: int) -> Callable[[int, str, str], bool]:
    return lambda call, source, target: call == n


CASES = {  # (search, edit, which os.replace call fails)
    "no search, first move": (False, "article body", lambda out: nth(1)),
    "no search, a later move": (False, "template", lambda out: nth(4)),
    # the only Turkish article: its pages go, once every changed file has been moved in
    "no search, removing pages": (False, "article deleted",
                                  lambda out: lambda n, source, target: source.startswith(f"{out.resolve() / 'tr'}/")),
    "search, moving the old output aside": (True, "article body", lambda out: nth(1)),
    "search, moving the new output in": (True, "article body", lambda out: nth(2)),
}


@pytest.mark.parametrize("case", CASES)
def test_a_failed_move_leaves_the_previous_output_byte_for_byte(make_site: MakeSite, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    search, edit, failing = CASES[case]
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=search)
    before = tree(out)
    EDITS[edit](site)
    calls = fail_replace(monkeypatch, failing(out))
    with pytest.raises(BuildError) as caught:
        build(site, out, search=search)
    report = caught.value.report()
    assert calls and "could not write the output" in report
    assert str(out) in report and ".staging-" not in report and ".old-" not in report, report
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    monkeypatch.undo()
    build(site, out, search=search)  # and the next build goes through
    assert tree(out) != before


@pytest.mark.parametrize("failing", [1, 4, 6])
def test_a_failed_update_by_the_dev_server_leaves_the_previous_output(make_site: MakeSite, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      failing: int) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    before = tree(out)
    changed = [Output("index.html", b"new"), Output("new/folder/page.html", b"new"), Output("en/index.html", b"new")]
    calls = fail_replace(monkeypatch, nth(failing))
    with pytest.raises(BuildError) as caught:
        update_outputs(changed, ["robots.txt"], out)
    assert len(calls) >= failing and str(out) in caught.value.report() and ".staging-" not in caught.value.report()
    assert tree(out) == before and not (out / "new").exists()
    monkeypatch.undo()
    assert update_outputs(changed, ["robots.txt"], out) == 3 and not (out / "robots.txt").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_leaves_the_previous_output(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    before = tree(out)
    EDITS["template"](site)
    (out / "en").chmod(0o555)
    try:
        with pytest.raises(BuildError) as caught:
            build(site, out, search=False)
    finally:
        (out / "en").chmod(0o755)
    assert str(out / "en") in caught.value.report()
    assert tree(out) == before


# --- leftovers, locks and workers ---------------------------------------------------


def test_what_a_killed_build_left_is_removed_by_the_next(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    for kind in ("staging", "old"):
        (tmp_path / f".out.{kind}-{DEAD_PID}" / "en").mkdir(parents=True)
        (tmp_path / f".out.{kind}-{DEAD_PID}" / "en" / "index.html").write_text("half a build")
    build(site, out, search=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_an_output_a_build_killed_mid_swap_moved_aside_is_put_back(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    before = stamps(out)
    os.replace(out, tmp_path / f".out.old-{DEAD_PID}")  # killed between moving the old output aside and the new in
    build(site, out, search=False)
    assert stamps(out) == before  # the same files, not rewritten
    assert not (tmp_path / f".out.old-{DEAD_PID}").exists()


def test_a_second_build_into_the_same_folder_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    before = tree(out)
    EDITS["article body"](site)
    with output_lock(out.resolve()):  # this process is the build under way
        started = time.monotonic()
        result = run("build", "--site", str(site), "--out", str(out), "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"another build is writing to this folder (pid {os.getpid()})" in result.stderr
    assert str(out) in result.stderr
    assert tree(out) == before
    assert time.monotonic() - started < 30
    assert "Built" in run("build", "--site", str(site), "--out", str(out), "--no-search").stdout  # released


WORKERS = {  # each worker writes its pid in one write: print's two could interleave with another worker's
    "fork_map": """
        def work(i):
            os.write(1, b"%d\\n" % os.getpid())
            time.sleep(60)
        list(parallel.fork_map(work, range(parallel.PARALLEL_FROM), "test"))
    """,
    "in_background": """
        with parallel.in_background(lambda: os.write(1, b"%d\\n" % os.getpid()) and time.sleep(60)) as result:
            result()
    """,
}


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads the process table from /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="workers are forked on more than one core only")
@pytest.mark.parametrize("kind", WORKERS)
def test_workers_die_with_their_parent(kind: str) -> None:
    script = f"import os, sys, time\nsys.path.insert(0, {str(REPO)!r})\nfrom builder import parallel\n"
    script += textwrap.dedent(WORKERS[kind])
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        assert alive(worker)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker), f"worker {worker} outlived its parent"


def alive(pid: int) -> bool:
    """A process that runs (a zombie waiting for init to reap it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
