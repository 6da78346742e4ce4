"""An article's anchors for ``digest suggest``: the names, places, figures and days that can tie it to
another article in any language (see ``builder.stories.suggest`` for how they link).

Places come from the entity table and from CLDR (Babel): every country in every locale, and every
time-zone city, so that an event in a place the editor never listed still has a place. A CLDR name is
trusted less than the table's (see ``_plausible``). A dateline ("MOSCOW, Nov 25 (Reuters) -") is where
copy was filed, not a place of the story.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import babel
from babel.core import get_global

from builder.lang import i18n
from builder.lang.dates import event_dates
from builder.lang.numbers import figure_data
from builder.lang.text import FOLDED, UNSPACED, fold, words
from builder.model import Article, Entity, Mention
from builder.read.entities import Place, cldr_names
from builder.stories.facts import Figure, extract_figures
from builder.stories.match import matcher
from builder.stories.names import MIN_KEY, lowercase_words, name_keys, skeleton, word_keys

_DATELINE = re.compile(r"\s*([A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ .'’-]{2,30})\s*(?=[,(/—–-])")
_YEARS = range(1900, 2101)


@dataclass(frozen=True)
class Anchors:
    """What one article offers to link it: names, places, figures and days."""

    path: str
    lang: str
    title: str
    day: date
    stated: tuple[date, ...]
    known: dict[str, str]  # table person/organisation → spelling
    places: dict[str, tuple[bool, str]]  # place → (city level, spelling)
    venues: frozenset[str]  # the cities it is set in (see _venues)
    names: dict[str, str]  # skeleton → spelling (found as a name)
    words: dict[str, str]  # skeleton → spelling (a word of an uncased script)
    figures: dict[tuple[str, float], str]  # (unit, value) → as written


# --- the gazetteer ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cldr_places() -> tuple[tuple[Place, str, str], ...]:
    """Every country (CLDR territory) and time-zone city, with its names in every locale: (place, key, code)."""
    english = babel.Locale("en")
    out = []
    for code, name in english.territories.items():
        if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"):
            out.append((Place(name, "place", cldr_names("territory", code)), "territory", code))
    for zone in get_global("zone_territories"):
        if "/" in zone and not zone.startswith("Etc/"):
            names = cldr_names("timezone", zone)
            out.append((Place(names[0], "place", names, city=True), "timezone", zone))
    return tuple(out)


def gazetteer(table: dict[str, Entity]) -> tuple[tuple[Entity, ...], dict[str, tuple[str, str]]]:
    """The table's entities plus the CLDR places it lacks; CLDR place name → (key, code) for proposals."""
    spelt = {fold(a) for e in table.values() for a in (e.name, *e.aliases)}
    extra, codes = [], {}
    for place, key, code in _cldr_places():
        if place.name not in table and fold(place.name) not in spelt and place.name not in codes:
            extra.append(place)
            codes[place.name] = (key, code)
    return (*table.values(), *extra), codes


# --- anchors ---------------------------------------------------------------------------------


def common_words(articles: Sequence[Article], texts: dict[str, str]) -> frozenset[str]:
    """Folded words that are no names: written lowercase somewhere, outlet names, month and day names."""
    common: set[str] = set()
    for article in articles:
        common |= lowercase_words(texts[article.path])
        common |= {FOLDED[w] for w in words(article.source)}
    for lang in {a.lang for a in articles}:
        try:
            loc = i18n.locale(lang)
        except ValueError:
            continue
        for table in (loc.months, loc.days):
            common |= {fold(n) for ctx in table.values() for width in ctx.values() for n in width.values()}
    return frozenset(common)


def _dateline(text: str) -> set[str]:
    """Folded words of the body's dateline ("MOSCOW, Nov 25 (Reuters) -"): where copy was filed."""
    body = text.split("\n", 2)[-1]
    found = _DATELINE.match(body)
    return {FOLDED[w] for w in words(found[1])} if found else set()


