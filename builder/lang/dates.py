"""Calendar dates an article states ("26 Kasım 2025", "Nov. 27", "16-майда", "11月26日", "26.11.2025"),
read with the article language's CLDR month names and numeric date order (Babel)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache

import babel.numbers

from builder.lang import i18n

_NUMBER = re.compile(r"\d+")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.,/:])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d%]|[.,/:]\d)")
_YEAR_BEFORE = re.compile(r"(?<!\d)(\d{4})\s*(?:年|-?\s*[^\W\d]{1,8}\.?)?\s*$")  # "2022-жылдын 9-", "2025年11月"
_YEAR_AFTER = r"(?:,?\s+(?:[^\W\d]{1,4}\.?\s+)?(?P<y>\d{4})(?!\d))?"  # "26 Kasım 2025", "Nov. 27, 2025"
# languages that glue case endings to short month names ("16-майда", "27-mayda"); elsewhere
# "May" must stand alone, so "27 mayors" is no date
CASE_SUFFIXES = {"tr", "az", "uz", "kk", "ky", "tk", "tt", "ba", "ug", "hu", "fi", "et"}


# a decimal digit of any script but ASCII's (Persian ۲۵, Arabic-Indic ٢٥, Bengali ২৫, full-width ２５): ``\d``
# matches Unicode's category Nd, the characters that have a decimal value; a class, so the engine scans in C
_OTHER_DIGIT = re.compile(r"[^\D0-9]")
# "25–27 November", "25 to 27", "۲۵ تا ۲۷": a dash, or a short word set apart by spaces (never "11月26日")
_RANGE_START = re.compile(r"(?<!\d)(\d{1,2})(?:\s*[–—-]\s*|\s+[^\W\d]{1,3}\s+)$")


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit, one character for one, so positions in the text stay
    where they were. (A pattern, not a table of all of Unicode: that took 0.3 s at every start.)"""
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


@dataclass(frozen=True)
class _DateRules:
    day_first: re.Pattern[str] | None  # "26 Kasım", "16-майда", "ngày 26 tháng 11"
    month_first: re.Pattern[str] | None  # "Nov. 27", "11月26日"
    stems: tuple[tuple[str, int], ...]  # full month name, trimmed to take endings → month; longest first
    abbreviations: dict[str, int]  # whole words only, so the Uzbek "yana" is not "yan(var)"
    month_before_day: bool  # numeric order, from the locale's short date pattern
    dotted_yearless: bool  # "26.11" is a date only where "." is not the decimal sign
    weekdays: re.Pattern[str] | None = None  # "on Sunday", "el domingo": a day of the article's week
    day_numbers: dict[str, int] = field(default_factory=dict)  # casefolded weekday name → Monday 0 … Sunday 6


@cache
def _date_rules(lang: str) -> _DateRules:
    try:
        loc = i18n.locale(lang)
    except ValueError:
        return _DateRules(None, None, (), {}, False, False)
    days = {name.casefold(): n for n, name in loc.days["format"]["wide"].items() if len(name) >= 4}
    stems: dict[str, int] = {}
    abbreviations: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for month, name in loc.months[context]["wide"].items():
            name = name.casefold()
            trimmed = name.rstrip("ьъйаеёиоуыэюяaeiouy")  # "ноябрь" → "ноябр": ноября, ноябрда
            stems.setdefault(trimmed if len(trimmed) >= 3 else name, month)
        for month, name in loc.months[context]["abbreviated"].items():
            abbreviations.setdefault(name.casefold().rstrip("."), month)
    suffixed = lang.split("-")[0] in CASE_SUFFIXES
    pieces = {re.escape(s) + (r"(?!\d)" if s[-1].isdigit() else r"[^\W\d]*" if len(s) > 3 or suffixed
                              else r"(?![^\W\d])") for s in stems}
    pieces |= {re.escape(a) + (r"(?!\d)" if a[-1].isdigit() else r"(?![^\W\d])\.?") for a in abbreviations}
    alt = "|".join(sorted(pieces, key=len, reverse=True))
    pattern = loc.date_formats["short"].pattern
    return _DateRules(
        re.compile(rf"(?P<d>\d{{1,2}})(?!\d)[\s.-]*(?P<m>{alt}){_YEAR_AFTER}", re.IGNORECASE),
        re.compile(rf"(?P<m>{alt})\s*(?P<d>\d{{1,2}})(?!\d)(?:st|nd|rd|th|日|일)?{_YEAR_AFTER}", re.IGNORECASE),
        tuple(sorted(stems.items(), key=lambda kv: -len(kv[0]))), abbreviations,
        pattern.find("M") < pattern.find("d"), babel.numbers.get_decimal_symbol(loc) != ".",
        re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(days, key=len, reverse=True))) + r")(?!\w)", re.IGNORECASE)
        if days and not lang.startswith(("zh", "ja", "th")) else None,
        days,
    )




