"""A pasted or saved plain text → headline, dateline, outlet and a body without the page's furniture.

Rules read a line's shape, never its words, except where CLDR gives the words in every language (month and
unit names): a section label is a short line in capitals before the headline; a reading-time line is a
number with the language's word for minutes; a dateline is a short line stating a full date; the headline
repeated, a lone "_" or "—", a photo caption ending in a credit ("(Photo: Reuters)", "… Сүрөт: …"), also when it
stands before the headline, a wire's closing staff credits, and a closing block under a label such as "Legal
Disclaimer:" are dropped; a byline gives the author, and a wire lead's dateline credit the outlet. Lines
between the headline and the last dateline form the standfirst (the description). A short line without
closing punctuation before a paragraph is a subheading.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache

import babel.units

from builder.model import Moment
from builder.ingest.dates import dateline, fixed, lead_date, script_variants
from builder.ingest.draft import Draft

HEADER_LINES = 10  # the section, headline, standfirst and datelines of a page all come before this line
SHORT = 12  # words: at most this many on a subheading, dateline or label line
_LEADING_ISO = re.compile(r"^\s*(?:[^\W\d]+[:\s]\s*)?(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})\S*)?\s+(?=\S)")
_LONE = re.compile(r"^[\W_]{1,3}$")
_CREDIT_PARENS = re.compile(r"\s*\((?:[^\W\d]+\.?\s?){1,2}:\s*[^()]{1,80}\)\s*\.?\s*$")
_CREDIT_AFTER = re.compile(r"(?<=[.!?])\s+[^\W\d]{2,15}:\s+[^.!?:]{2,120}\.?\s*$")
_AFTER_SENTENCE = re.compile(r"\w[.!?]\s+(?P<credit>\([^()]{2,80}\)|[^.!?()]{2,80})$")  # what follows a caption's sentence
_TERMINAL = tuple(".!?;:…»\"”’)'")
_CLOSING_LABEL = re.compile(r"^(?:[^\W\d][\w'-]*\s+){0,3}[^\W\d][\w'-]*:$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]?\s*(?:\d{4})?\s*)?(?P<name>[^.,;|]{2,60})", re.IGNORECASE)
_MARKDOWN_START = re.compile(r"^(#|>|[-*+]\s|\d+[.)]\s|={3,}|-{3,})")
# a wire lead's dateline credit: "BISHKEK, Nov 25 (Reuters) -", "Berlin (dpa) –", "बिश्केक, 25 नवंबर (भाषा) ...",
# "МОСКВА, 25 ноября. /ТАСС/.", and "МОСКВА, 25 ноя — РИА Новости."
_BRACKETED = re.compile(r"^(?P<before>[^()/\n]{0,50}?)\s*(?:\((?P<round>[^()/\d:\n]{2,30})\)|/(?P<slash>[^()/\d:\n]{2,30})/)"
                        r"\.?(?P<dash>\s*[-–—:])?")
_PLACE_AGENCY = re.compile(r"^\((?P<place>[^()=\n]{1,20})=(?P<credit>[^()=\d\n]{2,20})\)")  # Korean: "(서울=연합뉴스)"
_DASHED = re.compile(r"^(?P<before>[^-–—\n]{2,50}?)\s[-–—]\s(?P<credit>[^\W\d_]+(?: [^\W\d_]+){0,2})\.\s")


def extract_text(text: str, lang: str, today: date) -> Draft:
    """The article in a plain text; ``lang`` (already identified) names its months and units."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return Draft("", "", warnings=["the text is empty"])
    stamped: Moment | None = None
    if m := _LEADING_ISO.match(lines[0]):  # "date 2025-11-26 Headline": a scraper's stamp before the headline
        stamped = date.fromisoformat(m[1])
        lines[0] = lines[0][m.end():]
    section = None
    while lines and _is_section(lines[0]):
        section = section or lines[0].capitalize()
        lines.pop(0)
    lines = [line for line in lines if not _is_reading_time(line, lang)]
    captions = 0
    while len(lines) > 1 and _is_caption(lines[0], lines[1]):  # a page's lead photo, copied before its headline
        lines.pop(0)
        captions += 1
    headline = lines[0]
    title = _CREDIT_PARENS.sub("", headline).rstrip(" .")
    key = _fold(title)
    datelines: list[Moment] = []
    header_end = 0
    for i, line in enumerate(lines[1:HEADER_LINES], start=1):
        moment = dateline(line, lang, today) if len(line.split()) <= SHORT else None
        if moment is not None:
            datelines.append(moment)
        if moment is not None or _fold(line) == key or _LONE.match(line):
            header_end = i
    standfirst = [line for line in lines[1:header_end] if not _is_furniture(line, key, lang, today)]
    bylines = [(line, _byline(line)) for line in standfirst]
    author = next((name for _, name in bylines if name), None)
    standfirst = [line for line, name in bylines if not name]
    body_lines, source = _closing_block(lines[header_end + 1:])
    body_lines = [line for line in body_lines if not _is_furniture(line, key, lang, today)]
    draft = Draft(title=title, body=_markdown(body_lines), section=section, source=source, author=author,
                  description=standfirst[0] if standfirst else None)
    if body_lines:
        take_credit(draft, body_lines[0])
    draft.confidence["title"] = 0.9 if len(title.split()) <= 25 and title == headline else 0.6
    timed = [d for d in datelines if isinstance(d, datetime)]
    if timed or datelines or stamped:
        draft.date = fixed((timed or datelines or [stamped])[0])
        draft.confidence["date"] = 0.9
    elif body_lines and (lead := lead_date(body_lines[0], text, lang, today)):
        draft.date = lead
        draft.confidence["date"] = 0.5
        draft.warnings.append(f"date {lead} is the one the first paragraph states; check it")
    if title != headline:
        draft.warnings.append("the headline carried a photo credit, left out of the title")
    if captions:
        draft.warnings.append("a photo caption before the headline was left out")
    return draft


