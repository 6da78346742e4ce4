"""The pipeline in one place: config → articles → stories → outputs → written folder."""

from __future__ import annotations

import dataclasses
import logging
import operator
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from builder.lang import i18n
from builder.cache import Store, open_store
from builder.read.sources import read_sources, unknown_outlets
from builder.read.stories import read_stories
from builder.stories.clusters import cluster_articles
from builder.stories.copies import with_reports
from builder.read.config import read_config
from builder.read.folder import Cache, read_articles
from builder.read.markdown import render_markdown
from builder.errors import BuildError, Problem
from builder.render.feeds import feed_jobs, sitemap_jobs
from builder.output.fingerprint import Fingerprints
from builder.output.links import verify_rendered
from builder.output.lock import output_lock
from builder.output import state
from builder.model import Article, Outlet, Output, Site, Story, StorySpec
from builder.render.pages import RenderStep, not_found_jobs, page_jobs, plan_site, run_jobs, static_jobs
from builder.render.listings import listing_jobs
from builder.render.stories import story_jobs
from builder.render.story_api import api_jobs
from builder.render.story_lists import story_list_jobs
from builder.render.search import index_site, search_jobs
from builder.parallel import in_background
from builder.output.scan import scan
from builder.output.write import check_out_dir, refuse_foreign, write_site

log = logging.getLogger(__name__)

STEPS: tuple[RenderStep, ...] = (page_jobs, listing_jobs, story_jobs, story_list_jobs, search_jobs, not_found_jobs,
                                  feed_jobs, sitemap_jobs, api_jobs, static_jobs)


@dataclass
class BuildReport:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    search_seconds: float | None = None  # time Pagefind took; None when search is off or not needed
    rendered: int = 0  # outputs rendered: new, or an input changed
    written: int = 0  # files whose bytes changed
    removed: int = 0  # files deleted: no longer part of the site
    timings: list[tuple[str, float]] = field(default_factory=list)  # seconds per stage, in order


@dataclass
class Clustered:
    """The stories of a long-lived process's last load (the dev server's), with what they were worked out
    from: a save that leaves every article, story file and the outlet registry as they were (a template,
    a catalog, a static file; not a summary, whose text is part of its story's spec) reuses them rather
    than weigh 10,000 candidates again."""

    specs: tuple[StorySpec, ...] = ()
    articles: tuple[Article, ...] = ()  # the parse cache's objects: an unchanged article is the same object
    outlets: tuple[Outlet, ...] = ()
    stories: tuple[Story, ...] | None = None

    def stories_of(self, specs: tuple[StorySpec, ...], articles: tuple[Article, ...], outlets: tuple[Outlet, ...],
                   make: Callable[[], tuple[Story, ...]]) -> tuple[Story, ...]:
        same = (self.stories is not None and specs == self.specs and outlets == self.outlets
                and len(articles) == len(self.articles) and all(map(operator.is_, articles, self.articles)))
        if not same:
            self.specs, self.articles, self.outlets, self.stories = specs, articles, outlets, make()
        return self.stories  # type: ignore[return-value]


def load_site(root: Path, base_url: str | None = None, cache: Cache | None = None, strict: bool = False,
              changed: Collection[str] | None = None, store: Store | None = None,
              lap: Callable[[str], None] = lambda stage: None,
              clustered: Clustered | None = None, drafts: bool = False) -> tuple[Site, list[Problem]]:
    """Read and cluster everything; raise BuildError with every error found, return warnings.
    ``clustered``: the dev server's stories of its last load, reused when nothing they come from changed;
    ``drafts``: articles marked ``draft: true`` are part of the site (otherwise they are left out entirely)."""
    config, problems = read_config(root, base_url)
    if config is None:
        raise BuildError(problems)
    config = dataclasses.replace(config, drafts=drafts)
    articles, found = read_articles(config, cache, changed, store)
    problems += found + untranslated_languages(articles)
    specs, found = read_stories(config, render_markdown, store)
    problems += found
    outlets, found = read_sources(root)
    problems += found + unknown_outlets(articles, outlets)
    _raise_errors(problems, strict)
    lap("read")
    def make() -> tuple[Story, ...]:
        return with_reports(cluster_articles(specs, articles, store), articles, outlets, store)

    stories = (clustered or Clustered()).stories_of(tuple(specs), tuple(articles), tuple(outlets), make)
    site = Site(config, tuple(articles), stories, outlets)
    lap("cluster")
    return site, problems


