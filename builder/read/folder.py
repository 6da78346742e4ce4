"""The ``content/articles/`` folder: walked, parsed on every core, remembered in the build cache, and checked
for articles that would be published at one URL."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from builder.cache import Store, code_version, digest, on_lost_body, with_entry
from builder.errors import Problem, Snippet, bad_name
from builder.model import Article, Heading, SiteConfig, instant
from builder.parallel import fork_map
from builder.read.articles import ARTICLES_DIR, future_dates, parse_source, slugify, too_large


log = logging.getLogger(__name__)

def article_files(root: Path) -> tuple[list[tuple[str, os.DirEntry[str]]], list[Problem]]:
    """Every ``*.md`` under content/articles as (site-relative path, entry), sorted by path. Refused with a
    problem each: symlinks leading outside the site or in a loop, a folder reached twice, names that are not
    UTF-8, folders that cannot be read. One scandir walk: a 10,000-article site is read on every edit."""
    files, problems = [], []
    site = root.resolve()
    stack = [(str(root / ARTICLES_DIR), ARTICLES_DIR)]
    walked: set[tuple[int, int]] = set()  # (device, inode) of every folder read: a link back up ends here
    while stack:
        folder, rel_folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in walked:
                problems.append(Problem(rel_folder, None, "symlink loop, or a second way to a folder already "
                                        "read: not followed"))
                continue
            walked.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)  # which of two ways is refused: not by disk order
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(Problem(rel_folder, None, f"cannot read the folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}"
            problem = bad_name(rel) or _bad_link(entry, rel, site)
            if problem:
                problems.append(problem)
            elif entry.is_dir():
                stack.append((entry.path, rel))
            elif entry.name.endswith(".md") and entry.is_file():
                files.append((rel, entry))
    files.sort(key=lambda item: item[0])
    problems.sort(key=lambda p: p.path)
    return files, problems


def _bad_link(entry: os.DirEntry[str], rel: str, site: Path) -> Problem | None:
    """The problem with a symlink that leads outside the site, or nowhere (a loop)."""
    if not entry.is_symlink():
        return None
    try:
        target = Path(entry.path).resolve(strict=False)
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 on a loop
        return Problem(rel, None, "symlink loop: the link leads back to itself")
    if not target.is_relative_to(site):
        return Problem(rel, None, "symlinks outside the site are not followed")
    return None


Cache = dict[str, tuple[tuple[int, int], tuple[Article | None, list[Problem]]]]


def read_articles(config: SiteConfig, cache: Cache | None = None, changed: Collection[str] | None = None,
                  store: Store | None = None) -> tuple[list[Article], list[Problem]]:
    """Parse every article. ``cache`` (path → (mtime, size) and result) lets a server skip unchanged files,
    ``changed`` (the paths a file watcher reported) lets it skip even their stat calls, and ``store``
    (the build cache on disk) holds the parse of every file's bytes from earlier builds."""
    files, problems = article_files(config.root)
    cache = {} if cache is None else cache
    keys = {}
    for rel, entry in files:
        if changed is not None and rel in cache and rel not in changed:
            keys[rel] = cache[rel][0]
        else:
            stat = entry.stat()
            keys[rel] = (stat.st_mtime_ns, stat.st_size)
    for gone in cache.keys() - keys.keys():
        del cache[gone]
    todo = [(rel, entry.path, keys[rel]) for rel, entry in files if rel not in cache or cache[rel][0] != keys[rel]]
    for rel, result in _load(todo, config, store, every_file=len(todo) == len(files)):
        cache[rel] = (keys[rel], result)
    articles: list[Article] = []
    for rel, _ in files:
        article, found = cache[rel][1]
        problems += found
        if article and (config.drafts or not article.draft):  # before slugs are made distinct: a draft
            articles.append(article)  # never renames a published article
    articles = distinct_slugs(articles)
    problems += future_dates(articles, config) + _collisions(articles)
    return articles, problems


Parsed = tuple[Article | None, list[Problem]]
Stat = tuple[int, int]  # mtime in ns, size
PARSE_TYPES = (Article, Heading, Problem, Snippet)  # what a parse in the build cache is made of


