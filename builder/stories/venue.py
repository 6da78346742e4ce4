"""Where an article says its event happens, as opposed to where it was filed or whom a capital stands for.

A wire dateline ("MOSCOW, Nov 25 (Reuters) -", "SANTIAGO, Chile (AP) —", "BUENOS AIRES.-") names the
desk that filed the copy; "Moscow views Kyrgyzstan as a partner" names a government. Neither is a
venue. A place is the event's venue only when a cue of the article's language says so: a word
before it ("held in", "визит в", "در") or an ending or particle after it ("Bişkek'te", "Бишкекте",
"비슈케크에서"); the cues are data (``builder/data/venue.yaml``). Places are those of the entity
table and CLDR's exemplar cities and territory names in the article's language and in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import babel

from builder.data import load_table
from builder.lang.text import FOLDED, UNSPACED, fold, words
from builder.model import Entity
from builder.read.entities import Place

# at the very start: capitals (a city, maybe ", COUNTRY"), then a date, an agency credit or a dash
_DATELINE = re.compile(r"\A\s*(?P<place>[^\W\d][^\n,:(—–]{1,40}?)(?:,[^\n:(—–]{1,30}?)?\s*(?:\([^)]{1,40}\)\s*)?"
                       r"(?:[,:]|\.-|\s[—–-]{1,2})\s")
_MAX_WORDS = 3  # longest place name tried after a cue ("Addis Ababa", "Buenos Aires", "Hat Yai")
_REACH = 6  # words a place may stand after its cue: "in the ancient South Korean city of Gyeongju"


@dataclass(frozen=True)
class Venues:
    here: tuple[str, ...]  # the story's places, as written, that a cue makes the venue
    elsewhere: tuple[str, ...]  # other cities a cue makes the venue
    dateline: str | None  # the filing place, if the text opens with a dateline; counted among the cues


@cache
def _entry(lang: str) -> dict[str, list[str]]:
    table = load_table("venue")
    return table.get(lang) or table.get(lang.split("-")[0].lower()) or {}


@cache
def _cues(lang: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    entry = _entry(lang)
    before = tuple(tuple(fold(w) or w for w in words(c)) for c in entry.get("before", ()))
    after = tuple(sorted((fold(c) or c.replace(" ", "") for c in entry.get("after", ())), key=len, reverse=True))
    return before, after


@cache
def _cldr_places(lang: str) -> dict[str, tuple[str, bool, str | None]]:
    """Folded name → (name, is a country, territory) from CLDR, in the language and in English."""
    out: dict[str, tuple[str, bool, str | None]] = {}
    zones = babel.core.get_global("zone_territories")
    for code in dict.fromkeys(("en", lang.replace("-", "_"))):
        try:
            loc = babel.Locale.parse(code)
        except (ValueError, babel.UnknownLocaleError):
            continue
        for zone, territory in zones.items():  # CLDR lists a city only where it differs from the zone's
            city = loc.time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
            out.setdefault(fold(city), (city, False, territory))
        for territory, name in loc.territories.items():
            if territory.isalpha():
                out.setdefault(fold(name), (name, True, territory))
    return out


@lru_cache(maxsize=256)
def _gazetteer(lang: str, places: tuple[Entity, ...]) -> dict[str, tuple[str, bool, str | None]]:
    table = dict(_cldr_places(lang))
    for place in places:
        territory = place.territory if isinstance(place, Place) else None
        country = not (isinstance(place, Place) and place.city)
        for alias in (place.name, *place.aliases):
            table[fold(alias)] = (place.name, country, territory)
    return table


def dateline(text: str) -> str | None:
    """The filing place a wire story opens with: capitals, then a date, a credit or a dash. The text
    may start with the title and description, one a line: the body's first line is tried too."""
    for line in text.split("\n", 3)[:3]:
        m = _DATELINE.match(line)
        place = m["place"].strip(" .") if m else ""
        if sum(c.isalpha() for c in place) >= 3 and place.isupper():
            return place
    return None


def _lookup(table: dict[str, tuple[str, bool, str | None]], key: str) -> tuple[str, bool, str | None] | None:
    """A place by its folded name, tolerating a short case ending left on it (Бишкеке, Москве)."""
    for cut in range(3 if key.isalpha() else 1):
        if len(key) - cut >= 4 and (hit := table.get(key[:len(key) - cut] if cut else key)):
            return hit
    return None