def _plausible(m: Mention, found: Sequence[Mention]) -> bool:
    """A CLDR place the editor did not list is trusted less than the table: capitalised where its script
    has case ("island" is not Iceland's "Island"), and in scripts without spaces not a part of a longer
    name found (インド inside インドネシア) nor under three characters (リマ inside ギリマヌク)."""
    if UNSPACED.search(m.spelling):
        return len(m.spelling) >= 3 and not any(m.spelling in x.spelling and m.spelling != x.spelling for x in found)
    first = m.spelling[:1]
    return first.lower() == first.upper() or first.isupper()


def _venues(text: str, find: Callable[[str], tuple[Mention, ...]], counts: Counter[str],
            filed: set[str]) -> frozenset[str]:
    """Where the article is set: the cities its headline and lead name (a dateline city only when named
    again there), else the cities it names most."""
    head, _, body = text.partition("\n")
    lead = head + "\n" + next((line for line in body.split("\n")[1:] if line.strip()), "")
    named = frozenset(m.entity for m in find(lead) if counts[m.entity]
                      and (m.count > 1 or FOLDED[m.spelling] not in filed))
    top = max(counts.values(), default=0)
    return named or frozenset(p for p, n in counts.items() if n == top and n)


@lru_cache(maxsize=1)
def _generic_labels() -> frozenset[str]:
    return frozenset(c["label"] for c in figure_data()["concepts"] if c.get("generic"))


def _figure_key(fig: Figure) -> tuple[str, float] | None:
    """A figure specific enough to be a fingerprint: a sum or a percentage, or a count that a concept names
    (a generic one, "people", only from 100 up: the "18" of "18 kilometres … 4,000 people" is no toll);
    never a year or a single digit. Outlets name one count differently ("500 people", "500 injured"),
    so the concept only admits a count, it is not part of the key."""
    if fig.unit == "count" and (fig.label is None or (fig.label in _generic_labels() and fig.value < 100)
                                or fig.value < 10 or (fig.value.is_integer() and int(fig.value) in _YEARS)):
        return None
    return fig.unit, float(f"{fig.value:.4g}")


def read_anchors(articles: Sequence[Article], table: dict[str, Entity], texts: dict[str, str],
                 common: frozenset[str]) -> list[Anchors]:
    """Each article's anchors; ``texts`` are the articles' plain texts, ``common`` words that are no names."""
    entities, _ = gazetteer(table)
    find = matcher(entities).find
    kinds = {e.name: (e.kind, isinstance(e, Place) and e.city) for e in entities}
    out = []
    for article in articles:
        text = texts[article.path]
        filed = _dateline(text)
        known, places, taken = {}, {}, set()
        counts: Counter[str] = Counter()
        found = [m for m in find(text) if m.entity in table or _plausible(m, find(text))]
        for m in found:
            kind, city = kinds[m.entity]
            taken.add(skeleton(m.spelling))
            taken.update(skeleton(w) for w in words(m.spelling))
            if kind != "place":
                known.setdefault(m.entity, m.spelling)
            elif not (m.count == 1 and FOLDED[m.spelling] in filed):
                places.setdefault(m.entity, (city, m.spelling))
                counts[m.entity] += m.count if city else 0
        venues = _venues(text, find, counts, filed)
        spelt = tuple({FOLDED[w] for m in found for w in words(m.spelling) if len(FOLDED[w]) >= 4})
        names = {k: v for k, v in name_keys(text, common, taken).items()
                 if k not in taken and not FOLDED[v].startswith(spelt)}
        uncased = {k: v for k, v in word_keys(text).items() if k not in taken and len(k) > MIN_KEY}
        figures = {}
        for fig in extract_figures(text, article.lang):
            if key := _figure_key(fig):
                figures.setdefault(key, fig.text)
        stated = event_dates(text, article.lang, article.day)
        out.append(Anchors(article.path, article.lang, article.title, article.day, stated, known, places, venues,
                           names, uncased, figures))
    return out
