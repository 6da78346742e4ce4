"""Which language a text is in, as the BCP 47 tag the site writes (``uz-Cyrl``, ``sr-Latn``, ``zh-Hant``).

py3langid (a naive Bayes model over byte n-grams, 0.4's model of 140+ languages) names the language: on the
held-out news paragraphs of tests/fixtures/langid/ it was right where lingua-language-detector, which has no
Kyrgyz, Uzbek or Tajik, could not be (numbers in tests/tools/langid_compare.py). What a byte model cannot
see reliably is settled by the text's letters: the script (Uzbek and Serbian are written in two), Chinese
characters that exist only in the simplified or only in the traditional set, and, between Serbian and
Croatian, the ekavian and ijekavian spellings of the same words. When two languages stay close, the
answer is ``None`` with the reason, and the caller asks for ``--lang``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

MIN_CONFIDENCE = 0.80  # below this, the runner-up is too close to write the top guess into a file
MIN_LETTERS = 20  # fewer letters than this: no guess at all

# dialect and variety labels of the model that the site writes as their macrolanguage
_FOLD = {"ary": "ar", "arz": "ar", "uzs": "uz", "wuu": "zh", "nn": "no"}
# Languages the model confuses with each other, settled by spelling below
_SHTOKAVIAN = {"sr", "hr", "bs"}
# Characters of one Chinese set whose counterpart in the other set differs (common in news).
_SIMPLIFIED = set("这国们说为时会来发对经个与问关进过还动实现长门开见东车书无报记让认该边级际价议设许变")
_TRADITIONAL = set("這國們說為時會來發對經個與問關進過還動實現長門開見東車書無報記讓認該邊級際價議設許變")
# Croatian (ijekavian) and Serbian (ekavian) spellings of the same words, and words only one standard uses
_HR_WORDS = {"tisuća", "tjedan", "općina", "financija", "dužnosnik", "dužnosnika", "dužnosnici", "cesta", "cesti",
             "cijele", "cijelu", "cijeli", "prije", "vrijeme", "svijet", "svijeta", "riječ", "riječima", "mjesto",
             "dijete", "uvijek", "dvije", "posljednje", "ponedjeljak", "ponedjeljka", "ponedjeljku", "siječnja",
             "veljače", "ožujka", "travnja", "svibnja", "lipnja", "srpnja", "kolovoza", "rujna", "listopada",
             "studenoga", "studenog", "prosinca", "posto", "priopćilo", "priopćio", "razina"}
_SR_WORDS = {"hiljada", "nedelja", "opština", "finansija", "zvaničnik", "zvaničnika", "zvaničnici", "put", "putu",
             "celu", "celi", "cele", "pre", "vreme", "svet", "sveta", "reč", "rečima", "mesto", "dete", "uvek",
             "dve", "poslednje", "ponedeljak", "ponedeljka", "ponedeljku", "januara", "februara", "marta",
             "aprila", "maja", "juna", "jula", "avgusta", "septembra", "oktobra", "novembra", "decembra",
             "odsto", "saopštilo", "saopštio", "nivo"}


@dataclass(frozen=True)
class Guess:
    """A language tag and how sure, or ``None`` and why not."""

    lang: str | None
    confidence: float
    reason: str = ""
    candidates: tuple[tuple[str, float], ...] = ()


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]  # py3langid ships no type hints
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def scripts(text: str) -> Counter[str]:
    """Letters per script ("Latin", "Cyrillic", "Arabic", "CJK", "Hangul", "Kana", …), from Unicode names."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = name.split(" ", 1)[0]
            if script in ("HIRAGANA", "KATAKANA"):
                script = "KANA"
            elif script == "CJK":
                script = "CJK"
            counts[script.title()] += 1
    return counts


def rank(text: str) -> list[tuple[str, float]]:
    """The model's languages for ``text``, most likely first, dialect labels folded into their language."""
    merged: Counter[str] = Counter()
    for code, prob in _identifier().rank(text):
        merged[_FOLD.get(code, code)] += float(prob)
    return merged.most_common()


def identify(text: str) -> Guess:
    """The language of ``text`` as a BCP 47 tag with its confidence, or ``None`` with the reason."""
    letters = scripts(text)
    total = sum(letters.values())
    if total < MIN_LETTERS:
        return Guess(None, 0.0, f"too little text to tell its language ({total} letters)")
    ranked = rank(text)
    top = ranked[:3]
    code, prob = ranked[0]
    main_script = letters.most_common(1)[0][0]
    if code == "zh" or main_script == "Cjk" and not letters["Kana"] and not letters["Hangul"]:
        return _chinese(text, prob, tuple(top))
    if code in _SHTOKAVIAN and main_script == "Latin":
        return _shtokavian(text, ranked, tuple(top))
    if prob < MIN_CONFIDENCE:
        runner = ranked[1]
        return Guess(None, prob, f"it reads as {code} ({prob:.2f}) or {runner[0]} ({runner[1]:.2f})", tuple(top))
    return Guess(_with_script(code, main_script), round(prob, 3), "", tuple(top))


def _with_script(code: str, script: str) -> str:
    """The tag the site writes: the script only where the language's default differs (CLDR likely subtags)."""
    from babel.core import get_global

    tag = {"Latin": "Latn", "Cyrillic": "Cyrl", "Arabic": "Arab"}.get(script)
    likely = get_global("likely_subtags").get(code, "")
    if tag and len(likely.split("_")) > 1 and likely.split("_")[1] != tag:
        return f"{code}-{tag}"
    return code


def _chinese(text: str, prob: float, top: tuple[tuple[str, float], ...]) -> Guess:
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    traditional = sum(ch in _TRADITIONAL for ch in text)
    if simplified == traditional:
        return Guess(None, prob, "Chinese, but no character tells simplified from traditional", top)
    share = max(simplified, traditional) / (simplified + traditional)
    return Guess("zh-Hans" if simplified > traditional else "zh-Hant", round(share, 2), "", top)


def _shtokavian(text: str, ranked: list[tuple[str, float]], top: tuple[tuple[str, float], ...]) -> Guess:
    """Serbian (Latin script) or Croatian: the model splits its vote; the spellings of words do not."""
    words = re.findall(r"\w+", text.casefold())
    hr = sum(w in _HR_WORDS for w in words)
    sr = sum(w in _SR_WORDS for w in words)
    if hr == sr:
        return Guess(None, max(p for c, p in ranked if c in _SHTOKAVIAN),
                     f"Serbian or Croatian: {hr} word(s) of each standard's spelling", top)
    share = max(hr, sr) / (hr + sr)
    return Guess("hr" if hr > sr else "sr-Latn", round(share, 2), "", top)
