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
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from builder.lang import i18n
from builder.commands.build import STEPS, load_site
from builder.cache import open_store
from builder.read.articles import ARTICLES_DIR
from builder.read.folder import Cache
from builder.errors import BuildError, Problem
from builder.model import Moment, Output, Site
from builder.render.jobs import ALL, LANGUAGES, Job, listed_as
from builder.render.pages import Renderer, plan_site, run_jobs
from builder.render.search import index_site
from builder.output.write import UnsafeOutput, update_outputs, write_outputs

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
    articles: dict[str, tuple[str, Moment, str]] = field(default_factory=dict)  # path → (lang, date, page path)
    pending: set[str] = field(default_factory=set)  # inputs changed since the last good build
    base_path: str = "/"  # where the site lives on its host, from base_url, as of the last site.yaml read
    index_stale: bool = False  # pages changed since the search index was built
    renderer: Renderer | None = None  # kept between plans: jobs of unchanged articles are reused

    def rebuild(self, changed: Iterable[str] = ()) -> Rebuild:
        """Bring ``out`` up to date after ``changed`` inputs; raise BuildError (remembering the changes,
        so the build after the fix redoes them) when the site has errors."""
        laps = [time.perf_counter()]
        self.pending |= set(changed)
        if any(key.startswith("catalog:") or key == EVERYTHING for key in self.pending):
            i18n.translations.cache_clear()  # compiled from the .po once per process otherwise
        # The watcher names every changed file, so unchanged articles need not even be stat'ed.
        hint = self.pending if self.previous is not None and EVERYTHING not in self.pending else None
        # The first load takes what earlier builds parsed from the build cache; later ones have their own memory.
        store = open_store(self.root) if not self.cache else None
        try:
            site, warnings = load_site(self.root, self.base_url, self.cache, self.strict, hint, store)
        finally:
            if store:
                store.close()
        self.base_path = site.config.base_path
        laps.append(time.perf_counter())
        self.renderer, jobs = plan_site(site, STEPS, self.renderer)
        renderer = self.renderer
        paths = {job.path: job for job in jobs}
        if len(paths) != len(jobs):
            twice = sorted({job.path for job in jobs if paths[job.path] is not job})
            raise BuildError([Problem(path, None, "two outputs would be written to the same path") for path in twice])
        dirty = self.pending | self._moved(site) | self._listed(site)
        if any(key.startswith("catalog:") for key in self.pending):  # rare: a translator saved a catalog
            dirty |= catalog_users(self.pending, set().union(*(job.deps for job in jobs)))
        todo = jobs if self._lost_track(dirty, jobs) else self._stale(jobs, dirty)
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
        self.articles = {a.path: (a.lang, a.date, a.page_path) for a in site.articles}
        self.pending = set()
        return report

    def _lost_track(self, dirty: set[str], jobs: list[Job]) -> bool:
        """A full rebuild: the first one, or a changed input no output lists, now or before (a new
        template partial), so its effect cannot be traced."""
        if self.previous is None or EVERYTHING in dirty:
            return True
        candidates = {key for key in dirty if not key.startswith((ARTICLES_DIR + "/", "list:", "catalog:", LANGUAGES))
                      and (self.root / key).is_file()}  # not a temporary file that came and went
        # a few keys checked against every job's inputs: cheaper than the union of 10,000 sets on every edit
        untraced = {key for key in candidates if not any(key in job.deps for job in jobs)
                    and not any(key in deps for deps in (self.previous or {}).values())}
        if untraced:
            log.info("%s: not a recorded input of any page, rebuilding everything", ", ".join(sorted(untraced)))
        return bool(untraced)

    def _stale(self, jobs: list[Job], dirty: set[str]) -> list[Job]:
        """Jobs that are new, whose inputs changed, or whose set of inputs is not what it was."""
        previous = self.previous or {}
        return [job for job in jobs if previous.get(job.path) != job.deps or not dirty.isdisjoint(job.deps)]

    def _listed(self, site: Site) -> set[str]:
        """The keys under which lists show the changed articles, in their language now and before."""
        changed = {path for path in self.pending if path.startswith(ARTICLES_DIR + "/")}
        langs = {(a.path, a.lang) for a in site.articles if a.path in changed}
        langs |= {(path, self.articles[path][0]) for path in changed if path in self.articles}
        return {key for path, lang in langs for key in listed_as(path, lang)}

    def _moved(self, site: Site) -> set[str]:
        """List keys to redo: the languages of articles added, removed, re-dated, moved to another
        language or another URL, ``list:*`` with them, and the set of languages when it changed."""
        now = {a.path: (a.lang, a.date, a.page_path) for a in site.articles}
        before = self.articles
        moved = (now.keys() ^ before.keys()) | {p for p in now.keys() & before.keys() if now[p] != before[p]}
        keys = {f"list:{entry[0]}" for path in moved for entry in (now.get(path), before.get(path)) if entry}
        if keys:
            keys.add(ALL)
        if {entry[0] for entry in now.values()} != {entry[0] for entry in before.values()}:
            keys.add(LANGUAGES)
        return keys

    def _write_all(self, outputs: list[Output], site: Site) -> int:
        """Replace the whole output folder, search index included, as ``build`` does."""
        index = (lambda staging: index_site(staging)) if site.config.search else None
        return write_outputs(outputs, self.out, self.root, before_swap=index)


