"""Names and dates in article text, in any language and script.

Every name is compared in one folded form: NFKC, casefold, then ``anyascii``
transliteration to lowercase ASCII letters and digits, so ``Жапаров`` and
``Zhaparov`` meet, and ``Bişkek’te`` becomes ``biskekte``. Alias and text are
folded by the same function, so the alias table (``content/entities.yaml``,
plus CLDR names of places from Babel) is the only place spellings live.

A text word matches an alias word when it is equal, or when it starts with
it and what follows is a short inflection (``Putinning``, ``Путиндин``,
``Bişkek’te``; at most 8 letters, and never a derivation such as ``-ism`` or
``-ov``: ``Putinism`` and ``Bishkekov`` are other words). A long alias word
that ends in vowels may also drop them (``Москва`` → ``Москве``). Words
shorter than 4 letters must match whole. Acronyms (``CSTO``, ``ОДКБ``,
``KXShT``) must be written in capitals and take only lowercase or
apostrophe suffixes (``ЖККУнун``, ``CSTO's``), so ``CSTOR`` or ``csto`` in
another word do not count. Arabic words may carry the proclitics و ف ب ل ك
and ال. Scripts written without spaces (Chinese, Japanese, Thai…) are
matched as substrings of the text in their own script.
"""

from __future__ import annotations

import difflib
import logging
import pickle
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

import babel
import babel.numbers
from anyascii import anyascii
from babel.core import get_global
from babel.localedata import locale_identifiers, resolve_locale_filename

from . import i18n
from .errors import Problem, read_source, with_source
from .model import Entity, Mention
from .yamlio import YamlDoc, check_mapping, load_yaml

log = logging.getLogger(__name__)

ENTITIES_FILE = "content/entities.yaml"
KINDS = ("person", "place", "organisation")
ENTITY_KEYS = {"kind": "string", "aliases": "list of strings", "territory": "string", "timezone": "string",
               "city": "boolean"}
MIN_FLEX = 4  # alias words shorter than this must match a whole word
MAX_SUFFIX = 8  # longest inflection after a name: Turkish "’tekiler", Uzbek "dagilar"
DERIVATIONS = ("ism", "izm", "ist", "ov", "ev")  # suffixes that make another word, not a case form
_VOWELS = "aeiouy"


@dataclass(frozen=True)
class Place(Entity):
    """A place; a city (``city``) competes with other cities: an article mostly about Astana is set there."""

    city: bool = False
    rivals: tuple[Entity, ...] = field(default=(), compare=False)  # the table's other cities


# --- folding and words ---------------------------------------------------------

