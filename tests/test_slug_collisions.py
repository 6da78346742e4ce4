"""Identical headlines never break a build: distinct URLs, decided by each article's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.commands.build import build
from builder.errors import BuildError


def _article(title: str, day: str, source: str = "Test Wire", slug: str | None = None) -> str:
    extra = f"slug: {slug}\n" if slug else ""
    return f"---\ntitle: {title}\ndate: {day}\nlang: en\nsource: {source}\n{extra}---\nBody of {day}.\n"


def _urls(out: Path) -> set[str]:
    return {str(p.parent.relative_to(out)) for p in (out / "en" / "2025" / "11").glob("*/index.html")}


def test_two_articles_with_one_title_in_one_month_build_without_slug(make_site, tmp_path: Path) -> None:
    site = make_site({"content/articles/en/talks-begin.md": _article("Talks begin", "2025-11-20"),
                      "content/articles/en/talks-begin-wire.md": _article("Talks begin", "2025-11-21")}, sample=False)
    build(site, tmp_path / "out", search=False, use_cache=False)
    assert _urls(tmp_path / "out") == {"en/2025/11/talks-begin", "en/2025/11/talks-begin-wire"}


def test_a_third_arrival_moves_no_published_url(make_site, tmp_path: Path) -> None:
    files = {"content/articles/en/b.md": _article("Talks begin", "2025-11-20"),
             "content/articles/en/c.md": _article("Talks begin", "2025-11-21")}
    site = make_site(files, sample=False)
    build(site, tmp_path / "one", search=False, use_cache=False)
    first = _urls(tmp_path / "one")
    assert first == {"en/2025/11/talks-begin", "en/2025/11/c"}  # the earlier keeps the title's slug
    (site / "content/articles/en/a.md").write_text(_article("Talks begin", "2025-11-25"), encoding="utf-8")
    build(site, tmp_path / "two", search=False, use_cache=False)
    assert _urls(tmp_path / "two") == first | {"en/2025/11/a"}


def test_a_file_named_by_its_slug_keeps_it_against_an_earlier_arrival(make_site, tmp_path: Path) -> None:
    site = make_site({"content/articles/en/talks-begin.md": _article("Talks begin", "2025-11-20"),
                      "content/articles/en/a.md": _article("Talks begin", "2025-11-02")}, sample=False)
    build(site, tmp_path / "out", search=False, use_cache=False)
    assert _urls(tmp_path / "out") == {"en/2025/11/talks-begin", "en/2025/11/a"}


def test_file_stem_taken_falls_back_to_the_outlet(make_site, tmp_path: Path) -> None:
    site = make_site({"content/articles/en/x/talks.md": _article("Talks begin", "2025-11-20"),
                      "content/articles/en/y/talks.md": _article("Talks begin", "2025-11-21", source="Daily News"),
                      "content/articles/en/z/talks.md": _article("Talks begin", "2025-11-22", source="Daily News")},
                     sample=False)
    build(site, tmp_path / "out", search=False, use_cache=False)
    urls = _urls(tmp_path / "out")
    assert {"en/2025/11/talks-begin", "en/2025/11/talks", "en/2025/11/talks-begin-daily-news"} <= urls
    assert len(urls) == 3


def test_an_explicit_slug_that_collides_stays_an_error(make_site, tmp_path: Path) -> None:
    site = make_site({"content/articles/en/one.md": _article("One", "2025-11-20", slug="same"),
                      "content/articles/en/two.md": _article("Two", "2025-11-21", slug="same")}, sample=False)
    with pytest.raises(BuildError) as err:
        build(site, tmp_path / "out", search=False, use_cache=False)
    assert "content/articles/en/one.md, content/articles/en/two.md would all be published" in err.value.report()
