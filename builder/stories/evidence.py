"""The evidence that an article covers a story's event, each piece with its kind and weight.

An article's score is the sum of its evidence's weights (``builder/data/evidence.yaml``; the
thresholds there were fitted on the labelled set's tune part only, see ``tests/tools/fit.py``):

* names: each story entity it names, by kind (a person, an organisation, the story's city);
  a name found only by transliterated fuzzy comparison (``Masar-i-Scharif``, ``מזאר א־שריף``)
  weighs less than one the table spells;
* country: the country of the story's city ("Putin's visit to Kyrgyzstan"), weaker than the city;
* venue: a cue of the article's language placing the event in the story's place
  (``builder.stories.venue``);
* time: a date its text states inside the window, its own date inside the window;
* figures: specific figures it shares with the story's confident members.

Vetoes cap the role at background whatever the score, because they are the near misses:
the same people at another venue (a cue names another city and none names the story's, or the
dateline does), at another time (every past date its text states is far outside the window), or
looking back (dated after the window: analysis, anniversaries). Dates after the article's own date
(an inauguration in March) are announcements, never a veto.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import babel
from rapidfuzz import fuzz

from builder.data import load_table
from builder.lang.text import FOLDED, UNSPACED, fold, words
from builder.model import Entity, Evidence, Mention, StorySpec
from builder.read.entities import Place
from builder.stories.match import DERIVATIONS
from builder.stories.venue import Venues

NAMES = ("person", "organisation", "place", "region", "country", "fuzzy-name")  # the kinds that say who and where


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    member: float  # score from which an article without a veto is a member
    background: float  # score from which it is background (the same actors)
    grace: timedelta  # a stated date this close to the window does not count against it
    fuzzy: float  # rapidfuzz ratio from which a transliterated word is the name
    fuzzy_days: int  # articles dated this close to the window are searched for fuzzy names
    figures_max: int  # shared figures counted at most


@lru_cache(maxsize=1)
def model() -> Model:
    data = load_table("evidence")
    t = data["thresholds"]
    return Model(data["weights"], t["member"], t["background"], timedelta(days=t["grace_days"]), t["fuzzy_ratio"],
                 t["fuzzy_days"], t["figures_max"])


def names(spec: StorySpec, mentions: Sequence[Mention], fuzzy: Sequence[Mention]) -> list[Evidence]:
    """One piece per story entity named: by kind, or as a fuzzy name when only fuzzy matching found it."""
    w = model().weights
    exact = {m.entity for m in mentions}
    out = []
    for entity in spec.entities:
        spelt = [m for m in mentions if m.entity == entity.name]
        if spelt:
            kind = "region" if entity.kind == "place" and not _city(entity) else entity.kind
            out.append(Evidence(kind, w[kind], _spellings(entity.name, spelt)))
        elif entity.name not in exact and (near := [m for m in fuzzy if m.entity == entity.name]):
            out.append(Evidence("fuzzy-name", w["fuzzy-name"], _spellings(entity.name, near) + f" ({entity.kind})"))
    return out


def _city(entity: Entity) -> bool:
    return isinstance(entity, Place) and entity.city


def _spellings(name: str, mentions: Sequence[Mention]) -> str:
    return f"{name} " + ", ".join(f"“{m.spelling}”×{m.count}" for m in mentions)


COUNTRY = "country:"  # the name of a pseudo-entity standing for the country of a story's city


def country(spec: StorySpec, mentions: Sequence[Mention]) -> list[Evidence]:
    """The country of the story's city, when the story does not list that country itself."""
    mine = {e.name for e in countries(spec)}
    found = [m for m in mentions if m.entity in mine]
    if not found:
        return []
    code = found[0].entity[len(COUNTRY):]
    name = babel.Locale("en").territories.get(code, code)
    return [Evidence("country", model().weights["country"], _spellings(f"{name} (country of the story's city)", found))]


def countries(spec: StorySpec) -> tuple[Entity, ...]:
    """Pseudo-entities for the countries of the story's cities, named in every CLDR locale."""
    listed = {e.territory for e in spec.entities if isinstance(e, Place) and not e.city}
    codes = {e.territory: e.country_names for e in spec.entities if isinstance(e, Place) and e.city and e.territory}
    return tuple(Place(COUNTRY + code, "place", names, territory=code) for code, names in codes.items()
                 if code not in listed)


def venue(found: Venues) -> tuple[list[Evidence], list[Evidence]]:
    """Evidence of the venue, and the veto when the event is set elsewhere."""
    w = model().weights
    where = max(sorted(set(found.elsewhere)), key=found.elsewhere.count, default=None)
    if where and found.elsewhere.count(where) > len(found.here):
        return [], [Evidence("elsewhere", 0.0, f"set in {where} (placed there {found.elsewhere.count(where)}×, "
                             f"in the story's place {len(found.here)}×)")]
    if found.here:
        return [Evidence("venue", w["venue"], "the event placed in " + ", ".join(dict.fromkeys(
            h.strip(".,;:'’") for h in found.here)))], []
    return [], []


