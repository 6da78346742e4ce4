"""Numbers as each language writes them, and the figure (value and unit) around a number.

Reading. Numbers follow the article's CLDR locale (Babel): its decimal and group
symbols, any space as a group separator, and a symbol the locale does not use
read as grouping when exactly three digits follow it, else as a decimal point.
Scale words come from CLDR compact decimal formats ("4,1 milyar" multiplies; a
thousand word before a smaller number adds: "bin 800" is 1,800), percent words
from CLDR "concentr-percent" patterns, currencies from Babel symbols, ISO codes
and the words in ``data/figures.yaml``, which also fills what CLDR lacks. A bare
number is a figure only beside a word of a counted concept. Years, dates, times,
ordinals and list numbers are never figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import babel.numbers
import babel.units

from builder.data import load_table
from builder.lang.i18n import locale
from builder.lang.text import CJK, HANGUL, SOUTHEAST_ASIAN

# --- matching: a folded copy of the text keeps every offset, so matches slice the original ---

_FOLD = [(c, "'") for c in "’‘ʼʻ`´′"] + [(c, " ") for c in "\u00a0\u202f\u2009\u2007\u200c\u200e\u200f\u061c"]
DENSE = SOUTHEAST_ASIAN + CJK + HANGUL  # scripts where a number may touch a word ("41억", "11月")
_LETTER = "a-z\u00aa\u00ba\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"  # scripts that set numbers apart from words
WORD_END = r"(?![^\W\d_])"
_SUFFIX = r"[^\W\d_]{0,6}" + WORD_END


def normalize(text: str) -> str:
    """Lower case, apostrophes and spaces unified, ``ı`` as ``i``; every character keeps its offset."""
    low = text.replace("İ", "i").lower()  # the one letter whose lower case is two characters
    for old, new in [*_FOLD, ("ı", "i"), ("ё", "е")]:
        if old in low:
            low = low.replace(old, new)
    return low


def canon(word: str) -> str:
    """The key of a folded word: apostrophes, spaces, hyphens and dots are optional in matching."""
    return re.sub(r"['\s.-]", "", word)


def _alpha(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def _trie(words: Iterable[str]) -> str:
    """One regex for many words, shaped as a trie so that long word lists stay fast; longest first."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        alts = [("'?" if ch == "'" else "[ -]*" if ch in " -" else re.escape(ch)) + render(child)
                for ch, child in sorted(node.items()) if ch]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "" if not alts else f"(?:{body})?" if "" in node else body

    return render(root)


def words_pattern(words: Iterable[str], tail: str = "", dense: str = DENSE, start: str = r"(?<![^\W\d_])") -> str:
    """Words that begin a word in spaced scripts (then ``tail``) and match anywhere in ``dense`` ones."""
    words = set(words) - {""}
    loose = {w for w in words if re.search(f"[{dense}]", w)}
    parts = [f"{start}(?:{_trie(words - loose)}){tail}"] if words - loose else []
    return "|".join(parts + ([f"(?=[{dense}])(?:{_trie(loose)})"] if loose else [])) or "(?!)"


def _stems(words: Iterable[str], min_suffix: int = 0) -> str:
    """Words that may take a short suffix; exact when marked with a final "$" or shorter than ``min_suffix``."""
    words = set(words)
    exact = {w.rstrip("$") for w in words if w.endswith("$") or len(w) < min_suffix}
    return f"{words_pattern({w for w in words if w.rstrip('$') not in exact}, _SUFFIX)}|{words_pattern(exact, WORD_END)}"


def _signs(signs: Iterable[str]) -> str:
    return "|".join(map(re.escape, sorted(set(signs), key=len, reverse=True))) or "(?!)"


def lookup(table: dict[str, Any], matched: str) -> Any:
    """The entry of the longest table key that ``matched`` starts with (a word may carry a suffix)."""
    key = canon(matched)
    return next(table[key[:end]] for end in range(len(key), 0, -1) if key[:end] in table)


@lru_cache(maxsize=None)
def figure_data() -> dict[str, Any]:
    return load_table("figures")


# --- per-language tables: CLDR through Babel, the YAML where CLDR has nothing ---------------


