"""Figures in articles of any language, and the same figures lined up across sources.

A story's "Key figures across sources" table has to see that Uzbek "4,1 milliard
dollarga", Turkish "4,1 milyar dolar'a" and English "$4.1 billion" are one
figure, and that a Turkish "bin 700" companies disagrees with everyone's 1,800.
Numbers are read by ``builder.lang.numbers``.

Labels. Of the concept words (``data/figures.yaml``) in the figure's sentence and
within ``WINDOW`` characters, the nearest one whose concept allows the figure's
unit names it, preferring words in the figure's own clause and specific concepts
over generic ones ("people"); on a tie a specific concept beats a change such as
"growth". A change is named after the subject written before it in the sentence,
or else in the previous sentence ("this figure rose 17%"): "trade growth".

Alignment. Figures with one label and unit whose values are within ``SAME`` of
each other form a value group, with one mention per article. Each group is a row,
except that a group reported by fewer sources than a larger one, and by fewer
than nearly all (all but one, at least two) of the sources giving that label and
unit, disputes the larger one when within ``CONFLICT`` of its value: it joins
that row (``conflict``; its value in ``alternatives``; its mentions listed too).
Two groups both reported by nearly all sources (13.6% growth last year, 17% this
year) are different quantities. Figures without a label are not aligned.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from builder.data import load_table
from builder.lang.numbers import (
    DENSE,
    ISO_CODES,
    canon,
    figure_data,
    normalize,
    number_rules,
    read_quantity,
    words_pattern,
)
from builder.lang.text import ARABIC
from builder.model import Article, Fact, FigureMention
from builder.read.articles import article_text

WINDOW = 60  # characters between a figure and the concept word that names it
SAME = 0.01  # relative difference under which two values are the same figure
CONFLICT = 0.25  # relative difference under which a minority value disputes a majority one


@dataclass(frozen=True)
class Figure:
    """A figure as one article writes it; ``value`` is plain (4.1e9 for "$4.1 billion", 13.6 for 13.6%)."""

    value: float
    unit: str  # ISO 4217 code, "%" or "count"
    label: str | None
    text: str  # as written, without a suffix after an apostrophe ("dolar" of "dolar'a")
    start: int
    period: str | None = None  # "last year", "January–September", "2024": the nearest stated in its sentence


# --- periods -------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d%]|[.,]\d)")
_PERIOD_CLAUSE = re.compile(r"[;()，；、،]|,\s")  # not the decimal comma of "13,6"


@cache
def _period_pattern(lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regex of the language's period phrases (normalized), and phrase → canonical period."""
    table = load_table("periods")["periods"]
    phrases = {normalize(p): period for period, langs in table.items()
               for p in langs.get(lang, langs.get(lang.split("-")[0], ()))}
    if not phrases:
        return None, {}
    return re.compile("|".join(map(re.escape, sorted(phrases, key=len, reverse=True)))), phrases


def _period(start: int, end: int, lang: str, txt: _Text) -> str | None:
    """The period phrase or year nearest the figure in its sentence, within ``WINDOW``; one in the figure's
    own clause first ("geçen yıl … 4,1 milyar dolar'a ulaştığını, bu yılın …" is last year's)."""
    sid = bisect_right(txt.sentences, start) - 1
    lo = txt.sentences[sid]
    hi = txt.sentences[sid + 1] if sid + 1 < len(txt.sentences) else len(txt.norm)
    pattern, phrases = _period_pattern(lang)
    found = [(m.start(), m.end(), phrases[m.group()]) for m in pattern.finditer(txt.norm, lo, hi)] if pattern else []
    years = [(m.start(), m.end(), m[1]) for m in _YEAR.finditer(txt.norm, lo, hi) if not start <= m.start() < end]
    near = []
    for s, e, period in found + years:
        apart = bool(_PERIOD_CLAUSE.search(txt.norm, min(e, end), max(s, start)))
        gap = max(start - e, s - end, 0)
        if gap <= WINDOW and not (apart and period in {y[2] for y in years}):  # a year only in the figure's clause
            near.append((apart, gap, period))
    return min(near)[2] if near else None


