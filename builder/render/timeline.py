"""A story's timeline: the days its articles say things happened, each with the articles saying so.

Events come from the dates the texts state (``builder.lang.dates.event_dates``:
"Putin seshanba kuni (25.11.2025) ... keldi", "hôm 26/11", "the CSTO summit on
Nov. 27"), not from publication days: an article written on the 26th about the
summit of the 27th belongs to the 27th. Only dates inside the story's window
count; an article's history ("in 2022 ...") is not the story. Publication days
are the secondary strip. Both are lists of links, plain HTML: readable at any
width, reachable by keyboard and touch, no script. A day names at most a few
articles, the strongest, one per language first, and counts the rest: a story of
hundreds of articles keeps a timeline of a few kilobytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import babel.dates

from builder.lang import i18n
from builder.lang.dates import event_dates
from builder.model import Article
from builder.read.articles import article_text
from builder.render.pages import strongest

_SENTENCE = re.compile(r"(?<=[.!?؟])[\"'»”)]*\s+|(?<=[。！？])|\n+")
EXCERPT = 160  # characters of the sentence that states an event's day
# articles named under an event day (each with its sentence, about 0.6 KB), and under a publication day
# (a language's name linking the article, about 0.15 KB): one per language first, so a day shows who said it
EVENT_SHOWN = 6
PUBLISHED_SHOWN = 12


def stated_days(articles: Sequence[Article], start: date, end: date) -> list[tuple[date, list[Article]]]:
    """Each day in ``start``..``end`` that an article's text states, with those articles, in day order."""
    days: dict[date, list[Article]] = {}
    for article in articles:
        for day in event_dates(article_text(article), article.lang, article.day):
            if start <= day <= end:
                days.setdefault(day, []).append(article)
    return sorted(days.items())


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends; not before a digit or a lower-case letter ("on Nov. 27", "approx. two")."""
    found: list[str] = []
    for piece in _SENTENCE.split(text):
        if found and piece[:1] and (piece[0].isdigit() or piece[0].islower()):
            found[-1] += " " + piece
        else:
            found.append(piece)
    return found


def stating_sentence(article: Article, day: date) -> str:
    """The first sentence of the article that states ``day``, shortened to ``EXCERPT`` characters: what
    the article says happened then ("Putin seshanba kuni (25.11.2025) ... Bishkekka keldi")."""
    for sentence in sentences(article_text(article).removeprefix(article.title)):
        if day in event_dates(sentence, article.lang, article.day):
            sentence = " ".join(sentence.split())
            return sentence if len(sentence) <= EXCERPT else sentence[:EXCERPT - 1].rsplit(" ", 1)[0] + "…"
    return ""


def publication_days(articles: Sequence[Article]) -> list[tuple[date, list[Article]]]:
    days: dict[date, list[Article]] = {}
    for article in articles:
        days.setdefault(article.day, []).append(article)
    return sorted(days.items())


def date_range(start: date, end: date, lang: str) -> str:
    """"25–27 Nov 2025" in the reader's conventions; one date when they are the same day."""
    if start == end:
        return i18n.format_day(start, lang)
    return babel.dates.format_interval(start, end, "yMMMd", locale=i18n.locale(lang))


def timeline_context(articles: Sequence[Article], start: date, end: date, lang: str,
                     item: Callable[[Article], dict[str, Any]], score: Callable[[Article], float]) -> dict[str, Any]:
    """The events and publication days as template data (``item`` makes an article's link; a day shows its
    ``score``-strongest articles and counts the rest), and the story's span: its first and last event day,
    else its first and last publication day."""
    def days(found: list[tuple[date, list[Article]]], said: bool, limit: int) -> list[dict[str, Any]]:
        shown = {day: strongest(sorted(items, key=lambda a: (a.lang, a.path)), limit, score, lambda a: a.lang)
                 for day, items in found}
        return [{"iso": day.isoformat(), "text": i18n.format_day(day, lang, "medium"),
                 "items": [{**item(a), "said": stating_sentence(a, day) if said else ""} for a in shown[day]],
                 "more": len(items) - len(shown[day])} for day, items in found]

    events, published = stated_days(articles, start, end), publication_days(articles)
    span = [day for day, _ in events or published] or [start, end]
    return {"events": days(events, True, EVENT_SHOWN), "published": days(published, False, PUBLISHED_SHOWN),
            "span": (span[0], span[-1])}
