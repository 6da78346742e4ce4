"""Write outputs: stage the build beside the output folder, then swap or move it in.

A failed or interrupted build leaves the previous output exactly as it was,
and no path — whatever a slug or template says — can land outside the output
folder. ``write_site`` renders only the outputs whose fingerprint changed, and
writes only those whose bytes changed: an unchanged file keeps its modification
time, so rsync and CDNs see no change.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.cache import Record, digest
from builder.errors import BuildError, Problem
from builder.model import Output
from builder.output.links import Page, Verifier
from builder.output.lock import output_lock, rmtree
from builder.output.scan import INDEX_DIR, Scan
from builder.parallel import fork_map
from builder.render.jobs import Job
from builder.render.pages import Renderer
from builder.render.templates import merge_repeats


class UnsafeOutput(ValueError):
    pass


def check_out_dir(out: Path, root: Path) -> None:
    """Refuse output folders whose replacement would destroy what is not the site's output: the file-system
    root, the home folder or any folder holding it, the site or any folder holding it, and the site's
    source folders or anything inside them."""
    out, root, home = out.resolve(), root.resolve(), Path.home().resolve()
    if out == Path(out.anchor):
        why = "it is the file-system root"
    elif home.is_relative_to(out):
        why = "it is your home folder" if out == home else "it holds your home folder"
    elif root.is_relative_to(out):
        why = "it is the site's folder" if out == root else "it holds the site"
    else:
        sources = [root / name for name in ("content", "templates", "static", "builder")]
        inside = next((folder for folder in sources if out.is_relative_to(folder)), None)
        if inside is None:
            return
        why = f"it is inside the site's {inside.name}/ folder" if out != inside else f"it is the site's {inside.name}/ folder"
    raise BuildError([Problem(str(out), None, f"refusing to use this folder as output (a build deletes all it holds but the site): {why}",
                              hint="pass --out a folder of its own, such as public/")])


def refuse_foreign(out: Path, existing: Mapping[str, object]) -> None:
    """Refuse a folder no build into is on record (the caller knows) that holds files and does not look like
    an earlier output (``--out ~/Documents`` by mistake): a build deletes the files it did not write."""
    if existing and not OURS <= existing.keys():
        raise BuildError([Problem(str(out), None, f"refusing to build into {out}: it holds files that no build of "
                                  "this site wrote, which would be deleted",
                                  hint="empty the folder or choose another --out")])


def safe_target(base: Path, rel: str, links: Collection[str] | None = None) -> Path:
    """``base / rel`` if it stays inside ``base``; raise UnsafeOutput otherwise.

    ``links`` are the symlinks under ``base`` (relative paths, from a scan just made): a path
    through none of them is judged by its name, without resolving each of its folders."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or "\\" in rel or "\x00" in rel or not pure.parts:
        raise UnsafeOutput(f"output path '{rel}' would leave the output folder")
    target = base.joinpath(*pure.parts)
    through_link = links is None or bool(links) and any(
        "/".join(pure.parts[:i]) in links for i in range(1, len(pure.parts) + 1))
    if through_link and not target.resolve().is_relative_to(base.resolve()):
        raise UnsafeOutput(f"output path '{rel}' would leave the output folder")
    return target


