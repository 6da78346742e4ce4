"""Incremental ``build``: after any edit, the output equals a cold build's byte for byte, and
only files whose bytes changed are written (unchanged ones keep their inode and mtime)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from builder.cache import DB_NAME
from conftest import MakeSite
from helpers import EDITS, TR, edit, run, stamps, tree





def build(site: Path, out: Path, *extra: str) -> str:
    result = run("build", "--site", str(site), "--out", str(out), *extra)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout






@pytest.mark.parametrize("search", [False, True], ids=["no search", "search"])
def test_every_edit_gives_the_cold_build_byte_for_byte(make_site: MakeSite, tmp_path: Path, search: bool) -> None:
    site = make_site()
    out, cold = tmp_path / "out", tmp_path / "cold"
    flags = () if search else ("--no-search",)
    build(site, out, *flags)
    for name, change in EDITS.items():
        change(site)
        build(site, out, *flags)
        shutil.rmtree(cold, ignore_errors=True)
        build(site, cold, "--no-cache", *flags)
        assert tree(out) == tree(cold), f"after the edit '{name}'"


def folders(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()}


def test_files_no_longer_built_go_with_the_folders_they_leave_empty(make_site: MakeSite, tmp_path: Path) -> None:
    """Search switched off (its index and search pages gone) and an article deleted: the output has the
    files and folders of a cold build, no empty folder left, and the folders still in use kept."""
    site, out, cold = make_site(), tmp_path / "out", tmp_path / "cold"
    build(site, out)
    assert (out / "pagefind").is_dir()
    (site / TR).unlink()
    build(site, out, "--no-search")
    build(site, cold, "--no-search", "--no-cache")
    assert tree(out) == tree(cold)
    assert folders(out) == folders(cold)
    assert not (out / "pagefind").exists() and (out / "tr").is_dir() is (cold / "tr").is_dir()


def test_no_op_build_writes_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(), tmp_path / "out"
    build(site, out)
    before = stamps(out)
    line = build(site, out)
    assert "rendered 0, wrote 0" in line
    assert stamps(out) == before  # same inodes, same mtimes: rsync and CDNs see no change


def test_one_article_edit_rewrites_only_what_shows_it(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(), tmp_path / "out"
    build(site, out, "--no-search")
    before = stamps(out)
    EDITS["article body"](site)
    build(site, out, "--no-search")
    after = stamps(out)
    changed = {path for path in after if after[path] != before.get(path)}
    page = "en/2025/11/russia-kyrgyzstan-to-sign-key-collaboration-deals/index.html"
    assert page in changed
    # the article's own page, its language's feed, the lists and story pages showing it, the story
    # feed and the API; never another article's page or a static file
    assert all(not p.startswith("static/") for p in changed)
    other_articles = {p for p in after if p.count("/") == 4 and p != page}
    assert other_articles and not changed & other_articles
    assert len(changed) < len(after) / 2


def test_an_edit_lists_do_not_show_renders_one_page(make_site: MakeSite, tmp_path: Path) -> None:
    """A sentence past an article's first paragraph (its description) shows on its page only: no index,
    feed or sitemap is rendered again, and only its page is rewritten."""
    text = ("---\ntitle: Leitzins gesenkt\ndate: 2025-11-20\nlang: de\nsource: Beispiel-Zeitung\n---\n\n"
            "Die Zentralbank senkte den Leitzins.\n\nDie Sitzung dauerte drei Stunden.\n")  # in no story
    site, out = make_site({"content/articles/de/leitzins.md": text}), tmp_path / "out"
    build(site, out, "--no-search")
    before = stamps(out)
    edit(site, "content/articles/de/leitzins.md", lambda t: t.replace("drei Stunden", "vier Stunden"))
    assert "rendered 1, wrote 1" in build(site, out, "--no-search")
    after = stamps(out)
    assert {path for path in after if after[path] != before[path]} == {"de/2025/11/leitzins-gesenkt/index.html"}


def test_a_build_rendering_hundreds_of_pages_reads_bodies_from_the_cache(make_site: MakeSite, tmp_path: Path) -> None:
    """Articles are loaded without their bodies, which the processes rendering their pages look up: in
    a pool of workers from 256 pages on, in the build's own process below. Both give the cold build's bytes."""
    articles = {f"content/articles/en/a{i}.md": f"---\ntitle: Report {i}\ndate: 2025-01-{i % 28 + 1:02d}\nlang: en\n"
                f"source: Wire\n---\n\nParagraph one of report {i}.\n\nParagraph *two* of report {i}.\n"
                for i in range(300)}
    site, out, cold = make_site(articles, sample=False), tmp_path / "out", tmp_path / "cold"
    build(site, out, "--no-search")
    for change in (lambda t: t.replace("</body>", "<!-- v2 --></body>"),  # every page, in workers
                   lambda t: t.replace("<!-- v2 -->", "")):
        edit(site, "templates/base.html", change)
        assert re.search(r"rendered 3\d\d,", build(site, out, "--no-search"))  # 300 articles and the lists
        shutil.rmtree(cold, ignore_errors=True)
        build(site, cold, "--no-search", "--no-cache")
        assert tree(out) == tree(cold)
    edit(site, "content/articles/en/a7.md", lambda t: t.replace("Paragraph *two*", "Paragraph **two**"))
    assert "rendered 1, wrote 1" in build(site, out, "--no-search")  # its own page
    shutil.rmtree(cold)
    build(site, cold, "--no-search", "--no-cache")
    assert tree(out) == tree(cold)


def test_cache_is_safe_to_delete_or_damage(make_site: MakeSite, tmp_path: Path) -> None:
    site, out, cache = make_site(), tmp_path / "out", tmp_path / "cache"
    build(site, out, "--cache-dir", str(cache))
    expected, before = tree(out), stamps(out)
    shutil.rmtree(cache)
    build(site, out, "--cache-dir", str(cache))
    assert tree(out) == expected and stamps(out) == before  # re-rendered, found identical, not rewritten
    (cache / DB_NAME).write_bytes(b"this is not a database" * 100)
    result = run("build", "--site", str(site), "--out", str(out), "--cache-dir", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "starting a new one" in result.stderr
    assert tree(out) == expected


def test_a_changed_or_deleted_output_file_is_restored(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(), tmp_path / "out"
    build(site, out, "--no-search")
    expected = tree(out)
    (out / "index.html").write_text("hand-edited", encoding="utf-8")
    (out / "feed.xml").unlink()
    (out / "stray.html").write_text("left over", encoding="utf-8")
    build(site, out, "--no-search")
    assert tree(out) == expected


def test_failed_incremental_build_leaves_the_output_as_it_was(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(), tmp_path / "out"
    build(site, out, "--no-search")
    before, files = stamps(out), tree(out)
    EDITS["article body"](site)
    edit(site, "templates/base.html", lambda t: t.replace("</body>", "{{ no_such_variable }}</body>"))
    result = run("build", "--site", str(site), "--out", str(out), "--no-search")
    assert result.returncode == 1 and "no_such_variable" in result.stderr
    assert tree(out) == files and stamps(out) == before
    assert not [p for p in out.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]


def test_output_mtimes_survive_a_template_change_that_leaves_pages_equal(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(), tmp_path / "out"
    build(site, out, "--no-search")
    before = stamps(out)
    # a Jinja comment changes the template file but not one rendered byte
    edit(site, "templates/base.html", lambda t: t + "{# reviewed #}")
    line = build(site, out, "--no-search")
    assert "wrote 0" in line and "rendered 0" not in line
    assert stamps(out) == before
    assert os.listdir(out)


def test_a_folder_no_build_wrote_is_not_emptied(make_site: MakeSite, tmp_path: Path) -> None:
    """Files in the output folder that no build wrote are removed; so a folder that is not an earlier
    output at all (``--out ~/Documents`` by mistake) is refused, not emptied."""
    site, elsewhere = make_site(), tmp_path / "documents"
    elsewhere.mkdir()
    (elsewhere / "thesis.odt").write_bytes(b"years of work")
    result = run("build", "--site", str(site), "--out", str(elsewhere), "--no-search")
    assert result.returncode == 1 and "refusing to build into" in result.stderr
    assert [p.name for p in elsewhere.iterdir()] == ["thesis.odt"]
    # refused before the site is read: a large site's parse is not waited for, and so no article error is found
    (site / "content/articles/broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    result = run("build", "--site", str(site), "--out", str(elsewhere), "--no-search")
    assert result.returncode == 1 and "refusing to build into" in result.stderr and "broken.md" not in result.stderr
    (site / "content/articles/broken.md").unlink()
    # an earlier output whose build record is gone (the cache deleted) is still recognised
    out = tmp_path / "out"
    build(site, out, "--no-search", "--no-cache")
    (out / "stray.txt").write_text("x", encoding="utf-8")
    build(site, out, "--no-search", "--no-cache")
    assert not (out / "stray.txt").exists()


def test_a_symlink_in_the_output_folder_never_leads_a_write_outside(make_site: MakeSite, tmp_path: Path) -> None:
    site, out, elsewhere = make_site(), tmp_path / "out", tmp_path / "elsewhere"
    build(site, out, "--no-search")
    elsewhere.mkdir()
    shutil.rmtree(out / "en")
    (out / "en").symlink_to(elsewhere)  # a language folder replaced by a link to another folder
    result = run("build", "--site", str(site), "--out", str(out), "--no-search")
    assert result.returncode == 1 and "would leave the output folder" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_cache_from_another_clone_gives_the_cold_bytes(make_site: MakeSite, tmp_path: Path) -> None:
    """CI restores the cache another checkout saved (another commit, another folder): what it holds for
    other inputs is never used, so the build equals a cold one byte for byte."""
    cache = tmp_path / "cache"
    first = make_site(name="first")
    build(first, first / "public", "--cache-dir", str(cache), "--no-search")
    second = make_site(name="second")
    for name in ("article body", "article title (its URL moves)", "story file"):
        EDITS[name](second)
    build(second, second / "public", "--cache-dir", str(cache), "--no-search")
    build(second, tmp_path / "cold", "--no-cache", "--no-search")
    assert tree(second / "public") == tree(tmp_path / "cold")


def test_a_no_op_build_loads_no_renderer_and_an_edit_of_the_same_size_is_seen(make_site: MakeSite, tmp_path: Path) -> None:
    """The no-op is told from the sources' sizes and mtimes before anything is imported (output.state);
    an edit that keeps the file's size still changes its mtime, and takes the whole path."""
    site, out = make_site(), tmp_path / "out"
    for _ in range(2):  # the first may start within output.state.RACY of the files' writing, and keep no stamp
        build(site, out, "--no-search")
    quiet = run("build", "--site", str(site), "--out", str(out), "--no-search", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert "nothing changed" in quiet.stdout, quiet.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in quiet.stderr.splitlines() if line.startswith("import time")}
    assert "builder.cli" in imported and not imported & {"jinja2", "markdown", "babel", "builder.render.pages"}
    EDITS["story file"](site)  # 30 → 29: the same size
    assert "rendered 0" not in build(site, out, "--no-search")


def test_no_op_is_not_assumed_after_another_builder_wrote_the_output(make_site: MakeSite, tmp_path: Path) -> None:
    """Another builder (another version) building into the same folder with the same cache leaves another
    build record: the next build takes the whole path and puts this builder's bytes back."""
    site, out, cache = make_site(), tmp_path / "out", tmp_path / "cache"
    for _ in range(2):
        build(site, out, "--no-search", "--cache-dir", str(cache))
    expected = tree(out)
    (out / "feed.xml").write_text("another builder's feed\n", encoding="utf-8")
    stat = (out / "feed.xml").stat()
    with sqlite3.connect(cache / DB_NAME) as db:  # what that builder's build records
        db.execute("UPDATE outputs SET fingerprint = 'other', size = ?, mtime = ?, hash = 'other' WHERE path = 'feed.xml'",
                   (stat.st_size, stat.st_mtime_ns))
    assert "nothing changed" not in build(site, out, "--no-search", "--cache-dir", str(cache))
    assert tree(out) == expected
