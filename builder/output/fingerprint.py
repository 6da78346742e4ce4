"""Fingerprints of outputs: a hash of every input a job names, so a build renders only what changed.

A job's inputs are its ``deps`` (see render.py): article files (by the hash of
their bytes), story, summary and entity files, templates, static files,
``site.yaml`` (as the validated settings, so ``--base-url`` counts too),
interface catalogs, the sets ``list:<lang>``, ``list:*`` and ``languages`` (which articles,
where and when: what lists are cut from and sorted by), and ``item:``/``entry:`` + an article's
path (only what an index or a feed shows of articles, so a body edit re-renders neither),
``links:`` + a listing page's path and the pages it links to (render/listings.py), ``story:`` + a story's id
(what a link to the story shows, so that editing a story's member re-renders neither its background articles
nor the indexes), and ``members:`` + a story's id
(what an index shows of each of its members, for the member pages' lists of each other).
The builder's own code and the versions of the libraries that shape pages are
part of every fingerprint. An input this module cannot name fails loudly: a
silently ignored input would be a stale page.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from builder.lang import i18n
from builder.cache import code_version, digest
from builder.model import Article, Site
from builder.render.jobs import ALL, ENTRY, ITEM, LANGUAGES, LINKS, MEMBERS, STORY, Job
from builder.render.templates import PAGE_TEMPLATES, PARTIALS, layered_file, layered_files, static_dirs, theme_dirs


_BITS = (1 << 128) - 1  # fingerprints are as wide as the hashes they add up


class Fingerprints:
    """The fingerprint of each job of one site."""

    def __init__(self, site: Site, previous: Fingerprints | None = None):
        """``previous``: the dev server's fingerprints of the last rebuild, whose work on unchanged
        articles (the same objects) and inputs (the same tokens) is reused: it plans 10,000 jobs per save."""
        self.site = site
        self.root = site.config.root
        self.tokens: dict[str, str] = {a.path: a.digest for a in site.articles}
        self.by_path = {a.path: a for a in site.articles}
        # per article: the article, its entry in lists, the token of what an index shows of it
        self.shown: dict[str, tuple[Article, str, str]] = {}
        kept = previous.shown if previous else {}
        by_lang: dict[str, list[str]] = {}
        for article in site.articles:
            known = kept.get(article.path)
            if known is None or known[0] is not article:
                known = (article, f"{article.path}\0{article.page_path}\0{article.date.isoformat()}",
                         digest(repr(_shown(article, full=False))))
            self.shown[article.path] = known
            by_lang.setdefault(article.lang, []).append(known[1])
        for lang, entries in by_lang.items():
            self.tokens[f"list:{lang}"] = digest(*sorted(entries))
        self.tokens[ALL] = digest(*sorted(e for entries in by_lang.values() for e in entries))
        self.tokens[LANGUAGES] = digest(*sorted(by_lang))
        self.tokens["site.yaml"] = digest(repr(site.config))
        for story in site.stories:
            shown = (sorted(story.spec.title.items()), [d.article for d in story.members])
            self.tokens[STORY + story.spec.id] = digest(repr(shown))
            self.tokens[MEMBERS + story.spec.id] = digest(*(self.shown[d.article][2] for d in story.members))
        self.salt = int(code_version(), 16)
        self.numbers: dict[str, int] = {}  # each input's (name, token) hash as a number
        self.pairs: dict[tuple[str, str], int] = {}  # the same, by (name, token)
        self.earlier = previous.pairs if previous else {}
        self.made: dict[str, tuple[frozenset[str], str]] = {}  # output path → its inputs and fingerprint
        self.previous = previous

    def of(self, job: Job) -> str:
        """A hash of the builder's code and of the (name, token) of each input, combined by adding
        them: no sorting, and a page listing 100 story members costs 100 additions. (It is compared
        with the fingerprint of the same output path only, so the path need not be part of it.)"""
        total = self.salt
        numbers, number = self.numbers, self.number
        for dep in job.deps:
            total += numbers.get(dep) or number(dep)
        return f"{total & _BITS:032x}"

    def token(self, dep: str) -> str:
        found = self.tokens.get(dep)
        if found is None:
            found = self.tokens[dep] = self._token(dep)
        return found

    def _token(self, dep: str) -> str:
        if dep.startswith("list:"):  # a language with no article left
            return "empty"
        if dep.startswith(LINKS):  # the name says it all
            return ""
        if dep.startswith(ITEM):
            return self.shown[dep[len(ITEM):]][2]
        if dep.startswith(ENTRY):
            return digest(repr(_shown(self.by_path[dep[len(ENTRY):]], full=True)))
        if dep.startswith("catalog:"):
            code = dep.split(":", 1)[1]
            return _file_token(i18n.catalog_file(code))
        if dep == PARTIALS:
            files = layered_files(theme_dirs(self.root))
            return digest(*(f"{name}\0{_file_token(path)}" for name, path in files.items() if name not in PAGE_TEMPLATES))
        if dep.startswith("templates/"):
            return _file_token(layered_file(theme_dirs(self.root), dep.split("/", 1)[1]))
        if dep.startswith("static/"):
            return _file_token(layered_file(static_dirs(self.root), dep.split("/", 1)[1]))
        if dep.startswith("content/"):  # story, summary and entity files
            return _file_token(self.root / dep)
        raise ValueError(f"no fingerprint for the input '{dep}'")

    def all(self, jobs: Iterable[Job]) -> dict[str, str]:
        """Every job's fingerprint. After a ``previous`` plan, a job with the same inputs as then, none of
        which changed, keeps its fingerprint: the inputs are compared once each, not once per job naming
        them (a save adds up one page's inputs, not those of 10,000 pages)."""
        jobs = list(jobs)
        kept = self.previous.made if self.previous else {}
        before = self.previous.numbers if self.previous else {}
        changed = {dep for dep in set().union(*(job.deps for job in jobs))
                   if dep in before and self.number(dep) != before[dep]} if before else set()
        for job in jobs:
            known = kept.get(job.path)
            if known is not None and known[0] == job.deps and changed.isdisjoint(job.deps):
                self.made[job.path] = known
            else:
                self.made[job.path] = (job.deps, self.of(job))
        self.previous = None  # nothing more of it is needed: let it go
        return {job.path: self.made[job.path][1] for job in jobs}

    def number(self, dep: str) -> int:
        """The (name, token) hash of ``dep`` as a number, worked out once per plan (or taken from the last)."""
        number = self.numbers.get(dep)
        if number is None:
            pair = (dep, self.token(dep))
            number = self.earlier.get(pair)
            if number is None:
                number = int(digest(*pair), 16)
            self.numbers[dep] = self.pairs[pair] = number
        return number


def _shown(article: Article, full: bool) -> tuple[object, ...]:
    """What an index shows of an article (render.Renderer.article_item), or with ``full`` a feed entry
    (feeds.atom_feed): never its body, so editing a sentence re-renders only its page."""
    item = (article.title, article.lang, article.page_path, article.url, article.source, article.date)
    return (*item, article.description, article.author, article.tags) if full else item


def _file_token(path: Path | None) -> str:
    try:
        return digest(path.read_bytes()) if path else "none"
    except FileNotFoundError:
        return "none"
