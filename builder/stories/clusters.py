"""Stories: articles in any language grouped by who, where and when.

Membership
----------
For each article the story's entities are found in its text, in any script
and with case endings (see ``builder.read.entities``); its dates are its own date
plus the dates its text states ("26.11.2025", "Nov. 27", "16-майда"). Of the
story's ``n`` entities it names ``k``: its score is k/n.

* member: more than half of the entities (k ≥ n//2 + 1), among them a person
  and a place of the story when the story has them; no other city of the
  entity table named more often than the story's places (else the article is
  set elsewhere: the same people meeting in Moscow or Astana); and a date: one
  its text states inside the window, or else its own date inside the window,
  unless every date its text states lies more than two days outside (a piece
  dated in the window about a meeting in 2022).
* background: as a member, but failing the place or the date condition: the
  same actors at another time or place.
* out: everything else; the reason says which condition failed.

``include``/``exclude`` override the rules; the reason keeps what the rules
said. Dates are read only from articles naming at least one entity.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from builder.cache import Store, digest, memo
from builder.lang.dates import event_dates
from builder.model import Article, Decision, Entity, Fact, Mention, Story, StorySpec
from builder.read.articles import article_text
from builder.read.entities import Place
from builder.stories.facts import Figure, compare_facts, extract_figures
from builder.stories.match import matcher

log = logging.getLogger(__name__)

GRACE = timedelta(days=2)  # a stated date this close to the window does not count against it


def _matched(specs: Sequence[StorySpec]) -> tuple[Entity, ...]:
    """All entities any story needs found, rival cities included: one pass per article serves every story."""
    out: dict[str, Entity] = {}
    for spec in specs:
        for entity in spec.entities:
            out.setdefault(entity.name, entity)
            for rival in entity.rivals if isinstance(entity, Place) else ():
                out.setdefault(rival.name, rival)
    return tuple(out.values())


Evidence = tuple[tuple[Mention, ...], tuple[date, ...]]  # what an article names, and the dates its text states


def cluster_articles(specs: Sequence[StorySpec], articles: Sequence[Article], store: Store | None = None) -> tuple[Story, ...]:
    """Decide, for every story, the articles that name one of its entities; facts compare the members' figures.

    One pass over each article finds every story's entities (kept in ``store`` by the article's
    hash, so only new or edited articles are read again); an index from entity to articles then
    hands each story just the articles naming it: adding articles costs what they touch, not
    articles × stories. Every other article is out, counted in ``Story.unnamed``."""
    if not specs:
        return ()
    entities = _matched(specs)
    find = matcher(entities).find
    by_path = {a.path: a for a in articles}

    def evidence(article: Article) -> Evidence:
        text = article_text(article)
        found = find(text)
        return found, event_dates(text, article.lang, article.day) if found else ()

    known = memo(store, "evidence", digest(repr(entities))[:16], {a.digest or a.path: a for a in articles}, evidence,
                 "finding names", types=(Mention,))
    seen = {a.path: known[a.digest or a.path] for a in articles}
    naming: dict[str, set[str]] = {}
    for path, (mentions, _) in seen.items():
        for m in mentions:
            naming.setdefault(m.entity, set()).add(path)
    stories = []
    for spec in specs:
        candidates = set().union(*(naming.get(e.name, ()) for e in spec.entities))
        candidates |= (set(spec.include) | set(spec.exclude)) & by_path.keys()
        decisions = [_decide(spec, by_path[path], *seen[path]) for path in sorted(candidates)]
        members = [d for d in decisions if d.role == "member"]
        for missing in sorted(set(spec.include) - set(by_path)):
            log.warning("%s: include names %s, which is not an article", spec.path, missing)
        stories.append(Story(
            spec,
            members=_ordered(members, by_path),
            background=_ordered([d for d in decisions if d.role == "background"], by_path),
            left_out=tuple(d for d in decisions if d.role == "out"),
            facts=_facts([by_path[d.article] for d in members], store),
            unnamed=len(articles) - len(candidates),
        ))
    return tuple(stories)


def _ordered(decisions: list[Decision], by_path: dict[str, Article]) -> tuple[Decision, ...]:
    return tuple(sorted(decisions, key=lambda d: (by_path[d.article].day, d.article)))


def _facts(members: list[Article], store: Store | None) -> tuple[Fact, ...]:
    figures = memo(store, "figures", "", {a.digest or a.path: a for a in members},
                   lambda a: extract_figures(article_text(a), a.lang), "reading figures", types=(Figure,))
    return compare_facts(members, lambda a: figures[a.digest or a.path])


def _decide(spec: StorySpec, article: Article, found: tuple[Mention, ...], stated: tuple[date, ...]) -> Decision:
    order = {e.name: i for i, e in enumerate(spec.entities)}
    mentions = tuple(sorted((m for m in found if m.entity in order), key=lambda m: (order[m.entity], -m.count)))
    totals = Counter[str]()
    for m in found:
        totals[m.entity] += m.count
    hit = [e for e in spec.entities if totals[e.name]]
    n, k = len(spec.entities), len(hit)
    score = round(k / n, 2)
    if not hit:  # included or excluded without naming the story: no dates needed to say why
        role, reason = "out", "no story entity mentioned"
        dates: tuple[date, ...] = (article.day,)
    else:
        dates = tuple(dict.fromkeys((article.day, *stated)))
        role, reason = _rules(spec, article.day, stated, hit, totals)
    if article.path in spec.include:
        role, reason = "member", f"included by the story file (the rules say {role}: {reason})"
    elif article.path in spec.exclude:
        role, reason = "out", f"excluded by the story file (the rules say {role}: {reason})"
    return Decision(article.path, role, score, mentions, dates, reason)


def _rules(spec: StorySpec, day: date, stated: tuple[date, ...], hit: list[Entity],
           totals: Counter[str]) -> tuple[str, str]:
    """Member: enough entities, a person, the place, the time. Background: the same actors elsewhere or later."""
    n, k, need = len(spec.entities), len(hit), len(spec.entities) // 2 + 1
    named = f"{k}/{n} entities ({', '.join(e.name for e in hit)})"
    persons = [e for e in spec.entities if e.kind == "person"]
    if persons and not any(e.kind == "person" for e in hit):
        return "out", f"{named}: no person of the story named"
    if k < need:
        return "out", f"{named}: members need {need}"
    place_ok, where = _where(spec, totals)
    time_ok, when = _when(day, stated, spec)
    if place_ok and time_ok:
        return "member", f"{named}; {where}; {when}"
    failed = [text for ok, text in ((place_ok, where), (time_ok, when)) if not ok]
    return "background", f"{named}, but " + "; ".join(failed)


def _when(day: date, stated: tuple[date, ...], spec: StorySpec) -> tuple[bool, str]:
    window = f"window {spec.start}..{spec.end}"
    inside = [d for d in stated if spec.start <= d <= spec.end]
    if inside:
        return True, f"text states {_days(inside)}, in the {window}"
    if not spec.start <= day <= spec.end:
        return False, f"dated {day}, outside the {window}" + (f", text states {_days(stated)}" if stated else "")
    far = [d for d in stated if d < spec.start - GRACE or d > spec.end + GRACE]
    if stated and len(far) == len(stated):
        return False, f"dated {day} in the {window}, but its text dates its events {_days(far)}"
    return True, f"dated {day}, in the {window}"


def _where(spec: StorySpec, totals: Counter[str]) -> tuple[bool, str]:
    places = [e for e in spec.entities if e.kind == "place"]
    if not places:
        return True, "no place required"
    here = sum(totals[e.name] for e in places)
    if not here:
        return False, f"no story place ({', '.join(e.name for e in places)}) named"
    names = {e.name for e in spec.entities}
    rivals = {r.name for e in places if isinstance(e, Place) for r in e.rivals} - names
    elsewhere = max(rivals, key=lambda r: (totals[r], r), default=None)
    if elsewhere and totals[elsewhere] > here:
        return False, f"set in {elsewhere} (named {totals[elsewhere]}×, story places {here}×)"
    return True, f"story place named {here}×"


def _days(days: Sequence[date]) -> str:
    return ", ".join(d.isoformat() for d in days)
