"""Read articles: bytes → front matter + Markdown → a sanitized, validated ``Article``.

``parse_article`` is pure (bytes in, article or problems out) so tests need no
disk; ``read_articles`` walks ``content/articles/`` and reports every problem
of every file, not just the first.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from anyascii import anyascii

from builder.lang import i18n
from builder.cache import article_body
from builder.lang.text import CJK
from builder.errors import Problem, decode, strip_unsafe, with_source
from builder.model import Article, Moment, SiteConfig, build_day, day_of
from builder.read.markdown import plain_text, render, too_deep
from builder.read.yamlio import YamlDoc, check_mapping, load_yaml

log = logging.getLogger(__name__)

ARTICLES_DIR = "content/articles"
FRONT_MATTER = {
    "title": "string", "date": "date", "lang": "string", "source": "string", "url": "string",
    "author": "string", "section": "string", "tags": "list of strings", "description": "string",
    "image": "string", "slug": "string", "draft": "boolean",
}
REQUIRED = ("title", "date", "lang", "source")
UNKNOWN_SOURCE = "unknown"  # the editor's explicit "the text does not name its outlet"

SLUG_MAX = 80
_SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_APOSTROPHES = re.compile(r"['’‘ʻʼ`]")
_CJK = re.compile(f"[{CJK}]")  # read character by character: reading time and slugs count each
_WORD = re.compile(rf"[^\W{CJK}]+")

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


def future_dates(articles: Iterable[Article], config: SiteConfig) -> list[Problem]:
    """A warning per article dated after today, unless the site allows it (checked on every build,
    not when parsing: a cached parse outlives the day it was made)."""
    if config.allow_future:
        return []
    today = build_day()
    return [Problem(a.path, a.date_line, f"date {a.date} is in the future", warning=True,
                    hint="set allow_future: true in site.yaml if intended") for a in articles if day_of(a.date) > today]


def _build(path: str, doc: YamlDoc, body: str, lang: str, moment: Moment, first_line: int) -> tuple[Article, list[Problem]]:
    """The article, and a warning when its body had to be shown as plain text."""
    fields = doc.data
    body_html, headings, tangle = render(body)
    warnings = [Problem(path, first_line + body.count("\n", 0, tangle.offset),
                        f"{tangle.what}; the body is shown as plain text", warning=True,
                        hint="close or escape (\\[) the brackets and '<', or add blank lines")] if tangle else []
    text = plain_text(body_html)
    title = fields["title"].strip()
    description = (fields.get("description") or "").strip() or _summary(text)
    slug = fields.get("slug") or slugify(title) or "article-" + hashlib.sha1(path.encode()).hexdigest()[:8]
    cjk = len(_CJK.findall(text))  # the body's, counted once for its words and for the whole article
    article = Article(
        path=path,
        title=title,
        date=moment,
        lang=lang,
        source=fields["source"].strip(),
        slug=slug,
        body=body_html.encode("utf-8"),
        words=len(_WORD.findall(text)) + cjk,
        cjk=cjk + len(_CJK.findall(title)) + len(_CJK.findall(description)),
        url=fields.get("url"),
        author=fields.get("author"),
        section=fields.get("section"),
        tags=tuple(fields.get("tags") or ()),
        description=description,
        image=fields.get("image"),
        headings=headings,
        date_line=doc.line("date"),
        slug_given="slug" in fields,
        draft=fields.get("draft") is True,
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