def find_venues(text: str, lang: str, story_places: tuple[Entity, ...], others: tuple[Entity, ...]) -> Venues:
    """The places a cue makes the venue: the story's own (or its country), and other cities."""
    filed = dateline(text)
    body = text.replace(filed, "", 1) if filed else text
    table = _gazetteer(lang, (*others, *story_places))
    mine = {p.name for p in story_places}
    territories = {p.territory for p in story_places if isinstance(p, Place) and p.territory}
    # a country the story lists is its area: a city in it ("said in Kabul") is not another venue
    area = {p.territory for p in story_places if isinstance(p, Place) and not p.city and p.territory}
    before, after = _cues(lang)
    last_words = {cue[-1] for cue in before}
    suffixes = set(after)
    lengths = sorted({len(x) for x in after}, reverse=True)
    here: list[str] = []
    elsewhere: list[str] = []

    def place_at(name: tuple[str, bool, str | None], spelling: str) -> None:
        if name[0] in mine or (name[1] and name[2] in territories):
            here.append(spelling)
        elif not name[1] and name[2] not in area:  # a country with a cue is often an actor ("investment in Russia")
            elsewhere.append(name[0])

    if filed and (hit := _lookup(table, fold(filed.split(",")[0]))):
        place_at(hit, filed)
    originals = words(body)
    folded = list(map(FOLDED.__getitem__, originals))  # a lookup per word in C
    # only words after a cue's last word or ending in a cue are looked at: a C-speed filter over the text's words
    ends = tuple(after)
    cued = [i + 1 for i, word in enumerate(folded[:-1]) if word in last_words] if last_words else []
    for i in sorted({*cued, *[i for i, word in enumerate(folded) if word.endswith(ends)]} if ends else cued):
        word = folded[i]
        if i and folded[i - 1] in last_words:
            for cue in before:
                if tuple(folded[max(0, i - len(cue)):i]) == cue:
                    _after_cue(table, originals, folded, i, place_at)
                    break
        for k in lengths:
            if len(word) > k + 3 and word[-k:] in suffixes:
                if hit := _suffixed(table, folded, i, word[:-k]):
                    place_at(hit[0], " ".join(originals[hit[1]:i + 1]))
                    break
    if UNSPACED.search(body):
        _unspaced(body, lang, story_places, here)
    return Venues(tuple(here), tuple(elsewhere), filed)


def _suffixed(table: dict[str, tuple[str, bool, str | None]], folded: list[str], i: int,
              stem: str) -> tuple[tuple[str, bool, str | None], int] | None:
    """The place whose cue ending word ``i`` carries after ``stem``, and the word it starts at: the place
    itself, in one to three words, or a place before a building ("경주 화백컨벤션센터에서")."""
    for n in range(min(_MAX_WORDS, i + 1)):
        if hit := table.get("".join(folded[i - n:i]) + stem):
            return hit, i - n
    for n in (1, 2):
        if i >= n and (hit := table.get(folded[i - n])):
            return hit, i - n
    return None


def _after_cue(table: dict[str, tuple[str, bool, str | None]], originals: list[str], folded: list[str], i: int,
               place_at: Callable[[tuple[str, bool, str | None], str], None]) -> None:
    """The first place within reach of a cue that ends before word ``i``."""
    for start in range(i, min(i + _REACH, len(folded))):
        if originals[start][:1].isdigit():
            return  # "in 2023": the cue was about time
        if originals[start][:1].islower():
            continue  # place names are capitalised where the script has capitals
        for n in range(_MAX_WORDS, 0, -1):
            key = "".join(folded[start:start + n])
            if hit := (_lookup(table, key) if n == 1 else table.get(key)):
                place_at(hit, " ".join(originals[start:start + n]))
                return


def _unspaced(body: str, lang: str, story_places: tuple[Entity, ...], here: list[str]) -> None:
    """Chinese and Japanese: the story's place names with a cue character right before or after."""
    entry = _entry(lang)
    for place in story_places:
        for alias in (place.name, *place.aliases):
            if not UNSPACED.search(alias):
                continue
            for m in re.finditer(re.escape(alias), body):
                if any(body[:m.start()].endswith(c) for c in entry.get("before", ())) or any(
                        body[m.end():].startswith(c) for c in entry.get("after", ())):
                    here.append(alias)