@dataclass(frozen=True)
class NumberRules:
    decimal: frozenset[str]
    group: frozenset[str]
    indian: bool  # 12,34,567
    number: re.Pattern[str]
    scales: dict[str, int]  # canonical word → multiplier
    scale: re.Pattern[str]  # after a number: " milyar", "亿"
    letter: re.Pattern[str]  # one-letter scales ("$4.1B"): attached, and only after a currency sign
    thousand: re.Pattern[str]  # a thousand word before a smaller number: "bin " of "bin 800"
    percent_before: re.Pattern[str]  # "yüzde ", "%"
    percent_after: re.Pattern[str]  # "%", " foizga"
    symbols: dict[str, str]  # folded currency symbol → ISO code
    currency_before: re.Pattern[str]
    currency_after: re.Pattern[str]
    date_before: re.Pattern[str]  # "nov. 27", "tháng 9"
    date_after: re.Pattern[str]  # "27 - noyabr", "11月"


def _scale_words(loc: Any, base: str) -> dict[str, int]:
    """"milyar" → 10⁹ from CLDR compact patterns ("0 milyar" at 1000000000), then the YAML fallback."""
    scales: dict[str, int] = {}
    for kind in ("long", "short"):
        for forms in loc.compact_decimal_formats.get(kind, {}).values():
            for magnitude, pattern in forms.items():
                pattern = getattr(pattern, "pattern", pattern)
                word = normalize(pattern.replace("'", "").replace("0", "")).strip(" .")
                if word and "0" in pattern:
                    scales.setdefault(word, int(magnitude) // 10 ** (pattern.count("0") - 1))
    for word, multiplier in (figure_data()["scales"].get(base) or {}).items():
        scales.setdefault(normalize(word), multiplier)
    return scales


def _percent_words(loc: Any, base: str) -> tuple[set[str], set[str]]:
    """What a locale writes before and after a percentage ("yüzde {0}", "{0} foiz"), then the YAML."""
    before, after = set(), set()
    for length in ("long", "short", "narrow"):
        for n in (1, 2, 5, 1.5):
            text = babel.units.format_unit(n, "concentr-percent", length=length, locale=loc)
            if "concentr" not in text:  # Babel's fallback when the locale lacks this length
                head, _, tail = normalize(text).partition(normalize(babel.numbers.format_decimal(n, locale=loc)))
                before |= {head.strip()} - {""}
                after |= {tail.strip()} - {""}
    extra = figure_data()["percent"].get(base) or {}
    return before | {normalize(w) for w in extra.get("before", [])}, after | {normalize(w) for w in extra.get("after", [])}


def _date_patterns(loc: Any) -> tuple[str, str]:
    """Month names (suffixes allowed) and the letters CLDR dates attach to numbers: "tháng 9", "11月"."""
    before, after, months = set(), set(), set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for name in map(normalize, loc.months[context][width].values()):
                bare = re.sub(r"\d+", "", name).strip(" .")
                (months if bare == name.strip(" .") else before if name[-1].isdigit() else after).add(bare)
    for form in ("full", "long", "medium"):
        pattern = loc.date_formats[form].pattern
        after |= {normalize(m.strip("'")) for m in re.findall(r"[yMLd]('[^']+'|[^\x00-\x7f\s]+)", pattern)}
    month = _stems(months, min_suffix=4)
    return (rf"(?:{month}|{words_pattern(filter(_alpha, before), WORD_END)})\.?[ ]?[-–—]?[ ]?$",
            rf"[ ]?[.\-–—]?[ ]?(?:{month})|[ ]?(?:{words_pattern(filter(_alpha, after), WORD_END)})")


@lru_cache(maxsize=None)
def currency_words() -> tuple[str, dict[str, str]]:
    """The regex of the currency words of every language, and canonical word → ISO code."""
    words = {normalize(w): code for code, ws in figure_data()["currencies"].items() for w in ws}
    return _stems(words), {canon(w.rstrip("$")): code for w, code in words.items()}


@lru_cache(maxsize=None)
def number_rules(lang: str) -> NumberRules:
    loc, base = locale(lang), lang.split("-")[0]
    table = loc.number_symbols  # nested by numbering system since Babel 2.14: Latin digits and the locale's own
    systems = [table] if "decimal" in table else [table.get("latn", {}), table.get(loc.default_numbering_system, {})]
    decimal = frozenset(normalize(s["decimal"]) for s in systems if "decimal" in s)
    group = frozenset(normalize(s["group"]) for s in systems if "group" in s) - decimal | {" "}
    seps = re.escape("".join(sorted(decimal | group | {".", ","} - {" "})))
    scales = _scale_words(loc, base)
    letters = {w for w in scales if len(w) == 1 and not re.match(f"[{DENSE}]", w)}
    thousands = {w for w, m in scales.items() if m == 1000} - letters
    before, after = _percent_words(loc, base)
    symbols: dict[str, str] = {}
    for source in (loc, locale("en")):
        for code, symbol in source.currency_symbols.items():
            if symbol != code and (len(symbol) > 1 or not symbol.isalpha()):
                symbols.setdefault(normalize(symbol), code)
    sym = "|".join((r"(?<![^\W\d_])" if s[0].isalpha() else "") + re.escape(s) + (WORD_END if s[-1].isalpha() else "")
                   for s in sorted(symbols, key=len, reverse=True))
    qualifier = words_pattern(map(normalize, figure_data()["currency_qualifiers"]), r"(?:[ -]|(?<='))")
    date_before, date_after = _date_patterns(loc)
    return NumberRules(
        decimal=decimal,
        group=group,
        indian="#,##,##0" in loc.decimal_formats[None].pattern,
        # (?<!\d)(?:\d{1,3}(?: \d{3}(?!\d))+…|\d+…) with its first digit taken before the look back: a pattern that
        # begins with a digit is scanned for digits in C; one that begins with a look back is tried at every character
        number=re.compile(rf"\d(?<!\d\d)(?:\d{{0,2}}(?: \d{{3}}(?!\d))+(?:[{seps}]\d+)*|\d*(?:[{seps}]\d+)*)"),
        scales={canon(w): m for w, m in scales.items()},
        scale=re.compile(rf"[ ]?(?:{_stems(set(scales) - letters, min_suffix=4)})"),
        letter=re.compile(words_pattern(letters, WORD_END)),
        thousand=re.compile(rf"(?<!\d)(?<!\d )(?:{words_pattern(thousands, WORD_END)}) $"),
        percent_before=re.compile(
            rf"(?:{_signs(w for w in before if not _alpha(w))}|{words_pattern(filter(_alpha, before), WORD_END)})[ ]?$"),
        percent_after=re.compile(rf"[ ]?(?:{_signs({'%', '٪', '％'} | {w for w in after if not _alpha(w)})}"
                                 rf"|{_stems(filter(_alpha, after), 4)})"),
        symbols=symbols,
        currency_before=re.compile(rf"(?P<sym>{sym})[ ]?$"),
        currency_after=re.compile(rf"\.?[ ]?(?:(?P<sym>{sym})|(?:{qualifier})?(?P<word>{currency_words()[0]}))"),
        date_before=re.compile(date_before),
        date_after=re.compile(date_after),
    )


# --- numbers and what surrounds them --------------------------------------------------------


def parse_number(token: str, lang: str) -> float | None:
    """Read a number as ``lang`` writes it ("1.800" in Turkish, "1 800" or "4,1" in Uzbek); None if malformed."""
    match = number_rules(lang).number.fullmatch(normalize(token.strip()))
    value = _number(match.group(), number_rules(lang)) if match else None
    return None if value is None else float(value)


def _number(token: str, t: NumberRules) -> Decimal | None:
    """The exact value of digits with separators; None when the grouping is impossible (26.11.2025)."""
    parts = re.split(r"(\D)", token)
    runs, seps = parts[::2], parts[1::2]
    kinds = ["d" if sep in t.decimal else "g" if sep in t.group or len(run) == 3 else "d"
             for sep, run in zip(seps, runs[1:])]
    if kinds.count("d") > 1 or "d" in kinds[:-1] or len({s for s, k in zip(seps, kinds) if k == "g"}) > 1:
        return None
    whole = runs[: len(runs) - kinds.count("d")]
    middle = {2, 3} if t.indian else {3}
    if len(whole) > 1 and (len(whole[0]) > 3 or len(whole[-1]) != 3 or any(len(r) not in middle for r in whole[1:-1])):
        return None
    return Decimal("".join(whole) + "." + (runs[-1] if kinds[-1:] == ["d"] else "0"))


ISO_CODES = frozenset(babel.numbers.list_currencies())
_ISO_BEFORE = re.compile(r"(?<![^\W\d_])([A-Z]{3})[ \u00a0\u202f]?$")
_ISO_AFTER = re.compile(r"\.?[ \u00a0\u202f]?([A-Z]{3})" + WORD_END)
_BAD_BEFORE = re.compile(rf"(?:[{_LETTER}]-?|\d[/:\-]|[#№第]|(?<![{_LETTER}])no\.? ?)$")
_BAD_AFTER = re.compile(rf"[/:]\d|[-‐‑][{_LETTER}\d]")
_GLUED = re.compile(rf"[{_LETTER}]")
_DENSE_AT = re.compile(f"[{DENSE}]")
_DOT_WORD = re.compile(r"\. +(\w)")
_SMALL = re.compile(r" (\d{1,3})(?!\d|[.,]\d)")


def _not_a_figure(text: str, norm: str, start: int, end: int, t: NumberRules) -> bool:
    """Dates, times, ordinals, list numbers and numbers inside names ("COVID-19", "16-майда", "Nov. 27")."""
    line = norm.rfind("\n", 0, start) + 1
    dot = _DOT_WORD.match(norm, end)
    return bool(
        _BAD_BEFORE.search(norm, max(0, start - 4), start)
        or _BAD_AFTER.match(norm, end)
        or (dot and text[dot.start(1)].islower())  # German and Turkish ordinals: "3. sırada"
        # list numbers: "1. " or "2) " starting a line, "(3)"
        or ((not norm[line:start].strip() or norm[start - 1 : start] == "(") and norm[end : end + 1] in ".)")
        or t.date_before.search(norm, max(0, start - 16), start)
        or t.date_after.match(norm, end)
    )


def read_quantity(text: str, norm: str, token: re.Match[str], t: NumberRules) -> tuple[Decimal, str | None, int, int] | None:
    """Value, unit (None for a bare number), start and end of the figure around a number token."""
    start, end = token.span()
    value = _number(token.group(), t)
    if value is None or _not_a_figure(text, norm, start, end, t):
        return None
    unit, scaled = None, False
    if sym := t.currency_before.search(norm, max(0, start - 6), start):
        unit, start = t.symbols[sym.group("sym")], sym.start()
    elif (iso := _ISO_BEFORE.search(text, max(0, start - 5), start)) and iso.group(1) in ISO_CODES:
        unit, start = iso.group(1), iso.start()
    elif pct := t.percent_before.search(norm, max(0, start - 12), start):
        unit, start = "%", pct.start()
    elif token.group().isdigit() and value < 1000 and (k := t.thousand.search(norm, max(0, start - 12), start)):
        value, start, scaled = value + 1000, k.start(), True  # "bin 800"
    if not scaled and (sc := t.scale.match(norm, end) or (unit not in (None, "%") and t.letter.match(norm, end))):
        multiplier = lookup(t.scales, sc.group())
        value, end, scaled = value * multiplier, sc.end(), True
        if small := _SMALL.match(norm, end):  # "2 milyar 300 milyon", "4 bin 800"
            sc2 = t.scale.match(norm, small.end())
            m2 = lookup(t.scales, sc2.group()) if sc2 else 1
            if m2 < multiplier and (sc2 or multiplier == 1000):
                value, end = value + int(small.group(1)) * m2, sc2.end() if sc2 else small.end()
    if unit is None:
        if cur := t.currency_after.match(norm, end):
            word = cur.group("word")
            unit = t.symbols[cur.group("sym")] if word is None else lookup(currency_words()[1], word)
            end = cur.end()
        elif (iso := _ISO_AFTER.match(text, end)) and iso.group(1) in ISO_CODES:
            unit, end = iso.group(1), iso.end()
        elif not scaled and (pct := t.percent_after.match(norm, end)):
            unit, end = "%", pct.end()
    year = unit is None and not scaled and token.group().isdigit() and 1900 <= value <= 2100
    if _GLUED.match(norm, end) or (year and not _DENSE_AT.match(norm, end)):  # CJK years say 年
        return None  # "1st", "5G", "100km"; a year
    return value, unit, start, end