# Words are what lies between spaces, dashes, slashes and punctuation; apostrophes stay
# inside (Bişkek’te) and folding drops them. Splitting this way is several times faster
# than a word regex, and keeps combining marks (Devanagari, Arabic) inside words.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―/\\|,;:!?()\[\]{}<>«»“”„\"…·•、。，；：！？（）「」『』《》【】]+")
# scripts written without spaces between words: Thai, Lao, Tibetan, Myanmar, Khmer, kana, CJK
UNSPACED = re.compile("[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CLITICS = re.compile("^[وف]?[بلك]?(?:ال)?")
_NOT_ALNUM = re.compile("[^a-z0-9]+")


def words(text: str) -> list[str]:
    return _SEPARATORS.split(text)  # an empty first or last word folds to "" and matches nothing


def fold(text: str) -> str:
    """The form every comparison uses: ``Bişkek’te`` → ``biskekte``, ``Жапаров`` → ``zhaparov``."""
    return _NOT_ALNUM.sub("", anyascii(unicodedata.normalize("NFKC", text.casefold())).lower())


class _Folded(dict):
    """Word → folded word, computed once per distinct word (a dict lookup runs in C)."""

    def __missing__(self, word: str) -> str:
        if len(self) > 2_000_000:  # a long-running server sees ever more words
            self.clear()
        self[word] = folded = fold(word)
        return folded


_FOLDED = _Folded()


def _covering(word: str, n: int) -> str:
    """The part of ``word`` that folds to ``n`` letters: the name without punctuation or suffix."""
    total, begin = 0, None
    for i, ch in enumerate(word):
        if size := len(_FOLDED[ch]):
            begin = i if begin is None else begin
            total += size
            if total >= n:
                return word[begin: i + 1]
    return word[begin or 0:]


def _as_written(word: str, part: str) -> str:
    """The name as spelt: ``Bişkek’te`` → ``Bişkek``; an inflected stem stays whole (``Москве``)."""
    return _covering(word, len(part)) if _FOLDED[word].startswith(part) else word.strip(".'’‘")


def _is_acronym(alias: str) -> bool:
    return " " not in alias and len(alias) <= 6 and sum(c.isupper() for c in alias) >= 2 and not alias.istitle()


@dataclass(frozen=True)
class _Alias:
    entity: str
    parts: tuple[str, ...]  # folded words
    stems: tuple[str, ...]  # what each text word must start with
    flex: tuple[bool, ...]  # whether that word may carry an inflection
    acronym: bool


def _compile_alias(entity: str, alias: str) -> _Alias | None:
    parts = tuple(p for p in map(fold, words(alias)) if p)
    if not parts:
        return None
    acronym = len(parts) == 1 and _is_acronym(alias)
    flex = tuple(acronym or len(p) >= MIN_FLEX for p in parts)
    stems = tuple(_stem(p) if f and not acronym else p for p, f in zip(parts, flex))
    return _Alias(entity, parts, stems, flex, acronym)


def _stem(part: str) -> str:
    stem = part.rstrip(_VOWELS)
    return stem if len(stem) >= 5 else part


def _word_ok(alias: _Alias, i: int, word: str) -> bool:
    part, stem = alias.parts[i], alias.stems[i]
    if not alias.flex[i]:
        return word == part
    if not word.startswith(stem) or len(word) - len(stem) > MAX_SUFFIX:
        return False
    after_part = word[len(part):] if word.startswith(part) else ""
    return not (word[len(stem):].startswith(DERIVATIONS) or after_part.startswith(DERIVATIONS))


def _acronym_ok(original: str, alias: _Alias) -> bool:
    """Written in capitals, and not the start of a longer capitalised word (``CSTOR``)."""
    head = _covering(original, len(alias.parts[0]))
    rest = original[original.index(head) + len(head):]
    return sum(c.isupper() for c in head) >= 2 and not rest[:1].isupper()


class _Candidates(dict):
    """Folded word → the aliases it can begin, computed on first sight of the word."""

    def __init__(self, index: dict[str, list[_Alias]]):
        super().__init__()
        self.index = index
        self.lengths = sorted({len(stem) for stem in index}, reverse=True)
        self.span: dict[str, int] = {}  # word → the most words its aliases cover

    def __missing__(self, word: str) -> tuple[_Alias, ...]:
        self[word] = found = tuple(alias for n in self.lengths if n <= len(word)
                                   for alias in self.index.get(word[:n], ()) if _word_ok(alias, 0, word))
        self.span[word] = max((len(a.parts) for a in found), default=0)
        return found


class Matcher:
    """Finds a fixed set of entities in texts. ``find(text)`` is cached by text, so a
    re-cluster after one edit reads only the edited article again."""

    def __init__(self, entities: tuple[Entity, ...]):
        index: dict[str, list[_Alias]] = {}
        self._unspaced: list[tuple[str, str]] = []
        for entity in entities:
            for alias in dict.fromkeys((entity.name, *entity.aliases)):
                if UNSPACED.search(alias):
                    needle = unicodedata.normalize("NFKC", alias.casefold()).replace(" ", "")
                    if len(needle) >= 2:
                        self._unspaced.append((needle, entity.name))
                elif compiled := _compile_alias(entity.name, alias):
                    index.setdefault(compiled.stems[0], []).append(compiled)
        for aliases in index.values():
            aliases.sort(key=lambda a: -len(a.parts))
        self._arabic = any(_ARABIC.search(a) for e in entities for a in e.aliases)
        self._candidates = _Candidates(index)
        self._memo: dict[str | tuple[str, ...], tuple[str, str, int] | None] = {}
        self.find = lru_cache(maxsize=100_000)(self._find)

    def _match_at(self, originals: list[str], folded: list[str], i: int) -> tuple[str, str, int] | None:
        """The longest alias starting at word ``i``: its entity, spelling as written, and length in words."""
        variants = [(originals[i], folded[i])]
        if self._arabic and _ARABIC.match(originals[i]):
            clitics = _CLITICS.match(originals[i]).group()
            variants += [(originals[i][n:], _FOLDED[originals[i][n:]]) for n in range(len(clitics), 0, -1)]
        for text, word in variants:
            if UNSPACED.search(text):
                return None  # a run of Chinese or Thai is matched in its own script
            for alias in self._candidates[word]:
                k = len(alias.parts)
                if i + k > len(folded) or not all(_word_ok(alias, j, folded[i + j]) for j in range(1, k)):
                    continue
                if not alias.acronym or _acronym_ok(text, alias):
                    ends = (text, *originals[i + 1: i + k])
                    spelling = " ".join(_as_written(w, p) if j in (0, k - 1) else w
                                        for j, (w, p) in enumerate(zip(ends, alias.parts)))
                    return alias.entity, spelling, k
        return None

    def _find(self, text: str) -> tuple[Mention, ...]:
        counts: Counter[tuple[str, str]] = Counter()
        originals = words(text)
        folded = list(map(_FOLDED.__getitem__, originals))
        starts = list(map(self._candidates.__getitem__, folded))
        todo = list(compress(range(len(folded)), starts))
        if self._arabic and _ARABIC.search(text):
            todo = sorted({*todo, *(i for i, w in enumerate(originals) if _ARABIC.match(w))})
        free = 0
        for i in todo:
            if i < free:
                continue
            if self._arabic and _ARABIC.match(originals[i]):
                hit = self._match_at(originals, folded, i)
            else:  # the outcome depends only on this word and the next few: remember it
                span = self._candidates.span[folded[i]]
                if span > 1 and i + 1 < len(folded) and not any(
                        len(a.parts) == 1 or _word_ok(a, 1, folded[i + 1]) for a in starts[i]):
                    continue  # "to" is not "Tổ chức…" unless "chức" follows
                key = originals[i] if span == 1 else (originals[i], *folded[i + 1: i + span])
                hit = self._memo.get(key, False)
                if hit is False:
                    if len(self._memo) > 1_000_000:
                        self._memo.clear()
                    hit = self._memo[key] = self._match_at(originals, folded, i)
            if hit is None:
                continue
            entity, spelling, k = hit
            counts[entity, spelling] += 1
            free = i + k
        if self._unspaced and UNSPACED.search(text):
            flat = unicodedata.normalize("NFKC", text.casefold())
            for needle, entity in self._unspaced:
                if n := flat.count(needle):
                    counts[entity, needle] += n
        return tuple(Mention(e, s, n) for (e, s), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1])))