def take_credit(draft: Draft, lead: str) -> None:
    """A draft that names no outlet takes the one its lead's dateline credits, as a guess the editor checks."""
    credit = None if draft.source else wire_credit(lead)
    if credit:
        draft.source, draft.confidence["source"] = credit, 0.6
        draft.warnings.append(f"the dateline credits '{credit}': taken as the outlet unless --source names the one "
                              "that published it")


def wire_credit(lead: str) -> str | None:
    """The agency a wire lead credits in its dateline, or None. A short name in brackets or slashes right
    after the opening place (and date) counts when a dash follows it, or when the place is in capitals or a
    date is stated (then a name all in lowercase is a remark, "(pictured)", not a credit); after a place in
    capitals and a date, a dash and a name of capitalised words ending in a period counts too; so does the
    agency after the place in "(서울=연합뉴스)". A lead that opens with the bracket ("(TTXVN) - …") needs the dash."""
    if m := _PLACE_AGENCY.match(lead):
        return m["credit"].strip()
    if m := _BRACKETED.match(lead):
        credit = (m["round"] or m["slash"]).strip()
        dated = any(ch.isdigit() for ch in m["before"]) or _capitals((m["before"].split() or [""])[0])
        if len(credit.split()) <= 4 and (m["dash"] or (dated and not credit.islower())):
            return credit
    if (m := _DASHED.match(lead)) and any(ch.isdigit() for ch in m["before"]) and _capitals(m["before"].split()[0]) \
            and all(word[0].isupper() for word in m["credit"].split()):
        return m["credit"]
    return None


def _capitals(word: str) -> bool:
    """A word written in capitals, as a dateline's place is ("BISHKEK,", "МОСКВА")."""
    return word.isupper() and sum(ch.isalpha() for ch in word) >= 2


def _is_caption(line: str, following: str) -> bool:
    """A photo caption: a sentence, then its photo's credit with no sentence end of its own ("… 2025.
    Sputnik/A. Kazakov/Pool via REUTERS", "… airport. (AP Photo/V. Voronin)", "… Бишкекте. Фото: ТАСС"),
    longer than the line after it (the headline it stands before)."""
    m = _AFTER_SENTENCE.search(line)
    if m is None or len(following.split()) >= len(line.split()):
        return False
    credit = m["credit"]
    return "/" in credit or credit.split()[-1].isupper() or bool(_CREDIT_PARENS.search(line) or _CREDIT_AFTER.search(line))


def _byline(line: str) -> str | None:
    """The author a byline names ("By Olzhas Auyezov", "Von Anna Müller", "Автор: Иван Петров"): a short first
    word or a label, then two to four capitalised words, no sentence end."""
    words = line.split()
    if not 3 <= len(words) <= 5 or line.endswith(_TERMINAL):
        return None
    first, names = words[0], words[1:]
    if not (first.endswith(":") or len(first) <= 3) or not all(word[0].isupper() for word in names):
        return None
    return " ".join(names)


