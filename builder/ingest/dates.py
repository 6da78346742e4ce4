"""When a pasted text was published: its dateline, else its lead's date, else its weekdays (low confidence).

Dates are read by ``builder.entities.event_dates`` (CLDR month names and number order of the language, digits
of any numbering system), in every script the language is written in: an Uzbek text in Latin letters may
carry its date in Cyrillic ("26 ноябр 2025"). A time with no offset takes the offset of the language's
country when that country keeps one time (Turkish → Europe/Istanbul); otherwise the date stays a day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from babel.core import Locale, get_global
from babel.localedata import locale_identifiers

from builder.lang.dates import event_dates
from builder.stories.match import matcher
from builder.model import Moment, StorySpec

_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.h](\d\d)(?![\d:.,]\d)")


@cache
def script_variants(lang: str) -> tuple[str, ...]:
    """``lang`` and the same language in its other scripts (uz → uz, uz-Cyrl, uz-Arab), as BCP 47 tags."""
    base = lang.split("-")[0]
    others = sorted({f"{base}-{parts[1]}" for loc in locale_identifiers()
                     if (parts := loc.split("_"))[0] == base and len(parts) > 1 and len(parts[1]) == 4})
    return (lang, *(tag for tag in others if tag != lang))


def stated_dates(text: str, lang: str, near: date) -> tuple[date, ...]:
    """Every date ``text`` states as a date, in any script of its language; yearless ones nearest ``near``
    (a weekday is not placed here: ``week_date`` reads it against these dates)."""
    found: set[date] = set()
    for tag in script_variants(lang):
        found.update(event_dates(text, tag, near, weekdays=False))
    return tuple(sorted(found))


def dateline(line: str, lang: str, today: date) -> Moment | None:
    """The date (and time, with an offset when one is known) of a short line that states a full date."""
    if not _YEAR.search(line):
        return None
    days = [d for d in stated_dates(line, lang, today) if str(d.year) in line]
    if not days:
        return None
    clock = _TIME.search(line)
    if clock is None:
        return days[0]
    zone = local_zone(lang)
    if zone is None:
        return days[0]
    return datetime.combine(days[0], time(int(clock[1]), int(clock[2])), ZoneInfo(zone))


@cache
def local_zone(lang: str) -> str | None:
    """The time zone of the language's main country (CLDR likely subtags), if that country has one offset."""
    likely = get_global("likely_subtags").get(lang.replace("-", "_")) or get_global("likely_subtags").get(lang.split("-")[0])
    if not likely:
        return None
    zones = get_global("territory_zones").get(likely.split("_")[-1], [])
    probe = datetime(2025, 1, 15), datetime(2025, 7, 15)  # winter and summer: one offset in both, or no guess
    offsets = {tuple(ZoneInfo(z).utcoffset(p) for p in probe) for z in zones}
    return zones[0] if len(offsets) == 1 else None


def fixed(moment: Moment) -> Moment:
    """A zoned date-time with its offset only, as front matter writes it (2025-11-26T14:41:00+03:00)."""
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.replace(tzinfo=timezone(moment.utcoffset() or timedelta()))
    return moment


def lead_date(lead: str, text: str, lang: str, today: date) -> date | None:
    """The latest date the first paragraph states, a yearless one placed by the years the whole text names."""
    years = [d for d in stated_dates(text, lang, today) if str(d.year) in text]
    near = max(years) if years else today
    stated = [d for d in stated_dates(lead, lang, near) if d <= today]
    return max(stated) if stated else None


def week_date(text: str, lang: str, specs: Sequence[StorySpec]) -> tuple[date, str] | None:
    """A text with no year: the day after the last weekday it names ("on Tuesday") before the first day-month it
    names ("the summit on Nov. 27"), in the year of a story of the site whose window holds that day and whose
    entities the text names. News says "on Tuesday" of the days just past; the guess is reported as one."""
    found = {m.entity for m in matcher(tuple(e for s in specs for e in s.entities)).find(text)}
    for spec in specs:
        if len(found & {e.name for e in spec.entities}) <= len(spec.entities) // 2:
            continue
        inside = [d for d in stated_dates(text, lang, spec.start) if spec.start <= d <= spec.end]
        named = _weekdays(text, lang)
        if not inside or not named:
            continue
        anchor = min(inside)
        last = max(anchor - timedelta(days=(anchor.weekday() - wd) % 7 or 7) for wd in named)
        weekday = Locale.parse("en").days["format"]["wide"][last.weekday()]
        if last + timedelta(days=1) < anchor:
            return last + timedelta(days=1), f"the day after the {weekday} it names, before {anchor} (story {spec.id})"
        return last, f"the {weekday} it names, before {anchor} (story {spec.id})"
    return None


def _weekdays(text: str, lang: str) -> set[int]:
    words = set(re.findall(r"[^\W\d_]+", text.casefold()))
    found = set()
    for tag in script_variants(lang):
        days = Locale.parse(tag.replace("-", "_")).days
        for context in ("format", "stand-alone"):
            for number, name in days[context]["wide"].items():
                if name.casefold() in words or name.casefold() in text.casefold() and " " in name:
                    found.add(number)
    return found
