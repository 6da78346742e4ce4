"""site.yaml validation: every mistake names the key and its line, before any output work."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.read.config import load_config

BASE = """\
title:
  en: Digest
base_url: https://user.github.io/repo/
default_language: en
languages: [en, tr]
"""


def load(tmp_path: Path, text: str):
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_valid_config(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE)
    assert config and not [p for p in problems if not p.warning]
    assert config.base_path == "/repo/" and config.languages == ("en", "tr") and config.title == {"en": "Digest"}


@pytest.mark.parametrize("extra,line,words", [
    ("tittle: x\n", 6, "unknown key 'tittle', did you mean 'title'?"),
    ("basse_url: x\n", 6, "did you mean 'base_url'?"),
    ("feeds: yes\n", 6, "'feeds' must be a boolean"),
    ("words_per_minute: fast\n", 6, "'words_per_minute' must be an integer"),
    ("words_per_minute: 0\n", 6, "positive"),
    ("languages: en\n", 6, "list of strings"),
    ("summary_languages: [en, ../x]\n", 6, "not a BCP 47"),
    ("default_language: zz\n", 6, "unknown language"),
])
def test_mistakes_name_key_and_line(tmp_path: Path, extra: str, line: int, words: str) -> None:
    text = BASE + extra
    if extra.startswith(("languages:", "default_language:")):
        key = extra.split(":")[0]
        text = "\n".join(l for l in BASE.splitlines() if not l.startswith(key + ":")) + "\n" + extra
        line = len(text.splitlines())
    config, problems = load(tmp_path, text)
    assert config is None
    assert any(p.line == line and words in p.message for p in problems), [str(p) for p in problems]
    assert all(str(p).startswith("site.yaml:") for p in problems)


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + "title: [unclosed\n")
    assert config is None and (problems[0].line, problems[0].col) == (6, 8)
    assert str(problems[0]) == ("site.yaml:6:8: error: '[' opened here is never closed\n    6 | title: [unclosed\n"
                                "      |        ^\n    hint: close it on the same line, or quote the whole value")


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + "default_language: tr\n")
    assert config is None and "lines 4 and 6" in problems[0].message


def test_base_url_must_be_absolute(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE.replace("https://user.github.io/repo/", "/repo/"))
    assert config is None and problems[0].line == 3 and "absolute" in problems[0].message


def test_base_url_override_and_user_site(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(BASE, encoding="utf-8")
    config, _ = load_config(tmp_path, "https://user.github.io")
    assert config and config.base_url == "https://user.github.io/" and config.base_path == "/"


def test_missing_config(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config is None and "no site.yaml" in problems[0].message


def test_language_without_catalog_is_a_warning(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE.replace("[en, tr]", "[en, ps]"))
    assert config and any(p.warning and "'ps'" in p.message for p in problems)


@pytest.mark.parametrize(("url", "message"), [
    ("https://editor:secret@example.org/", "must not carry a user name or password"),
    ("https://editor@example.org/", "must not carry a user name or password"),
    ('https://example.org/"><script>/', "must be an absolute http(s) URL"),
    ("https://example.org/a`b/", "must be an absolute http(s) URL"),
    ("https://exa mple.org/", "must be an absolute http(s) URL"),
])
def test_base_url_that_pages_cannot_quote_is_refused_with_its_line(tmp_path: Path, url: str, message: str) -> None:
    """Every page and feed quotes base_url: a password would be published, a quote would end an attribute."""
    config, problems = load(tmp_path, BASE.replace("https://user.github.io/repo/", f"'{url}'"))
    assert config is None and problems[0].line == 3 and message in problems[0].message
    config, problems = load_config(tmp_path, url.replace("'", ""))  # the same from --base-url
    assert config is None and problems[0].path == "--base-url" and message in problems[0].message


def test_base_url_with_a_port_and_a_path_is_kept(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE.replace("https://user.github.io/repo/", "http://localhost:8000/a-b_c/~d/"))
    assert config and config.base_url == "http://localhost:8000/a-b_c/~d/", problems


@pytest.mark.parametrize("title", ["{1: x}", "{en: Digest, 2.5: y}"])
def test_title_keys_that_are_not_languages_get_their_line(tmp_path: Path, title: str) -> None:
    """``title: {1: x}`` was an internal error (an integer has no .replace)."""
    config, problems = load(tmp_path, BASE.replace("title:\n  en: Digest", f"title: {title}"))
    assert config is None and problems and all(p.line == 1 for p in problems), problems
    assert "is not a BCP 47 language code" in problems[0].message
