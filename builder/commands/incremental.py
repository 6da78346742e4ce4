"""Rebuild only what an edit touches: the dev server's memory of the last good build, and its watchers.

The server decides as ``build`` does, from the same record (output.record): on each
change it reloads the site (the parse cache skips unchanged articles; the watcher names
the changed files, so the others are not even stat'ed), plans every job again (cheap:
nothing is rendered), and runs the jobs whose fingerprint is not the recorded one.
Outputs that left the plan are deleted, so no page of a deleted article stays served.
The record is stored after each rebuild: the next ``build`` into the same folder starts from it.
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
from builder.commands.build import STEPS, Clustered, load_site
from builder.cache import Record, Store, open_store
from builder.read.articles import ARTICLES_DIR
from builder.read.folder import Cache
from builder.errors import BuildError, Problem, printable
from builder.model import Site
from builder.output import state
from builder.output.fingerprint import Fingerprints
from builder.output.lock import output_lock
from builder.output.record import stale, updated
from builder.render.jobs import Job
from builder.render.pages import Renderer, plan_site, run_jobs
from builder.render.search import index_site
from builder.output.scan import scan
from builder.output.write import UnsafeOutput, refuse_foreign, update_outputs, write_site

log = logging.getLogger(__name__)

SITE_DIRS = ("content", "templates", "static")  # watched recursively, with site.yaml and the catalogs
CONFIG = "site.yaml"
PHASES = ("load", "plan", "render", "write")
QUIET = 0.03  # seconds without a new change before rebuilding: an editor saving several files is one burst
EVERYTHING = "*"  # a changed-input key meaning "the watcher lost track: reload every file"


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
        what = ", ".join(map(printable, self.changed[:3])) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
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
    drafts: bool = False  # articles marked draft are part of the site (serve --drafts)
    cache: Cache = field(default_factory=dict)
    records: dict[str, Record] | None = None  # the build record of ``out`` as of the last good build
    pending: set[str] = field(default_factory=set)  # inputs changed since the last good build
    base_path: str = "/"  # where the site lives on its host, from base_url, as of the last site.yaml read
    index_stale: bool = False  # pages changed since the search index was built
    renderer: Renderer | None = None  # kept between plans: jobs of unchanged articles are reused
    fingerprints: Fingerprints | None = None  # kept between plans: hashes of unchanged inputs are reused
    memory: Store | None = None  # the store of the loads after the first: nothing to decode, what they parse
    clustered: Clustered = field(default_factory=Clustered)  # the last load's stories, and what they came from

    def rebuild(self, changed: Iterable[str] = ()) -> Rebuild:
        """Bring ``out`` up to date after ``changed`` inputs; raise BuildError (remembering the changes,
        so the build after the fix redoes them) when the site has errors."""
        laps = [time.perf_counter()]
        self.pending |= set(changed)
        if any(key.startswith("catalog:") or key == EVERYTHING for key in self.pending):
            i18n.translations.cache_clear()  # compiled from the .po once per process otherwise
        # The watcher names every changed file, so unchanged articles need not even be stat'ed.
        hint = self.pending if self.records is not None and EVERYTHING not in self.pending else None
        # The first load takes what earlier builds parsed (and the record of ``out``) from the build cache;
        # later ones have their own memory (``cache``, and ``memo``'s of the results for an in-memory store).
        store = open_store(self.root)
        try:
            if self.cache and self.memory is None:
                self.memory = Store(None)
            site, warnings = load_site(self.root, self.base_url, self.cache, self.strict, hint,
                                       self.memory if self.cache else store, clustered=self.clustered, drafts=self.drafts)
            self.base_path = site.config.base_path
            laps.append(time.perf_counter())
            self.renderer, jobs = plan_site(site, STEPS, self.renderer)
            _raise_twice(jobs)
            self.fingerprints = Fingerprints(site, self.fingerprints)
            prints = self.fingerprints.all(jobs)
            errors = [p for p in self.renderer.problems if self.strict or not p.warning]  # found while planning
            if errors:
                raise BuildError(errors)
            if self.records is None:
                report = self._first(site, jobs, prints, store, laps)
            else:
                report = self._again(jobs, prints, store, laps)
        finally:
            store.close()
        self.pending = set()
        return Rebuild(tuple(sorted(report[0])), *report[1:], laps[-1] - laps[0],  # type: ignore[arg-type]
                       tuple(warnings + [p for p in self.renderer.problems if p.warning]),
                       tuple(zip(PHASES, (b - a for a, b in zip(laps, laps[1:])))))

    def _first(self, site: Site, jobs: list[Job], prints: dict[str, str], store: Store,
               laps: list[float]) -> tuple[set[str], int, int, int, int]:
        """As ``build`` does, from the record of the last build into ``out``: a preview of a site built
        before renders only what changed since."""
        with output_lock(self.out):
            previous = store.outputs(self.out)
            scanned = scan(self.out)
            if not previous:
                refuse_foreign(self.out, scanned[0])
            laps.append(time.perf_counter())
            index = (lambda staging: index_site(staging)) if site.config.search else None
            try:
                done = write_site(self.renderer, jobs, prints, self.out, previous, scanned, index)  # type: ignore[arg-type]
            except UnsafeOutput as exc:
                raise BuildError([Problem("output", None, str(exc))]) from None
            laps += [time.perf_counter()] * 2
        store.save_outputs(self.out, done.records, previous)
        state.forget(store, self.out)  # its no-op stamp: this server's options may not be the build's
        self.records, self.index_stale = done.records, False
        return self.pending, done.rendered, done.written, done.removed, len(jobs)

    def _again(self, jobs: list[Job], prints: dict[str, str], store: Store,
               laps: list[float]) -> tuple[set[str], int, int, int, int]:
        """Run the jobs whose fingerprint changed, in this process (a few, usually), and write what differs."""
        before = self.records or {}
        todo = stale(jobs, prints, before)
        laps.append(time.perf_counter())
        outputs, problems = run_jobs(self.renderer, todo)  # type: ignore[arg-type]
        laps.append(time.perf_counter())
        errors = [p for p in problems if self.strict or not p.warning]
        if errors:
            raise BuildError(errors)
        removed = [path for path in before if path not in prints]
        try:
            written = update_outputs(outputs, removed, self.out)
        except UnsafeOutput as exc:
            raise BuildError([Problem("output", None, str(exc))]) from None
        self.records = updated(before, prints, outputs, self.out)
        store.save_outputs(self.out, self.records, before)
        state.forget(store, self.out)
        laps.append(time.perf_counter())
        self.index_stale |= bool(self.renderer and self.renderer.site.config.search and (written or removed))
        return self.pending, len(todo), written, len(removed), len(jobs)


def _raise_twice(jobs: list[Job]) -> None:
    paths = {job.path: job for job in jobs}
    if len(paths) != len(jobs):
        twice = sorted({job.path for job in jobs if paths[job.path] is not job})
        raise BuildError([Problem(path, None, "two outputs would be written to the same path") for path in twice])


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
