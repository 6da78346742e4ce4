"""Problems found in a site, each with the place it comes from and the line it points at."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

SNIPPET_WIDTH = 100  # characters of a long source line shown around the column
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab and line ends; DEL
# What no page or feed may carry: CONTROL, C1 controls (HTML parse errors; U+0085 is a line break to YAML),
# surrogates, and the 66 noncharacters (U+FFFE and U+FFFF make XML parsers reject a whole feed).
# Written as "a BMP one, or any astral character that is an astral one": a class of 34 astral characters is tested
# one by one at every character of every body, the range once (seven times faster over a site).
_UNSAFE_BMP = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_UNSAFE_ASTRAL = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
UNSAFE = re.compile(f"[{_UNSAFE_BMP}\U00010000-\U0010ffff](?<=[{_UNSAFE_BMP}]|[{_UNSAFE_ASTRAL}])")


@dataclass(frozen=True)
class Snippet:
    """The offending source line as it will be shown, and the caret's place in it (1-based)."""

    text: str
    caret: int | None = None

    @classmethod
    def of(cls, line: str, col: int | None) -> Snippet:
        """Cut a long line to a window around ``col``; control characters become visible symbols
        (a NUL or an escape sequence from a broken file must not reach the terminal)."""
        start = 0
        if len(line) > SNIPPET_WIDTH:
            start = max(0, min((col or 1) - 1 - SNIPPET_WIDTH // 2, len(line) - SNIPPET_WIDTH))
        text = line[start : start + SNIPPET_WIDTH]
        caret = col - start if col is not None and 0 < col - start <= len(text) + 1 else None
        if start:
            text, caret = "…" + text, caret and caret + 1
        if start + SNIPPET_WIDTH < len(line):
            text += "…"
        return cls("".join(_visible(ch) for ch in text), caret)

    def lines(self, number: int) -> list[str]:
        gutter = " " * len(str(number))
        shown = [f"    {number} | {self.text}"]
        if self.caret is not None:
            pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in self.text[: self.caret - 1])
            shown.append(f"    {gutter} | {pad}^")
        return shown


def _visible(ch: str) -> str:
    code = ord(ch)
    if ch == "\t":
        return ch
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES: ␀ ␛ …
    return "\u2421" if code == 0x7F else "\ufffd" if UNSAFE.match(ch) else ch  # C1, noncharacters


def _width(ch: str) -> int:
    """Terminal columns of a character: CJK takes two, combining marks none."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


@dataclass(frozen=True)
class Problem:
    """One error or warning: ``path:line[:col]: error: message``, the source line, and a hint."""

    path: str
    line: int | None
    message: str
    col: int | None = None
    hint: str = ""
    warning: bool = False
    source: Snippet | None = None

    def __str__(self) -> str:
        where = printable(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        shown = [f"{where}: {'warning' if self.warning else 'error'}: {self.message}"]
        if self.source is not None and self.line is not None:
            shown += self.source.lines(self.line)
        if self.hint:
            shown.append(f"    hint: {self.hint}")
        return "\n".join(shown)


def with_source(problems: Iterable[Problem], path: str, text: str, first_line: int = 1) -> list[Problem]:
    """``problems`` with the source line each one points at, taken from ``text`` (the file ``path`` from
    its line ``first_line`` on), when it has none yet."""
    lines: list[str] | None = None
    out = []
    for problem in problems:
        index = (problem.line or 0) - first_line
        if problem.path == path and problem.line and problem.source is None and index >= 0:
            lines = text.split("\n") if lines is None else lines
            if index < len(lines):
                problem = replace(problem, source=Snippet.of(lines[index].rstrip("\r"), problem.col))
        out.append(problem)
    return out


def describe(ch: str) -> str:
    """A character no page may carry, named for an editor: ``noncharacter U+FFFF``."""
    code = ord(ch)
    kind = "control character" if code < 0xA0 else "surrogate" if 0xD800 <= code < 0xE000 else "noncharacter"
    return f"{kind} U+{code:04X}"


def unsafe_characters(path: str, text: str, first_line: int = 1) -> list[Problem]:
    """An error per line of ``text`` (line ``first_line`` of ``path``) that carries an UNSAFE character."""
    problems, last = [], -1
    for bad in UNSAFE.finditer(text):
        line = text.count("\n", 0, bad.start())
        if line != last:
            last = line
            col = bad.start() - text.rfind("\n", 0, bad.start())
            problems.append(Problem(path, line + first_line, f"{describe(bad.group())} is not allowed",
                                    col=col, hint="remove it: pages and feeds must not carry it"))
    return problems


def strip_unsafe(path: str, text: str, first_line: int = 1) -> tuple[str, list[Problem]]:
    """``text`` (a body: prose an editor pasted, often from a PDF or a web page) without its UNSAFE
    characters, and a warning at the first one: dropping an invisible character loses nothing the reader
    would see, where refusing the file would hold back the whole build."""
    found = UNSAFE.findall(text)
    if not found:
        return text, []
    first = unsafe_characters(path, text, first_line)[0]
    count = f"{len(found)} invisible character{'s' if len(found) != 1 else ''}"
    return UNSAFE.sub("", text), [replace(first, warning=True, hint="", message=f"removed {count} that pages and "
                                          f"feeds must not carry, the first {describe(found[0])}")]


def bad_name(rel: str) -> Problem | None:
    """The problem with a file or folder name that cannot reach a page, a URL or the terminal: bytes that
    are not UTF-8 (os.fsdecode keeps them as lone surrogates) or an UNSAFE character."""
    if not UNSAFE.search(rel):
        return None
    return Problem(printable(rel), None, "the file name is not UTF-8 or carries a control character; rename it")


def printable(path: str) -> str:
    """``path`` as a terminal shows it: bytes that are not UTF-8 and control characters as escapes."""
    try:
        raw = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = path.encode("utf-8", "backslashreplace").decode("ascii")
    return UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), raw)


def _utf16_without_bom(head: bytes) -> bool:
    """Text saved as UTF-16 with no byte-order mark: a NUL in every other byte (ASCII's high half) for one
    character in four at least, and none in the other bytes. One NUL in a short UTF-8 file is a control
    character, not UTF-16."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return min(even, odd) == 0 and max(even, odd) >= 2 and max(even, odd) * 4 >= len(head)


def decode(path: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text without BOM, or a problem naming the line, column (and byte) that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data[:256]):
        return None, [Problem(path, 1, "file is UTF-16; save it as UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start, end = data.rfind(b"\n", 0, exc.start) + 1, data.find(b"\n", exc.start)
        line = data[: exc.start].count(b"\n") + 1
        shown = data[start : end if end >= 0 else len(data)].decode("utf-8-sig", "replace")
        col = len(data[start : exc.start].decode("utf-8-sig", "replace")) + 1
        problem = Problem(path, line, f"not valid UTF-8 (byte {exc.start}: 0x{data[exc.start]:02x}); save the file as UTF-8",
                          col=col, hint="a file saved as Windows-1252 or Latin-1: re-save it with the encoding UTF-8")
        return None, with_source([problem], path, shown, line)
    bad = CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        col = bad.start() - text.rfind("\n", 0, bad.start())
        return None, with_source([Problem(path, line, f"control character U+{ord(bad.group()):04X} in the file; remove it",
                                          col=col)], path, text)
    return text, []


def read_source(file: Path, rel: str, max_bytes: int | None = None) -> tuple[str | None, list[Problem]]:
    """The text of a site file (``rel`` in messages), or the problem: too large, unreadable, not UTF-8."""
    try:
        size = file.stat().st_size
        if max_bytes is not None and size > max_bytes:
            return None, [Problem(rel, None, f"file is too large ({size:,} bytes; the limit is {max_bytes:,})",
                                  hint="set max_file_bytes in site.yaml")]
        data = file.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, None, f"cannot read the file: {exc.strerror or exc}")]
    return decode(rel, data)


class BuildError(Exception):
    """Raised with every problem of a build at once, so the editor fixes them in one go."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []  # shown too: fixing the errors should not bring surprises
        super().__init__("\n".join(map(str, problems)))

    def report(self, action: str = "Build") -> str:
        n = len(self.problems)
        head = f"{action} failed with {n} error{'s' if n != 1 else ''}:"
        return "\n".join([head, *map(str, self.problems), *map(str, self.warnings)])


def rel(path: Path, root: Path) -> str:
    """Return ``path`` relative to the site root when it is inside it, for messages."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
