"""``digest check``: the build's problems plus broken links, as a subprocess, with nothing written anywhere."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from conftest import MakeSite
from helpers import run

ARTICLE = "---\ntitle: Links\ndate: 2025-11-20\nlang: en\nsource: Wire\n---\n"
SUMMARY = "content/clusters/putin-bishkek-2025-11/summary.en.md"


def check(site: Path, *extra: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``digest check``; ``home``: where a cache would go (it must stay empty)."""
    return run("check", "--site", str(site), *extra,
               env={"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")} if home else None)


def at(file: Path, needle: str) -> str:
    """``path:line:col`` of the first occurrence of ``needle`` in a site file."""
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            site = next(p for p in file.parents if (p / "site.yaml").is_file())
            return f"{file.relative_to(site).as_posix()}:{number}:{line.index(needle) + 1}"
    raise AssertionError(f"{needle} not in {file}")


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under ``folder``: modification time, size and a hash of the bytes."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size,
                                               hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "")
            for p in sorted(folder.rglob("*"))} | {".": (folder.stat().st_mtime_ns, 0, "")}


def test_check_writes_nothing_and_sums_up(make_site: MakeSite, sample_build: Path, tmp_path: Path) -> None:
    site = make_site()
    home = tmp_path / "home"
    home.mkdir()
    before, around = snapshot(site), sorted(p.name for p in site.parent.iterdir())
    result = check(site, home=home)
    assert result.returncode == 0, result.stderr
    pages, links = map(int, re.fullmatch(r"checked (\d+) pages, (\d+) links: no problems\n", result.stdout).groups())
    assert pages == len(list(sample_build.rglob("*.html"))) and links > 10 * pages
    assert snapshot(site) == before and sorted(p.name for p in site.parent.iterdir()) == around
    assert not (site / "public").exists() and not list(home.iterdir())


@pytest.mark.parametrize("command", ["check", "build"])
def test_broken_links_are_reported_where_they_are_written(make_site: MakeSite, sample_build: Path, tmp_path: Path,
                                                          command: str) -> None:
    """``build`` (strict: an article's broken link is an error, as in ``check``) finds the same ones, though the
    process rendering each page keeps only the links it cannot vouch for alone (links.unvouched)."""
    body = ("## Background\n\nSee [a page that is not there](/news-digest/en/2025/11/nope/) and\n"
            "[a missing heading](#no-such-heading), [no base path](/en/), [elsewhere](../../../#nope).\n\n"
            "Fine: [this heading](#background), [a relative link](../../../../tr/), "
            "[absolute](https://newsdigest.github.io/news-digest/en/), [the feed](/news-digest/feed.xml), "
            "[elsewhere](https://example.com/x), [mail](mailto:desk@example.com).\n")
    site = make_site({"content/articles/en/links.md": ARTICLE.replace("Wire", "Kabar") + body})  # in the registry
    summary = site / SUMMARY
    summary.write_text(summary.read_text(encoding="utf-8") + "\n[Earlier coverage](../earlier/)\n", encoding="utf-8")
    base = site / "templates/base.html"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("</footer>", '<a href="/news-digest/about/">About</a></footer>'), encoding="utf-8")
    pages = len(list(sample_build.rglob("*.html"))) + 1  # the sample's pages and the new article's
    result = check(site) if command == "check" else \
        run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--strict", "--no-search",
            "--cache-dir", str(tmp_path / "cache"))
    assert result.returncode == 1 and f"{command.title()} failed with 6 errors:" in result.stderr, result.stderr
    article = "content/articles/en/links.md"
    if command == "build":  # built with no search: none of the search pages check counts
        pages -= len(list(sample_build.glob("*/search/index.html")))
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
        f"{at(site / article, '/news-digest/en/2025/11/nope/')}: error: broken link '/news-digest/en/2025/11/nope/': "
        "no such page or file in the site",
        f"{at(site / article, '#no-such')}: error: broken link '#no-such-heading': no element with id 'no-such-heading' "
        "on this page",
        f"{at(site / article, '/en/)')}: error: broken link '/en/': outside the site's path /news-digest/; "
        "did you mean /news-digest/en/?",
        f"{at(site / article, '../../../#nope')}: error: broken link '../../../#nope': no element with id 'nope' on "
        "/news-digest/en/",
        f"{at(summary, '../earlier/')}: error: broken link '../earlier/': no such page or file in the site",
        f"{at(base, '/news-digest/about/')}: error: broken link '/news-digest/about/': no such page or file in the site "
        f"(on /news-digest/ and {pages - 1} other pages)",
    ]
    assert "Traceback" not in result.stderr


def test_check_reports_what_a_build_would(make_site: MakeSite) -> None:
    site = make_site({"content/articles/en/bad.md": ARTICLE.replace("2025-11-20", "2025-02-30")})
    result = check(site)
    assert result.returncode == 1 and "content/articles/en/bad.md:3:7: error: '2025-02-30' is not a real date" in result.stderr
    (site / "content/articles/en/bad.md").write_text(ARTICLE.replace("source:", "sorce: x\nsource:"), encoding="utf-8")
    result = check(site)
    assert result.returncode == 0 and "warning: unknown key 'sorce', did you mean 'source'?" in result.stderr
    assert check(site, "--strict").returncode == 1


def test_check_follows_base_url(make_site: MakeSite) -> None:
    site = make_site()
    result = check(site, "--base-url", "https://example.org/")
    assert result.returncode == 0 and result.stdout.endswith("links: no problems\n"), result.stderr
