"""The coverage timeline of a story: an inline SVG drawn at build time, no script.

One row per language, one mark per article at its calendar day. Horizontal
positions are percentages and vertical ones pixels, so the drawing stretches to
any width while its text keeps the page's font size (a viewBox would shrink the
labels to nothing at 360 px). Colours come from the stylesheet's classes, so
the light and dark themes both apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import babel.dates
from markupsafe import Markup, escape

from builder.lang import i18n
from builder.model import Article

ROW = 42  # px per language row: label line, then the track
AXIS = 30  # px below the rows for the date axis
LEFT, RIGHT = 2.0, 98.0  # % of the width the marks may use, so a mark at either end is not cut


def position(day: date, start: date, end: date) -> float:
    """Percent from the left edge for ``day``; the middle when the story spans a single day."""
    span = (end - start).days
    if span == 0:
        return 50.0
    return round(LEFT + (RIGHT - LEFT) * (day - start).days / span, 2)


def date_range(start: date, end: date, lang: str) -> str:
    """"25–27 Nov 2025" in the reader's conventions; one date when they are the same day."""
    if start == end:
        return i18n.format_day(start, lang)
    return babel.dates.format_interval(start, end, "yMMMd", locale=i18n.locale(lang))


def timeline_svg(articles: Sequence[Article], lang: str) -> Markup:
    """The SVG for ``articles`` labelled in ``lang``; empty when there is nothing to draw."""
    if not articles:
        return Markup("")
    trans = i18n.translations(lang)
    rows: dict[str, list[Article]] = {}
    for article in sorted(articles, key=lambda a: (a.lang, a.day, a.path)):
        rows.setdefault(article.lang, []).append(article)
    start, end = min(a.day for a in articles), max(a.day for a in articles)
    height = ROW * len(rows) + AXIS
    counts = ", ".join(f"{i18n.language(code).endonym} ({len(items)})" for code, items in rows.items())
    summary = trans.ngettext("%(num)s article", "%(num)s articles", len(articles)) % {"num": len(articles)}
    desc = f"{summary}: {counts}. {date_range(start, end, lang)}."
    title = trans.gettext("Coverage timeline")
    parts = [
        f'<svg class="timeline" role="img" aria-labelledby="timeline-title timeline-desc" width="100%" '
        f'height="{height}" direction="ltr" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(desc)}</desc>',
    ]
    for index, (code, items) in enumerate(rows.items()):
        top = index * ROW
        track = top + 30
        language = i18n.language(code)
        parts.append(f'<text class="timeline-label" x="0" y="{top + 14}" lang="{code}">{escape(language.endonym)}</text>')
        parts.append(f'<line class="timeline-track" x1="0" x2="100%" y1="{track}" y2="{track}"/>')
        for article in items:
            x = position(article.day, start, end)
            label = f"{article.title} · {i18n.format_day(article.date, lang)}"
            parts.append(f'<circle class="timeline-mark" cx="{x}%" cy="{track}" r="6">'
                         f'<title lang="{code}">{escape(label)}</title></circle>')
    axis = ROW * len(rows) + 6
    parts.append(f'<line class="timeline-axis" x1="0" x2="100%" y1="{axis}" y2="{axis}"/>')
    if start == end:
        parts.append(f'<text class="timeline-date" x="50%" y="{axis + 18}" text-anchor="middle">'
                     f'{escape(i18n.format_day(start, lang, "medium"))}</text>')
    else:
        parts.append(f'<text class="timeline-date" x="0" y="{axis + 18}">{escape(i18n.format_day(start, lang, "medium"))}</text>')
        parts.append(f'<text class="timeline-date" x="100%" y="{axis + 18}" text-anchor="end">'
                     f'{escape(i18n.format_day(end, lang, "medium"))}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
