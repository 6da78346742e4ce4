"""The pipeline in one place: config → articles → stories → outputs → written folder."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from . import i18n
from .clusters import cluster_articles, read_stories
from .config import load_config
from .content import Cache, read_articles, render_markdown
from .errors import BuildError, Problem
from .feeds import feed_jobs, sitemap_jobs
from .model import Article, Output, Site
from .render import (
    RenderStep,
    api_jobs,
    not_found_jobs,
    page_jobs,
    plan_site,
    run_jobs,
    static_jobs,
    story_jobs,
)
from .search import index_site, search_jobs
from .write import write_outputs

log = logging.getLogger(__name__)

STEPS: tuple[RenderStep, ...] = (page_jobs, story_jobs, search_jobs, not_found_jobs, feed_jobs, sitemap_jobs,
                                  api_jobs, static_jobs)


@dataclass
class BuildReport:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    search_seconds: float | None = None  # time Pagefind took; None when search is off


def load_site(root: Path, base_url: str | None = None, cache: Cache | None = None,
              strict: bool = False, changed: Collection[str] | None = None) -> tuple[Site, list[Problem]]:
    """Read and cluster everything; raise BuildError with every error found, return warnings."""
    config, problems = load_config(root, base_url)
    if config is None:
        raise BuildError(problems)
    articles, found = read_articles(config, cache, changed)
    problems += found + untranslated_languages(articles)
    specs, found = read_stories(config, render_markdown)
    problems += found
    _raise_errors(problems, strict)
    site = Site(config, tuple(articles), cluster_articles(specs, articles))
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
        raise BuildError(errors)


def build(root: Path, out: Path | None = None, base_url: str | None = None, strict: bool = False,
          after_write: Callable[[Path, Site], None] | None = None, search: bool = True) -> BuildReport:
    """Build the site at ``root`` into ``out`` (default ``root/public``), replacing it only on success.

    ``search=False`` (``--no-search``) acts as ``search: false`` in site.yaml: no search pages,
    no nav link, no index. The index is built in the staging folder, so a failed index
    leaves the previous output as it was.
    """
    started = time.perf_counter()
    out = out or root / "public"
    site, warnings = load_site(root, base_url, strict=strict)
    if not search:
        site = dataclasses.replace(site, config=dataclasses.replace(site.config, search=False))
    outputs = render(site)
    timing: list[float] = []

    def before_swap(staging: Path) -> None:
        if site.config.search:
            timing.append(index_site(staging))
        if after_write:
            after_write(staging, site)

    files = write_outputs(outputs, out, root, before_swap=before_swap)
    pages = sum(o.path.endswith(".html") for o in outputs)
    return BuildReport(out, pages, files, time.perf_counter() - started, warnings,
                       search_seconds=timing[0] if timing else None)