@lru_cache(maxsize=8)
def matcher(entities: tuple[Entity, ...]) -> Matcher:
    """The matcher for a set of entities, kept with its caches across rebuilds."""
    return Matcher(entities)


# --- the alias table -------------------------------------------------------------

def read_entities(root: Path) -> tuple[dict[str, Entity], list[Problem]]:
    """Read ``content/entities.yaml``: canonical name → kind, aliases, and CLDR keys for places."""
    path = root / ENTITIES_FILE
    if not path.is_file():
        return {}, [Problem(ENTITIES_FILE, None, "the entity table is missing", hint="stories name entities from it")]
    text, problems = read_source(path, ENTITIES_FILE)
    if text is None:
        return {}, problems
    table, problems = _read_table(text)
    return table, with_source(problems, ENTITIES_FILE, text)


def _read_table(text: str) -> tuple[dict[str, Entity], list[Problem]]:
    doc, problems = load_yaml(text, ENTITIES_FILE)
    if doc is None:
        return {}, problems
    if not isinstance(doc.data, dict):
        return {}, [Problem(ENTITIES_FILE, 1, "the entity table must map canonical names to entries")]
    table: dict[str, Entity] = {}
    for name, body in doc.data.items():
        line = doc.line(str(name))
        if not isinstance(body, dict):
            problems.append(Problem(ENTITIES_FILE, line, f"entity '{name}' must be a mapping with 'kind' and "
                                    "'aliases'"))
            continue
        prefix = f"{name}."  # not check_mapping's prefix: names may contain dots ("St. Petersburg")
        sub = doc.sub(prefix, body)
        found = check_mapping(sub, ENTITY_KEYS, ENTITIES_FILE, required=("kind",), where=line)
        if found:
            problems += found
            continue
        entity, found = _entity(str(name), body, lambda key: {"line": sub.line(key, line), "col": sub.col(key)})
        problems += found + _short_aliases(str(name), body.get("aliases") or [], line, sub)
        if entity:
            table[entity.name] = entity
    return _with_rivals(table), problems + _collisions(table)


