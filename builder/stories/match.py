"""Names of the entity table found in article text, in any language and script.

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

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from builder.lang.text import ARABIC, FOLDED, UNSPACED, fold, words
from builder.model import Entity, Mention

MIN_FLEX = 4  # alias words shorter than this must match a whole word
MAX_SUFFIX = 8  # longest inflection after a name: Turkish "’tekiler", Uzbek "dagilar"
DERIVATIONS = ("ism", "izm", "ist", "ov", "ev")  # suffixes that make another word, not a case form
_VOWELS = "aeiouy"
_ARABIC = re.compile(f"[{ARABIC}]")
_CLITICS = re.compile("^[وف]?[بلك]?(?:ال)?")


def _covering(word: str, n: int) -> str:
    """The part of ``word`` that folds to ``n`` letters: the name without punctuation or suffix."""
    total, begin = 0, None
    for i, ch in enumerate(word):
        if size := len(FOLDED[ch]):
            begin = i if begin is None else begin
            total += size
            if total >= n:
                return word[begin: i + 1]
    return word[begin or 0:]


def _as_written(word: str, part: str) -> str:
    """The name as spelt: ``Bişkek’te`` → ``Bişkek``; an inflected stem stays whole (``Москве``)."""
    return _covering(word, len(part)) if FOLDED[word].startswith(part) else word.strip(".'’‘")


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
            variants += [(originals[i][n:], FOLDED[originals[i][n:]]) for n in range(len(clitics), 0, -1)]
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
        folded = list(map(FOLDED.__getitem__, originals))
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
