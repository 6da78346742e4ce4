"""Rebuild only what an edit touches: the dev server's memory of the last good build, and its watchers.

After each build it keeps, per output, the inputs the output was made from (the
``deps`` of its Job). On the next change it reloads the site (the parse cache
skips unchanged articles), plans every job again (cheap: nothing is rendered),
and runs only the jobs whose inputs changed, or whose inputs are not the same set
as before (an article joined or left a story), or whose output is new. Outputs
that left the plan are deleted, so no page of a deleted article stays served.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import i18n
from .build import STEPS, load_site
from .content import ARTICLES_DIR, Cache
from .errors import BuildError, Problem
from .model import Moment, Output, Site
from .render import ALL, LANGUAGES, Job, plan_site, run_jobs
from .search import index_site
from .write import UnsafeOutput, update_outputs, write_outputs

log = logging.getLogger(__name__)

SITE_DIRS = ("content", "templates", "static")  # watched recursively, with site.yaml and the catalogs
CONFIG = "site.yaml"
PHASES = ("load", "plan", "render", "write")
QUIET = 0.03  # seconds without a new change before rebuilding: an editor saving several files is one burst
EVERYTHING = "*"  # a changed-input key meaning "the watcher lost track: redo every job"


def input_key(path: Path, root: Path, folder: bool = False) -> str | None:
    """The dependency key for a changed file or ``folder`` (``content/…``, ``templates/x.html``, ``catalog:uz``),
    or None when no build reads it (the output folder, editor swap files, anything else)."""
    name = path.name
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return None
    if path.suffix == ".po" and path.parent.name == "LC_MESSAGES" and path.is_relative_to(i18n.CATALOGS):
        return "catalog:" + path.parent.parent.name.replace("_", "-")
    if not path.is_relative_to(root):
        return None
    rel = PurePosixPath(path.relative_to(root).as_posix())
    if str(rel).startswith(ARTICLES_DIR + "/") and rel.suffix != ".md" and not folder:
        return None  # an editor's temporary file: only Markdown files are articles
    if str(rel) == CONFIG or (len(rel.parts) > 1 and rel.parts[0] in SITE_DIRS):
        return str(rel)
    return None


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did, for the terminal line the server prints."""

    changed: tuple[str, ...]
    rendered: int  # jobs run
    written: int  # files whose bytes changed
    removed: int  # outputs deleted because they left the plan
    total: int  # outputs the site has now
    seconds: float
    warnings: tuple[Problem, ...] = ()
    phases: tuple[tuple[str, float], ...] = ()  # seconds spent in each of PHASES, to see where time goes

    def __str__(self) -> str:
        what = ", ".join(self.changed[:3]) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
        gone = f", {self.removed} removed" if self.removed else ""
        return (f"{what or 'full build'}: {self.written} file{'s' if self.written != 1 else ''} rewritten "
                f"({self.rendered} of {self.total} rendered{gone}) in {self.seconds * 1000:.0f} ms "
                f"({', '.join(f'{name} {seconds * 1000:.0f}' for name, seconds in self.phases)})")


