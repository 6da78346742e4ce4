"""Same copy, one voice: the members of a story that carry one report, with the evidence.

Five outlets printing one agency story are one confirmation, not five. Two
articles are one report when

- they are near-duplicates in one language: at least ``NEAR`` of their word
  shingles (``SHINGLE`` words, or characters in scripts without spaces) are
  shared — hashed shingles compared as sets, so reordered or lightly edited copy
  still matches where exact equality would not;
- they credit the same news agency of the outlet registry ("citing TASS", "به نقل
  از تاس", "TASS'a göre", "(EFE)"; cues per language in ``data/credits.yaml``), or
  one is that agency's own article;
- they are one report in two languages: the same figures (at least ``FIGURES``)
  in the same order, and about as many quotations (within ``QUOTES``). A
  translation keeps every figure and quote of its original; two reports of one
  event that merely share the figures order them differently, drop some or add
  others.

Pairs join transitively; a report of one article is not listed.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from builder.cache import Store, digest, memo
from builder.data import load_table
from builder.lang.text import UNSPACED, words
from builder.model import Article, Link, Outlet, Report, Story
from builder.read.articles import article_text
from builder.read.sources import Registry
from builder.stories.facts import SAME, Figure, extract_figures

SHINGLE = 5  # words per shingle (characters: twice that)
SKETCH = 128  # hashes kept per text: the estimate's error is about 1/sqrt(SKETCH)
NEAR = 0.5  # Jaccard similarity of shingle sets from which two texts are one copy
FIGURES = 3  # the fewest figures a cross-language match needs: two figures in order are chance
QUOTES = 0.25  # how far quotation counts may differ, relative to the larger
_QUOTED = re.compile(r"“[^”]{3,}”|«[^»]{3,}»|„[^“”]{3,}[“”]|\"[^\"]{3,}\"|「[^」]+」|『[^』]+』")


def shingles(text: str) -> frozenset[int]:
    """The ``SKETCH`` smallest hashes of the text's shingles (a bottom-k MinHash sketch): a fixed-size
    signature whose overlap estimates the Jaccard similarity of the whole shingle sets. ``crc32``,
    not ``hash``: the same text gives the same sketch in every process."""
    unspaced = len(UNSPACED.findall(text)) > len(text) / 4
    tokens = [c for c in text.casefold() if c.isalnum()] if unspaced else [w.casefold() for w in words(text) if w]
    size = SHINGLE * 2 if unspaced else SHINGLE
    hashes = {zlib.crc32(" ".join(tokens[i:i + size]).encode()) for i in range(max(len(tokens) - size + 1, 1))}
    return frozenset(heapq.nsmallest(SKETCH, hashes))


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Estimated Jaccard similarity: of the ``SKETCH`` smallest hashes of both sketches together, the
    share found in both (exact when the texts have fewer shingles than that)."""
    if not a or not b:
        return 0.0
    union = sorted(a | b)[:SKETCH]
    return len(a.intersection(union) & b) / len(union)


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    return {lang: tuple(cues) for lang, cues in load_table("credits").items()}


def _name(name: str, before: str, after: str) -> str:
    """A pattern for one agency name in a cue: whole words where words are spaced ("TASS", not
    "Tassili"), with a case ending glued on ("TASS'a"); as written where they are not ("据新华社报道")."""
    if UNSPACED.match(name[-1]):
        return re.escape(name)
    start = r"(?<!\w)" if not before.strip() and not UNSPACED.match(name[0]) else ""
    end = r"(?!\w)" if not after.strip() else ""
    return rf"{start}{re.escape(name)}(?:['’]\w{{1,4}})?{end}"


def credits(text: str, lang: str, agencies: Sequence[Outlet]) -> dict[str, str]:
    """Agency name → the credit as written, for each agency ``text`` credits in ``lang``'s cues."""
    folded = text.casefold()
    named = [a for a in agencies if any(n.casefold() in folded for n in (a.name, *a.aliases))]  # most name none
    found: dict[str, str] = {}
    for cue in _cues().get(lang) or _cues().get(lang.split("-")[0]) or () if named else ():
        before, _, after = cue.partition("{agency}")
        for agency in named:
            names = "|".join(_name(n, before, after) for n in sorted((agency.name, *agency.aliases), key=len, reverse=True))
            pattern = rf"{re.escape(before)}(?:{names}){re.escape(after)}"
            if agency.name not in found and (m := re.search(pattern, text, re.IGNORECASE)):
                found[agency.name] = m.group().strip()
    return found


def _figures_match(a: Sequence[Figure], b: Sequence[Figure]) -> bool:
    return len(a) == len(b) >= FIGURES and all(
        x.unit == y.unit and abs(x.value - y.value) <= SAME * max(abs(x.value), abs(y.value)) for x, y in zip(a, b))


def _quotes_match(a: int, b: int) -> bool:
    return abs(a - b) <= QUOTES * max(a, b)


@dataclass(frozen=True)
class Traits:
    """What the comparison of two articles reads of each: worked out once per article, not once per pair."""

    sketch: tuple[int, ...]  # shingles()
    figures: tuple[Figure, ...]
    quotes: int
    credited: tuple[tuple[str, str], ...]  # agency name → the credit as written