def _make(year: int | None, month: int, day: int, near: date) -> date | None:
    """A date; a yearless one takes the year that puts it nearest the article's date."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        options = [date(near.year + k, month, day) for k in (-1, 0, 1)]
    except ValueError:
        return None
    return min(options, key=lambda d: abs((d - near).days))


def _numeric(m: re.Match[str], rules: _DateRules, near: date) -> date | None:
    a, b, year = int(m[1]), int(m[3]), m[4]
    day, month = (b, a) if rules.month_before_day else (a, b)
    if year is not None:
        return _make(int(year), month, day, near) or _make(int(year), day, month, near)
    if (m[2] == "." and not rules.dotted_yearless) or max(len(m[1]), len(m[3])) < 2:
        return None  # "4.1" is a number, "1/3" a fraction
    return _make(None, month, day, near)


def _named(text: str, m: re.Match[str], rules: _DateRules, near: date) -> date | None:
    word = m["m"].casefold().rstrip(".")
    month = rules.abbreviations.get(word) or next((n for stem, n in rules.stems if word.startswith(stem)), None)
    if month is None:  # matched case-insensitively, but its casefold differs (Turkish I)
        return None
    before = _YEAR_BEFORE.search(text, max(0, m.start() - 16), m.start())
    year = m["y"] or (before and before[1])
    return _make(int(year) if year else None, month, int(m["d"]), near)


def _range_start(text: str, start: int, last: date | None) -> date | None:
    """The first day of "25–27 November": the range's end carries the month and year."""
    if last is None or not (m := _RANGE_START.search(text, max(0, start - 8), start)):
        return None
    try:
        first = last.replace(day=int(m[1]))
    except ValueError:
        return None
    return first if first < last else None


def _weekday(name: str, rules: _DateRules, near: date) -> date | None:
    """The day of that name nearest the article's date: "on Sunday" in Friday's preview is in two days,
    in Tuesday's report two days ago (a tie goes to the past, where reports are). None when the name
    matched without case but folds otherwise (the Turkish dotless ı)."""
    target = rules.day_numbers.get(name.casefold())
    if target is None:
        return None
    ahead = (target - near.weekday()) % 7
    return near + timedelta(days=ahead if ahead < 7 - ahead else ahead - 7)


def _date_at(text: str, start: int, end: int, rules: _DateRules, near: date) -> tuple[date | None, int]:
    """The date a number starts or ends, and where its expression ends; cheap tests first."""
    after = text[end:end + 1]
    if after == "-" and end - start == 4 and (m := _ISO.match(text, start)):
        return _make(int(m[1]), int(m[2]), int(m[3]), near), m.end()
    if after in (".", "/") and (m := _NUMERIC.match(text, start)):
        return _numeric(m, rules, near), m.end()
    if rules.day_first and text[end:end + 6].lstrip(" .-\u00a0")[:1].isalpha() and (
            m := rules.day_first.match(text, start)):
        return _named(text, m, rules, near), m.end()
    if rules.month_first and text[max(0, start - 4):start].rstrip(" .\u00a0")[-1:].isalpha():
        for m in rules.month_first.finditer(text, max(0, start - 24), end + 16):
            if m.start("d") == start:
                return _named(text, m, rules, near), m.end()
    return None, end


@lru_cache(maxsize=65536)
def event_dates(text: str, lang: str, near: date, weekdays: bool = True) -> tuple[date, ...]:
    """Calendar dates the text states, in the article language's month names and number order; with
    ``weekdays``, also the days it names by weekday ("on Tuesday"), the nearest to ``near``."""
    text = ascii_digits(text)
    rules = _date_rules(lang)
    found: set[date] = set()
    done = 0
    for number in _NUMBER.finditer(text):
        if number.start() < done:
            continue
        day, done = _date_at(text, number.start(), number.end(), rules, near)
        if day:
            found.add(day)
            if first := _range_start(text, number.start(), day):
                found.add(first)
    if weekdays and rules.weekdays:
        found.update(day for m in rules.weekdays.finditer(text) if (day := _weekday(m[1], rules, near)))
    return tuple(sorted(found))