# scripts where one character is a word (山, の, カ, 한): a one-character alias in them is a name
_WORD_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL SYLLABLE",
                 "YI SYLLABLE")


def _short_aliases(name: str, aliases: list[str], line: int | None, sub: YamlDoc) -> list[Problem]:
    """A warning per name or alias of fewer than two letters ('a', 'A.'), which matches that letter in every
    article, unless its one character is a word of its script."""
    def short(alias: str) -> bool:
        letters = [ch for ch in alias if ch.isalnum()]
        return len(letters) < 2 and not any(unicodedata.name(ch, "").startswith(_WORD_SCRIPTS) for ch in letters)

    named = [(name, line, None), *((alias, sub.line(f"aliases.{i}", line), sub.col(f"aliases.{i}"))
                                   for i, alias in enumerate(aliases))]
    return [Problem(ENTITIES_FILE, where, f"'{alias}' is shorter than two letters: it matches every '{alias}' "
                    "in every article", col=col, warning=True, hint="write the name out, or a longer alias")
            for alias, where, col in named if short(alias)]


def _entity(name: str, body: dict, at: Callable[[str], dict[str, Any]]) -> tuple[Entity | None, list[Problem]]:
    """One entry of the table; ``at(key)`` is where a key's value is, for problems."""
    kind = body["kind"]
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"one of {', '.join(KINDS)}"
        return None, [Problem(ENTITIES_FILE, message=f"unknown kind '{kind}', {hint}", **at("kind"))]
    aliases = list(body.get("aliases") or [])
    if kind != "place":
        extra = [key for key in ("territory", "timezone", "city") if key in body]
        if extra:
            return None, [Problem(ENTITIES_FILE, message=f"'{extra[0]}' is only for places (CLDR has no names of "
                                  "people or organisations)", **at(extra[0]))]
        return Entity(name, kind, tuple(aliases)), []
    problems = []
    if territory := body.get("territory"):
        if territory not in babel.Locale("en").territories:
            problems.append(Problem(ENTITIES_FILE, message=f"unknown territory code '{territory}' (use ISO 3166, "
                                    "e.g. KG)", **at("territory")))
        else:
            aliases += cldr_names("territory", territory)
    if zone := body.get("timezone"):
        if zone not in get_global("zone_territories"):
            problems.append(Problem(ENTITIES_FILE, message=f"unknown time zone '{zone}' (use an IANA name, "
                                    "e.g. Asia/Bishkek)", **at("timezone")))
        else:
            aliases += cldr_names("timezone", zone)
    city = body.get("city", bool(zone))
    return Place(name, kind, tuple(dict.fromkeys(aliases)), city=city), problems


@lru_cache(maxsize=1)
def _cldr() -> tuple[tuple[dict[str, str], dict[str, str]], ...]:
    """Territory names and exemplar cities of every CLDR language, read once from Babel's own files.

    Reading each file without merging its parents (which Babel's ``Locale`` does)
    keeps this to about a second; regional variants repeat their language's names.
    """
    out = []
    for ident in locale_identifiers():
        if ident.count("_") > 1 or ("_" in ident and len(ident.split("_")[1]) != 4):
            continue
        with open(resolve_locale_filename(ident), "rb") as fh:
            # Babel's packaged CLDR data, not user input. Not babel.localedata.load(merge_inherited=False):
            # it caches the unmerged data under the locale's name, breaking later Locale lookups.
            data = pickle.load(fh)
        cities = {zone: v["city"] for zone, v in data.get("time_zones", {}).items() if "city" in v}
        out.append((dict(data.get("territories", {})), cities))
    log.debug("read place names from %d CLDR locales", len(out))
    return tuple(out)


