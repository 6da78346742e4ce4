"""Names found in article text that the entity table does not list, made comparable across scripts.

A name is a run of capitalised words in a cased script (Latin, Cyrillic, Greek, Armenian), or a run of
katakana, Japanese's script for foreign names. Words of uncased scripts (Arabic, Hebrew, Devanagari,
Hangul…) cannot be told from common words, so they are kept as *words*: they count as a name only where
they match a name found in another article.

Spellings meet through a *skeleton*: the folded form (``builder.lang.text.fold``, anyascii) reduced to
consonant classes, vowels dropped, since scripts disagree on vowels and on b/p/f/v, k/g/q, l/r: Japarov,
Жапаров, جباروف, ジャパロフ and 자파로프 all give ``jbrb``. The skeleton is shown as the reason for a
match; ``similar`` scores near-misses between skeletons (rapidfuzz) for alias proposals.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Indel

from builder.lang.text import ARABIC, FOLDED, words

MIN_KEY = 3  # consonants a skeleton needs to be specific enough to link articles
# spellings of one sound, longest first: applied to the folded word
_DIGRAPHS = (("dzh", "j"), ("tch", "s"), ("sch", "s"), ("zh", "j"), ("dj", "j"), ("kh", "k"), ("gh", "k"),
             ("ph", "b"), ("th", "t"), ("sh", "s"), ("ch", "s"), ("ts", "s"), ("x", "ks"))
_CLASSES = str.maketrans({"p": "b", "f": "b", "v": "b", "c": "k", "g": "k", "q": "k", "d": "t", "z": "s",
                          "l": "r"})
_DROP = re.compile("[aeiouyhw0-9]")
_REPEAT = re.compile(r"(.)\1+")
_GREEK = (("τζ", "j"), ("ντ", "d"), ("μπ", "b"), ("γκ", "g"))  # Greek writes j, d, b, g as digraphs
_CASED = re.compile("[A-Za-zÀ-ɏͰ-ϿЀ-ӿԱ-֏Ⴀ-ჿ]")  # Latin, Greek, Cyrillic, Armenian
_KATAKANA = re.compile("[ァ-ヺー]{3,}(?:・[ァ-ヺー]+)*")
_UNCASED = re.compile(f"[{ARABIC}\u0590-\u05ff\u0900-\u0dff\u10d0-\u10ff\uac00-\ud7af]")
_ARABIC_CLITICS = re.compile("^(?:[وف]?[بلك]?ال|[وف][بلك]?|[بلك])(?=..)")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonant classes of a word in any script: ``Жапаров`` → ``jbrb``."""
    low = word.casefold()
    for greek, latin in _GREEK:
        low = low.replace(greek, latin)
    out = FOLDED[low]
    for digraph, sound in _DIGRAPHS:
        out = out.replace(digraph, sound)
    return _REPEAT.sub(r"\1", _DROP.sub("", out.translate(_CLASSES)))


def similar(a: str, b: str) -> float:
    """How alike two skeletons are, 0..1 (normalised Indel similarity)."""
    return Indel.normalized_similarity(a, b)


def _upper_letters() -> str:
    """Every capital letter of the cased scripts, for one regex that finds runs of capitalised words."""
    return "".join(ch for ch in map(chr, range(0x2000)) if ch.isupper() and _CASED.match(ch))


_RUN = re.compile(rf"(?<![\w'’-])[{_upper_letters()}][\w'’-]*(?:[ \u00a0]+[{_upper_letters()}][\w'’-]*)*")
_OPENS = ".!?…:»\"“”\n"  # what ends a sentence before a word that opens the next


def name_runs(text: str) -> list[str]:
    """Runs of capitalised words (a lone word only when not opening a sentence) and katakana runs.
    Acronyms of three letters or fewer are left out: they are agencies and units (AFP, UN, USD)."""
    runs: list[str] = []
    for m in _RUN.finditer(text):
        run = [w for w in (w.strip("'’-") for w in m.group().split()) if w and not (w.isupper() and len(w) <= 3)]
        if len(run) == 1:
            k = m.start() - 1
            while k >= 0 and text[k] in " \t\u00a0":
                k -= 1
            if k < 0 or text[k] in _OPENS:
                continue
        if run:
            runs.append(" ".join(run))
    runs += _KATAKANA.findall(text)
    return runs


def name_keys(text: str, common: frozenset[str], known: set[str]) -> dict[str, str]:
    """Skeleton → the spelling first found, for each word of each name run not in ``common``. A run holding
    a name already known (skeletons ``known``) is left whole: its other words are titles and first names
    ("President Prabowo Subianto", "Präsident Prabowo")."""
    out: dict[str, str] = {}
    for run in name_runs(text):
        parts = [(w, skeleton(w)) for w in re.split(r"[\s・]+", run)]
        if any(key in known for _, key in parts):
            continue
        for word, key in parts:
            if len(key) >= MIN_KEY and FOLDED[word] not in common:
                out.setdefault(key, word)
    return out


def word_keys(text: str) -> dict[str, str]:
    """Skeleton → spelling of each word in an uncased script, with and without Arabic clitics: possible names."""
    out: dict[str, str] = {}
    for word in words(text):
        if _UNCASED.match(word):
            for form in dict.fromkeys((word, _ARABIC_CLITICS.sub("", word))):  # ب of براتاما may be no clitic
                if len(key := skeleton(form)) >= MIN_KEY:
                    out.setdefault(key, form)
    return out


def lowercase_words(text: str) -> set[str]:
    """Folded words written in lowercase in a cased script: a capitalised copy of one is no name."""
    return {FOLDED[w] for w in words(text) if w[:1].islower() and _CASED.match(w)}