# --- concepts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Concept:
    label: str
    units: frozenset[str]  # "%", "count", "currency" (any ISO code)
    subject: str | None  # what a change of it is called after: "trade"
    change: str | None  # a change's label pattern: "{} growth"
    generic: bool  # "people": named only when no specific concept is in the clause

    def fits(self, unit: str) -> bool:
        return unit in self.units or ("currency" in self.units and unit in ISO_CODES)


@cache
def _lexicon() -> tuple[tuple[_Concept, ...], dict[str, tuple[int, ...]], re.Pattern[str]]:
    """Concepts, canonical keyword → concept indexes, and one regex for the keywords of every language."""
    concepts, stems, words = [], {}, set()
    for i, entry in enumerate(figure_data()["concepts"]):
        concepts.append(_Concept(entry["label"], frozenset(entry["units"]), entry.get("subject"),
                                 entry.get("change"), entry.get("generic", False)))
        for word in {normalize(w) for ws in entry["words"].values() for w in ws}:
            words.add(word)
            stems[canon(word)] = stems.get(canon(word), ()) + (i,)
    pattern = re.compile(words_pattern(words, dense=DENSE + ARABIC, start=r"(?<!\w)"))
    return tuple(concepts), {k: tuple(dict.fromkeys(v)) for k, v in stems.items()}, pattern


# (?:[.!?؟…]+[\"'»”)\]]*(?=\s)|[。！？])\s*|\n\s*, written to begin with one character class: the regex engine then
# skips to those characters in one C loop, rather than trying three alternatives at every character (3x faster)
_SENTENCE_END = re.compile(r"[.!?؟…。！？\n](?:(?<=[.!?؟…])[.!?؟…]*[\"'»”)\]]*(?=\s)|(?<=[。！？\n]))\s*")
_CLAUSE = re.compile(r"[,;()，；、،]")
_Hit = tuple[int, int, tuple[int, ...]]  # start, end and concept indexes of a keyword


@dataclass(frozen=True)
class _Text:
    """A folded text with its concept keywords and where its sentences start."""

    norm: str
    hits: list[_Hit]
    at: list[int]  # where each hit starts
    sentences: list[int]

    def between(self, a: int, b: int) -> list[_Hit]:
        return self.hits[bisect_left(self.at, a) : bisect_left(self.at, b)]


def _label(start: int, end: int, unit: str, txt: _Text) -> str | None:
    """The concept of the nearest fitting keyword in the sentence (see the module docstring); a
    change is named after what precedes it: "trade growth", or "inflation" when that fits the unit
    itself ("inflation fell to 3%" states its level)."""
    concepts = _lexicon()[0]
    sid = bisect_right(txt.sentences, start) - 1
    lo = txt.sentences[sid]
    hi = txt.sentences[sid + 1] if sid + 1 < len(txt.sentences) else len(txt.norm)
    best: tuple[tuple[bool, bool, int, bool], _Concept] | None = None
    for h_start, h_end, ids in txt.between(lo, hi):
        gap = max(start - h_end, h_start - end, 0)
        apart = bool(_CLAUSE.search(txt.norm, min(h_end, end), max(h_start, start)))
        for c in (concepts[i] for i in ids):
            key = (apart, c.generic, gap, c.change is not None)
            if gap <= WINDOW and c.fits(unit) and (best is None or key < best[0]):
                best = (key, c)
    if best is None:
        return None
    if best[1].change is None:
        return best[1].label
    for a, b in ((lo, start), (txt.sentences[max(sid - 1, 0)], lo)):  # before it, else the sentence before
        for _, _, ids in reversed(txt.between(a, b)):
            for c in (concepts[i] for i in ids):
                if c.change is None and c.fits(unit):
                    return c.label
                if c.subject:
                    return best[1].change.format(c.subject)
    return best[1].label


def extract_figures(text: str, lang: str) -> list[Figure]:
    """Every figure of ``text`` (written in ``lang``) in order; a bare number only beside a counted concept."""
    t, norm = number_rules(lang), normalize(text)
    txt: _Text | None = None  # the keywords and sentences, read at the first quantity: most texts state none
    figures: list[Figure] = []
    done = 0  # numbers inside a figure already read ("800" of "4 bin 800") are not read again
    for token in t.number.finditer(norm):
        if token.start() >= done and (found := read_quantity(text, norm, token, t)):
            txt = txt or _read_text(text, norm)
            value, unit, start, end = found
            label = _label(start, end, unit or "count", txt)
            if unit or label:
                figures.append(Figure(float(value), unit or "count", label, text[start:end], start,
                                      _period(start, end, lang, txt) if label else None))
                done = end
    return figures


