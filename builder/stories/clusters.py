"""Stories: articles in any language grouped by who, where and when, on an explainable score.

For each story, the articles that name one of its entities (or its city's country), and those
dated near its window in which a fuzzy comparison of transliterated words finds its names, are
scored by ``builder.stories.evidence``: every piece of evidence with its kind and weight, vetoes
for the near misses (the same people at another venue or time, a look back). A second pass
adds the figures a candidate shares with the story's confident members. ``include``/``exclude``
override the rules; the reason keeps what the rules said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from builder.cache import Store, digest, memo
from builder.lang.dates import event_dates
from builder.model import (
    Article,
    Decision,
    Entity,
    Evidence,
    Mention,
    Story,
    StorySpec,
)
from builder.read.articles import article_text
from builder.read.entities import Place
from builder.stories import evidence as ev
from builder.stories.facts import Figure, compare_facts, extract_figures
from builder.stories.match import matcher
from builder.stories.venue import find_venues

log = logging.getLogger(__name__)


def _matched(specs: Sequence[StorySpec]) -> tuple[Entity, ...]:
    """All entities any story needs found, rival cities and cities' countries included: one pass per
    article serves every story."""
    out: dict[str, Entity] = {}
    for spec in specs:
        for entity in (*spec.entities, *ev.countries(spec)):
            out.setdefault(entity.name, entity)
            for rival in entity.rivals if isinstance(entity, Place) else ():
                out.setdefault(rival.name, rival)
    return tuple(out.values())


Found = tuple[tuple[Mention, ...], tuple[date, ...]]  # what an article names, and the dates its text states
Look = tuple[tuple[Mention, ...], list[Evidence], list[Evidence]]  # a story's first look: fuzzy names, evidence, vetoes
# one pass over an article's text: what it names, the dates it states, each concerned story's look (by story id),
# and its figures (None when no story looked: no story can want them)
Reading = tuple[tuple[Mention, ...], tuple[date, ...], tuple[tuple[str, Look], ...], list[Figure] | None]
NO_LOOK: Look = ((), [], [])


def cluster_articles(specs: Sequence[StorySpec], articles: Sequence[Article], store: Store | None = None) -> tuple[Story, ...]:
    """Decide, for every story, the articles that name it or are dated near it; facts compare the members' figures.

    One pass over each article's text finds every story's entities and dates, weighs each story's
    evidence and reads the figures; it is kept in ``store`` by the article's hash and the stories'
    entities and windows, so an edit reads one article again, not the thousands that name the
    story's people. Every other article is out, counted in ``Story.unnamed``."""
    if not specs:
        return ()
    entities = _matched(specs)
    find = matcher(entities).find
    margin = timedelta(days=ev.model().fuzzy_days)
    names = {spec.id: {e.name for e in (*spec.entities, *ev.countries(spec))} for spec in specs}

    def reading(article: Article) -> Reading:
        text = article_text(article)  # once: it is read from the build cache and stripped of its tags
        mentions, stated = find(text), event_dates(text, article.lang, article.day)
        exact = {m.entity for m in mentions}
        looks = []
        for spec in specs:
            naming_it = not names[spec.id].isdisjoint(exact)
            dated_near = spec.start - margin <= article.day <= spec.end + margin
            fuzzy = ev.fuzzy_names(text, [e for e in spec.entities if e.name not in exact]) if dated_near else ()
            if fuzzy or naming_it:  # otherwise the story is not concerned: no evidence to weigh
                looks.append((spec.id, (fuzzy, *_evidence(spec, article, text, mentions, stated, fuzzy))))
        return mentions, stated, tuple(looks), extract_figures(text, article.lang) if looks else None

    window = repr([(spec.id, spec.entities, spec.start, spec.end) for spec in specs])
    salt = digest(repr(entities), window, str(margin))[:16]  # every story's entities: they compete for words
    known = memo(store, "readings", salt,
                 {a.digest or a.path: a for a in articles}, reading, "reading for stories",
                 types=(Mention, Evidence, Figure))
    read = {a.path: known[a.digest or a.path] for a in articles}
    seen: dict[str, Found] = {path: (mentions, stated) for path, (mentions, stated, _, _) in read.items()}
    first: dict[str, dict[str, Look]] = {spec.id: {} for spec in specs}
    for path, (_, _, looks, _) in read.items():
        for story, look in looks:
            first[story][path] = look
    by_path = {a.path: a for a in articles}

    def figures(article: Article) -> list[Figure]:
        found = read[article.path][3]  # None only for an article a story file includes or excludes by name alone
        return extract_figures(article_text(article), article.lang) if found is None else found

    stories = []
    for spec in specs:
        forced = (set(spec.include) | set(spec.exclude)) & by_path.keys()
        candidates = sorted(first[spec.id].keys() | forced)
        looks = {**dict.fromkeys(forced, NO_LOOK), **first[spec.id]}
        decisions = _decide_all(spec, [by_path[p] for p in candidates], seen, looks, figures,
                                digest(salt, repr((spec.id, spec.include, spec.exclude))))
        members = [d for d in decisions if d.role == "member"]
        for missing in sorted(set(spec.include) - set(by_path)):
            log.warning("%s: include names %s, which is not an article", spec.path, missing)
        stories.append(Story(
            spec,
            members=_ordered(members, by_path),
            background=_ordered([d for d in decisions if d.role == "background"], by_path),
            left_out=tuple(d for d in decisions if d.role == "out"),
            facts=compare_facts([by_path[d.article] for d in members], figures),
            unnamed=len(articles) - len(candidates),
        ))
    return tuple(stories)


