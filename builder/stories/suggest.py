"""Stories that propose themselves: articles in no story grouped by the anchors that say "one event".

Anchors of an article (language-independent, so that any two languages can meet):

* names: entities of the table (persons, organisations), and names found in the text
  (``builder.stories.names``: capitalised runs, katakana, and words of uncased scripts that match a
  name found elsewhere), compared by consonant skeleton;
* places, at city level (the table's cities, CLDR time-zone cities) or area level (countries in every
  CLDR locale, the table's other places); a dateline ("MOSCOW, Nov 25 (Reuters) -") is not a place;
* figures (``builder.stories.facts.extract_figures``): a value with its unit, "33 dead", "$4.1 billion";
* days: the article's date and the dates its text states.

Two articles *link* when they are dated at most ``NEAR`` days apart, neither text dates its events
away from the other, and they share at least two independent anchors:

* a name and a figure;
* a figure and the venue (the city the headline and lead name), on close days (a day apart at most,
  or a date both texts state);
* two names and the venue, on close days, or three names and the venue;
* three names and a place of any level, on close days, unless their venues differ (the same people
  meeting in Astana that week).

A country alone never links: two events in one country and week name the same leaders. Linked
articles form connected components; a component is then pruned until every member links to more
than half of the others, so that no chain of links joins unrelated events. A lone article is no story.

A proposal's id is the slug of its two most named names and its first month; its confidence is half
the share of member pairs that link and half the mean strength of those links (names + places + twice
the figures, out of 6).

Only pairs sharing a name or a venue are ever compared: articles are indexed by those and by day,
which keeps the work near-linear in the number of articles (a name shared by more than ``CROWD`` articles within
``NEAR`` days is too common to pair them).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from anyascii import anyascii

from builder.lang.text import FOLDED, words
from builder.model import Article, Entity
from builder.read.articles import article_text
from builder.stories.anchors import Anchors, common_words, gazetteer, read_anchors
from builder.stories.names import MIN_KEY, similar, skeleton

NEAR = 3  # days between two articles of one event
CROWD = 60  # articles sharing one name within NEAR days: beyond this the name is too common to link


@dataclass(frozen=True)
class Link:
    names: tuple[str, ...]  # described: "Putin", "Pratama/براتاما (brtm)"
    places: tuple[str, ...]
    figures: tuple[str, ...]
    days: int

    def text(self) -> str:
        parts = [f"names {', '.join(self.names)}"]
        if self.places:
            parts.append(f"places {', '.join(self.places)}")
        if self.figures:
            parts.append(f"figures {', '.join(self.figures)}")
        return "; ".join(parts) + f"; {self.days} day{'s' if self.days != 1 else ''} apart"

    @property
    def strength(self) -> int:
        return len(self.names) + len(self.places) + 2 * len(self.figures)


@dataclass
class Suggestion:
    id: str
    title: dict[str, str]
    start: date
    end: date
    entities: list[dict]  # {"name", "kind", "known", "spellings", optional "territory"/"timezone"}
    members: list[tuple[Anchors, str]]  # article, the evidence that joins it
    confidence: float
    aliases: dict[str, list[str]] = field(default_factory=dict)  # known entity → spellings to add


# --- links -----------------------------------------------------------------------------------


def _near(a: Anchors, b: Anchors) -> bool:
    """Dated close, and neither text dates its events away from the other (an anniversary piece)."""
    if abs((a.day - b.day).days) > NEAR:
        return False
    for x, y in ((a, b), (b, a)):
        when = (y.day, *y.stated)
        if x.stated and all(min(abs((s - w).days) for w in when) > NEAR for s in x.stated):
            return False
    return True


def link(a: Anchors, b: Anchors) -> Link | None:
    """The evidence joining two articles, or None when it is not enough (see the module docstring)."""
    if not _near(a, b):
        return None
    names = [e for e in a.known if e in b.known]
    for key in sorted((a.names.keys() & (b.names.keys() | b.words.keys())) | (a.words.keys() & b.names.keys())):
        one, two = a.names.get(key) or a.words[key], b.names.get(key) or b.words[key]
        if len(key) == MIN_KEY and FOLDED[one] != FOLDED[two] and similar(FOLDED[one], FOLDED[two]) < 0.7:
            continue  # "Parque" is not "Boric": three consonants are too few to stand for a name alone
        names.append(one if FOLDED[one] == FOLDED[two] else f"{one}/{two} ({key})")
    shared = [p for p in a.places if p in b.places]
    figures = [a.figures[k] + ("" if a.figures[k] == b.figures[k] else f"/{b.figures[k]}")
               for k in a.figures if k in b.figures]
    days = {d.toordinal() for d in a.stated} & {d.toordinal() + k for d in b.stated for k in (-1, 0, 1)}
    close = bool(days) or abs((a.day - b.day).days) <= 1
    elsewhere = bool(a.venues and b.venues and not a.venues & b.venues)
    if not (names and figures
            or figures and a.venues & b.venues and close
            or len(names) >= 2 and a.venues & b.venues and (close or len(names) >= 3)
            or len(names) >= 3 and shared and close and not elsewhere):
        return None
    return Link(tuple(names), tuple(shared), tuple(figures), abs((a.day - b.day).days))


def candidate_pairs(anchors: Sequence[Anchors]) -> Iterable[tuple[int, int]]:
    """Pairs sharing a name or a venue and dated within NEAR days, from an index: never all pairs."""
    index: dict[str, list[int]] = {}
    for i, a in enumerate(anchors):
        for key in (*a.known, *a.names, *a.words, *(f"@{v}" for v in a.venues)):
            index.setdefault(key, []).append(i)
    seen: set[tuple[int, int]] = set()
    for posting in index.values():
        if len(posting) < 2:
            continue
        posting.sort(key=lambda i: anchors[i].day)
        hi = 0
        for lo, i in enumerate(posting):
            hi = max(hi, lo)
            while hi + 1 < len(posting) and (anchors[posting[hi + 1]].day - anchors[i].day).days <= NEAR:
                hi += 1
            if hi - lo > CROWD:
                continue
            for j in posting[lo + 1: hi + 1]:
                pair = (min(i, j), max(i, j))
                if pair not in seen:
                    seen.add(pair)
                    yield pair


# --- groups ----------------------------------------------------------------------------------


def _components(nodes: Iterable[int], edges: dict[int, dict[int, Link]]) -> list[list[int]]:
    todo, out = set(nodes), []
    while todo:
        stack, part = [todo.pop()], []
        while stack:
            n = stack.pop()
            part.append(n)
            for m in edges.get(n, {}):
                if m in todo:
                    todo.remove(m)
                    stack.append(m)
        out.append(sorted(part))
    return out


def _cohesive(part: list[int], edges: dict[int, dict[int, Link]], anchors: Sequence[Anchors]) -> list[list[int]]:
    """Peel the least linked member until each links to more than half of the others (such a core is
    connected); the peeled members are grouped again among themselves. A heap of degrees keeps a
    large component's peeling near-linear in its links."""
    members = set(part)
    degree = {n: sum(m in members for m in edges[n]) for n in members}
    heap = [(d, -anchors[n].day.toordinal(), anchors[n].path, n) for n, d in degree.items()]
    heapq.heapify(heap)
    peeled: list[int] = []
    while len(members) > 2 and heap:
        d, *_, n = heapq.heappop(heap)
        if n not in members or d != degree[n]:
            continue  # a stale entry: the member left, or lost links since
        if 2 * d > len(members) - 1:
            break
        members.remove(n)
        peeled.append(n)
        for m in edges[n]:
            if m in members:
                degree[m] -= 1
                heapq.heappush(heap, (degree[m], -anchors[m].day.toordinal(), anchors[m].path, m))
    out = [sorted(members)] if len(members) >= 2 else []
    if len(peeled) >= 2:
        rest = set(peeled)
        inner = {n: {m: k for m, k in edges[n].items() if m in rest} for n in peeled}
        out += [g for piece in _components(peeled, inner) if len(piece) >= 2 for g in _cohesive(piece, inner, anchors)]
    return out


