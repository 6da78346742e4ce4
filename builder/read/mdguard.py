"""Markdown that would take Python-Markdown minutes, found in linear time before it is converted.

Python-Markdown scans ahead from many places for the end of a construct: from each '[' to its
']' (and from each '](' to its ')', each '{' to its '}'), from each '<' of a would-be tag to the
next '>' (Python's HTML parser), and from each heading, rule or fence line to the end of its
paragraph, which it splits again; every abbreviation definition is a pattern run over the whole
text; and each escape, emphasis, code span or table cell of a paragraph is a placeholder that
the rest of the paragraph is searched for. Each scan is short in real text; left open or nested,
they add up to the square of the length (100 KB of '[' … ']' took 507 s). ``tangle`` adds up those scans as Markdown would make
them; past ``BUDGET`` the body is not given to Markdown at all (see content._render).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

# characters Markdown would scan past; measured at 60–700 ns each (one core, shared), so at most about a second
BUDGET = 2_000_000
_BLOCK = re.compile(r"(?:^[ \t]*\S[^\n]*(?:\n|$))+", re.MULTILINE)  # lines up to a blank one
_TOKEN = re.compile(r"\\.|\]\(|[\[\]{}()]")  # a backslash escape is text, never an opener
_SPLIT_LINE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$|(?:[-*_][ \t]*){3,}$|```|~~~|:[ \t])",
                         re.MULTILINE)  # headings, setext underlines, rules, fences, definitions: each splits its paragraph
MARKUP_MAX = 20_000  # markup characters in one paragraph: a real one has a few dozen
_MARKUP = re.compile(r"[\\*_`<&|\[]")
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
_ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]\n]*\]:", re.MULTILINE)


@dataclass(frozen=True)
class Tangle:
    """Where the text became too costly (0-based character offset) and what made it so."""

    offset: int
    what: str


def tangle(text: str) -> Tangle | None:
    """The first shape of ``text`` that would cost Markdown more than ``BUDGET`` scans, or None."""
    abbreviations = [m.start() for m in _ABBREVIATION.finditer(text)]
    if len(abbreviations) * len(text) > BUDGET:
        return Tangle(abbreviations[0], f"{len(abbreviations)} abbreviation definitions in a text this long")
    closes = [m.start() for m in re.finditer(">", text)]
    scans = 0
    for m in _TAG_OPEN.finditer(text):
        after = bisect_left(closes, m.start())
        scans += (closes[after] if after < len(closes) else len(text)) - m.start()
        if scans > BUDGET:
            return Tangle(m.start(), "'<' left open many times (no '>' after it)")
    for block in _BLOCK.finditer(text):
        # each count below bounds what its check adds up (a scan is at most the paragraph's length): a real
        # paragraph is let through on them, without its tokens being walked one by one in Python
        body = block.group()
        marks = len(_MARKUP.findall(body)) if len(body) > MARKUP_MAX else 0
        if marks > MARKUP_MAX:
            return Tangle(block.start(), f"{marks:,} markup characters (\\ * _ ` < & | [) in one paragraph")
        openers = body.count("[") + body.count("]") + body.count("{")  # "](" holds a "]"
        found = (openers * len(body) > BUDGET and _brackets(body, block.start())) or (
            (body.count("\n") + 1) * len(body) > BUDGET and _splits(body, block.start()))
        if found:
            return found
    return None


def _brackets(block: str, start: int) -> Tangle | None:
    """Scans from each '[', '](' and '{' to its closer, or to the paragraph's end when it has none."""
    open_: dict[str, list[int]] = {"]": [], ")": [], "}": []}
    scans = 0
    for m in _TOKEN.finditer(block):
        token = m.group()
        if token in ("[", "{", "]("):
            if token == "](":
                scans += _close(open_["]"], m.start())
            open_[{"[": "]", "{": "}", "](": ")"}[token]].append(m.end() - 1)
        elif token in open_:
            scans += _close(open_[token], m.start())
        if scans > BUDGET:
            return Tangle(start + m.start(), "brackets nested or left open this many times in one paragraph")
    scans += sum(len(block) - at for stack in open_.values() for at in stack)
    return Tangle(start, "brackets nested or left open this many times in one paragraph") if scans > BUDGET else None


def _close(stack: list[int], at: int) -> int:
    return at - stack.pop() if stack else 0


def _splits(block: str, start: int) -> Tangle | None:
    """Each heading, rule or fence line makes Markdown split (copy) the rest of its paragraph."""
    lines = [m.start() for m in _SPLIT_LINE.finditer(block)]
    if sum(len(block) - at for at in lines) > BUDGET:
        return Tangle(start, f"{len(lines)} headings, rules, fences or definitions in one paragraph (no blank lines between)")
    return None
