"""How problems are shown: ``path:line:col: error: message``, the source line with a caret, and a hint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.read.config import load_config
from builder.read.articles import parse_article
from builder.errors import (
    UNSAFE,
    Problem,
    Snippet,
    bad_name,
    decode,
    printable,
    read_source,
    strip_unsafe,
    unsafe_characters,
    with_source,
)
from builder.model import SiteConfig
from builder.render.templates import template_problem

CONFIG = SiteConfig(root=Path("."), title={"en": "T"}, base_url="https://x.test/", default_language="en",
                    languages=("en",))
PATH = "content/articles/en/x.md"


def problems(text: str | bytes) -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    article, found = parse_article(PATH, data, CONFIG)
    assert article is None
    return found


def test_printed_like_a_compiler() -> None:
    (problem,) = problems("---\ndate: 2025-11-26\nlang: en\ntitle: a: b\nsource: W\n---\n")
    assert str(problem) == (
        "content/articles/en/x.md:4:9: error: mapping values are not allowed here\n"
        "    4 | title: a: b\n"
        "      |         ^\n"
        '    hint: quote the value: title: "a: b"'
    )


def test_a_problem_without_line_or_source_is_one_line() -> None:
    assert str(Problem("static/x", None, "symlinks outside the site are not followed")) == \
        "static/x: error: symlinks outside the site are not followed"
    assert str(Problem("a.md", 3, "w", warning=True)) == "a.md:3: warning: w"


@pytest.mark.parametrize("line,col,pad", [
    ("title: 普京访问: 比什凯克", 12, " " * 15),  # each CJK character takes two columns
    ("\t\ttags: x", 3, "\t\t"),  # tabs stay tabs, so the caret lines up at any tab width
    ("title: é: x", 9, " " * 8),  # a precomposed letter is one column
    ("title: e\u0301: x", 10, " " * 8),  # a combining accent takes none
])
def test_caret_lines_up_in_a_terminal(line: str, col: int, pad: str) -> None:
    assert Snippet.of(line, col).lines(4) == [f"    4 | {line}", f"      | {pad}^"]


def test_long_lines_are_cut_around_the_column_and_controls_made_visible() -> None:
    (problem,) = problems(b"---\ntitle: " + b"x" * 5000 + b"\x1b[2J" + b"y" * 5000 + b"\n---\n")
    assert (problem.line, problem.col) == (2, 5008) and "U+001B" in problem.message
    source_line, caret_line = str(problem).splitlines()[1:3]
    assert source_line.startswith("    2 | …x") and source_line.endswith("y…") and "\u241b[2J" in source_line
    assert len(source_line) < 120 and "\x1b" not in str(problem)
    assert source_line[caret_line.index("^")] == "\u241b"


def test_bytes_that_are_not_utf8_show_their_line() -> None:
    (problem,) = problems("---\ntitle: Café crème\n---\n".encode("cp1252"))
    assert str(problem).splitlines()[:3] == [
        "content/articles/en/x.md:2:11: error: not valid UTF-8 (byte 14: 0xe9); save the file as UTF-8",
        "    2 | title: Caf\ufffd cr\ufffdme",
        "      |           ^",
    ]


def test_binary_files_never_crash_the_report(tmp_path: Path) -> None:
    blob = os.urandom(4096).replace(b"\xef\xbb\xbf", b"")
    (tmp_path / "site.yaml").write_bytes(b"\x89PNG\r\n\x1a\n" + blob)
    config, found = load_config(tmp_path)
    assert config is None and found and all(p.path == "site.yaml" and p.line for p in found)
    assert all(str(p).startswith("site.yaml:") for p in found)
    text, found = read_source(tmp_path / "gone.yaml", "gone.yaml")
    assert text is None and str(found[0]).startswith("gone.yaml: error: cannot read the file")


def test_source_lines_only_for_their_file_and_lines_that_exist() -> None:
    kept = [Problem("other.md", 1, "x"), Problem("a.md", 9, "beyond the end"), Problem("a.md", None, "no line")]
    assert with_source(kept, "a.md", "one\ntwo\n") == kept
    (first,) = with_source([Problem("a.md", 3, "x", col=2)], "a.md", "two\nthree\r\n", first_line=2)
    assert first.source == Snippet("three", 2)


def test_template_problems_show_the_template_line(tmp_path: Path) -> None:
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("<h1>\n{{ missing }}\n</h1>\n", encoding="utf-8")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        exc.filename = str(template)  # type: ignore[attr-defined]
        problem = template_problem(exc, tmp_path, 2, "en/")
    assert str(problem) == "templates/page.html:2: error: boom (while rendering /en/)\n    2 | {{ missing }}"
    template.unlink()  # a theme file deleted meanwhile: the problem is still reported, without its line
    try:
        raise ValueError("boom")
    except ValueError as exc:
        exc.filename = str(template)  # type: ignore[attr-defined]
        assert str(template_problem(exc, tmp_path, 2, "en/")) == "templates/page.html:2: error: boom (while rendering /en/)"


@pytest.mark.parametrize(("data", "message"), [
    (b"Hi\x00!\n", "control character U+0000 in the file"),  # was taken for UTF-16: a NUL in 1 of 2 even bytes
    (b"Hi,\x00there\x00", "control character U+0000 in the file"),
    ("Summary of the day.\n".encode("utf-16-le"), "file is UTF-16"),
    ("Сводка дня, a summary.\n".encode("utf-16-be"), "file is UTF-16"),
])
def test_a_nul_in_a_short_file_is_a_control_character_not_utf16(data: bytes, message: str) -> None:
    text, problems = decode("summary.en.md", data)
    assert text is None and problems[0].line == 1 and message in problems[0].message


@pytest.mark.parametrize(("text", "where", "named"), [
    ("ok\nx\uffff", (2, 2), "noncharacter U+FFFF"),
    ("\x85", (1, 1), "control character U+0085"),
    ("a\n\nbc\U0010fffe", (3, 3), "noncharacter U+10FFFE"),
    ("a\ufdef", (1, 2), "noncharacter U+FDEF"),
])
def test_unsafe_characters_are_named_at_their_line_and_column(text: str, where: tuple[int, int], named: str) -> None:
    problems = unsafe_characters("f.yaml", text)
    assert [(p.line, p.col) for p in problems] == [where] and problems[0].message == f"{named} is not allowed"
    clean, warned = strip_unsafe("f.md", text, first_line=10)
    assert not UNSAFE.search(clean) and len(clean) == len(text) - 1
    assert warned[0].warning and (warned[0].line, warned[0].col) == (where[0] + 9, where[1])


def test_characters_pages_may_carry_are_safe() -> None:
    """Tab, line ends, U+2028, private use, astral letters and emoji are text, not refused."""
    assert unsafe_characters("f", "\t\r\n\u2028\ue000\U0001f600\U00020000\ufffd\u00a0") == []


def test_names_that_are_not_utf8_are_printed_escaped() -> None:
    name = os.fsdecode(b"content/articles/caf\xe9.md")
    problem = bad_name(name)
    assert problem and str(problem).startswith("content/articles/caf\\xe9.md: error: the file name is not UTF-8")
    assert str(problem).encode("utf-8")  # printable: no lone surrogate left
    assert bad_name("content/articles/caf\u00e9.md") is None
    assert printable("a\x85b") == "a\\x85b"
    assert Snippet.of("a\uffffb\x9b", None).text == "a\ufffdb\ufffd"