def _read_text(text: str, norm: str) -> _Text:
    _, stems, keywords = _lexicon()
    hits = [(m.start(), m.end(), stems[canon(m.group())]) for m in keywords.finditer(norm)]
    # a sentence ends before a capital, not at an abbreviation: "300 тыс. человек"
    ends = [m.end() for m in _SENTENCE_END.finditer(norm) if not text[m.end() : m.end() + 1].islower()]
    return _Text(norm, hits, [h[0] for h in hits], [0, *ends])


# --- alignment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    value: float  # the value most of its articles give
    mentions: tuple[tuple[int, Figure], ...]  # (article index, its first figure), one per article


def _groups(items: list[tuple[int, Figure]]) -> list[_Group]:
    """Near-equal values (within ``SAME`` of the smallest) as one group."""
    chains: list[list[tuple[int, Figure]]] = []
    for i, fig in sorted(items, key=lambda item: (item[1].value, item[0], item[1].start)):
        if chains and fig.value - chains[-1][0][1].value <= SAME * abs(chains[-1][0][1].value):
            chains[-1].append((i, fig))
        else:
            chains.append([(i, fig)])
    groups = []
    for chain in chains:
        first: dict[int, Figure] = {}
        for i, fig in sorted(chain, key=lambda item: (item[0], item[1].start)):
            first.setdefault(i, fig)
        groups.append(_Group(Counter(f.value for f in first.values()).most_common(1)[0][0], tuple(first.items())))
    return groups


def _rows(label: str, unit: str, items: list[tuple[int, Figure]], articles: Sequence[Article]) -> list[Fact]:
    """Value groups of one label and unit as rows, a minority joining the majority it disputes."""
    nearly_all = max(2, len({i for i, _ in items}) - 1)
    rows: list[list[_Group]] = []
    for g in sorted(_groups(items), key=lambda g: (-len(g.mentions), g.value)):
        host = next((row for row in rows
                     if len(g.mentions) < min(len(row[0].mentions), nearly_all)
                     and abs(g.value - row[0].value) <= CONFLICT * abs(row[0].value)
                     and not _other_periods(g, row[0])), None)
        if host:
            host.append(g)
        else:
            rows.append([g])
    facts = []
    for row in rows:
        mentions = tuple(FigureMention(articles[i].path, fig.text, fig.value)
                         for i, _, fig in sorted((i, rank, fig) for rank, g in enumerate(row) for i, fig in g.mentions))
        facts.append(Fact(label, row[0].value, unit, mentions, len(row) > 1, tuple(sorted(g.value for g in row[1:])),
                          _stated(row[0])))
    return facts


def _stated(group: _Group) -> str | None:
    """The period most of a value group's sources state for it, if more than half state the same."""
    top = Counter(fig.period for _, fig in group.mentions if fig.period).most_common(1)
    return top[0][0] if top and top[0][1] * 2 > len(group.mentions) else None


def _other_periods(a: _Group, b: _Group) -> bool:
    """Both values have a stated period and they differ: two quantities, not a disagreement."""
    pa, pb = _stated(a), _stated(b)
    return bool(pa and pb and pa != pb)


def compare_facts(articles: Sequence[Article],
                  figures: Callable[[Article], list[Figure]] | None = None) -> tuple[Fact, ...]:
    """The figures of ``articles`` lined up: one row per quantity with every source's wording.
    ``figures`` gives an article's figures when they were read before (the build cache)."""
    found: dict[tuple[str, str], list[tuple[int, Figure]]] = {}
    for i, article in enumerate(articles):
        for fig in figures(article) if figures else extract_figures(article_text(article), article.lang):
            if fig.label:
                found.setdefault((fig.label, fig.unit), []).append((i, fig))
    facts = [fact for (label, unit), items in found.items() for fact in _rows(label, unit, items, articles)]
    return tuple(sorted(facts, key=lambda f: (f.unit, f.label, f.value)))