def write_outputs(outputs: Iterable[Output], out: Path, root: Path,
                  before_swap: Callable[[Path], None] | None = None) -> int:
    """Write every output into a staging folder, run ``before_swap`` on it, then replace ``out``."""
    check_out_dir(out, root)
    out = out.resolve()
    count = 0
    with output_lock(out), _staging(out) as (staging, old):
        seen: set[str] = set()
        for output in outputs:
            if output.path in seen:
                raise BuildError([Problem(output.path, None, "two outputs would be written to the same path")])
            seen.add(output.path)
            target = safe_target(staging, output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(output.data)
            count += 1
        if before_swap:
            before_swap(staging)
        _swap(staging, out, old)
    return count


def update_outputs(changed: Iterable[Output], removed: Iterable[str], out: Path) -> int:
    """Rewrite some files of an existing output in place, all or none of them (for the dev server)."""
    with output_lock(out), _staging(out) as (staging, _):
        staged: dict[str, Path] = {}
        for output in changed:
            target = safe_target(out, output.path)
            if target.is_file() and target.read_bytes() == output.data:
                continue
            staged[output.path] = source = staging / str(len(staged))
            source.write_bytes(output.data)
        stray = [path for path in removed if os.path.lexists(safe_target(out, path))]
        _move_in(out, staged, stray, set(), staging)
    return len(staged)


def _prune(out: Path, files: Iterable[Path]) -> None:
    """Delete every folder ``files`` (gone from ``out``) leave empty. Each folder is tried once,
    deepest first: looking into the folder after each delete is quadratic (a directory emptied from its
    start is read through all its freed entries): 20 s for 10,000 files in one folder, against 1.4 s."""
    folders: set[Path] = set()
    for target in files:
        parent = target.parent
        while parent != out and parent not in folders:
            folders.add(parent)
            parent = parent.parent
    for folder in sorted(folders, key=lambda folder: len(folder.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError as exc:  # still holds files (or is gone already): kept as it is
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                raise


# --- incremental builds ----------------------------------------------------------


@dataclass
class Written:
    """What ``write_site`` did: the record of every output now in the folder, for the next build."""

    records: dict[str, Record]
    rendered: int  # jobs run: new, or their fingerprint changed
    written: int  # files whose bytes changed
    removed: int  # files no longer part of the site


Index = Callable[[Path], None]  # builds the search index into a folder holding the whole site


def write_site(renderer: Renderer, jobs: list[Job], prints: Mapping[str, str], out: Path,
               previous: Mapping[str, Record], scanned: Scan, index: Index | None = None,
               verify: Verifier | None = None) -> Written:
    """Bring ``out`` to the site ``jobs`` describe, rendering only jobs whose fingerprint (``prints``)
    differs from ``previous`` or whose file was changed since; raise BuildError, leaving ``out`` as it was.

    Changed files are rendered into a staging folder and moved in when all succeeded. When
    the search index must be rebuilt (it reads the whole site), the staging folder is
    completed with hard links to the unchanged files and swapped in whole. ``out`` is resolved and
    was checked by the caller (check_out_dir, refuse_foreign); ``scanned`` is what ``scan(out)`` found.
    ``verify`` reads the links of every page rendered, and checks them before anything is moved in.
    """
    _unique(jobs)
    existing, links = scanned
    # the hash of each file still as the last build wrote it: a re-rendered page is compared with it, not re-read
    hashes = {path: rec[3] for path, rec in previous.items() if existing.get(path) == rec[1:3]}
    fresh = [job for job in jobs if job.path not in hashes or previous[job.path][0] != prints[job.path]]
    keep = {p for p in existing if p.startswith(INDEX_DIR)} if index else set()
    stray = existing.keys() - prints.keys() - keep
    # The whole site is staged as a tree when there is no output yet, or when the search index (which
    # reads the whole site) may need rebuilding; otherwise changed files are staged flat and moved in.
    whole = not out.exists() or bool(index and (fresh or stray or not keep))
    with _staging(out) as (staging, old):
        tree = staging / "site"
        changed, pages = _render_into(renderer, fresh, out, links, hashes, (lambda path, i: tree / path) if whole
                                      else (lambda path, i: staging / str(i)), verify and verify.page)
        if verify:
            verify.check(pages)
        if whole and (changed or stray or not keep or not out.exists()):
            tree.mkdir(exist_ok=True)
            for path in prints.keys() - changed.keys():  # the unchanged files, as they are (same inode, same mtime)
                _link(out / path, tree / path)
            if index:
                index(tree)
            _swap(tree, out, old)
        elif changed or stray:
            _move_in(out, {path: staged for path, (staged, _) in changed.items()}, stray,
                     {path.rpartition("/")[0] for path in existing}, staging)
        # else nothing to do: not even the folder is touched
    for path, (_, stat) in changed.items():  # the rest are as scanned (or hard-linked: the same inode)
        existing[path] = stat
    records = {path: (fp, *existing[path], hashes[path]) for path, fp in prints.items()}
    return Written(records, len(fresh), len(changed), len(stray))


OURS = {"404.html", "robots.txt"}  # every build writes both: a folder without them is not an earlier output


def _unique(jobs: list[Job]) -> None:
    seen: set[str] = set()
    twice = sorted({job.path for job in jobs if job.path in seen or seen.add(job.path)})  # type: ignore[func-returns-value]
    if twice:
        raise BuildError([Problem(path, None, "two outputs would be written to the same path") for path in twice])


def _render_into(renderer: Renderer, jobs: list[Job], out: Path, links: set[str], hashes: dict[str, str],
                 place: Callable[[str, int], Path], read_page: Callable[[str, str], Page] | None
                 ) -> tuple[dict[str, tuple[Path, tuple[int, int]]], dict[str, Page]]:
    """Render ``jobs`` on every core; write each output whose bytes differ from ``out``'s to ``place(path, i)``.
    ``hashes`` are the hashes of files in ``out`` as the last build wrote them (others are read to compare);
    it is updated with every rendered output's. ``links`` are the symlinks in ``out``. Return where each
    written output was staged, with its (size, mtime in ns), and (with ``read_page``) what it reads of every
    page rendered (by its path and HTML), in the workers; raise BuildError with every template problem."""
    for job in jobs:
        safe_target(out, job.path, links)
    folders: set[Path] = set()  # made by this process: a flat stage needs one call, not one per file

    def render_one(i: int) -> tuple[str, tuple[int, int] | None, list[Problem], Page | None]:
        job = jobs[i]
        mark = len(renderer.problems)
        data = job.run()
        if data is None:
            return "", None, renderer.problems[mark:], None
        page = (read_page(job.path, data.decode("utf-8", "replace"))
                if read_page and job.path.endswith(".html") else None)
        new = digest(data)
        before = hashes.get(job.path)
        if before is None:
            try:
                before = digest((out / job.path).read_bytes())
            except OSError:  # new, or not a file
                pass
        if before == new:
            return new, None, [], page
        target = place(job.path, i)
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(data)
        stat = target.stat()  # a rename keeps size and mtime: the record needs no stat after the move
        return new, (stat.st_size, stat.st_mtime_ns), [], page

    results = list(fork_map(render_one, range(len(jobs)), "rendering"))
    problems = merge_repeats([p for _, _, found, _ in results for p in found])
    if problems:
        raise BuildError(problems)
    for job, (new, *_) in zip(jobs, results):
        hashes[job.path] = new
    pages = {job.path: page for job, (*_, page) in zip(jobs, results) if page is not None}
    return {jobs[i].path: (place(jobs[i].path, i), stat) for i, (_, stat, _, _) in enumerate(results) if stat}, pages


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


@contextmanager
def _staging(out: Path) -> Iterator[tuple[Path, Path]]:
    """A fresh staging folder beside ``out`` and the name the old output takes while swapping; both
    removed afterwards, whatever happens (the old output only while ``out`` exists: otherwise it is
    the only copy). Write errors become a BuildError naming the output path: the output stays as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    rmtree(staging)
    try:
        staging.mkdir()
        yield staging, old
    except UnsafeOutput as exc:
        raise BuildError([Problem("output", None, str(exc))]) from None
    except OSError as exc:  # disk full, permissions: the previous output stays as it was
        raise BuildError([Problem(_output_path(exc, out), None, f"could not write the output: {exc.strerror or exc}")]) from None
    finally:
        rmtree(staging)
        if out.exists():
            rmtree(old)


def _output_path(exc: OSError, out: Path) -> str:
    """The path in ``out`` an error is about: not the staging file it was moving from."""
    named = [Path(name) for name in (exc.filename, exc.filename2) if isinstance(name, (str, os.PathLike))]
    return str(next((path for path in named if path.is_relative_to(out)), out))


def _swap(staging: Path, out: Path, old: Path) -> None:
    """Replace ``out`` with ``staging``; on failure ``out`` is put back as it was."""
    with _deferred_interrupt():
        if not out.exists():
            os.replace(staging, out)
            return
        os.replace(out, old)
        try:
            os.replace(staging, out)
        except OSError:
            os.replace(old, out)
            raise


def _move_in(out: Path, staged: Mapping[str, Path], stray: Iterable[str], folders: set[str], staging: Path) -> None:
    """Move the staged files into ``out`` and delete the stray ones, all or none: each file replaced or
    deleted is first moved aside into ``staging``, and put back if any step fails. Renames only, which
    need no space, and Ctrl-C waits until they are done, so the folder is the old site or the new one.
    ``folders`` (site-relative) exist already: no call is made to create them."""
    aside = staging / "previous"
    aside.mkdir()
    undo: list[tuple[Path | None, Path]] = []  # (None, path): a new file to delete; (aside, path): one to put back
    made: list[Path] = []  # folders this call created, to remove again

    def put_aside(target: Path) -> None:
        if os.path.lexists(target):
            saved = aside / str(len(undo))
            os.replace(target, saved)
            undo.append((saved, target))

    with _deferred_interrupt():
        try:
            for path, source in staged.items():
                target = out / path
                if path.rpartition("/")[0] not in folders:
                    made += _make_folders(target.parent)
                put_aside(target)
                os.replace(source, target)
                undo.append((None, target))
            for path in stray:
                put_aside(out / path)
            _prune(out, [out / path for path in stray])
        except BaseException:
            _undo(undo, made)
            raise


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return missing


def _undo(undo: list[tuple[Path | None, Path]], made: list[Path]) -> None:
    """Put back every file ``_move_in`` moved, newest first, then remove the folders it created."""
    for saved, target in reversed(undo):
        if saved is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)  # a folder a stray file's removal emptied
            os.replace(saved, target)
    for folder in sorted(made, key=lambda folder: len(folder.parts), reverse=True):
        folder.rmdir()


@contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (in the main thread; elsewhere signals never arrive)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
        if caught:
            raise KeyboardInterrupt