@dataclass
class Incremental:
    """The site at ``root`` built into ``out``; ``rebuild`` brings ``out`` up to date with the sources."""

    root: Path
    out: Path
    base_url: str | None = None
    strict: bool = False
    cache: Cache = field(default_factory=dict)
    previous: dict[str, frozenset[str]] | None = None  # output path → its deps, as of the last good build
    known: set[str] = field(default_factory=set)  # every input some output depended on
    articles: dict[str, tuple[str, Moment]] = field(default_factory=dict)  # path → (lang, date)
    pending: set[str] = field(default_factory=set)  # inputs changed since the last good build
    base_path: str = "/"  # where the site lives on its host, from base_url, as of the last site.yaml read
    index_stale: bool = False  # pages changed since the search index was built

    def rebuild(self, changed: Iterable[str] = ()) -> Rebuild:
        """Bring ``out`` up to date after ``changed`` inputs; raise BuildError (remembering the changes,
        so the build after the fix redoes them) when the site has errors."""
        laps = [time.perf_counter()]
        self.pending |= set(changed)
        if any(key.startswith("catalog:") or key == EVERYTHING for key in self.pending):
            i18n.translations.cache_clear()  # compiled from the .po once per process otherwise
        site, warnings = load_site(self.root, self.base_url, self.cache, self.strict)
        self.base_path = site.config.base_path
        laps.append(time.perf_counter())
        renderer, jobs = plan_site(site, STEPS)
        paths = {job.path: job for job in jobs}
        if len(paths) != len(jobs):
            twice = sorted({job.path for job in jobs if paths[job.path] is not job})
            raise BuildError([Problem(path, None, "two outputs would be written to the same path") for path in twice])
        known = set().union(*(job.deps for job in jobs))
        dirty = self.pending | self._moved(site) | catalog_users(self.pending, known)
        todo = jobs if self._lost_track(dirty, known) else self._stale(jobs, dirty)
        laps.append(time.perf_counter())
        outputs, problems = run_jobs(renderer, todo)
        laps.append(time.perf_counter())
        errors = [p for p in problems if self.strict or not p.warning]
        if errors:
            raise BuildError(errors)
        removed = [path for path in self.previous or () if path not in paths]
        try:
            if self.previous is None or todo is jobs:
                written = self._write_all(outputs, site)
                self.index_stale = False
            else:
                written = update_outputs(outputs, removed, self.out)
                self.index_stale |= site.config.search and bool(written or removed)
        except UnsafeOutput as exc:
            raise BuildError([Problem("output", None, str(exc))]) from None
        laps.append(time.perf_counter())
        report = Rebuild(tuple(sorted(self.pending)), len(todo), written, len(removed), len(jobs),
                         laps[-1] - laps[0], tuple(warnings + [p for p in problems if p.warning]),
                         tuple(zip(PHASES, (b - a for a, b in zip(laps, laps[1:])))))
        self.previous = {job.path: job.deps for job in jobs}
        self.known = known
        self.articles = {a.path: (a.lang, a.date) for a in site.articles}
        self.pending = set()
        return report

    def _lost_track(self, dirty: set[str], known: set[str]) -> bool:
        """A full rebuild: the first one, or a changed input no output lists (a new template partial,
        ``content/entities.yaml``), so its effect cannot be traced."""
        if self.previous is None or EVERYTHING in dirty:
            return True
        untraced = {key for key in dirty if key not in known and key not in self.known
                    and not key.startswith((ARTICLES_DIR + "/", "list:", "catalog:", LANGUAGES))
                    and (self.root / key).is_file()}  # not a temporary file that came and went
        if untraced:
            log.info("%s: not a recorded input of any page, rebuilding everything", ", ".join(sorted(untraced)))
        return bool(untraced)

    def _stale(self, jobs: list[Job], dirty: set[str]) -> list[Job]:
        """Jobs that are new, whose inputs changed, or whose set of inputs is not what it was."""
        previous = self.previous or {}
        return [job for job in jobs if previous.get(job.path) != job.deps or not dirty.isdisjoint(job.deps)]

    def _moved(self, site: Site) -> set[str]:
        """List keys to redo: the languages of articles added, removed, re-dated or moved to another
        language, ``list:*`` with them, and the set of languages when it changed."""
        now = {a.path: (a.lang, a.date) for a in site.articles}
        before = self.articles
        moved = (now.keys() ^ before.keys()) | {p for p in now.keys() & before.keys() if now[p] != before[p]}
        keys = {f"list:{entry[0]}" for path in moved for entry in (now.get(path), before.get(path)) if entry}
        if keys:
            keys.add(ALL)
        if {lang for lang, _ in now.values()} != {lang for lang, _ in before.values()}:
            keys.add(LANGUAGES)
        return keys

    def _write_all(self, outputs: list[Output], site: Site) -> int:
        """Replace the whole output folder, search index included, as ``build`` does."""
        index = (lambda staging: index_site(staging)) if site.config.search else None
        return write_outputs(outputs, self.out, self.root, before_swap=index)


def catalog_users(changed: set[str], known: set[str]) -> set[str]:
    """``catalog:uz-Latn`` when ``uz``'s catalog changed: a language without its own catalog uses its base's."""
    bases = {key.split(":", 1)[1] for key in changed if key.startswith("catalog:")}
    return {key for key in known if key.startswith("catalog:") and key.split(":", 1)[1].split("-")[0] in bases}


# --- watching the sources --------------------------------------------------------


def watched_dirs(root: Path) -> list[Path]:
    """Folders whose files the build reads: the site's, and the builder's translation catalogs."""
    return [d for d in (*(root / name for name in SITE_DIRS), i18n.CATALOGS) if d.is_dir()]


