"""Parsing articles: pure, on literals; one row per bad-input case of shared/BAD-INPUT.md."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from builder.read.articles import body_html, parse_article, slugify
from builder.read.folder import read_articles
from builder.read.markdown import plain_text, render_markdown
from builder.model import SiteConfig
from htmlscan import scan

CONFIG = SiteConfig(root=Path("."), title={"en": "T"}, base_url="https://x.test/", default_language="en",
                    languages=("en",), max_file_bytes=100_000)
GOOD = "---\ntitle: Hello\ndate: 2025-11-26\nlang: en\nsource: Wire\n---\nBody text.\n"


def parse(text: str | bytes, config: SiteConfig = CONFIG):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article("content/articles/a.md", data, config)


def only_error(text: str | bytes, config: SiteConfig = CONFIG):
    article, problems = parse(text, config)
    errors = [p for p in problems if not p.warning]
    assert article is None and errors, f"expected an error, got {article} {problems}"
    return errors


# --- front matter and YAML: (source, expected line, column, words the message must contain)
BAD_FRONT_MATTER = [
    ("---\ntitle: Hello\ndate: 2025-11-26\n", 1, 1, "never closed"),
    ("title: Hello\n", 1, None, "missing front matter"),
    ("---\ntitle: a: b\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 2, 9, "mapping values are not allowed here"),
    ("---\ntitle: Hello\ndate: 2025-11-26\nlang: en\nsource: W\ntags:\n\t- a\n---\n", 7, 1, "a tab character in the indentation"),
    ("---\n- a\n- b\n---\n", 1, None, "must be a mapping"),
    ("---\njust a string\n---\n", 1, None, "must be a mapping"),
    ("---\n---\nbody\n", 1, None, "must be a mapping"),
    ("---\ntitle: !!python/object/apply:os.system ['echo pwned']\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 2, 8, "tag !!python/object/apply:os.system is not allowed"),
    ("---\ntitle: A\ntitle: B\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 3, 1, "lines 2 and 3"),
    ("---\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 1, None, "'title' is missing"),
    ("---\ntitle: A\nlang: en\nsource: W\n---\n", 1, None, "'date' is missing"),
    ("---\ntitle: A\ndate: 2025-11-26\nsource: W\n---\n", 1, None, "'lang' is missing"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\n---\n", 1, None, "'source' is missing"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\ntags: \"a,b\"\n---\n", 6, 7, "list of strings"),
    ("---\ntitle: [x]\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 2, 8, "'title' must be a string"),
    ("---\ntitle: A\ndate: 2025-13-01\nlang: en\nsource: W\n---\n", 3, 7, "month must be in 1..12"),
    ("---\ntitle: A\ndate: 2025-02-30\nlang: en\nsource: W\n---\n", 3, 7, "day is out of range"),
    ("---\ntitle: A\ndate: March 5\nlang: en\nsource: W\n---\n", 3, 7, "not an ISO date"),
    ("---\ntitle: A\ndate: ''\nlang: en\nsource: W\n---\n", 3, 1, "'date' is missing"),
    ("---\ntitle: A\ndate: 2025-11-26T14:41:00\nlang: en\nsource: W\n---\n", 3, 7, "needs a UTC offset"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: ../../x\nsource: W\n---\n", 4, 7, "not a BCP 47"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: xx\nsource: W\n---\n", 4, 7, "unknown language"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: ../x\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: /abs/x\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: '%2e%2e/x'\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: 'a\\\\b'\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: _hidden\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: CON\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: con\n---\n", 6, 7, "slug"),
    ("---\ntitle: A\ndate: 2025-11-26\nlang: en\nsource: W\nslug: " + "a" * 300 + "\n---\n", 6, 7, "slug"),
    # found by tests/test_properties.py: a blank field, an escaped control character, and U+2028 (a line break
    # to libyaml, not to editors) shifting every later line
    ("---\ntitle: '  '\ndate: 2025-11-26\nlang: en\nsource: W\n---\n", 2, 1, "'title' is missing"),
    ('---\ntitle: "a\\0b"\ndate: 2025-11-26\nlang: en\nsource: W\n---\n', 2, 8, "control character U+0000"),
    ('---\ntitle: "A\u2028B"\ndate: 2025-11-26\nlang: en\nsource: W\nsource: X\n---\n', 6, 1, "lines 5 and 6"),
]


@pytest.mark.parametrize("source,line,col,words", BAD_FRONT_MATTER)
def test_bad_front_matter_names_the_line(source: str, line: int, col: int | None, words: str) -> None:
    errors = only_error(source)
    assert any((p.line, p.col) == (line, col) and words in p.message for p in errors), [str(p) for p in errors]
    assert all(str(p).startswith("content/articles/a.md:") for p in errors)


def test_lang_no_is_norwegian_not_false() -> None:
    article, _ = parse(GOOD.replace("lang: en", "lang: no"))
    assert article and article.lang == "no"


def test_every_problem_of_a_file_is_reported() -> None:
    errors = only_error("---\ntitle: [x]\ndate: 2025-13-01\nlang: xx\n---\n")
    messages = " | ".join(p.message for p in errors)
    assert "'title' must be a string" in messages and "'source' is missing" in messages
    assert "month" in messages and "unknown language" in messages


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    only_error(f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\ndate: 2025-11-26\nlang: en\nsource: W\n---\n")
    assert not marker.exists()


def test_alias_bomb_fails_fast() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    errors = only_error("---\n" + "\n".join(lines) + "\ntitle: A\n---\n")  # 9^10 nodes if expanded
    assert "aliases" in errors[0].message


def test_unknown_key_is_a_warning_with_a_suggestion() -> None:
    article, problems = parse(GOOD.replace("title: Hello", "title: Hello\ntittle: Typo"))
    assert article is not None
    assert [str(p) for p in problems] == ["content/articles/a.md:3:1: warning: unknown key 'tittle', did you mean "
                                          "'title'?\n    3 | tittle: Typo\n      | ^"]


def test_future_date_is_a_warning_unless_allowed() -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    article, problems = parse(GOOD.replace("2025-11-26", future))
    assert article and problems and problems[0].warning and "future" in problems[0].message
    from dataclasses import replace
    article, problems = parse(GOOD.replace("2025-11-26", future), replace(CONFIG, allow_future=True))
    assert article and not problems


# --- encoding and text


def test_windows_1252_names_line_and_byte() -> None:
    data = GOOD.replace("Body text.", "Caf\u00e9 au lait").encode("cp1252")
    (error,) = only_error(data)
    assert error.line == 7 and "byte" in error.message and "UTF-8" in error.message


def test_utf8_bom_is_ignored() -> None:
    article, problems = parse(b"\xef\xbb\xbf" + GOOD.encode())
    assert article and article.title == "Hello" and not problems


def test_utf16_is_refused() -> None:
    (error,) = only_error(GOOD.encode("utf-16"))
    assert "UTF-16" in error.message and "UTF-8" in error.message


def test_control_characters_are_refused_with_line() -> None:
    (error,) = only_error(GOOD.replace("Body text.", "Body\x00text."))
    assert error.line == 7 and "U+0000" in error.message


def test_too_large_file_is_refused_without_parsing() -> None:
    (error,) = only_error(GOOD + "x" * 200_000)
    assert "too large" in error.message and "max_file_bytes" in error.message


def test_front_matter_with_empty_body_renders() -> None:
    article, problems = parse(GOOD.replace("Body text.\n", ""))
    assert article and body_html(article) == "" and not problems


# --- dates


def test_date_only_stays_a_calendar_day() -> None:
    article, _ = parse(GOOD)
    assert article and type(article.date) is date and article.page_path == "en/2025/11/hello/"


def test_date_time_keeps_its_offset() -> None:
    article, _ = parse(GOOD.replace("2025-11-26", "2025-11-26T01:30:00+03:00"))
    assert article and isinstance(article.date, datetime)
    assert article.date.isoformat() == "2025-11-26T01:30:00+03:00"
    assert article.day == date(2025, 11, 26)  # not shifted to the UTC day (25th)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_extreme_years_format(value: str) -> None:
    from dataclasses import replace
    article, problems = parse(GOOD.replace("2025-11-26", value), replace(CONFIG, allow_future=True))
    assert article and not [p for p in problems if not p.warning]


# --- bodies are untrusted


# XSS vectors, printed template syntax: tests/test_xss.py


@pytest.mark.parametrize("body, line", [
    ("\n".join("    " * i + "- x" for i in range(150)), 107),  # the 101st level, four spaces each
    ("Intro.\n\n" + ">" * 1000 + " deep", 9),
    ("- " * 1000 + "x", 7),
])
def test_deep_nesting_is_refused_at_once_with_its_line(body: str, line: int) -> None:
    (error,) = only_error(GOOD.replace("Body text.", body))  # before Markdown, which takes seconds on it
    assert error.line == line and "the limit is 100" in error.message


def test_nesting_up_to_the_limit_renders() -> None:
    body = ">" * 20 + " quoted\n\n" + "\n".join("    " * i + "- x" for i in range(60))
    article, problems = parse(GOOD.replace("Body text.", body))
    assert article and not problems and body_html(article).count("<ul>") == 60


def test_unclosed_tags_are_closed_inside_the_body() -> None:
    html = render_markdown("<div><table><tr><td>cell\n\nafter")
    assert html.count("<div") == html.count("</div>") and html.count("<table") == html.count("</table>")


def test_headings_get_readable_anchors_in_every_script() -> None:
    html = render_markdown("## Путин менен жолугушуу\n\n## Ticaret ve Yatırımlar\n\n## 普京访问\n\n## بوتين في بيشكيك")
    ids = [e.attrs["id"] for e in scan(html).elements if e.tag == "h2"]
    assert ids == ["путин-менен-жолугушуу", "ticaret-ve-yatırımlar", "普京访问", "بوتين-في-بيشكيك"]
    assert not any(i.startswith("_") for i in ids)


def test_plain_text_keeps_words_not_markup() -> None:
    assert plain_text(render_markdown("**Bold** and [link](https://a.test)")) == "Bold and link"


# --- slugs

SLUGS = [
    ("Rusya-Kırgızistan'ta İş Birliği ve Ortaklık", "rusya-kirgizistanta-is-birligi-ve-ortaklik"),
    ("Rossiya bilan Qirg‘iziston o‘zaro savdo", "rossiya-bilan-qirgiziston-ozaro-savdo"),
    ("Tổng thống Nga Vladimir Putin đến Bishkek", "tong-thong-nga-vladimir-putin-den-bishkek"),
    ("Садыр Жапаров: Орусия менен ң ө ү", "sadyr-zhaparov-orusiya-menen-ng-o-u"),
    ("Путин в Бишкеке", "putin-v-bishkeke"),
    ("普京访问比什凯克", "pu-jing-fang-wen-bi-shen-kai-ke"),
    ("東京で会談", "dong-jing-de-hui-tan"),
    ("بوتين يزور بيشكيك", "bwtyn-yzwr-byshkyk"),
    ("Berlin: Gespräche über Straßen", "berlin-gesprache-uber-strassen"),
    ("CON", "con-article"),
]


@pytest.mark.parametrize("title,slug", SLUGS)  # every title is safe: tests/test_properties.py
def test_slugs_are_readable_ascii(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_build_day_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH pins the day the future-date check compares with (reproducible builds)."""
    from builder.model import build_day

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    assert build_day().isoformat() == "2025-12-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert build_day() == date.today()
# --- the folder walk: what cannot be read gets a place ---------------------------


