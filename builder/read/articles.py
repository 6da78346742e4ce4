"""Read articles: bytes → front matter + Markdown → a sanitized, validated ``Article``.

``parse_article`` is pure (bytes in, article or problems out) so tests need no
disk; ``read_articles`` walks ``content/articles/`` and reports every problem
of every file, not just the first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import os
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import markdown
import nh3
from anyascii import anyascii
from markdown.extensions.toc import slugify_unicode

from builder import codec
from builder.lang import i18n
from builder.cache import Store, article_body, code_version, digest, on_lost_body
from builder.read import mdguard
from builder.lang.text import CJK
from builder.errors import Problem, Snippet, bad_name, decode, strip_unsafe, with_source
from builder.model import Article, Heading, Moment, SiteConfig, day_of, instant
from builder.parallel import fork_map
from builder.read.yamlio import YamlDoc, check_mapping, load_yaml

log = logging.getLogger(__name__)

ARTICLES_DIR = "content/articles"
FRONT_MATTER = {
    "title": "string", "date": "date", "lang": "string", "source": "string", "url": "string",
    "author": "string", "section": "string", "tags": "list of strings", "description": "string",
    "image": "string", "slug": "string",
}
REQUIRED = ("title", "date", "lang", "source")
UNKNOWN_SOURCE = "unknown"  # the editor's explicit "the text does not name its outlet"

SLUG_MAX = 80
NESTING_MAX = 100  # quote and list levels: beyond any real article; Markdown's time grows as the cube of the depth
_NEST_PREFIX = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*")  # quotes, list markers, indentation
_NEST_MARKER = re.compile(r"[-*+]|\d+[.)]")
_SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_APOSTROPHES = re.compile(r"['’‘ʻʼ`]")
_CJK = re.compile(f"[{CJK}]")  # read character by character: reading time and slugs count each
_WORD = re.compile(rf"[^\W{CJK}]+")

# What article bodies may keep after Markdown: structure and links, nothing executable.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
_ALLOWED_ATTRS = {
    "*": {"id", "lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode, "permalink": False, "toc_depth": "2-6"}},
        output_format="html",
    )


_MD = _markdown()


def render_markdown(text: str) -> str:
    """Markdown → HTML with no script, event handler or dangerous URL left in it."""
    return _render(text)[0]


def _render(text: str) -> tuple[str, tuple[Heading, ...], mdguard.Tangle | None]:
    """The sanitized HTML of ``text`` and its headings; text Markdown would take minutes over (see
    mdguard) or nest too deeply for its recursion is shown as plain text, and the third value says why."""
    tangle = mdguard.tangle(text)
    if tangle:
        return _plain(text), (), dataclasses.replace(tangle, what=tangle.what + " would take Markdown minutes")
    _MD.reset()
    try:
        raw = _MD.convert(text)
    except RecursionError:
        return _plain(text), (), mdguard.Tangle(0, "the body nests too deeply for Markdown")
    headings = tuple(_flatten(getattr(_MD, "toc_tokens", [])))
    # Article bodies live under the page's <h1>: shift their headings down one level.
    raw = re.sub(r"<(/?)h1\b", r"<\1h2", raw)
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return clean, headings, None


def _plain(text: str) -> str:
    """The text as it is written, for a body Markdown cannot convert: it still shows, nothing runs."""
    return "<p>" + html.escape(text) + "</p>"


def _flatten(tokens: list[dict[str, Any]]) -> list[Heading]:
    out: list[Heading] = []
    for tok in tokens:
        out.append(Heading(max(2, tok["level"]), html.unescape(tok["name"]), tok["id"]))
        out += _flatten(tok.get("children", []))
    return out


def slugify(title: str) -> str:
    """A readable ASCII slug from any script ("Bişkek'te" → "bishkek-te", 普京 → "pujing")."""
    spaced = _CJK.sub(lambda m: f" {m.group()} ", _APOSTROPHES.sub("", title))  # one word per syllable
    ascii_text = re.sub(r"['`]", "", anyascii(spaced)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] or slug[:SLUG_MAX]
    if slug in _RESERVED:
        slug += "-article"
    return slug


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, for search, clustering and descriptions."""
    return html.unescape(nh3.clean(fragment.replace("</p>", "</p>\n"), tags=set())).strip()


