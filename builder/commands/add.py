"""``digest add SOURCE...``: each source read, its language told, its fields checked, its file written.

A source that fails says ``SOURCE: message`` and writes nothing; the others go on; the exit code is 1 if any
failed. The story each article joins is decided by the build's own clustering, on the site as it will be.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.lang import i18n
from builder.read.stories import read_stories
from builder.stories.clusters import cluster_articles
from builder.read.config import read_config
from builder.read.articles import parse_date
from builder.read.folder import read_articles
from builder.read.sources import Registry, read_sources
from builder.read.markdown import render_markdown
from builder.errors import BuildError, decode
from builder.model import Article, Moment, SiteConfig, StorySpec
from builder.ingest.dates import week_date
from builder.ingest.draft import Draft
from builder.ingest.extract_text import extract_text
from builder.ingest.fetch import FetchError, fetch
from builder.ingest.langid import identify
from builder.ingest.write import Planned, duplicate_of, plan, write

_HTML_START = (b"<!doctype html", b"<html", b"<?xml")


class SourceError(Exception):
    """This source cannot be added; the message says why and what to pass."""


@dataclass
class Result:
    planned: Planned
    confidence: dict[str, float]
    story: str | None
    story_line: str
    warnings: list[str] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    config, problems = read_config(args.site)
    if config is None:
        raise BuildError(problems)
    articles, _ = read_articles(config)
    specs, _ = read_stories(config, render_markdown)
    registry = Registry(read_sources(config.root)[0])
    failed = False
    for source in args.sources:
        try:
            result = add_one(source, args, config, articles, specs, registry)
        except SourceError as exc:
            print(f"{source}: {exc}", file=sys.stderr)
            failed = True
            continue
        articles.append(result.planned.article)
        _report(source, result, args)
    return 1 if failed else 0


def add_one(source: str, args: argparse.Namespace, config: SiteConfig, articles: list[Article],
            specs: list[StorySpec], registry: Registry) -> Result:
    """Read, extract, check and (unless a dry run) write one source; raise SourceError."""
    today = date.today()
    draft, plain = _read(source, config.max_file_bytes)
    lang, lang_confidence = _language(draft, plain, args.lang)
    if plain is not None:
        draft = extract_text(plain, lang, today)
    if not draft.title:
        raise SourceError("no headline found")
    if not draft.body.strip():
        raise SourceError("no article text found")
    if args.outlet:
        draft.source = args.outlet
    elif draft.source and (known := registry.named(draft.source)):
        draft.source = known.name  # as the registry spells it: a dateline's "ТАСС" is the registry's TASS
    moment = _date(draft, plain, lang, args.date, specs, today)
    planned, problems = plan(draft, lang, moment, config)
    if planned is None:
        raise SourceError("; ".join(f"{p.message}" + (f" ({p.hint})" if p.hint else "") for p in problems))
    same = duplicate_of(planned, articles)
    if same:
        raise SourceError(f"already on the site: {same}; not added")
    story, line = _story(planned.article, specs, articles)
    if not args.dry_run:
        try:
            write(planned, config.root)
        except FileExistsError:
            raise SourceError(f"{planned.path} appeared meanwhile; not overwritten") from None
    confidence = {"lang": lang_confidence, "date": draft.confidence.get("date", 1.0),
                  "title": draft.confidence.get("title", 1.0),
                  **({"source": draft.confidence["source"]} if "source" in draft.confidence and not args.outlet else {})}
    return Result(planned, confidence, story, line, draft.warnings + [p.message for p in problems])


def _read(source: str, max_bytes: int) -> tuple[Draft, str | None]:
    """The draft of an HTML source, or a placeholder and the text of a plain one (its fields need its language)."""
    from builder.ingest.extract_html import (
        extract_html,  # trafilatura takes a second to import: not for every digest command
    )

    if source.startswith(("http://", "https://")):
        try:
            page = fetch(source)
        except FetchError as exc:
            raise SourceError(str(exc)) from None
        text = _charset_decode(page.data, page.charset)
        if page.content_type == "text/plain":
            return Draft("", ""), text if text is not None else page.data.decode("utf-8", "replace")
        return extract_html(text if text is not None else page.data, page.url), None
    try:
        with (sys.stdin.buffer if source == "-" else Path(source).open("rb")) as fh:  # type: ignore[attr-defined]
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourceError(f"larger than max_file_bytes ({max_bytes:,} bytes, site.yaml); not an article")
    if not data.strip():
        raise SourceError("it is empty")
    if data.lstrip()[:14].lower().startswith(_HTML_START) or Path(source).suffix.lower() in (".html", ".htm"):
        return extract_html(data), None
    text, problems = decode(source, data)
    if text is None:
        raise SourceError(problems[0].message if problems else "not a text file")
    return Draft("", ""), text


def _charset_decode(data: bytes, charset: str | None) -> str | None:
    """The page's text in the charset its HTTP header declares, or None to let the page's own <meta> decide."""
    if not charset:
        return None
    try:
        return data.decode(charset, "replace")
    except LookupError:  # a charset name Python does not know
        return None


def _language(draft: Draft, plain: str | None, forced: str | None) -> tuple[str, float]:
    if forced:
        try:
            return i18n.language(i18n.normalize_code(forced)).code, 1.0
        except ValueError as exc:
            raise SourceError(f"--lang: {exc}") from None
    guess = identify(plain if plain is not None else f"{draft.title}\n{draft.body}")
    if guess.lang is None:
        hint = f"; the page says '{draft.lang}'" if draft.lang else ""
        raise SourceError(f"cannot tell the language: {guess.reason}{hint}; pass --lang")
    if draft.lang and draft.lang.split("-")[0].lower() != guess.lang.split("-")[0]:
        draft.warnings.append(f"the page says its language is '{draft.lang}', its text reads as '{guess.lang}'")
    try:
        return i18n.language(guess.lang).code, guess.confidence
    except ValueError:
        raise SourceError(f"the language looks like '{guess.lang}', which the site cannot write; pass --lang") from None


def _date(draft: Draft, plain: str | None, lang: str, forced: str | None, specs: list[StorySpec],
          today: date) -> Moment:
    if forced:
        try:
            draft.confidence["date"] = 1.0
            return parse_date(forced)
        except ValueError as exc:
            raise SourceError(f"--date: {exc}") from None
    if draft.date is not None:
        return draft.date
    guessed = week_date(plain or draft.body, lang, specs)
    if guessed is None:
        raise SourceError("no publication date found in it; pass --date")
    draft.confidence["date"] = 0.3
    draft.warnings.append(f"no date stated: {guessed[0]} is a guess, {guessed[1]}; check it or pass --date")
    return guessed[0]


def _story(article: Article, specs: list[StorySpec], articles: list[Article]) -> tuple[str | None, str]:
    """The story the article joins by the build's rules, and the evidence in one line."""
    near = []
    for story in cluster_articles(specs, [*articles, article]):
        for role, decisions in (("member", story.members), ("background", story.background), ("out", story.left_out)):
            for decision in decisions:
                if decision.article != article.path:
                    continue
                if role == "member":
                    return story.spec.id, f"joins story {story.spec.id}: {decision.reason}"
                if role == "background":
                    return None, f"is background to story {story.spec.id}: {decision.reason}"
                near.append(f"in no story; nearest {story.spec.id}: {decision.reason}")
    return None, near[0] if near else "in no story: it names no story's entities"


def _report(source: str, result: Result, args: argparse.Namespace) -> None:
    planned = result.planned
    if args.json:
        print(json.dumps({"source": source, "path": planned.path, "front_matter": planned.front_matter,
                          "confidence": result.confidence, "story": result.story, "warnings": result.warnings,
                          "written": not args.dry_run}, ensure_ascii=False))
        return
    for warning in result.warnings:
        print(f"{source}: warning: {warning}", file=sys.stderr)
    shown = ", ".join(f"{k} {v:.2f}" for k, v in result.confidence.items())
    if args.dry_run:
        print(f"Would write {planned.path} (confidence: {shown}):\n{planned.text}")
    else:
        print(f"Added {planned.path} (confidence: {shown})")
    print(f"  {result.story_line}")