def time(spec: StorySpec, day: date, stated: Sequence[date]) -> tuple[list[Evidence], list[Evidence]]:
    """Evidence of the time, and the vetoes: looking back, another time, or outside the window."""
    m, w = model(), model().weights
    window = f"window {spec.start}..{spec.end}"
    inside = [d for d in stated if spec.start <= d <= spec.end]
    out: list[Evidence] = []
    if inside:
        out.append(Evidence("date-stated", w["date-stated"], f"text states {_days(inside)}, in the {window}"))
    if spec.start <= day <= spec.end:
        out.append(Evidence("dated", w["dated"], f"dated {day}, in the {window}"))
    if day > spec.end + m.grace:
        return out, [Evidence("looking-back", 0.0, f"dated {day}, after the {window}: a look back")]
    past = [d for d in stated if d <= day + m.grace]  # later dates are announcements, not the event's time
    far = [d for d in past if d < spec.start - m.grace or d > spec.end + m.grace]
    if not inside and past and len(far) == len(past):
        return out, [Evidence("other-time", 0.0, f"its text dates its events {_days(far)}, outside the {window}")]
    if not inside and not spec.start <= day <= spec.end:
        return out, [Evidence("other-time", 0.0, f"dated {day}, outside the {window}, no date in it stated")]
    return out, []


def figures(shared: Sequence[str]) -> list[Evidence]:
    if not shared:
        return []
    n = min(len(shared), model().figures_max)
    return [Evidence("figures", round(model().weights["figure"] * n, 2),
                     f"{len(shared)} figure(s) shared with confident members: {', '.join(shared[:6])}")]


def fuzzy_names(text: str, entities: Sequence[Entity]) -> tuple[Mention, ...]:
    """Names the table does not spell, found by comparing transliterated words with its aliases.

    Each alias (folded, its words joined) is compared with the text's runs of as many words;
    only runs starting with the alias's first letter and of about its length are compared (the runs of
    each length are indexed by first letter: a text has thousands, an alias's letter picks a few dozen)."""
    cutoff = model().fuzzy
    originals = words(text)
    folded = list(map(FOLDED.__getitem__, originals))  # a lookup per word in C
    by_letter: dict[int, dict[str, list[tuple[int, str]]]] = {}  # words in a run → first letter → (start, run)
    found: dict[str, Mention] = {}
    for entity in entities:
        for alias in dict.fromkeys((entity.name, *entity.aliases)):
            if UNSPACED.search(alias) or entity.name in found:
                continue
            parts = [p for p in map(fold, words(alias)) if p]
            key = "".join(parts)
            if len(key) < 5 or (len(parts) == 1 and len(key) <= 4):
                continue
            if len(parts) not in by_letter:
                by_letter[len(parts)] = _runs(folded, len(parts))
            for i, run in by_letter[len(parts)].get(key[0], ()):
                if abs(len(run) - len(key)) > 3 or run.startswith(key) or (
                        run.endswith(DERIVATIONS) and not key.endswith(DERIVATIONS)):
                    # another word made from the name ("Bishkekov", "Putinism") is the exact matcher's call
                    continue
                if fuzz.ratio(run, key, score_cutoff=cutoff) >= cutoff:
                    found[entity.name] = Mention(entity.name, " ".join(originals[i:i + len(parts)]), 1)
                    break
            if entity.name in found:
                break
    return tuple(found.values())


def _runs(folded: list[str], n: int) -> dict[str, list[tuple[int, str]]]:
    """Every run of ``n`` folded words, joined, by its first letter, in text order."""
    index: dict[str, list[tuple[int, str]]] = {}
    for i in range(len(folded) - n + 1):
        run = "".join(folded[i:i + n]) if n > 1 else folded[i]
        if run:
            index.setdefault(run[0], []).append((i, run))
    return index


def decide(spec: StorySpec, pieces: Sequence[Evidence], vetoes: Sequence[Evidence]) -> tuple[str, float, str]:
    """Member, background or out, from the score and the vetoes; the reason says which line it crossed."""
    m = model()
    score = round(sum(e.weight for e in pieces), 2)
    has_person = any(e.kind == "person" or (e.kind == "fuzzy-name" and e.detail.endswith("(person)")) for e in pieces)
    needs_person = any(e.kind == "person" for e in spec.entities)
    named = sum(e.weight for e in pieces if e.kind in NAMES)
    if needs_person and not has_person:
        return "out", score, f"score {score}: no person of the story named"
    kinds = {e.kind for e in pieces}
    # the city's country stands in for the city, never beside it
    distinct = sum(e.kind in NAMES and e.kind != "country" for e in pieces) + ("country" in kinds and "place" not in kinds)
    need = len(spec.entities) // 2 + 1
    if named < m.background:
        return "out", score, f"score {score}: its names weigh {named:g}, background needs {m.background:g}"
    if distinct < need:
        return "out", score, (f"score {score}, but it names {distinct} of the story's {len(spec.entities)} "
                              f"entities, members need {need}")
    if vetoes:
        return "background", score, f"score {score}, but " + "; ".join(v.detail for v in vetoes)
    if score >= m.member:
        return "member", score, f"score {score} ≥ {m.member:g}"
    return "background", score, f"score {score} < {m.member:g} for a member"


def _days(days: Sequence[date]) -> str:
    return ", ".join(d.isoformat() for d in days)


def confident(score: float) -> bool:
    """Sure enough without figures that its figures may speak for the story."""
    return score >= model().member + model().weights["figure"] * model().figures_max