def parse_date(value: Any) -> Moment:
    """ISO date (a calendar day) or ISO date-time with a UTC offset; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"date must be an ISO date like 2025-11-26, got {value!r}")
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})", text):
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:  # 2025-02-30: the shape is right, the day does not exist
        raise ValueError(f"'{text}' is not a real date: {exc}") from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
        raise ValueError(f"date-time '{text}' needs a UTC offset, e.g. {text}+03:00")
    raise ValueError(f"'{text}' is not an ISO date (2025-11-26) or date-time with offset (2025-11-26T14:41:00+03:00)")


def split_front_matter(path: str, text: str) -> tuple[str, str] | Problem:
    """Return (front matter, body) or the problem."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return Problem(path, 1, "missing front matter: an article starts with a line '---'",
                       hint="begin the file with '---', the fields (title: …, date: …), and '---' again")
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return Problem(path, 1, "front matter opened with '---' is never closed", col=1,
                   hint="add a line '---' after the last field")


def parse_article(path: str, data: bytes, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    """Parse one article file's bytes; ``path`` is site-relative and only used in messages and URLs."""
    article, problems = parse_source(path, data, config)
    return article, problems + (future_dates([article], config) if article else [])


def parse_source(path: str, data: bytes, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    """``parse_article`` but for what depends on the day it runs: what the build cache keeps."""
    big = too_large(path, len(data), config)
    if big:
        return None, [big]
    text, problems = decode(path, data)
    if text is None:
        return None, problems
    article, problems = _parse_fields(path, text, config)
    return article, with_source(problems, path, text)


def _parse_fields(path: str, text: str, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    split = split_front_matter(path, text)
    if isinstance(split, Problem):
        return None, [split]
    fm_text, body = split
    body_line = text[: len(text) - len(body)].count("\n") + 1
    body, stripped = strip_unsafe(path, body, body_line)
    doc, problems = load_yaml(fm_text, path, first_line=2)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [Problem(path, 1, "front matter must be a mapping of fields (title: ..., date: ...)",
                              hint="write one 'field: value' per line between the '---' lines")]
    problems = check_mapping(doc, FRONT_MATTER, path, required=REQUIRED, unknown_is_error=False, where=1) + stripped
    errors = [p for p in problems if not p.warning]
    fields = doc.data
    moment, lang = None, None
    if "date" in fields and not any("'date'" in p.message for p in errors):
        try:
            moment = parse_date(fields["date"])
        except ValueError as exc:
            errors.append(Problem(path, doc.line("date"), str(exc), col=doc.col("date")))
    if isinstance(fields.get("lang"), str):
        try:
            lang = i18n.language(i18n.normalize_code(fields["lang"])).code
        except ValueError as exc:
            errors.append(Problem(path, doc.line("lang"), str(exc), col=doc.col("lang")))
    for key in ("url", "image"):  # shown as links: a javascript: URL here would run when clicked
        value = fields.get(key)
        if isinstance(value, str) and not _WEB_URL.match(value):
            errors.append(Problem(path, doc.line(key), f"'{key}' must be an http(s) URL, got '{value}'",
                                  col=doc.col(key), hint=f"e.g. {key}: https://example.com/…"))
    slug = fields.get("slug")
    if isinstance(slug, str) and not (_SLUG_OK.match(slug) and len(slug) <= SLUG_MAX and slug not in _RESERVED):
        errors.append(Problem(path, doc.line("slug"), f"slug '{slug}' is not allowed", col=doc.col("slug"),
                              hint=f"use lowercase ASCII letters, digits and '-', at most {SLUG_MAX} characters"))
    deep = too_deep(path, body, body_line)
    if deep:
        errors.append(deep)
    if errors:
        return None, errors + [p for p in problems if p.warning]
    assert moment is not None and lang is not None
    article, warnings = _build(path, doc, body, lang, moment, body_line)
    return article, problems + warnings


def too_large(path: str, size: int, config: SiteConfig) -> Problem | None:
    if size <= config.max_file_bytes:
        return None
    return Problem(path, None, f"file is too large ({size:,} bytes; the limit is {config.max_file_bytes:,}, "
                               "set max_file_bytes in site.yaml)")


def build_day() -> date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds, the golden test)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date() if epoch.isdigit() else date.today()


def future_dates(articles: Iterable[Article], config: SiteConfig) -> list[Problem]:
    """A warning per article dated after today, unless the site allows it (checked on every build,
    not when parsing: a cached parse outlives the day it was made)."""
    if config.allow_future:
        return []
    today = build_day()
    return [Problem(a.path, a.date_line, f"date {a.date} is in the future", warning=True,
                    hint="set allow_future: true in site.yaml if intended") for a in articles if day_of(a.date) > today]


def too_deep(path: str, body: str, first_line: int = 1) -> Problem | None:
    """The first line whose quotes, list markers and indentation nest deeper than NESTING_MAX levels
    (a level: one '>', one list marker or four spaces): 1,000 nested list levels take Markdown seconds, then
    overflow its recursion."""
    for number, line in enumerate(body.split("\n"), first_line):
        prefix = _NEST_PREFIX.match(line).group()  # type: ignore[union-attr]  # the pattern matches "" too
        if len(prefix) <= NESTING_MAX:  # a level takes one character at least
            continue
        spaces = len(prefix.replace("\t", "    ")) - len(prefix.replace(" ", "").replace("\t", ""))
        depth = prefix.count(">") + len(_NEST_MARKER.findall(prefix)) + spaces // 4
        if depth > NESTING_MAX:
            return Problem(path, number, f"quotes and lists nest {depth} levels deep here; the limit is {NESTING_MAX}")
    return None


def _build(path: str, doc: YamlDoc, body: str, lang: str, moment: Moment, first_line: int) -> tuple[Article, list[Problem]]:
    """The article, and a warning when its body had to be shown as plain text."""
    fields = doc.data
    body_html, headings, tangle = _render(body)
    warnings = [Problem(path, first_line + body.count("\n", 0, tangle.offset),
                        f"{tangle.what}; the body is shown as plain text", warning=True,
                        hint="close or escape (\\[) the brackets and '<', or add blank lines")] if tangle else []
    text = plain_text(body_html)
    title = fields["title"].strip()
    description = (fields.get("description") or "").strip() or _summary(text)
    slug = fields.get("slug") or slugify(title) or "article-" + hashlib.sha1(path.encode()).hexdigest()[:8]
    article = Article(
        path=path,
        title=title,
        date=moment,
        lang=lang,
        source=fields["source"].strip(),
        slug=slug,
        body=body_html.encode("utf-8"),
        words=len(_WORD.findall(text)) + len(_CJK.findall(text)),
        cjk=len(_CJK.findall(f"{title}\n{description}\n{text}")),
        url=fields.get("url"),
        author=fields.get("author"),
        section=fields.get("section"),
        tags=tuple(fields.get("tags") or ()),
        description=description,
        image=fields.get("image"),
        headings=headings,
        date_line=doc.line("date"),
        slug_given="slug" in fields,
    )
    return article, warnings


def _summary(text: str, limit: int = 200) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def body_html(article: Article) -> str:
    """The article's HTML body: kept with it, or read from the build cache it was loaded from without it
    (the model stays plain data; the renderer is handed this loader)."""
    return (article.body if article.body is not None else article_body(article.digest)).decode("utf-8")


def article_text(article: Article) -> str:
    """Plain text of an article's title, description and body, for clustering and figures. Made
    when needed, not kept: it would double the size of every article in memory and in the cache."""
    return f"{article.title}\n{article.description}\n{plain_text(body_html(article))}"


# --- the folder walk -------------------------------------------------------------


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
        if article:
            articles.append(article)
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
        store.keep("parse", {keys[rel]: parsed for rel, (parsed, _) in made.items()}, stale=stale,
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
        encoded, body = made.pop(rel, (None, None))
        parsed = codec.decode(encoded, PARSE_TYPES) if encoded else stored[keys[rel]][0]
        yield rel, _unpack(parsed, body if encoded else stored[keys[rel]][1], keep_bodies)


def _unpack(parsed: Parsed, body: bytes | None, keep_body: bool) -> Parsed:
    """A parse as the store keeps it (the article without its body) with the body, when it is kept."""
    article, problems = parsed
    if article and body is not None and keep_body:
        object.__setattr__(article, "body", body)  # the article's own field, filled in as it is made
    return article, problems


def _read_file(rel: str, path: str, salt: str, stored: Collection[str],
               config: SiteConfig) -> tuple[str, str | Problem, tuple[bytes, bytes | None] | None]:
    """Read and hash one file, and parse it unless ``stored`` has its key (on every core for a first
    build of a large site): its key (the problem when it cannot be read), and the parse as the store keeps
    it, encoded without the article's body, and the body."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:  # not kept in the store: once readable, the file is parsed
        return rel, Problem(rel, None, f"cannot read the file: {exc.strerror or exc}"), None
    key = salt + digest(data)[:16]
    if key in stored:
        return rel, key, None
    article, problems = parse_source(rel, data, config) if data else \
        (None, [Problem(rel, None, "empty file skipped", warning=True)])
    parsed = (article and dataclasses.replace(article, digest=key, body=None), problems)
    return rel, key, (codec.encode(parsed), article.body if article else None)


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