def _decide_all(spec: StorySpec, candidates: list[Article], seen: dict[str, Found], first: dict[str, Look],
                figures: Callable[[Article], list[Figure]], rules: str) -> list[Decision]:
    """Decide on every candidate from its first look; then let the figures of the confident members speak
    for the rest. Each decision depends on ``rules`` (a hash of this story's file and of every story's entities
    and windows, which decide what the articles' readings found), the article and the figures it shares: kept
    in ``_decided``, so that a dev server's save decides again only the articles it changed."""
    if len(_decided) > 1_000_000:  # a long-running server sees ever more
        _roles.clear()
        _decided.clear()
    roles = {}
    for a in candidates:  # an article with no hash (not read from a file) is decided each time
        role = _roles.get((rules, a.digest)) if a.digest else None
        roles[a.path] = role = role or _role(spec, *first[a.path][1:])
        if a.digest:
            _roles[rules, a.digest] = role
    sure = [a for a in candidates if roles[a.path][0] == "member"
            and ev.confident(sum(e.weight for e in first[a.path][1]))]
    pool = _fingerprints([f for a in sure for f in figures(a)])
    confident = {a.path for a in sure}
    out = []
    for a in candidates:
        shared = sorted(_fingerprints(figures(a)) & pool) if pool and a.path not in confident else []
        decision = _decided.get(key := (rules, a.digest, *shared)) if a.digest else None
        if decision is None:
            fuzzy, pieces, vetoes = first[a.path]
            role, score, reason = roles[a.path]
            if shared and pieces:
                pieces = pieces + ev.figures(shared)
                role, score, reason = _role(spec, pieces, vetoes)
            decision = _decision(spec, a, seen[a.path], fuzzy, role, score, reason, pieces + vetoes)
            if a.digest:
                _decided[key] = decision
        out.append(decision)
    return out


# kept in the process, by the story's rules and the article's hash: its role at first look, and (with the
# figures it shares with the confident members) its decision
_roles: dict[tuple[str, str], tuple[str, float, str]] = {}
_decided: dict[tuple[str, ...], Decision] = {}


def _fingerprints(figures: Sequence[Figure]) -> set[str]:
    """Figures specific enough to identify an event: a currency sum, a percentage with decimals or a
    count that is not a year or a small number, as "value unit" in one spelling for every language."""
    out = set()
    for f in figures:
        if f.unit == "count" and (f.value < 20 or (1900 <= f.value <= 2100 and f.value.is_integer())):
            continue
        if f.unit == "%" and float(f.value).is_integer() and f.value < 10:
            continue
        out.add(f"{f.value:g} {f.unit}")
    return out


def _evidence(spec: StorySpec, article: Article, text: str, found: tuple[Mention, ...], stated: tuple[date, ...],
              fuzzy: tuple[Mention, ...]) -> tuple[list[Evidence], list[Evidence]]:
    """The evidence for the article's membership, and the vetoes against it."""
    pieces = ev.names(spec, found, fuzzy) + ev.country(spec, found)
    if not pieces:
        return [], []
    places = tuple(e for e in (*spec.entities, *ev.countries(spec)) if e.kind == "place")
    others = tuple({r.name: r for e in places if isinstance(e, Place) for r in e.rivals}.values())
    here, elsewhere = ev.venue(find_venues(text, article.lang, places, others))
    when, late = ev.time(spec, article.day, stated)
    return pieces + here + when, elsewhere + late


def _role(spec: StorySpec, pieces: list[Evidence], vetoes: list[Evidence]) -> tuple[str, float, str]:
    if not pieces:
        return "out", 0.0, "no story entity mentioned"
    return ev.decide(spec, pieces, vetoes)


def _decision(spec: StorySpec, article: Article, found: Found, fuzzy: tuple[Mention, ...], role: str, score: float,
              reason: str, evidence: list[Evidence]) -> Decision:
    order = {e.name: i for i, e in enumerate(spec.entities)}
    mentions = tuple(sorted((m for m in (*found[0], *fuzzy) if m.entity in order),
                            key=lambda m: (order[m.entity], -m.count)))
    dates = tuple(dict.fromkeys((article.day, *found[1]))) if evidence else (article.day,)
    if article.path in spec.include:
        role, reason = "member", f"included by the story file (the rules say {role}: {reason})"
    elif article.path in spec.exclude:
        role, reason = "out", f"excluded by the story file (the rules say {role}: {reason})"
    return Decision(article.path, role, score, mentions, dates, reason, tuple(evidence))


def _ordered(decisions: list[Decision], by_path: dict[str, Article]) -> tuple[Decision, ...]:
    return tuple(sorted(decisions, key=lambda d: (by_path[d.article].day, d.article)))
