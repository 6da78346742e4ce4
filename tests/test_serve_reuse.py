"""What ``serve`` does again on a save, counted: a save re-plans the site, but reuses what its edit leaves be.

On a 10,000-article site almost every article is a story's background. Saving one must not re-render the
story's pages (they show the nearest background articles and a count of the rest), compare the story's
members pair by pair again, or add up the inputs of every one of the site's outputs again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from builder.commands import build
from builder.commands.build import STEPS, load_site
from builder.commands.incremental import Incremental
from builder.output import fingerprint
from builder.render.pages import plan_site
from builder.render.stories import shown_background
from builder.stories import copies
from helpers import EN, STORY, edit
from test_incremental_story import STORY_ID, fingerprints, story_site  # noqa: F401 - a fixture

BACKGROUND_EDIT = "content/articles/en/bg/talks-5.md"


def add_sentence(site: Path, rel: str) -> None:
    edit(site, rel, lambda t: t + "\nA later note.\n")


def test_a_background_article_the_story_page_does_not_show_leaves_the_page_be(story_site: Path) -> None:  # noqa: F811
    loaded, _ = load_site(story_site)
    (story,) = loaded.stories
    shown = {d.article for d in shown_background(story)}
    assert BACKGROUND_EDIT in {d.article for d in story.background} - shown, "the fixture changed"
    before = fingerprints(story_site)
    add_sentence(story_site, BACKGROUND_EDIT)
    after = fingerprints(story_site)
    changed = {path for path in after if before[path] != after[path]}
    assert any(path.endswith("talks-in-bishkek-part-5/index.html") for path in changed)  # its own page
    assert not {path for path in changed if path.startswith(f"stories/{STORY_ID}/") and "/background/" not in path}
    # a shown one is on the page: its outlet's edit re-renders it
    edit(story_site, next(p for p in sorted(shown) if "/bg/" in p), lambda t: t.replace("source: ", "source: The ", 1))
    page = f"stories/{STORY_ID}/index.html"
    assert fingerprints(story_site)[page] != after[page]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Calls of the work a save should mostly skip: adding up an output's inputs, grouping a story's reports."""
    calls = {"fingerprints": 0, "reports": 0}
    add_up, group = fingerprint.Fingerprints.of, copies.one_reports

    def of(self: fingerprint.Fingerprints, job: object) -> str:
        calls["fingerprints"] += 1
        return add_up(self, job)  # type: ignore[arg-type]

    def one_reports(*args: object, **kwargs: object) -> object:
        calls["reports"] += 1
        return group(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fingerprint.Fingerprints, "of", of)
    monkeypatch.setattr(copies, "one_reports", one_reports)
    return calls


def test_a_save_adds_up_only_the_changed_outputs_inputs(story_site: Path, tmp_path: Path,  # noqa: F811
                                                        counted: dict[str, int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    preview = Incremental(story_site, (tmp_path / "out").resolve())
    total = preview.rebuild().total
    assert counted["fingerprints"] == total  # (the reports may be this process's from an earlier test's build)
    for rel, reports in ((BACKGROUND_EDIT, 0), (EN, 1)):  # only a member's edit changes what is compared
        counted.update(fingerprints=0, reports=0)
        add_sentence(story_site, rel)
        report = preview.rebuild([rel])
        assert 0 < report.rendered <= counted["fingerprints"] < 60 < total, (rel, counted)
        assert counted["reports"] == reports, rel
    # what was reused is what a fresh plan works out
    loaded, _ = load_site(story_site)
    _, jobs = plan_site(loaded, STEPS)
    fresh = fingerprint.Fingerprints(loaded)
    assert preview.fingerprints is not None
    assert {path: made[1] for path, made in preview.fingerprints.made.items()} == {job.path: fresh.of(job) for job in jobs}


def test_a_save_leaving_articles_and_stories_be_weighs_no_candidate_again(story_site: Path, tmp_path: Path,  # noqa: F811
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A template edit reuses the stories of the last load; an edit of a story's file or an article does not."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls = []
    cluster = build.cluster_articles
    monkeypatch.setattr(build, "cluster_articles", lambda *args: calls.append(1) or cluster(*args))
    preview = Incremental(story_site, (tmp_path / "out").resolve())
    preview.rebuild()
    edit(story_site, "templates/story.html", lambda t: t.replace('<section class="summaries"', '<p>Edited.</p><section class="summaries"', 1))
    report = preview.rebuild(["templates/story.html"])
    assert len(calls) == 1 and report.written >= 6, report  # the story's pages in each interface language
    assert "<p>Edited.</p>" in (tmp_path / "out" / "stories" / STORY_ID / "index.html").read_text(encoding="utf-8")
    edit(story_site, STORY, lambda t: t.replace("end: 2025-11-30", "end: 2025-11-29"))
    preview.rebuild([STORY])
    add_sentence(story_site, BACKGROUND_EDIT)
    preview.rebuild([BACKGROUND_EDIT])
    assert len(calls) == 3


def test_saves_rebuilt_on_other_threads_than_the_first(story_site: Path, tmp_path: Path,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The server rebuilds on whichever worker thread is free (one at a time): what it keeps between saves
    (its in-memory store) must serve every thread."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    preview = Incremental(story_site, (tmp_path / "out").resolve())
    preview.rebuild()
    with ThreadPoolExecutor(1) as pool:  # its thread lives on: the saves alternate between two threads
        for save in (preview.rebuild, lambda keys: pool.submit(preview.rebuild, keys).result()) * 2:
            add_sentence(story_site, BACKGROUND_EDIT)
            assert save([BACKGROUND_EDIT]).written >= 1
