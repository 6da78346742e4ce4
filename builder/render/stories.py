"""Story pages: summaries, key figures, timeline and coverage (the export: ``render.story_api``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from builder.lang import i18n
from builder.model import Decision, Fact, Story
from builder.read.entities import ENTITIES_FILE
from builder.read.sources import SOURCES_FILE
from builder.render.jobs import ALL, ITEM, LINKS, Job, sort_key
from builder.render.pages import Renderer, search_names, story_path, strongest
from builder.render.story_layout import (
    StoryFacts,
    coverage_line,
    outlet_kinds,
    report_items,
    story_facts,
    summary_rows,
)
from builder.render.story_lists import BACKGROUND_SHOWN, COVERAGE_SHOWN, by_language, list_url
from builder.render.timeline import date_range, timeline_context


def story_jobs(r: Renderer) -> list[Job]:
    """One page per story and interface language; they are each other's hreflang alternates."""
    cfg = r.site.config
    jobs = []
    for story in r.site.stories:
        # of the background, only what the page shows: the nearest articles' index entries and how many more
        # there are (a ``LINKS`` key), so an edit of one of thousands of background articles leaves it be
        shown = shown_background(story)
        deps = {story.spec.path, *story.spec.summary_paths.values(), *(d.article for d in story.members),
                *(ITEM + d.article for d in shown), ALL, ENTITIES_FILE, SOURCES_FILE,
                LINKS + story_path(story, cfg.default_language, cfg.default_language) + "background\0"
                + str(len(story.background) - len(shown))}
        # the reports are worked out once per story, for all its language versions, and only when one is rendered
        found = cache(lambda story=story: _story_facts(r, story))
        for lang in r.interface_languages():
            path = story_path(story, lang, cfg.default_language)
            jobs.append(r.job("story.html", path + "index.html", deps | {f"catalog:{lang}"},
                              lambda story=story, lang=lang, path=path, found=found, shown=shown:
                              story_context(r, story, lang, path, found(), shown)))
    return jobs


def _story_facts(r: Renderer, story: Story) -> StoryFacts:
    members = [r.by_path[d.article] for d in story.members]
    return story_facts(members, r.site.outlets, story.reports)


def story_context(r: Renderer, story: Story, lang: str, path: str, facts: StoryFacts,
                  shown: list[Decision]) -> dict[str, Any]:
    """``shown``: the background articles the page lists (``shown_background``, worked out when planning)."""
    cfg = r.site.config
    members = facts.members
    versions = {code: story_path(story, code, cfg.default_language) for code in r.interface_languages()}
    alternates = [{"hreflang": code, "url": r.absolute(page)} for code, page in versions.items()]
    ctx = r.common(lang, path, versions)
    link = r.story_link(story, lang)
    scores = {d.article: d.score for d in story.members}
    timeline = timeline_context(members, story.spec.start, story.spec.end, lang, lambda a: r.article_item(a, lang),
                                lambda a: scores[a.path])
    span = timeline["span"]
    newest = max(members, key=sort_key) if members else None
    ctx.update(
        page_title=link["title"],
        title_lang=link["lang"],
        title_dir=link["dir"],
        story_id=story.spec.id,
        description=" · ".join(sorted({i18n.language(a.lang).endonym for a in members})),
        alternates=alternates,
        feeds=ctx["feeds"] + ([{"url": r.url(story_path(story, cfg.default_language, cfg.default_language) + "feed.xml"),
                                "title": link["title"], "lang": ""}] if cfg.feeds else []),
        summary_rows=summary_rows(story.spec.summaries, cfg.summary_languages, lang),
        facts=[{**fact_row(r, fact, lang), "confirmations": facts.confirmations([m.article for m in fact.mentions], lang)}
               for fact in story.facts],
        coverage=coverage_by_language(r, story, lang, facts),
        timeline=timeline,
        dates=date_range(*span, lang),
        dates_iso=[day.isoformat() for day in span],
        coverage_line=coverage_line(facts, lang),
        updated=r.article_item(newest, lang) if newest else None,
        kinds=outlet_kinds(facts, r.site.outlets, lang),
        reports=report_items(r, facts, lang),
        og_image=r.absolute("static/og-story.png"),
        background=[r.article_item(r.by_path[d.article], lang) for d in shown],
        background_more=len(story.background) - len(shown),
        background_url=list_url(r, story, lang, "background/"),
        search_names=search_names(story.spec.entities),
        og_type="website",
    )
    return ctx


def shown_background(story: Story) -> list[Decision]:
    """The background articles a story page lists: those dated nearest the story's window, in date order."""
    spec = story.spec

    def distance(d: Decision) -> int:
        day = d.dates[0]
        return max((spec.start - day).days, (day - spec.end).days, 0)

    nearest = {id(d) for d in sorted(story.background, key=distance)[:BACKGROUND_SHOWN]}
    return [d for d in story.background if id(d) in nearest]


MENTIONS_SHOWN = 6  # sources quoted per key figure: one per value given first, so a conflict shows each side


def fact_row(r: Renderer, fact: Fact, lang: str) -> dict[str, Any]:
    """A "key figures" row: the value in the reader's conventions, the period its sources state, the first
    sources as written (and how many more), and in a conflict which outlets gave which value."""
    trans = i18n.translations(lang)
    shown = strongest(fact.mentions, MENTIONS_SHOWN, lambda m: 0.0, lambda m: m.value)
    outlets: dict[float, list[str]] = {}
    for m in fact.mentions:
        if m.value is not None:
            outlets.setdefault(m.value, []).append(r.by_path[m.article].source or m.article)
    return {
        "label": trans.gettext(fact.label),
        "period": fact.period,
        "values": [{"value": i18n.format_quantity(v, fact.unit, lang), "outlets": list(dict.fromkeys(names))}
                   for v, names in sorted(outlets.items(), key=lambda kv: (kv[0] != fact.value, kv[0]))],
        "value": i18n.format_quantity(fact.value, fact.unit, lang),
        "alternatives": [i18n.format_quantity(v, fact.unit, lang) for v in fact.alternatives],
        "conflict": fact.conflict,
        "mentions": [{**r.article_item(r.by_path[m.article], lang), "text": m.text, "value": m.value} for m in shown],
        "mentions_more": len(fact.mentions) - len(shown),
    }


def coverage_by_language(r: Renderer, story: Story, lang: str, facts: StoryFacts) -> list[dict[str, Any]]:
    """Members by language, each with its outlet, the outlet's kind and the report it shares with others:
    the strongest matches, one per outlet first, and how many more the language's list has."""
    scores = {d.article: d.score for d in story.members}
    groups = []
    for code, items in by_language(facts.members).items():
        shown = strongest(items, COVERAGE_SHOWN, lambda a: scores[a.path], facts.outlet_key)
        groups.append({"lang": code, "dir": i18n.language(code).direction, "endonym": i18n.language(code).endonym,
                       "items": [{**r.article_item(a, lang), **facts.outlet_of(a, lang)} for a in shown],
                       "more": len(items) - len(shown), "more_url": list_url(r, story, lang, f"coverage/{code}/")})
    return groups
