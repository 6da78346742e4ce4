"""Story pages and the story export (``api/clusters.json``, ``api/stories/<id>.json``): summaries, key figures, timeline and coverage."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from builder.lang import i18n
from builder.model import Article, Decision, Fact, Story
from builder.read.entities import ENTITIES_FILE
from builder.render.jobs import ALL, Job, sort_key
from builder.render.pages import Renderer, story_path
from builder.render.timeline import timeline_svg
from builder.stories.report import stories_json


def story_jobs(r: Renderer) -> list[Job]:
    """One page per story and interface language; they are each other's hreflang alternates."""
    cfg = r.site.config
    jobs = []
    for story in r.site.stories:
        # every background article, not only those shown: the page counts the rest
        deps = {story.spec.path, *story.spec.summary_paths.values(), *(d.article for d in story.members),
                *(d.article for d in story.background), ALL, ENTITIES_FILE}
        for lang in r.interface_languages():
            path = story_path(story, lang, cfg.default_language)
            jobs.append(r.job("story.html", path + "index.html", deps | {f"catalog:{lang}"},
                              lambda story=story, lang=lang, path=path: story_context(r, story, lang, path)))
    return jobs


def story_context(r: Renderer, story: Story, lang: str, path: str) -> dict[str, Any]:
    cfg = r.site.config
    members = [r.by_path[d.article] for d in story.members]
    alternates = [{"hreflang": code, "url": r.absolute(story_path(story, code, cfg.default_language))}
                  for code in r.interface_languages()]
    ctx = r.common(lang, path)
    link = r.story_link(story, lang)
    ctx.update(
        page_title=link["title"],
        title_lang=link["lang"],
        title_dir=link["dir"],
        story_id=story.spec.id,
        description=" · ".join(sorted({i18n.language(a.lang).endonym for a in members})),
        alternates=alternates,
        feeds=ctx["feeds"] + ([{"url": r.url(story_path(story, cfg.default_language, cfg.default_language) + "feed.xml"),
                                "title": link["title"], "lang": ""}] if cfg.feeds else []),
        summaries=[{"lang": code, "dir": i18n.language(code).direction,
                    "endonym": i18n.language(code).endonym, "html": story.spec.summaries[code]}
                   for code in cfg.summary_languages if code in story.spec.summaries],
        facts=[fact_row(r, fact, lang) for fact in story.facts],
        coverage=coverage_by_language(r, members, lang),
        timeline=timeline_svg(members, lang),
        background=[r.article_item(r.by_path[d.article], lang) for d in shown_background(story)],
        background_more=len(story.background) - len(shown_background(story)),
        og_type="website",
    )
    return ctx


BACKGROUND_SHOWN = 20  # a long-running story can have thousands; the API lists API_BACKGROUND of them


def shown_background(story: Story) -> list[Decision]:
    """The background articles a story page lists: those dated nearest the story's window, in date order."""
    spec = story.spec

    def distance(d: Decision) -> int:
        day = d.dates[0]
        return max((spec.start - day).days, (day - spec.end).days, 0)

    nearest = {id(d) for d in sorted(story.background, key=distance)[:BACKGROUND_SHOWN]}
    return [d for d in story.background if id(d) in nearest]


def fact_row(r: Renderer, fact: Fact, lang: str) -> dict[str, Any]:
    """A "key figures" row: the value in the reader's conventions and every source as written."""
    trans = i18n.translations(lang)
    return {
        "label": trans.gettext(fact.label),
        "value": i18n.format_quantity(fact.value, fact.unit, lang),
        "alternatives": [i18n.format_quantity(v, fact.unit, lang) for v in fact.alternatives],
        "conflict": fact.conflict,
        "mentions": [{**r.article_item(r.by_path[m.article], lang), "text": m.text} for m in fact.mentions],
    }


def coverage_by_language(r: Renderer, members: list[Article], lang: str) -> list[dict[str, Any]]:
    groups: dict[str, list[Article]] = {}
    for article in sorted(members, key=sort_key):
        groups.setdefault(article.lang, []).append(article)
    return [{"lang": code, "dir": i18n.language(code).direction, "endonym": i18n.language(code).endonym,
             "items": [r.article_item(a, lang) for a in items]} for code, items in sorted(groups.items())]


API_BACKGROUND = 200  # background articles per story in its API file, the strongest: with a count of all


def api_jobs(r: Renderer) -> list[Job]:
    """``api/stories/<id>.json`` per story (its members, strongest background, evidence and facts), and
    ``api/clusters.json`` listing them: each file stays bounded (about 0.5 KB per listed article) however
    much background a story gathers, and an edit rewrites one story's file."""
    site = r.site
    base = site.config.base_path
    jobs = []
    for story in site.stories:
        def run(story: Story = story) -> bytes:
            strongest = {id(d) for d in sorted(story.background, key=lambda d: -d.score)[:API_BACKGROUND]}
            shown = dataclasses.replace(story, background=tuple(d for d in story.background if id(d) in strongest))
            (data,) = stories_json([shown], site.articles, base)["stories"]
            data["background_count"] = len(story.background)
            return _json(data)

        deps = {ALL, ENTITIES_FILE, story.spec.path, *(d.article for d in (*story.members, *story.background))}
        jobs.append(Job(api_story_path(story), frozenset(deps), run))

    def index() -> bytes:
        return _json({"stories": [{
            "id": s.spec.id, "title": dict(s.spec.title),
            "window": {"start": s.spec.start.isoformat(), "end": s.spec.end.isoformat()},
            "url": base + story_path(s, site.config.default_language, site.config.default_language),
            "api": base + api_story_path(s), "members": len(s.members), "background": len(s.background),
        } for s in site.stories]})

    deps = {"site.yaml", ALL, ENTITIES_FILE, *(s.spec.path for s in site.stories),
            *(d.article for s in site.stories for d in (*s.members, *s.background))}
    return [*jobs, Job("api/clusters.json", frozenset(deps), index)]


def api_story_path(story: Story) -> str:
    return f"api/stories/{story.spec.id}.json"


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")  # compact: C encoder, 10x faster
