"""A draft → an article file: front matter checked as ``build`` checks it, a free name, never an overwrite.

The file is ``content/articles/<lang>/<slug>.md``, named by the title's slug, so that the article keeps its
URL when another with the same headline arrives (``content.distinct_slugs``); when that name is taken, the
outlet's slug is appended, then a number. A draft whose canonical URL an article already has, or whose text
is nearly an article's text (word 5-grams, Jaccard ≥ 0.8), is a duplicate and is not written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.read.articles import ARTICLES_DIR, UNKNOWN_SOURCE, article_text, parse_article, slugify
from builder.errors import Problem
from builder.model import Article, Moment, SiteConfig
from builder.ingest.draft import Draft

NEAR_DUPLICATE = 0.8  # share of shared word 5-grams: reprints and re-saves, not two reports of one event
_FIELDS = ("title", "description", "date", "lang", "source", "author", "section", "url", "image")


@dataclass(frozen=True)
class Planned:
    """A file to write: its site-relative path, its text, and the article ``build`` will make of it."""

    path: str
    text: str
    article: Article
    front_matter: dict[str, str]


def front_matter(draft: Draft, lang: str, moment: Moment) -> dict[str, str]:
    """The fields to write, in the order an editor reads them; empty ones left out."""
    values = {"title": draft.title, "description": draft.description, "date": moment.isoformat(), "lang": lang,
              "source": draft.source or UNKNOWN_SOURCE, "author": draft.author, "section": draft.section,
              "url": draft.url, "image": draft.image}
    return {key: " ".join(str(values[key]).split()) for key in _FIELDS if values[key]}


def render_file(fields: dict[str, str], body: str) -> str:
    """Front matter (strings as JSON strings, which YAML reads as they are; the date bare) and the body."""
    lines = [f"{key}: {value if key == 'date' else json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body.strip() + "\n"


def plan(draft: Draft, lang: str, moment: Moment, config: SiteConfig) -> tuple[Planned | None, list[Problem]]:
    """The file for ``draft`` under a name no file has, checked by the build's own parser."""
    fields = front_matter(draft, lang, moment)
    text = render_file(fields, draft.body)
    folder = config.root / ARTICLES_DIR / lang
    base = slugify(draft.title) or "article"
    names = [base] + ([f"{base}-{slugify(draft.source)}"] if draft.source else []) + [f"{base}-{n}" for n in range(2, 100)]
    name = next(n for n in names if not (folder / f"{n}.md").exists())
    rel = f"{ARTICLES_DIR}/{lang}/{name}.md"
    article, problems = parse_article(rel, text.encode("utf-8"), config)
    errors = [p for p in problems if not p.warning]
    if article is None or errors:
        return None, errors or problems
    return Planned(rel, text, article, fields), [p for p in problems if p.warning]


def duplicate_of(planned: Planned, articles: Sequence[Article]) -> str | None:
    """Why ``planned`` is already on the site (the file it repeats), or None."""
    url = planned.article.url
    for article in articles:
        if url and article.url and article.url.rstrip("/") == url.rstrip("/"):
            return f"{article.path} has the same URL {url}"
    mine = _shingles(article_text(planned.article))
    if not mine:
        return None
    for article in articles:
        theirs = _shingles(article_text(article))
        if theirs and len(mine & theirs) / len(mine | theirs) >= NEAR_DUPLICATE:
            return f"{article.path} has nearly the same text"
    return None


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def write(planned: Planned, root: Path) -> None:
    """Create the file; raise FileExistsError rather than replace one that appeared meanwhile."""
    path = root / planned.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(planned.text)
