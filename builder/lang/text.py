"""Text as every stage reads it: the one table of how scripts separate words, words, and the folded form
every name comparison uses (``Жапаров`` and ``Zhaparov`` meet, ``Bişkek’te`` becomes ``biskekte``)."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# Unicode ranges of scripts by how they set words apart: the one table every stage uses.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han: read by characters, not words
SOUTHEAST_ASIAN = "\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Tibetan, Myanmar, Khmer: no spaces
HANGUL = "\u1100-\u11ff\uac00-\ud7af"  # spaced, but units and particles are glued to numbers ("41억")
ARABIC = "\u0600-\u06ff\u0750-\u077f"  # spaced, but with clitics attached to words
# scripts written without spaces between words: names are found as substrings there
UNSPACED = re.compile(f"[{SOUTHEAST_ASIAN}{CJK}]")
# Words are what lies between spaces, dashes, slashes and punctuation; apostrophes stay
# inside (Bişkek’te) and folding drops them. Splitting this way is several times faster
# than a word regex, and keeps combining marks (Devanagari, Arabic) inside words.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―/\\|,;:!?()\[\]{}<>«»“”„\"…·•、。，；：！？（）「」『』《》【】]+")
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


FOLDED = _Folded()