class InotifyWatcher:
    """Linux inotify through libc: changes arrive as they happen, with no polling of 10,000 files."""

    quiet = QUIET
    MODIFY, ATTRIB, CLOSE_WRITE, MOVED_FROM, MOVED_TO, CREATE, DELETE = 0x2, 0x4, 0x8, 0x40, 0x80, 0x100, 0x200
    EVENTS = MODIFY | ATTRIB | CLOSE_WRITE | MOVED_FROM | MOVED_TO | CREATE | DELETE
    ONLYDIR, ISDIR, OVERFLOW, IGNORED = 0x01000000, 0x40000000, 0x4000, 0x8000

    def __init__(self, root: Path, report: Callable[[set[str]], None]):
        self.root, self.report = root, report
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs: dict[int, Path] = {}
        try:
            self._add(root)  # not recursive: for site.yaml, and for a content/ etc. created later
            for folder in watched_dirs(root):
                self._add_tree(folder)
        except OSError:
            os.close(self.fd)
            raise

    def _add(self, folder: Path) -> None:
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(folder), self.EVENTS | self.ONLYDIR)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"cannot watch {folder}")
        self.dirs[wd] = folder

    def _add_tree(self, folder: Path) -> set[Path]:
        """Watch ``folder`` and its subfolders; return the files already in them (a folder moved in)."""
        files = set()
        for path, subdirs, names in os.walk(folder):
            self._add(Path(path))
            files |= {Path(path, name) for name in names}
        return files

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.add_reader(self.fd, self._read)

    def _read(self) -> None:
        changed: set[Path] = set()
        folders: set[Path] = set()  # created, deleted or moved: every article in them came or went
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + size].rstrip(b"\0")
                offset += 16 + size
                if mask & self.OVERFLOW:
                    self.report({EVERYTHING})
                    continue
                if mask & self.IGNORED:
                    self.dirs.pop(wd, None)
                    continue
                folder = self.dirs.get(wd)
                if folder is None:
                    continue
                path = folder / os.fsdecode(name)
                if not mask & self.ISDIR:
                    changed.add(path)
                elif folder != self.root or path.name in SITE_DIRS:
                    folders.add(path)
                    if mask & (self.CREATE | self.MOVED_TO):
                        try:
                            changed |= self._add_tree(path)
                        except OSError as exc:  # gone again, or the system's watch limit reached
                            log.warning("%s: not watched (%s)", path, exc.strerror)
        keys = {key for path in changed if (key := input_key(path, self.root))}
        keys |= {key for path in folders if (key := input_key(path, self.root, folder=True))}
        if keys:
            self.report(keys)

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(self.fd)
        os.close(self.fd)


class PollWatcher:
    """Where inotify is missing (macOS, or its watch limit is reached): compare file stats every interval."""

    def __init__(self, root: Path, report: Callable[[set[str]], None]):
        self.root, self.report = root, report
        started = time.perf_counter()
        self.seen = self._scan()
        # never spend more than a fifth of a core on polling, however big the site
        self.interval = max(0.1, 5 * (time.perf_counter() - started))
        self.quiet = self.interval * 1.5  # the next poll must come back empty before a rebuild
        self.handle: asyncio.TimerHandle | None = None

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        found = {}
        stack = [str(d) for d in watched_dirs(self.root)]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file():
                        st = entry.stat()
                        found[entry.path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        config = self.root / CONFIG
        if config.is_file():
            st = config.stat()
            found[str(config)] = (st.st_mtime_ns, st.st_size, st.st_ino)
        return found

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        now = self._scan()
        changed = {p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)}
        self.seen = now
        keys = {key for p in changed if (key := input_key(Path(p), self.root))}
        if keys:
            self.report(keys)
        self.handle = loop.call_later(self.interval, self.start, loop)

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.handle:
            self.handle.cancel()


def make_watcher(root: Path, report: Callable[[set[str]], None]) -> InotifyWatcher | PollWatcher:
    """inotify where the system has it and allows enough watches; polling otherwise."""
    try:
        return InotifyWatcher(root, report)
    except (OSError, AttributeError) as exc:  # AttributeError: a libc without inotify
        log.info("watching by polling (%s)", exc)
        return PollWatcher(root, report)