def _load(todo: list[tuple[str, str, Stat]], config: SiteConfig, store: Store | None,
          every_file: bool) -> Iterable[tuple[str, Parsed]]:
    """Parse ``todo`` files, or take their parse from ``store`` when their bytes were parsed before.
    With ``every_file``, files the store knows that are not in ``todo`` are gone from the site."""
    salt = "parse:" + digest(code_version(), f"max_file_bytes={config.max_file_bytes}")[:16] + ":"
    known = store.files() if store else {}
    stored = store.articles(PARSE_TYPES) if store else {}
    keys, refused, unread = {}, {}, []
    for rel, path, stat in todo:
        seen = known.get(rel)
        big = too_large(rel, stat[1], config)
        if big:  # refused by its size, unread: a 50 MB file never reaches memory
            refused[rel] = big
        elif seen and seen[0] == stat and seen[1].startswith(salt) and seen[1] in stored:
            keys[rel] = seen[1]
        else:
            unread.append((rel, path))
    made = {}
    for rel, key, parsed in fork_map(lambda job: _read_file(*job, salt, stored, config), unread, "reading", chunksize=64):
        if isinstance(key, Problem):
            refused[rel] = key
            continue
        keys[rel] = key
        if parsed:
            made[rel] = parsed
    if store:
        files = {rel: (stat, keys[rel]) for rel, _, stat in todo if rel in keys}
        if not every_file:
            files = {**known, **files}
        # the entries of files edited or deleted since, unless another file has the same bytes
        stale = {key for _, key in known.values()} - {key for _, key in files.values()}
        store.keep("parse", {keys[rel]: entry for rel, ((entry, _), _) in made.items()}, stale=stale,
                   bodies={keys[rel]: body for rel, (_, body) in made.items()})
        if every_file and store.count("parse") > len(set(keys.values())):  # left by an interrupted build
            store.keep("parse", {}, used=keys.values())
        store.save_files(files, known)
    # a body just parsed is in the store now: with lazy bodies, the page's renderer reads it there, so that
    # neither this process nor the workers it forks hold 10,000 of them
    keep_bodies = not (store and store.lazy_bodies)
    if not keep_bodies:
        sources = {keys[rel]: (rel, path) for rel, path, _ in todo if rel in keys}
        on_lost_body(lambda key: _reparse(*sources.get(key, (key, "")), config))
    for rel, _, _ in todo:
        if rel in refused:
            yield rel, (None, [refused[rel]])
            continue
        (_, parsed), body = made.pop(rel, ((None, None), None))
        if parsed is None:
            parsed, body = stored[keys[rel]]
        yield rel, _unpack(parsed, body, keep_bodies)


def _unpack(parsed: Parsed, body: bytes | None, keep_body: bool) -> Parsed:
    """A parse as the store keeps it (the article without its body) with the body, when it is kept."""
    article, problems = parsed
    if article and body is not None and keep_body:
        object.__setattr__(article, "body", body)  # the article's own field, filled in as it is made
    return article, problems


def _read_file(rel: str, path: str, salt: str, stored: Collection[str],
               config: SiteConfig) -> tuple[str, str | Problem, tuple[tuple[bytes, Parsed], bytes | None] | None]:
    """Read and hash one file, and parse it unless ``stored`` has its key (on every core for a first
    build of a large site): its key (the problem when it cannot be read), and the parse as the store keeps
    it (without the article's body) with its entry, and the body."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:  # not kept in the store: once readable, the file is parsed
        return rel, Problem(rel, None, f"cannot read the file: {exc.strerror or exc}"), None
    key = salt + digest(rel, data)[:16]  # the path too: it gives the language, the slug and the path itself
    if key in stored:
        return rel, key, None
    article, problems = parse_source(rel, data, config) if data else \
        (None, [Problem(rel, None, "empty file skipped", warning=True)])
    parsed = (article and dataclasses.replace(article, digest=key, body=None), problems)
    return rel, key, (with_entry(parsed), article.body if article else None)


def _reparse(rel: str, path: str, config: SiteConfig) -> bytes:
    """The body of the article at ``path`` parsed again, for one the build cache lost; LookupError
    when the file no longer makes an article."""
    try:
        article = parse_source(rel, Path(path).read_bytes(), config)[0]
    except OSError as exc:
        raise LookupError(f"{rel}: cannot read the file again: {exc.strerror or exc}") from None
    if article is None or article.body is None:
        raise LookupError(f"{rel}: the file changed while building; build again")
    return article.body


def distinct_slugs(articles: list[Article]) -> list[Article]:
    """Articles whose titles give one URL, and that set no 'slug', moved apart, deterministically and stably.

    In each group the title's slug stays with an article that set it, else with the one whose file is named
    by it (``digest add`` names files so), else with the earliest by date then path. Each other article
    takes its file name's slug, or the title's with its outlet appended, or with a hash of its path: an
    article's URL depends on its own file, so a third arrival moves no URL already published. Two explicit
    equal slugs stay an error (``_collisions``)."""
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(article.page_path, []).append(article)
    taken = set(groups)
    moved: dict[str, Article] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda a: (not a.slug_given, slugify(Path(a.path).stem) != a.slug,
                                             instant(a.date), a.path))
        for article in group[1:]:
            if article.slug_given:
                continue
            folder = article.page_path[: -len(article.slug) - 1]
            for slug in (slugify(Path(article.path).stem), f"{article.slug}-{slugify(article.source)}",
                         f"{article.slug}-{hashlib.sha1(article.path.encode()).hexdigest()[:8]}"):
                if slug and slug != article.slug and f"{folder}{slug}/" not in taken:
                    break
            taken.add(f"{folder}{slug}/")
            moved[article.path] = dataclasses.replace(article, slug=slug)
    return [moved.get(a.path, a) for a in articles] if moved else articles


def _collisions(articles: list[Article]) -> list[Problem]:
    """Two articles that would be written to one URL: an error naming both files."""
    by_url: dict[str, list[Article]] = {}
    for article in articles:
        by_url.setdefault(article.page_path, []).append(article)
    return [
        Problem(group[0].path, None, f"articles {', '.join(a.path for a in group)} would all be published at "
                f"/{url}; give one of them a different 'slug'")
        for url, group in sorted(by_url.items()) if len(group) > 1
    ]
