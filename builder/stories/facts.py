"""Figures in articles of any language, and the same figures lined up across sources.

A story's "Key figures across sources" table has to see that Uzbek "4,1 milliard
dollarga", Turkish "4,1 milyar dolar'a" and English "$4.1 billion" are one
figure, and that a Turkish "bin 700" companies disagrees with everyone's 1,800.

Reading. Numbers follow the article's CLDR locale (Babel): its decimal and group
symbols, any space as a group separator, and a symbol the locale does not use
read as grouping when exactly three digits follow it, else as a decimal point.
Scale words come from CLDR compact decimal formats ("4,1 milyar" multiplies; a
thousand word before a smaller number adds: "bin 800" is 1,800), percent words
from CLDR "concentr-percent" patterns, currencies from Babel symbols, ISO codes
and the words in ``data/figures.yaml``, which also fills what CLDR lacks. A bare
number is a figure only beside a word of a counted concept. Years, dates, times,
ordinals and list numbers are never figures.

Labels. Of the concept words (``data/figures.yaml``) in the figure's sentence and
within ``WINDOW`` characters, the nearest one whose concept allows the figure's
unit names it, preferring words in the figure's own clause and specific concepts
over generic ones ("people"); on a tie a specific concept beats a change such as
"growth". A change is named after the subject written before it in the sentence,
or else in the previous sentence ("this figure rose 17%"): "trade growth".

Alignment. Figures with one label and unit whose values are within ``SAME`` of
each other form a value group, with one mention per article. Each group is a row,
except that a group reported by fewer sources than a larger one, and by fewer
than nearly all (all but one, at least two) of the sources giving that label and
unit, disputes the larger one when within ``CONFLICT`` of its value: it joins
that row (``conflict``; its value in ``alternatives``; its mentions listed too).
Two groups both reported by nearly all sources (13.6% growth last year, 17% this
year) are different quantities. Figures without a label are not aligned.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import babel.numbers
import babel.units
import yaml

from builder.lang.i18n import locale
from builder.read.articles import article_text
from builder.model import Article, Fact, FigureMention

DATA = Path(__file__).parents[1] / "data" / "figures.yaml"
WINDOW = 60  # characters between a figure and the concept word that names it
SAME = 0.01  # relative difference under which two values are the same figure
CONFLICT = 0.25  # relative difference under which a minority value disputes a majority one


@dataclass(frozen=True)
class Figure:
    """A figure as one article writes it; ``value`` is plain (4.1e9 for "$4.1 billion", 13.6 for 13.6%)."""

    value: float
    unit: str  # ISO 4217 code, "%" or "count"
    label: str | None
    text: str  # as written, without a suffix after an apostrophe ("dolar" of "dolar'a")
    start: int


# --- matching: a folded copy of the text keeps every offset, so matches slice the original ---

_FOLD = [(c, "'") for c in "’‘ʼʻ`´′"] + [(c, " ") for c in "\u00a0\u202f\u2009\u2007\u200c\u200e\u200f\u061c"]
_DENSE = "\u0e00-\u0eff\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"  # no spaces between words
_ARABIC = "\u0600-\u06ff\u0750-\u077f"  # spaced, but with clitics attached to words
_LETTER = "a-z\u00aa\u00ba\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"  # scripts that set numbers apart from words
_END = r"(?![^\W\d_])"
_SUFFIX = r"[^\W\d_]{0,6}" + _END


def _fold(text: str) -> str:
    """Lower case, apostrophes and spaces unified, ``ı`` as ``i``; every character keeps its offset."""
    low = text.replace("İ", "i").lower()  # the one letter whose lower case is two characters
    for old, new in [*_FOLD, ("ı", "i"), ("ё", "е")]:
        if old in low:
            low = low.replace(old, new)
    return low


def _canon(word: str) -> str:
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


def _words(words: Iterable[str], tail: str = "", dense: str = _DENSE, start: str = r"(?<![^\W\d_])") -> str:
    """Words that begin a word in spaced scripts (then ``tail``) and match anywhere in ``dense`` ones."""
    words = set(words) - {""}
    loose = {w for w in words if re.search(f"[{dense}]", w)}
    parts = [f"{start}(?:{_trie(words - loose)}){tail}"] if words - loose else []
    return "|".join(parts + ([f"(?=[{dense}])(?:{_trie(loose)})"] if loose else [])) or "(?!)"


def _stems(words: Iterable[str], min_suffix: int = 0) -> str:
    """Words that may take a short suffix; exact when marked with a final "$" or shorter than ``min_suffix``."""
    words = set(words)
    exact = {w.rstrip("$") for w in words if w.endswith("$") or len(w) < min_suffix}
    return f"{_words({w for w in words if w.rstrip('$') not in exact}, _SUFFIX)}|{_words(exact, _END)}"


def _signs(signs: Iterable[str]) -> str:
    return "|".join(map(re.escape, sorted(set(signs), key=len, reverse=True))) or "(?!)"


def _lookup(table: dict[str, Any], matched: str) -> Any:
    """The entry of the longest table key that ``matched`` starts with (a word may carry a suffix)."""
    key = _canon(matched)
    return next(table[key[:end]] for end in range(len(key), 0, -1) if key[:end] in table)


@lru_cache(maxsize=None)
def _data() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


# --- per-language tables: CLDR through Babel, the YAML where CLDR has nothing ---------------


@dataclass(frozen=True)
class _Lang:
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
                word = _fold(pattern.replace("'", "").replace("0", "")).strip(" .")
                if word and "0" in pattern:
                    scales.setdefault(word, int(magnitude) // 10 ** (pattern.count("0") - 1))
    for word, multiplier in (_data()["scales"].get(base) or {}).items():
        scales.setdefault(_fold(word), multiplier)
    return scales


def _percent_words(loc: Any, base: str) -> tuple[set[str], set[str]]:
    """What a locale writes before and after a percentage ("yüzde {0}", "{0} foiz"), then the YAML."""
    before, after = set(), set()
    for length in ("long", "short", "narrow"):
        for n in (1, 2, 5, 1.5):
            text = babel.units.format_unit(n, "concentr-percent", length=length, locale=loc)
            if "concentr" not in text:  # Babel's fallback when the locale lacks this length
                head, _, tail = _fold(text).partition(_fold(babel.numbers.format_decimal(n, locale=loc)))
                before |= {head.strip()} - {""}
                after |= {tail.strip()} - {""}
    extra = _data()["percent"].get(base) or {}
    return before | {_fold(w) for w in extra.get("before", [])}, after | {_fold(w) for w in extra.get("after", [])}


def _date_patterns(loc: Any) -> tuple[str, str]:
    """Month names (suffixes allowed) and the letters CLDR dates attach to numbers: "tháng 9", "11月"."""
    before, after, months = set(), set(), set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for name in map(_fold, loc.months[context][width].values()):
                bare = re.sub(r"\d+", "", name).strip(" .")
                (months if bare == name.strip(" .") else before if name[-1].isdigit() else after).add(bare)
    for form in ("full", "long", "medium"):
        pattern = loc.date_formats[form].pattern
        after |= {_fold(m.strip("'")) for m in re.findall(r"[yMLd]('[^']+'|[^\x00-\x7f\s]+)", pattern)}
    month = _stems(months, min_suffix=4)
    return (rf"(?:{month}|{_words(filter(_alpha, before), _END)})\.?[ ]?[-–—]?[ ]?$",
            rf"[ ]?[.\-–—]?[ ]?(?:{month})|[ ]?(?:{_words(filter(_alpha, after), _END)})")


@lru_cache(maxsize=None)
def _currency_words() -> tuple[str, dict[str, str]]:
    """The regex of the currency words of every language, and canonical word → ISO code."""
    words = {_fold(w): code for code, ws in _data()["currencies"].items() for w in ws}
    return _stems(words), {_canon(w.rstrip("$")): code for w, code in words.items()}


@lru_cache(maxsize=None)
def _lang(lang: str) -> _Lang:
    loc, base = locale(lang), lang.split("-")[0]
    table = loc.number_symbols  # nested by numbering system since Babel 2.14: Latin digits and the locale's own
    systems = [table] if "decimal" in table else [table.get("latn", {}), table.get(loc.default_numbering_system, {})]
    decimal = frozenset(_fold(s["decimal"]) for s in systems if "decimal" in s)
    group = frozenset(_fold(s["group"]) for s in systems if "group" in s) - decimal | {" "}
    seps = re.escape("".join(sorted(decimal | group | {".", ","} - {" "})))
    scales = _scale_words(loc, base)
    letters = {w for w in scales if len(w) == 1 and not re.match(f"[{_DENSE}]", w)}
    thousands = {w for w, m in scales.items() if m == 1000} - letters
    before, after = _percent_words(loc, base)
    symbols: dict[str, str] = {}
    for source in (loc, locale("en")):
        for code, symbol in source.currency_symbols.items():
            if symbol != code and (len(symbol) > 1 or not symbol.isalpha()):
                symbols.setdefault(_fold(symbol), code)
    sym = "|".join((r"(?<![^\W\d_])" if s[0].isalpha() else "") + re.escape(s) + (_END if s[-1].isalpha() else "")
                   for s in sorted(symbols, key=len, reverse=True))
    qualifier = _words(map(_fold, _data()["currency_qualifiers"]), r"(?:[ -]|(?<='))")
    date_before, date_after = _date_patterns(loc)
    return _Lang(
        decimal=decimal,
        group=group,
        indian="#,##,##0" in loc.decimal_formats[None].pattern,
        number=re.compile(rf"(?<!\d)(?:\d{{1,3}}(?: \d{{3}}(?!\d))+(?:[{seps}]\d+)*|\d+(?:[{seps}]\d+)*)"),
        scales={_canon(w): m for w, m in scales.items()},
        scale=re.compile(rf"[ ]?(?:{_stems(set(scales) - letters, min_suffix=4)})"),
        letter=re.compile(_words(letters, _END)),
        thousand=re.compile(rf"(?<!\d)(?<!\d )(?:{_words(thousands, _END)}) $"),
        percent_before=re.compile(
            rf"(?:{_signs(w for w in before if not _alpha(w))}|{_words(filter(_alpha, before), _END)})[ ]?$"),
        percent_after=re.compile(rf"[ ]?(?:{_signs({'%', '٪', '％'} | {w for w in after if not _alpha(w)})}"
                                 rf"|{_stems(filter(_alpha, after), 4)})"),
        symbols=symbols,
        currency_before=re.compile(rf"(?P<sym>{sym})[ ]?$"),
        currency_after=re.compile(rf"\.?[ ]?(?:(?P<sym>{sym})|(?:{qualifier})?(?P<word>{_currency_words()[0]}))"),
        date_before=re.compile(date_before),
        date_after=re.compile(date_after),
    )


# --- numbers and what surrounds them --------------------------------------------------------


def parse_number(token: str, lang: str) -> float | None:
    """Read a number as ``lang`` writes it ("1.800" in Turkish, "1 800" or "4,1" in Uzbek); None if malformed."""
    match = _lang(lang).number.fullmatch(_fold(token.strip()))
    value = _number(match.group(), _lang(lang)) if match else None
    return None if value is None else float(value)


def _number(token: str, t: _Lang) -> Decimal | None:
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


_ISO = frozenset(babel.numbers.list_currencies())
_ISO_BEFORE = re.compile(r"(?<![^\W\d_])([A-Z]{3})[ \u00a0\u202f]?$")
_ISO_AFTER = re.compile(r"\.?[ \u00a0\u202f]?([A-Z]{3})" + _END)
_BAD_BEFORE = re.compile(rf"(?:[{_LETTER}]-?|\d[/:\-]|[#№第]|(?<![{_LETTER}])no\.? ?)$")
_BAD_AFTER = re.compile(rf"[/:]\d|[-‐‑][{_LETTER}\d]")
_GLUED = re.compile(rf"[{_LETTER}]")
_DENSE_AT = re.compile(f"[{_DENSE}]")
_DOT_WORD = re.compile(r"\. +(\w)")
_SMALL = re.compile(r" (\d{1,3})(?!\d|[.,]\d)")


def _not_a_figure(text: str, norm: str, start: int, end: int, t: _Lang) -> bool:
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


def _read(text: str, norm: str, token: re.Match[str], t: _Lang) -> tuple[Decimal, str | None, int, int] | None:
    """Value, unit (None for a bare number), start and end of the figure around a number token."""
    start, end = token.span()
    value = _number(token.group(), t)
    if value is None or _not_a_figure(text, norm, start, end, t):
        return None
    unit, scaled = None, False
    if sym := t.currency_before.search(norm, max(0, start - 6), start):
        unit, start = t.symbols[sym.group("sym")], sym.start()
    elif (iso := _ISO_BEFORE.search(text, max(0, start - 5), start)) and iso.group(1) in _ISO:
        unit, start = iso.group(1), iso.start()
    elif pct := t.percent_before.search(norm, max(0, start - 12), start):
        unit, start = "%", pct.start()
    elif token.group().isdigit() and value < 1000 and (k := t.thousand.search(norm, max(0, start - 12), start)):
        value, start, scaled = value + 1000, k.start(), True  # "bin 800"
    if not scaled and (sc := t.scale.match(norm, end) or (unit not in (None, "%") and t.letter.match(norm, end))):
        multiplier = _lookup(t.scales, sc.group())
        value, end, scaled = value * multiplier, sc.end(), True
        if small := _SMALL.match(norm, end):  # "2 milyar 300 milyon", "4 bin 800"
            sc2 = t.scale.match(norm, small.end())
            m2 = _lookup(t.scales, sc2.group()) if sc2 else 1
            if m2 < multiplier and (sc2 or multiplier == 1000):
                value, end = value + int(small.group(1)) * m2, sc2.end() if sc2 else small.end()
    if unit is None:
        if cur := t.currency_after.match(norm, end):
            word = cur.group("word")
            unit = t.symbols[cur.group("sym")] if word is None else _lookup(_currency_words()[1], word)
            end = cur.end()
        elif (iso := _ISO_AFTER.match(text, end)) and iso.group(1) in _ISO:
            unit, end = iso.group(1), iso.end()
        elif not scaled and (pct := t.percent_after.match(norm, end)):
            unit, end = "%", pct.end()
    year = unit is None and not scaled and token.group().isdigit() and 1900 <= value <= 2100
    if _GLUED.match(norm, end) or (year and not _DENSE_AT.match(norm, end)):  # CJK years say 年
        return None  # "1st", "5G", "100km"; a year
    return value, unit, start, end


# --- concepts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Concept:
    label: str
    units: frozenset[str]  # "%", "count", "currency" (any ISO code)
    subject: str | None  # what a change of it is called after: "trade"
    change: str | None  # a change's label pattern: "{} growth"
    generic: bool  # "people": named only when no specific concept is in the clause

    def fits(self, unit: str) -> bool:
        return unit in self.units or ("currency" in self.units and unit in _ISO)


@lru_cache(maxsize=None)
def _lexicon() -> tuple[tuple[_Concept, ...], dict[str, tuple[int, ...]], re.Pattern[str]]:
    """Concepts, canonical keyword → concept indexes, and one regex for the keywords of every language."""
    concepts, stems, words = [], {}, set()
    for i, entry in enumerate(_data()["concepts"]):
        concepts.append(_Concept(entry["label"], frozenset(entry["units"]), entry.get("subject"),
                                 entry.get("change"), entry.get("generic", False)))
        for word in {_fold(w) for ws in entry["words"].values() for w in ws}:
            words.add(word)
            stems[_canon(word)] = stems.get(_canon(word), ()) + (i,)
    pattern = re.compile(_words(words, dense=_DENSE + _ARABIC, start=r"(?<!\w)"))
    return tuple(concepts), {k: tuple(dict.fromkeys(v)) for k, v in stems.items()}, pattern


_SENTENCE_END = re.compile(r"(?:[.!?؟…]+[\"'»”)\]]*(?=\s)|[。！？])\s*|\n\s*")
_CLAUSE = re.compile(r"[,;()，；、،]")
_Hit = tuple[int, int, tuple[int, ...]]  # start, end and concept indexes of a keyword


@dataclass(frozen=True)
class _Text:
    """A folded text with its concept keywords and where its sentences start."""

    norm: str
    hits: list[_Hit]
    at: list[int]  # where each hit starts
    sentences: list[int]

    def between(self, a: int, b: int) -> list[_Hit]:
        return self.hits[bisect_left(self.at, a) : bisect_left(self.at, b)]


def _label(start: int, end: int, unit: str, txt: _Text) -> str | None:
    """The concept of the nearest fitting keyword in the sentence (see the module docstring); a
    change is named after what precedes it: "trade growth", or "inflation" when that fits the unit
    itself ("inflation fell to 3%" states its level)."""
    concepts = _lexicon()[0]
    sid = bisect_right(txt.sentences, start) - 1
    lo = txt.sentences[sid]
    hi = txt.sentences[sid + 1] if sid + 1 < len(txt.sentences) else len(txt.norm)
    best: tuple[tuple[bool, bool, int, bool], _Concept] | None = None
    for h_start, h_end, ids in txt.between(lo, hi):
        gap = max(start - h_end, h_start - end, 0)
        apart = bool(_CLAUSE.search(txt.norm, min(h_end, end), max(h_start, start)))
        for c in (concepts[i] for i in ids):
            key = (apart, c.generic, gap, c.change is not None)
            if gap <= WINDOW and c.fits(unit) and (best is None or key < best[0]):
                best = (key, c)
    if best is None:
        return None
    if best[1].change is None:
        return best[1].label
    for a, b in ((lo, start), (txt.sentences[max(sid - 1, 0)], lo)):  # before it, else the sentence before
        for _, _, ids in reversed(txt.between(a, b)):
            for c in (concepts[i] for i in ids):
                if c.change is None and c.fits(unit):
                    return c.label
                if c.subject:
                    return best[1].change.format(c.subject)
    return best[1].label


def extract_figures(text: str, lang: str) -> list[Figure]:
    """Every figure of ``text`` (written in ``lang``) in order; a bare number only beside a counted concept."""
    t, norm = _lang(lang), _fold(text)
    _, stems, keywords = _lexicon()
    hits = [(m.start(), m.end(), stems[_canon(m.group())]) for m in keywords.finditer(norm)]
    # a sentence ends before a capital, not at an abbreviation: "300 тыс. человек"
    ends = [m.end() for m in _SENTENCE_END.finditer(norm) if not text[m.end() : m.end() + 1].islower()]
    txt = _Text(norm, hits, [h[0] for h in hits], [0, *ends])
    figures: list[Figure] = []
    done = 0  # numbers inside a figure already read ("800" of "4 bin 800") are not read again
    for token in t.number.finditer(norm):
        if token.start() >= done and (found := _read(text, norm, token, t)):
            value, unit, start, end = found
            label = _label(start, end, unit or "count", txt)
            if unit or label:
                figures.append(Figure(float(value), unit or "count", label, text[start:end], start))
                done = end
    return figures


# --- alignment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    value: float  # the value most of its articles give
    mentions: tuple[tuple[int, Figure], ...]  # (article index, its first figure), one per article


def _groups(items: list[tuple[int, Figure]]) -> list[_Group]:
    """Near-equal values (within ``SAME`` of the smallest) as one group."""
    chains: list[list[tuple[int, Figure]]] = []
    for i, fig in sorted(items, key=lambda item: (item[1].value, item[0], item[1].start)):
        if chains and fig.value - chains[-1][0][1].value <= SAME * abs(chains[-1][0][1].value):
            chains[-1].append((i, fig))
        else:
            chains.append([(i, fig)])
    groups = []
    for chain in chains:
        first: dict[int, Figure] = {}
        for i, fig in sorted(chain, key=lambda item: (item[0], item[1].start)):
            first.setdefault(i, fig)
        groups.append(_Group(Counter(f.value for f in first.values()).most_common(1)[0][0], tuple(first.items())))
    return groups


def _rows(label: str, unit: str, items: list[tuple[int, Figure]], articles: Sequence[Article]) -> list[Fact]:
    """Value groups of one label and unit as rows, a minority joining the majority it disputes."""
    nearly_all = max(2, len({i for i, _ in items}) - 1)
    rows: list[list[_Group]] = []
    for g in sorted(_groups(items), key=lambda g: (-len(g.mentions), g.value)):
        host = next((row for row in rows
                     if len(g.mentions) < min(len(row[0].mentions), nearly_all)
                     and abs(g.value - row[0].value) <= CONFLICT * abs(row[0].value)), None)
        if host:
            host.append(g)
        else:
            rows.append([g])
    facts = []
    for row in rows:
        mentions = tuple(FigureMention(articles[i].path, fig.text)
                         for i, _, fig in sorted((i, rank, fig) for rank, g in enumerate(row) for i, fig in g.mentions))
        facts.append(Fact(label, row[0].value, unit, mentions, len(row) > 1, tuple(sorted(g.value for g in row[1:]))))
    return facts


def compare_facts(articles: Sequence[Article],
                  figures: Callable[[Article], list[Figure]] | None = None) -> tuple[Fact, ...]:
    """The figures of ``articles`` lined up: one row per quantity with every source's wording.
    ``figures`` gives an article's figures when they were read before (the build cache)."""
    found: dict[tuple[str, str], list[tuple[int, Figure]]] = {}
    for i, article in enumerate(articles):
        for fig in figures(article) if figures else extract_figures(article_text(article), article.lang):
            if fig.label:
                found.setdefault((fig.label, fig.unit), []).append((i, fig))
    facts = [fact for (label, unit), items in found.items() for fact in _rows(label, unit, items, articles)]
    return tuple(sorted(facts, key=lambda f: (f.unit, f.label, f.value)))