def traits(article: Article, agencies: Sequence[Outlet]) -> Traits:
    text = article_text(article)
    return Traits(tuple(sorted(shingles(text))), tuple(extract_figures(text, article.lang)), len(_QUOTED.findall(text)),
                  tuple(credits(text, article.lang, agencies).items()))


def with_reports(stories: Sequence[Story], articles: Sequence[Article], outlets: Sequence[Outlet],
                 store: Store | None = None) -> tuple[Story, ...]:
    """``stories`` with the reports their members carry. Each member's traits are kept in ``store`` by its
    hash (and the agencies of the registry), so an edit reads one article again, not every member."""
    by_path = {a.path: a for a in articles}
    agencies = [o for o in outlets if o.type == "news agency"]
    members = {(a := by_path[d.article]).digest or a.path: a for s in stories for d in s.members}
    known = memo(store, "copy traits", digest(repr(agencies))[:16], members, lambda a: traits(a, agencies),
                 "comparing members", types=(Traits, Figure))
    # a story's reports compare every pair of its members: kept by the members' hashes, so an edit outside
    # its members (the dev server's usual save) compares none of its hundreds of members again
    groups = [[by_path[d.article] for d in story.members] for story in stories]
    keys = [digest(*(f"{a.path}\0{a.digest or a.path}" for a in group)) for group in groups]
    reports = memo(store, "reports", digest(repr(outlets))[:16], dict(zip(keys, groups)),
                   lambda group: one_reports(group, outlets, lambda a: known[a.digest or a.path]),
                   "grouping reports", types=(Report, Link))
    return tuple(dataclasses.replace(story, reports=reports[key]) for story, key in zip(stories, keys))


def one_reports(articles: Sequence[Article], outlets: Sequence[Outlet],
                traits_of: Callable[[Article], Traits] | None = None) -> tuple[Report, ...]:
    """The groups of ``articles`` that carry one report (two articles or more each), with their links.
    ``traits_of``: each article's traits, when they were worked out before."""
    registry = Registry(outlets)
    agencies = [o for o in outlets if o.type == "news agency"]
    seen = [traits_of(a) if traits_of else traits(a, agencies) for a in articles]
    prints = [frozenset(t.sketch) for t in seen]
    credited = [dict(t.credited) for t in seen]
    own = [o.name if (o := registry.outlet(a)) and o.type == "news agency" else None for a in articles]
    voices = [set(credited[i]) | ({own[i]} - {None}) for i in range(len(articles))]  # agencies it speaks for
    links: list[Link] = []
    for i, j in _candidates(articles, seen, voices):
        a, b = articles[i], articles[j]
        if a.lang == b.lang and (share := similarity(prints[i], prints[j])) >= NEAR:
            links.append(Link("copy", a.path, b.path, f"{share:.0%}"))
        elif shared := voices[i] & voices[j]:
            agency = min(shared)
            links.append(Link("credit", a.path, b.path, f"{agency}: “{credited[i].get(agency, agency)}” · "
                              f"“{credited[j].get(agency, agency)}”"))
        elif a.lang != b.lang and _figures_match(seen[i].figures, seen[j].figures) and \
                _quotes_match(seen[i].quotes, seen[j].quotes):
            links.append(Link("translation", a.path, b.path, " · ".join(f.text for f in seen[i].figures)))
    return _join([a.path for a in articles], links)


def _candidates(articles: Sequence[Article], seen: Sequence[Traits],
                voices: Sequence[set[str]]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, in order, that may pass one of ``one_reports``' tests; every other pair
    fails them all, so it is never compared: a story's members grow with the site, and comparing each with
    each (500,000 pairs at 1,000 members) made the edit of a 50,000-article site slower than its size.
    Pairs are found through what they must share:

    - a copy, a ``NEAR`` share of the larger sketch (``similarity`` samples at least that many hashes), so
      the first ``n - ⌊NEAR·n⌋ + 1`` of each sketch's ``n`` hashes, rarest among the members first, share
      one (the prefix filter of set-similarity joins);
    - a credit, an agency;
    - a translation, its units in order."""
    frequency = Counter((a.lang, h) for a, t in zip(articles, seen) for h in t.sketch)
    groups: dict[Hashable, list[int]] = {}
    for i, (a, t) in enumerate(zip(articles, seen)):
        rarest = sorted(t.sketch, key=lambda h: (frequency[a.lang, h], h))
        for h in rarest[:len(rarest) - math.floor(NEAR * min(len(rarest), SKETCH)) + 1]:
            groups.setdefault(("copy", a.lang, h), []).append(i)
        for agency in voices[i]:
            groups.setdefault(("credit", agency), []).append(i)
        if len(t.figures) >= FIGURES:
            groups.setdefault(("translation", *(f.unit for f in t.figures)), []).append(i)
    return sorted({(i, j) for group in groups.values() for n, i in enumerate(group) for j in group[n + 1:]})


def _join(paths: list[str], links: list[Link]) -> tuple[Report, ...]:
    """Linked articles as reports (union-find), in the order of ``paths``."""
    parent = {p: p for p in paths}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for link in links:
        parent[root(link.second)] = root(link.first)
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(root(p), []).append(p)
    joined: dict[str, list[Link]] = {}  # each report's links, in the order found
    for link in links:
        joined.setdefault(root(link.first), []).append(link)
    return tuple(Report(tuple(g), tuple(joined.get(r, ()))) for r, g in groups.items() if len(g) > 1)
