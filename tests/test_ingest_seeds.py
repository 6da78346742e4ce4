"""Acceptance: the five raw seed texts, added as they are with no options, give the sample's articles."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from builder.cli import main
from builder.read.config import read_config
from builder.read.articles import parse_article, split_front_matter

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "tests/fixtures/seeds").glob("*.txt"))  # the raw texts the sample's articles were made from


def _sample() -> dict[str, object]:
    """The sample site's articles by language (each seed is in its own language)."""
    config, _ = read_config(REPO)
    out = {}
    for path in sorted((REPO / "content/articles").rglob("*.md")):
        article, _ = parse_article(path.relative_to(REPO).as_posix(), path.read_bytes(), config)
        out[article.lang] = (article, split_front_matter(str(path), path.read_text(encoding="utf-8"))[1])
    return out


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, str, dict]]:
    """Every seed added to a copy of the sample site without its articles: language → (article, body, JSON)."""
    site = tmp_path_factory.mktemp("seeds") / "site"
    for name in ("templates", "static", "content"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    for md in (site / "content/articles").rglob("*.md"):
        md.unlink()
    config, _ = read_config(site)
    out = {}
    for seed in SEEDS:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["add", "--site", str(site), "--json", str(seed)]) == 0
        report = json.loads(buffer.getvalue())
        path = site / report["path"]
        article, problems = parse_article(report["path"], path.read_bytes(), config)
        assert article is not None, problems
        out[article.lang] = (article, split_front_matter(str(path), path.read_text(encoding="utf-8"))[1], report)
    return out


SAMPLE = _sample()


def test_every_seed_gives_an_article_in_a_language_of_the_sample(added) -> None:
    assert sorted(added) == sorted(SAMPLE)


@pytest.mark.parametrize("lang", sorted(SAMPLE))
def test_title(added, lang: str) -> None:
    assert added[lang][0].title == SAMPLE[lang][0].title


@pytest.mark.parametrize("lang", sorted(SAMPLE))
def test_date(added, lang: str) -> None:
    assert added[lang][0].date == SAMPLE[lang][0].date


@pytest.mark.parametrize("lang", sorted(SAMPLE))
def test_source(added, lang: str) -> None:
    assert added[lang][0].source == SAMPLE[lang][0].source


@pytest.mark.parametrize("lang", sorted(SAMPLE))
def test_body_keeps_the_paragraphs_and_drops_the_furniture(added, lang: str) -> None:
    def paragraphs(body: str) -> list[str]:
        return [p.strip().removeprefix("## ") for p in body.split("\n\n") if p.strip()]

    assert paragraphs(added[lang][1]) == paragraphs(SAMPLE[lang][1])


def test_confidence_and_story_are_reported(added) -> None:
    report = added["tr"][2]
    assert report["confidence"]["lang"] >= 0.9 and report["confidence"]["date"] >= 0.9
    assert report["story"] == "putin-bishkek-2025-11"
    assert added["ky"][2]["story"] is None  # a 2022 meeting in Moscow: background, no member
    assert added["en"][2]["confidence"]["date"] < 0.5 and any("guess" in w for w in added["en"][2]["warnings"])


def test_a_seed_already_on_the_site_is_reported_not_added(make_site, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    before = sorted(p.name for p in (site / "content/articles").rglob("*.md"))
    assert main(["add", "--site", str(site), str(SEEDS[0])]) == 1
    assert "already on the site: content/articles/uz/rossiya-qirgiziston-hamkorlik-paketi.md" in capsys.readouterr().err
    assert sorted(p.name for p in (site / "content/articles").rglob("*.md")) == before
