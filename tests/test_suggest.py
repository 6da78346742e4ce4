"""``digest suggest``: one event in three languages and scripts is one proposal; two events of one week and
country stay apart; proposals are written as story files the site builds with; the labelled set's heldout
part never gets articles of different events proposed together."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import labelled
import pytest
import yaml
from conftest import REPO, write_site

from builder.cli import main
from builder.commands.build import load_site
from builder.read.folder import read_articles
from builder.read.config import load_config
from builder.read.entities import read_entities
from builder.stories.names import skeleton
from builder.stories.suggest import suggest

FIXTURES = REPO / "tests" / "fixtures" / "suggest"
FERRY = {"content/articles/el/ferry.md", "content/articles/ar/ferry.md", "content/articles/ja/ferry.md"}
VOLCANO = {"content/articles/en/volcano.md", "content/articles/de/volcano.md"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = {f"content/articles/{name.split('-')[0]}/{name.split('-')[1]}": (FIXTURES / name).read_text("utf-8")
             for name in ("el-ferry.md", "ar-ferry.md", "ja-ferry.md", "en-volcano.md", "de-volcano.md")}
    files["content/entities.yaml"] = (FIXTURES / "entities.yaml").read_text("utf-8")
    return write_site(tmp_path / "site", files, sample=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["suggest", *args]) == 0
    return capsys.readouterr().out


def test_skeletons_meet_across_scripts() -> None:
    assert {skeleton(w) for w in ("Japarov", "Жапаров", "جباروف", "ジャパロフ", "자파로프", "Τζαπάροφ")} == {"jbrb"}
    assert skeleton("Pratama") == skeleton("براتاما") == skeleton("プラタマ") != skeleton("Prabowo")


def test_one_event_in_three_scripts_is_one_proposal_and_another_event_stays_apart(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "--site", str(site), "--json"))
    groups = [{m["path"] for m in s["members"]} for s in data["suggestions"]]
    assert FERRY in groups and VOLCANO in groups  # same week, same country, same president: two events
    ferry = data["suggestions"][groups.index(FERRY)]
    assert set(ferry) == {"id", "title", "window", "entities", "members", "confidence"}
    assert set(ferry["title"]) == {"el", "ar", "ja"}
    assert ferry["window"] == {"start": "2025-07-04", "end": "2025-07-04"}
    assert ferry["id"].endswith("-2025-07") and "pratama" in ferry["id"]
    assert all("18" in m["evidence"] for m in ferry["members"])  # the death toll joins them
    prabowo = next(e for e in ferry["entities"] if e["name"] == "Prabowo Subianto")
    assert prabowo["known"] and prabowo["new_spellings"] == ["プラボウォ"]
    assert 0 < ferry["confidence"] <= 1


def test_write_creates_a_story_the_site_builds_with_and_never_overwrites(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [s["id"] for s in json.loads(run(capsys, "--site", str(site), "--json"))["suggestions"]]
    ferry_id = next(i for i in ids if "pratama" in i)
    mine = site / "content" / "clusters" / ferry_id / "summary.en.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine\n", "utf-8")
    assert "exists (nothing is overwritten)" in run(capsys, "--site", str(site), "--write")
    assert mine.read_text("utf-8") == "mine\n" and not (mine.parent / "story.yaml").exists()
    mine.unlink()
    out = run(capsys, "--site", str(site), "--write")
    story = mine.parent / "story.yaml"
    written = yaml.safe_load(story.read_text("utf-8"))
    assert set(written["entities"]) == {"Prabowo Subianto", "Indonesia"}  # only the table's entities
    assert written["include"] == sorted(FERRY)
    assert set(written["title"]) == {"el", "ar", "ja"} and str(written["window"]["start"]) == "2025-07-04"
    assert sorted(p.name for p in story.parent.iterdir()) == ["story.yaml", "summary.en.md", "summary.ru.md"]
    assert "Pratama:" in out and "kind: person" in out  # new names are printed for the table, not written
    assert (site / "content" / "entities.yaml").read_text("utf-8") == (FIXTURES / "entities.yaml").read_text("utf-8")
    built, _ = load_site(site)
    assert {d.article for s in built.stories for d in s.members} >= FERRY


def test_no_heldout_proposal_mixes_events(tmp_path: Path) -> None:
    """Every labelled event as if its story file were removed: no proposal holds two heldout articles of
    different events (or two of none), and most heldout events are proposed."""
    root = labelled.labelled_site(tmp_path / "site")
    shutil.rmtree(root / "content" / "clusters")
    config, _ = load_config(root)
    articles, _ = read_articles(config)
    groups = {s.id: {a.path for a, _ in s.members} for s in suggest(articles, read_entities(root)[0])}
    truth, rows = labelled.labels(), labelled.split()
    heldout = {p for p, e in rows.items() if e.split == "heldout"}
    assert labelled.mixed(groups, truth, heldout) == []
    events = {truth[p] for p in heldout} - {"none"}
    assert len(labelled.recovered(groups, truth, heldout)) >= len(events) - 2