@lru_cache(maxsize=None)
def cldr_names(key: str, code: str) -> tuple[str, ...]:
    """A territory's (``key="territory"``) or time-zone city's name in every CLDR locale."""
    names = [code.rsplit("/", 1)[-1].replace("_", " ")] if key == "timezone" else []
    for territories, cities in _cldr():
        name = territories.get(code) if key == "territory" else cities.get(code)
        if name and (len(fold(name)) >= 5 or UNSPACED.search(name)):  # short names collide across languages
            names.append(name)
    return tuple(dict.fromkeys(names))


def _with_rivals(table: dict[str, Entity]) -> dict[str, Entity]:
    cities = [e for e in table.values() if isinstance(e, Place) and e.city]
    return {
        name: Place(e.name, e.kind, e.aliases, city=True, rivals=tuple(c for c in cities if c.name != name))
        if e in cities else e
        for name, e in table.items()
    }


def _collisions(table: dict[str, Entity]) -> list[Problem]:
    """Warn when one spelling names two entities: its mentions would count for both."""
    owner: dict[str, str] = {}
    problems = []
    for entity in table.values():
        for alias in (entity.name, *entity.aliases):
            key = fold(alias)
            if key and owner.setdefault(key, entity.name) != entity.name:
                problems.append(Problem(ENTITIES_FILE, None, f"alias '{alias}' of '{entity.name}' also names "
                                        f"'{owner[key]}'", warning=True))
    return problems


# --- event dates -------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.,/:])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d%]|[.,/:]\d)")
_YEAR_BEFORE = re.compile(r"(?<!\d)(\d{4})\s*(?:年|-?\s*[^\W\d]{1,8}\.?)?\s*$")  # "2022-жылдын 9-", "2025年11月"
_YEAR_AFTER = r"(?:,?\s+(?:[^\W\d]{1,4}\.?\s+)?(?P<y>\d{4})(?!\d))?"  # "26 Kasım 2025", "Nov. 27, 2025"
# languages that glue case endings to short month names ("16-майда", "27-mayda"); elsewhere
# "May" must stand alone, so "27 mayors" is no date
CASE_SUFFIXES = {"tr", "az", "uz", "kk", "ky", "tk", "tt", "ba", "ug", "hu", "fi", "et"}


@dataclass(frozen=True)
class _DateRules:
    day_first: re.Pattern[str] | None  # "26 Kasım", "16-майда", "ngày 26 tháng 11"
    month_first: re.Pattern[str] | None  # "Nov. 27", "11月26日"
    stems: tuple[tuple[str, int], ...]  # full month name, trimmed to take endings → month; longest first
    abbreviations: dict[str, int]  # whole words only, so the Uzbek "yana" is not "yan(var)"
    month_before_day: bool  # numeric order, from the locale's short date pattern
    dotted_yearless: bool  # "26.11" is a date only where "." is not the decimal sign


@lru_cache(maxsize=None)
def _date_rules(lang: str) -> _DateRules:
    try:
        loc = i18n.locale(lang)
    except ValueError:
        return _DateRules(None, None, (), {}, False, False)
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
        re.compile(rf"(?P<d>\d{{1,2}})(?!\d)[\s.-]*(?P<m>{alt}){_YEAR_AFTER}", re.I),
        re.compile(rf"(?P<m>{alt})\s*(?P<d>\d{{1,2}})(?!\d)(?:st|nd|rd|th|日|일)?{_YEAR_AFTER}", re.I),
        tuple(sorted(stems.items(), key=lambda kv: -len(kv[0]))), abbreviations,
        pattern.find("M") < pattern.find("d"), babel.numbers.get_decimal_symbol(loc) != ".",
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
def event_dates(text: str, lang: str, near: date) -> tuple[date, ...]:
    """Calendar dates the text states, in the article language's month names and number order."""
    rules = _date_rules(lang)
    found: set[date] = set()
    done = 0
    for number in _NUMBER.finditer(text):
        if number.start() < done:
            continue
        day, done = _date_at(text, number.start(), number.end(), rules, near)
        if day:
            found.add(day)
    return tuple(sorted(found))