def untranslated_languages(articles: list[Article]) -> list[Problem]:
    """A warning per article language with no interface catalog: its pages fall back to English strings."""
    first: dict[str, str] = {}
    for article in articles:
        first.setdefault(article.lang, article.path)
    return [Problem(path, None, f"no interface catalog for '{lang}': its pages use English interface strings "
                    f"(add builder/locales/{lang.replace('-', '_')}/LC_MESSAGES/messages.po)", warning=True)
            for lang, path in sorted(first.items()) if not i18n.has_catalog(lang)]


def render(site: Site) -> list[Output]:
    """Every output of the site, in memory; raise BuildError on template problems."""
    renderer, jobs = plan_site(site, STEPS)
    outputs, problems = run_jobs(renderer, jobs)
    _raise_errors(problems, strict=False)
    return outputs


def _raise_errors(problems: list[Problem], strict: bool) -> None:
    errors = [p for p in problems if strict or not p.warning]
    if errors:
        raise BuildError(errors, [p for p in problems if p.warning and not strict])


class _Stopwatch:
    """Seconds per stage, for ``--timings``."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self.last))
        self.last = now


def build(root: Path, out: Path | None = None, base_url: str | None = None, strict: bool = False,
          search: bool = True, cache_dir: Path | None = None, use_cache: bool = True,
          stamp: str | None = None, drafts: bool = False) -> BuildReport:
    """Build the site at ``root`` into ``out`` (default ``root/public``), replacing it only on success.

    Only outputs whose inputs changed since the last build into ``out`` are rendered, and
    only files whose bytes changed are written (``cache_dir``, default: the user's cache folder, see
    cache.default_folder; ``use_cache=False`` builds from scratch and remembers nothing).
    ``search=False`` (``--no-search``) acts as ``search: false`` in site.yaml: no search pages,
    no nav link, no index. The index is built in the staging folder, so a failed index
    leaves the previous output as it was. ``stamp``: the sources' ``state.stamp``, when the caller took it
    before (the command line's no-op check). ``drafts``: publish the articles marked ``draft: true`` too.
    """
    started = time.perf_counter()
    watch = _Stopwatch()
    out = (out or root / "public").resolve()
    check_out_dir(out, root)  # before anything reads it: a mistaken --out is refused, never scanned
    taken = stamp or state.stamp(root, out, state.options(base_url, strict, search, drafts))  # before reading: an edit meanwhile counts
    # held to the end: a second build into ``out`` fails at once; the folder is scanned on the other core
    # while the sources are read
    with output_lock(out), in_background(lambda: scan(out)) as scanning:
        store = open_store(root, cache_dir, use_cache, lazy_bodies=True)  # after the fork: no child holds it
        try:
            previous = store.outputs(out)
            scanned = None
            if not previous:  # no build into ``out`` on record: refuse a folder that is not an output now,
                scanned = scanning()  # not after reading the whole site
                refuse_foreign(out, scanned[0])
            site, warnings = load_site(root, base_url, strict=strict, store=store, lap=watch.lap, drafts=drafts)
            if not search:
                site = dataclasses.replace(site, config=dataclasses.replace(site.config, search=False))
            renderer, jobs = plan_site(site, STEPS)
            _raise_errors(renderer.problems, strict)  # found while planning: a static file leaving the site
            prints = Fingerprints(site).all(jobs)
            watch.lap("plan")
            index_seconds: list[float] = []
            index = (lambda staging: index_seconds.append(index_site(staging))) if site.config.search else None
            done = write_site(renderer, jobs, prints, out, previous, scanning() if scanned is None else scanned, index,
                              verify_rendered(site, jobs, out, warnings, strict))  # no broken link is published
            watch.lap("render and write")
            store.save_outputs(out, done.records, previous)
            pages = sum(job.path.endswith(".html") for job in jobs)
            state.remember(store, out, taken, done.records, {"pages": pages, "files": len(jobs), "indexed": bool(site.config.search),
                                               "warnings": [str(w) for w in warnings]})
        finally:
            store.close()
    if index_seconds:
        watch.laps[-1] = ("render and write", watch.laps[-1][1] - index_seconds[0])
        watch.laps.append(("search index", index_seconds[0]))
    return BuildReport(out, pages, len(jobs), time.perf_counter() - started, warnings,
                       search_seconds=index_seconds[0] if index_seconds else None, rendered=done.rendered,
                       written=done.written, removed=done.removed, timings=watch.laps)