def _fold(line: str) -> str:
    return re.sub(r"\W+", " ", line.casefold()).strip()


def _is_section(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(line.split()) <= 3 and len(letters) >= 2 and line.isupper()


@cache
def _minute_words(lang: str) -> frozenset[str]:
    """The language's words for "minute(s)" in every length and plural form (CLDR units)."""
    words = set()
    for tag in script_variants(lang):
        for length in ("long", "short", "narrow"):
            for n in (1, 2, 5, 21):
                try:
                    text = babel.units.format_unit(n, "duration-minute", length=length, locale=tag.replace("-", "_"))
                except babel.units.UnknownUnitError:  # a locale without unit data: no words from it
                    continue
                if "duration" not in text:
                    words.update(w.casefold().rstrip(".") for w in re.findall(r"[^\W\d]+\.?", text))
    return frozenset(w for w in words if len(w) > 1)


def _is_reading_time(line: str, lang: str) -> bool:
    words = [w.casefold().rstrip(".") for w in re.findall(r"[^\W\d]+\.?", line)]
    return len(line.split()) <= 5 and any(ch.isdigit() for ch in line) and any(w in _minute_words(lang) for w in words)


def _is_furniture(line: str, headline_key: str, lang: str, today: date) -> bool:
    if _LONE.match(line) or _fold(line) == headline_key:
        return True
    if len(line.split()) <= SHORT and dateline(line, lang, today) is not None and len(line) < 60:
        return True
    return bool(len(line.split()) <= 60 and (_CREDIT_PARENS.search(line) or _CREDIT_AFTER.search(line)))


def _closing_block(lines: list[str]) -> tuple[list[str], str | None]:
    """The body without a closing disclaimer or copyright block, and the outlet that block names; the staff
    credits and the standards line a wire ends with go too."""
    while len(lines) > 1 and (_is_staff_credit(lines[-1]) or _is_label_line(lines[-1])):
        lines = lines[:-1]
    for i in range(max(0, len(lines) - 3), len(lines)):
        line = lines[i]
        if m := _COPYRIGHT.match(line):
            return lines[:i], m["name"].strip()
        if _CLOSING_LABEL.match(line) and all(w[0].isupper() for w in line.split()) and i < len(lines) - 1:
            return lines[:i], _subject(lines[i + 1])
    return lines, None


def _is_staff_credit(line: str) -> bool:
    """"Reporting by Olzhas Auyezov; Editing by Mark Trevelyan": parts split by semicolons, each a few words
    ending in a capitalised name."""
    parts = [part.split() for part in line.strip("() .").split(";")]
    return len(parts) >= 2 and all(2 <= len(words) <= 8 and words[-1][0].isupper() and words[-2][0].isupper()
                                   for words in parts)


def _is_label_line(line: str) -> bool:
    """"Our Standards: The Thomson Reuters Trust Principles.": a short label, a colon, a title in capitals."""
    label, colon, title = line.rstrip(".").partition(": ")
    words = title.split()
    return bool(colon) and len(label.split()) <= 3 and 2 <= len(words) <= 8 and all(
        word[0].isupper() or len(word) <= 3 for word in words) and words[-1][0].isupper()


def _subject(line: str) -> str | None:
    """The name a sentence opens with, in capitals, before its first lowercase word ("EIN Presswire provides")."""
    words = line.split()
    name = []
    for word in words[:6]:
        if not (word[0].isupper() or word[0].isdigit()):
            break
        name.append(word)
    return " ".join(name) if 0 < len(name) < len(words) and len(name) <= 5 else None


def _markdown(lines: list[str]) -> str:
    """Paragraphs, and subheadings: short lines without closing punctuation that a paragraph follows."""
    out = []
    for i, line in enumerate(lines):
        line = _MARKDOWN_START.sub(lambda m: "\\" + m.group(), line)  # a line of text, not Markdown syntax
        followed = i < len(lines) - 1 and len(lines[i + 1].split()) > SHORT
        if followed and len(line.split()) <= SHORT and not line.endswith(_TERMINAL) and not line.startswith(("«", "\"", "“")):
            out.append("## " + line)
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"
