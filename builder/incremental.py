"""Rebuild only what an edit touches: the dev server's memory of the last good build.

After each build it keeps, per output, the inputs the output was made from (the
``deps`` of its Job). On the next change it reloads the site (the parse cache
skips unchanged articles), plans every job again (cheap: nothing is rendered),
and runs only the jobs whose inputs changed, or whose inputs are not the same set
as before (an article joined or left a story), or whose output is new. Outputs
that left the plan are deleted, so no page of a deleted article stays served.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
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
EVERYTHING = "*"  # a changed-input key meaning "the watcher lost track: redo every job"


def input_key(path: Path, root: Path) -> str | None:
    """The dependency key for a changed file (``content/…``, ``templates/x.html``, ``catalog:uz``), or None
    when no build reads it (the output folder, editor swap files, anything else)."""
    name = path.name
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return None
    if path.suffix == ".po" and path.parent.name == "LC_MESSAGES" and path.is_relative_to(i18n.CATALOGS):
        return "catalog:" + path.parent.parent.name.replace("_", "-")
    if not path.is_relative_to(root):
        return None
    rel = PurePosixPath(path.relative_to(root).as_posix())
    if str(rel).startswith(ARTICLES_DIR + "/") and rel.suffix != ".md":
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

    def __str__(self) -> str:
        what = ", ".join(self.changed[:3]) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
        gone = f", {self.removed} removed" if self.removed else ""
        return (f"{what or 'full build'}: {self.written} file{'s' if self.written != 1 else ''} rewritten "
                f"({self.rendered} of {self.total} rendered{gone}) in {self.seconds * 1000:.0f} ms")


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

    def rebuild(self, changed: Iterable[str] = ()) -> Rebuild:
        """Bring ``out`` up to date after ``changed`` inputs; raise BuildError (remembering the changes,
        so the build after the fix redoes them) when the site has errors."""
        started = time.perf_counter()
        self.pending |= set(changed)
        if any(key.startswith("catalog:") or key == EVERYTHING for key in self.pending):
            i18n.translations.cache_clear()  # compiled from the .po once per process otherwise
        site, warnings = load_site(self.root, self.base_url, self.cache, self.strict)
        self.base_path = site.config.base_path
        renderer, jobs = plan_site(site, STEPS)
        paths = {job.path: job for job in jobs}
        if len(paths) != len(jobs):
            twice = sorted({job.path for job in jobs if paths[job.path] is not job})
            raise BuildError([Problem(path, None, "two outputs would be written to the same path") for path in twice])
        known = set().union(*(job.deps for job in jobs))
        dirty = self.pending | self._moved(site) | catalog_users(self.pending, known)
        todo = jobs if self._lost_track(dirty, known) else self._stale(jobs, dirty)
        outputs, problems = run_jobs(renderer, todo)
        errors = [p for p in problems if self.strict or not p.warning]
        if errors:
            raise BuildError(errors)
        removed = [path for path in self.previous or () if path not in paths]
        try:
            if self.previous is None or todo is jobs:
                written = self._write_all(outputs, site)
            else:
                written = update_outputs(outputs, removed, self.out)
        except UnsafeOutput as exc:
            raise BuildError([Problem("output", None, str(exc))]) from None
        report = Rebuild(tuple(sorted(self.pending)), len(todo), written, len(removed), len(jobs),
                         time.perf_counter() - started, tuple(warnings + [p for p in problems if p.warning]))
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
