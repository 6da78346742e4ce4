"""Story edits rebuild only what shows the change, and ``serve`` leaves the record ``build`` starts from.

A page depends on what it shows of a story: a background article's page and the indexes show its
title and link (``story:<id>``), so a sentence added to a member re-renders neither them nor the other
members' pages; the story's own pages, feed and API show the rest.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.commands.build import STEPS, load_site
from builder.commands.incremental import Incremental
from builder.output.fingerprint import Fingerprints
from builder.render.pages import plan_site
from builder.render.story_lists import LIST_PAGE
from conftest import MakeSite
from helpers import run, tree
from helpers import EN, STORY, edit

BACKGROUND = 200
STORY_ID = "putin-bishkek-2025-11"
SUMMARY = "content/clusters/putin-bishkek-2025-11/summary.en.md"


def background_article(i: int) -> str:
    """Earlier reporting that names the story's people: background to it, not a member (out of its window)."""
    return (f"---\ntitle: Talks in Bishkek, part {i}\ndate: 2025-{i % 9 + 1:02d}-{i % 27 + 1:02d}\nlang: en\n"
            f"source: Wire {i % 7}\n---\n\nVladimir Putin and Sadyr Japarov met in Bishkek for round {i}.\n\n"
            f"Officials of the CSTO attended session {i}.\n")


@pytest.fixture
def story_site(make_site: MakeSite) -> Path:
    return make_site({f"content/articles/en/bg/talks-{i}.md": background_article(i) for i in range(BACKGROUND)})


EDITS: dict[str, Callable[[Path], None]] = {
    "member sentence": lambda s: edit(s, EN, lambda t: t + "\nOne more sentence on the visit.\n"),
    "background sentence": lambda s: edit(s, "content/articles/en/bg/talks-5.md",
                                          lambda t: t + "\nA later note on round 5.\n"),
    "summary": lambda s: edit(s, SUMMARY, lambda t: t + "\nA sentence added to the summary.\n"),
    "story title": lambda s: edit(s, STORY, lambda t: t.replace("en: Putin in Bishkek, Nov 2025",
                                                                   "en: Putin in Bishkek, November 2025")),
}


def build(site: Path, out: Path, cache: Path | None) -> int:
    """Build without search (Pagefind is not what is measured); return the number of outputs rendered."""
    result = run("build", "--site", str(site), "--out", str(out), "--no-search",
                 *(("--cache-dir", str(cache)) if cache else ("--no-cache",)))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    found = re.search(r"rendered (\d+)", result.stdout)
    assert found, result.stdout
    return int(found.group(1))


def background_pages(out: Path) -> list[Path]:
    return sorted(out.glob("en/*/*/talks-in-bishkek-part-*/index.html"))


def test_a_story_edit_renders_only_what_shows_it_and_gives_the_cold_bytes(story_site: Path, tmp_path: Path) -> None:
    out, cold, cache = tmp_path / "out", tmp_path / "cold", tmp_path / "cache"
    total = build(story_site, out, cache)
    pages = background_pages(out)
    assert len(pages) >= BACKGROUND // 2, "the fixture's articles are not the story's background"
    assert all("putin-bishkek-2025-11" in p.read_text(encoding="utf-8") for p in pages)
    rendered = {}
    for name, change in EDITS.items():
        change(story_site)
        rendered[name] = build(story_site, out, cache)
        shutil.rmtree(cold, ignore_errors=True)
        build(story_site, cold, None)
        assert tree(out) == tree(cold), f"after the edit '{name}'"
    # the member's page, the story's pages and the front pages showing its card (one each per interface
    # language: the card shows coverage and the headline figure), its feed, the API, the feeds listing the
    # member: never the background's pages nor the other members'
    assert rendered["member sentence"] < 40 < len(pages), rendered
    assert rendered["background sentence"] < 40, rendered
    assert rendered["summary"] < 40, rendered
    # the title shows on every background page and index: they are all rendered again
    assert len(pages) < rendered["story title"] < total, rendered


def test_the_build_after_a_preview_renders_nothing(story_site: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` keeps the build record in the same cache as ``build``: the build that follows a preview is a no-op."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))  # where both look by default
    site = story_site
    edit(site, "site.yaml", lambda t: t.replace("search: true", "search: false"))
    preview = Incremental(site, out.resolve())
    preview.rebuild()
    EDITS["member sentence"](site)
    report = preview.rebuild([EN])
    assert 0 < report.rendered < 40
    result = run("build", "--site", str(site), "--out", str(out), env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 0, result.stderr
    assert "rendered 0, wrote 0" in result.stdout, result.stdout


def fingerprints(site: Path) -> dict[str, str]:
    """Each output's fingerprint: what a build compares to decide what to render again."""
    loaded, _ = load_site(site)
    _, jobs = plan_site(loaded, STEPS)
    prints = Fingerprints(loaded)
    return {job.path: prints.of(job) for job in jobs}


def test_a_background_title_edit_renders_the_one_list_page_showing_it(story_site: Path) -> None:
    """The story's complete background list is numbered pages, each depending on the articles it shows:
    a retitled article re-renders its own page of the list (in each interface language), not the others."""
    before = fingerprints(story_site)
    lists = {path for path in before if "/background/" in path and path.startswith("stories/")}
    files = {path for path in before if "/background/" in path and path.startswith("api/")}
    assert len(lists) == 6 * len(files) == 6 * math.ceil((BACKGROUND + 1) / LIST_PAGE)  # and the sample's one
    edit(story_site, "content/articles/en/bg/talks-5.md",
         lambda t: t.replace("title: Talks in Bishkek, part 5", "title: Talks in Bishkek, fifth round"))
    after = fingerprints(story_site)
    changed = {path for path in after if before.get(path) != after[path]}
    assert len(changed & lists) == 6 and len({path.split("/background/")[1] for path in changed & lists}) == 1
    assert len(changed & files) == 1
    assert f"api/stories/{STORY_ID}.json" in changed and "index.html" not in changed  # the home page shows no background