def catalog_users(changed: set[str], known: set[str]) -> set[str]:
    """``catalog:uz-Latn`` when ``uz``'s catalog changed, ``catalog:zh-TW`` when ``zh_Hant``'s did: a language
    without its own catalog uses one of its base language's (which one, ``i18n.catalog_file`` decides)."""
    bases = {key.split(":", 1)[1].split("-")[0] for key in changed if key.startswith("catalog:")}
    return {key for key in known if key.startswith("catalog:") and key.split(":", 1)[1].split("-")[0] in bases}


# --- watching the sources --------------------------------------------------------


def watched_dirs(root: Path) -> list[Path]:
    """Folders whose files the build reads: the site's, and the builder's translation catalogs."""
    return [d for d in (*(root / name for name in SITE_DIRS), i18n.CATALOGS) if d.is_dir()]


# Not opened or closed-without-writing: every rebuild reads the sources, and would trigger the next one.
# Not folder "modified" either: it only says a file in it changed, and that file has its own event.
EVENTS: list[type[events.FileSystemEvent]] = [
    events.FileCreatedEvent, events.FileModifiedEvent, events.FileClosedEvent, events.FileDeletedEvent,
    events.FileMovedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]
POLL = 0.5  # seconds between scans when the system's own notifications are not available


class Watcher(events.FileSystemEventHandler):
    """The sources watched by watchdog (inotify, FSEvents, ReadDirectoryChangesW; polling where they fail to
    start, as at the inotify watch limit). Events arrive on watchdog's threads; their keys are handed to
    ``report`` on ``loop``'s thread."""

    def __init__(self, root: Path, report: Callable[[set[str]], None], loop: asyncio.AbstractEventLoop):
        self.root, self.report, self.loop = root, report, loop
        self.quiet = QUIET
        try:
            self._start(Observer())
        except OSError as exc:
            log.info("watching by polling (%s)", exc)
            self._start(PollingObserver(timeout=POLL))
            self.quiet = POLL * 1.5  # the next scan must come back empty before a rebuild

    def _start(self, observer: BaseObserver) -> None:
        self.observer = observer
        self.watches: dict[Path, ObservedWatch] = {}
        try:
            observer.schedule(self, str(self.root), event_filter=EVENTS)  # site.yaml, and site folders made later
            for folder in watched_dirs(self.root):
                self._watch(folder)
            observer.start()
        except OSError:
            observer.stop()  # the watches that did start
            raise

    def _watch(self, folder: Path) -> None:
        if folder in self.watches:  # deleted and made again: its old watch ended with it
            self.observer.unschedule(self.watches.pop(folder))
        self.watches[folder] = self.observer.schedule(self, str(folder), recursive=True, event_filter=EVENTS)

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        """On watchdog's thread: the keys of the paths the event names (both ends of a move; a folder's
        own key, since every article in it came or went), handed to the loop's thread."""
        paths = [Path(os.fsdecode(path)) for path in (event.src_path, event.dest_path) if path]
        keys = {key for path in paths if (key := input_key(path, self.root, folder=event.is_directory))}
        for path in paths:
            if event.is_directory and path.parent == self.root and path.name in SITE_DIRS:
                keys.add(EVERYTHING)  # a whole site folder came or went: polling reports none of its files
                if path.is_dir():
                    try:
                        self._watch(path)
                    except OSError as exc:  # the system's watch limit reached
                        log.warning("%s: not watched (%s)", path, exc.strerror)
        if keys:
            self.loop.call_soon_threadsafe(self._report, keys)

    def _report(self, keys: set[str]) -> None:
        if self.observer.should_keep_running():  # nothing starts a rebuild once stopping began
            self.report(keys)

    def close(self) -> None:
        """Stop watchdog's threads (on Ctrl-C), so that none outlives the server."""
        self.observer.stop()
        self.observer.join(timeout=5)