def group(anchors: Sequence[Anchors]) -> list[tuple[list[int], dict[int, dict[int, Link]]]]:
    """Groups of two or more articles, each with the links among them."""
    edges: dict[int, dict[int, Link]] = {}
    for i, j in candidate_pairs(anchors):
        if found := link(anchors[i], anchors[j]):
            edges.setdefault(i, {})[j] = found
            edges.setdefault(j, {})[i] = found
    groups = [g for part in _components(edges, edges) for g in _cohesive(part, edges, anchors)]
    return [(g, edges) for g in sorted(groups, key=lambda g: (anchors[g[0]].day, anchors[g[0]].path))]


# --- proposals -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", anyascii(unicodedata.normalize("NFKC", text)).lower()).strip("-")


def _entities(members: list[Anchors], table: dict[str, Entity],
              codes: dict[str, tuple[str, str]]) -> list[dict]:
    """Entities named by at least half of the members (two at least), most named first."""
    need = max(2, (len(members) + 1) // 2)
    spellings: dict[str, Counter[str]] = {}
    for a in members:
        for name, spelling in a.known.items():
            spellings.setdefault(name, Counter())[spelling] += 1
        for name, (_, spelling) in a.places.items():
            spellings.setdefault(name, Counter())[spelling] += 1
        for key, spelling in {**a.words, **a.names}.items():
            spellings.setdefault("#" + key, Counter())[spelling] += 1
    out = []
    for name, found in sorted(spellings.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        if sum(found.values()) < need or (name.startswith("#") and not any(name[1:] in a.names for a in members)):
            continue
        entry: dict = {"spellings": sorted(found)}
        if name.startswith("#"):
            latin = [s for s, _ in found.most_common() if s.isascii()] or [found.most_common(1)[0][0]]
            alike = [s for s in found if len(name) > MIN_KEY + 1 or similar(FOLDED[s], FOLDED[latin[0]]) >= 0.7]
            entry |= {"name": latin[0], "kind": "unknown", "known": False, "key": name[1:], "spellings": alike}
        elif name in table:
            entry |= {"name": name, "kind": table[name].kind, "known": True}
        else:
            key, code = codes[name]
            entry |= {"name": name, "kind": "place", "known": False, key: code}
        out.append(entry)
    return out


def _aliases(members: list[Anchors], known: list[Entity],
             common: frozenset[str]) -> dict[str, list[str]]:
    """Spellings of a known person or organisation that the table lacks, found in members naming the
    story's other entities: a name (capitalised, or in an uncased script) whose skeleton equals, or for
    four consonants or more nearly equals, a word of the canonical name's."""
    out: dict[str, list[str]] = {}
    for entity in (e for e in known if e.kind != "place"):
        targets = {skeleton(w) for w in words(entity.name) if len(skeleton(w)) >= MIN_KEY}
        listed = tuple({FOLDED[w] for alias in (entity.name, *entity.aliases) for w in words(alias) if FOLDED[w]})
        found: dict[str, None] = {}
        for a in members:
            if not any(e.name in a.known or e.name in a.places for e in known if e is not entity):
                continue
            for word in {**a.names, **a.words}.values():
                key = skeleton(word)
                if FOLDED[word] in common or FOLDED[word].startswith(listed):
                    continue
                if any(key == t or (len(t) > MIN_KEY and key[:1] == t[:1] and abs(len(key) - len(t)) <= 1
                                    and similar(key, t) >= 0.85) for t in targets):
                    found.setdefault(word)
        if found:
            out[entity.name] = list(found)
    return out


def suggest(articles: Sequence[Article], table: dict[str, Entity]) -> list[Suggestion]:
    """Proposed stories among ``articles`` (those in no story), most confident first."""
    texts = {a.path: article_text(a) for a in articles}
    common = common_words(articles, texts)
    anchors = read_anchors(articles, table, texts, common)
    _, codes = gazetteer(table)
    out = []
    for members, edges in group(anchors):
        people = [anchors[i] for i in members]
        n = len(members)
        evidence = []
        for i in members:
            mine = {j: k for j, k in edges[i].items() if j in members}
            best = max(mine, key=lambda j: (mine[j].strength, anchors[j].path))
            why = f"links to {len(mine)} of {n - 1}; with {anchors[best].path}: {mine[best].text()}"
            evidence.append((anchors[i], why))
        pairs = [edges[i][j] for i in members for j in members if i < j and j in edges[i]]
        density = len(pairs) / (n * (n - 1) / 2)
        strength = sum(min(1.0, p.strength / 6) for p in pairs) / len(pairs)
        entities = _entities(people, table, codes)
        start = min(a.day for a in people)
        named = [e["name"] for e in entities if e["kind"] != "place"][:2] or [e["name"] for e in entities][:2]
        slug = "-".join(filter(None, (_slug(x) for x in named))) or "story"
        title: dict[str, str] = {}
        for a, _ in sorted(evidence, key=lambda ev: (-len(edges[members[people.index(ev[0])]]), ev[0].path)):
            title.setdefault(a.lang, a.title)
        known = [table[e["name"]] for e in entities if e["known"]]
        out.append(Suggestion(f"{slug}-{start:%Y-%m}", title, start, max(a.day for a in people), entities,
                              evidence, round(0.5 * density + 0.5 * strength, 2),
                              _aliases(people, known, common)))
    taken: Counter[str] = Counter()
    for s in out:  # two proposals with one id: number the later ones
        taken[s.id] += 1
        if taken[s.id] > 1:
            s.id = f"{s.id}-{taken[s.id]}"
    return sorted(out, key=lambda s: (-s.confidence, s.id))