def articles_site(tmp_path: Path, *names: str) -> SiteConfig:
    folder = tmp_path / "content" / "articles"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(GOOD.replace("Hello", name), encoding="utf-8")
    return dataclasses.replace(CONFIG, root=tmp_path)


def test_an_unreadable_folder_or_file_is_an_error_with_its_path(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """We run as root, where chmod 000 does not stop a read: the refusal is simulated."""
    config = articles_site(tmp_path, "ok.md", "locked/a.md", "secret.md")
    scandir, read_bytes = os.scandir, Path.read_bytes

    def refuse(what: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def patched(path: str | Path, *args: Any) -> Any:
            if str(path).endswith(what):
                raise PermissionError(13, "Permission denied")
            return real(path, *args)
        return patched

    monkeypatch.setattr(os, "scandir", refuse("locked", scandir))
    monkeypatch.setattr(Path, "read_bytes", refuse("secret.md", read_bytes))
    articles, problems = read_articles(config)
    assert [a.title for a in articles] == ["ok.md"]
    assert sorted((p.path, p.message) for p in problems) == [
        ("content/articles/locked", "cannot read the folder: Permission denied"),
        ("content/articles/secret.md", "cannot read the file: Permission denied")]
    monkeypatch.undo()
    assert sorted(a.title for a in read_articles(config)[0]) == ["locked/a.md", "ok.md", "secret.md"]


def test_symlink_loops_and_names_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    config = articles_site(tmp_path, "ok.md")
    folder = tmp_path / "content" / "articles"
    (folder / "self.md").symlink_to("self.md")
    (folder / "up").symlink_to(".")
    bad = os.fsencode(folder) + b"/caf\xe9"
    os.mkdir(bad)
    with open(bad + b"/x.md", "wb") as f:
        f.write(GOOD.encode())
    articles, problems = read_articles(config)
    assert [a.title for a in articles] == ["ok.md"]
    assert sorted((str(p).split(": error: ")) for p in problems) == [
        ["content/articles/caf\\xe9", "the file name is not UTF-8 or carries a control character; rename it"],
        ["content/articles/self.md", "symlink loop: the link leads back to itself"],
        ["content/articles/up", "symlink loop, or a second way to a folder already read: not followed"]]


@pytest.mark.parametrize(("body", "kept", "first"), [
    ("a\ufffeb\uffffc", "abc", "noncharacter U+FFFE"),
    ("a\x85b\x9bc", "abc", "control character U+0085"),
    ("a\ufdd0b\U0001fffec", "abc", "noncharacter U+FDD0"),
])
def test_bodies_lose_characters_no_page_may_carry_with_a_warning(body: str, kept: str, first: str) -> None:
    article, problems = parse(GOOD.replace("Body text.", "Intro.\n\n" + body))
    assert article and kept in body_html(article) and kept in article.description + plain_text(body_html(article))
    assert [(p.line, p.col, p.warning) for p in problems] == [(9, 2, True)] and first in problems[0].message
