"""The benchmark corpus as a site: ../shared/bench/make_corpus.py's articles plus a site.yaml.

A generated corpus is reused while its marker file says it came from the same
script and size: generating 50,000 articles takes minutes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCRIPT = REPO.parent / "shared" / "bench" / "make_corpus.py"
MARKER = ".bench-corpus.json"
FORMAT = 1  # bump when corpus_site changes what it writes, so older corpora are regenerated
PROGRESS_EVERY = 10.0  # seconds between two progress lines while generating
SITE_YAML = """\
title:
  en: Benchmark Digest
base_url: https://bench.example/news-digest/
default_language: en
languages: [en, tr, uz, ky, vi]
allow_future: true
"""


def corpus_site(work: Path, n: int, script: Path = DEFAULT_SCRIPT, search: bool = False,
                say: Callable[[str], None] = lambda line: None) -> Path:
    """The generator's corpus with a site.yaml and no templates/ of its own, generated or reused.

    ``search=False`` writes ``search: false`` into site.yaml (for ``serve``, which has no ``--no-search``).
    """
    site = work / f"corpus-{n}"
    stamp = {"n": n, "script": hashlib.sha256(script.read_bytes()).hexdigest(), "format": FORMAT}
    marker = site / MARKER
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == stamp:
        say(f"reusing the {n}-article corpus in {site}")
    else:
        _generate(site, n, script, say)
        marker.write_text(json.dumps(stamp), encoding="utf-8")
    add_sample_story(site)
    text = SITE_YAML + ("" if search else "search: false\n")
    if not (site / "site.yaml").is_file() or (site / "site.yaml").read_text(encoding="utf-8") != text:
        (site / "site.yaml").write_text(text, encoding="utf-8")
    return site


STORY_FILES = ("content/clusters", "content/entities.yaml")


def add_sample_story(site: Path) -> None:
    """The sample site's story, its entity table and its articles, as a real digest has stories: the
    corpus's articles name the story's people, so thousands become its background (digest only: the peers
    have no stories)."""
    for name in STORY_FILES:
        source, target = REPO / name, site / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    for article in (REPO / "content" / "articles").glob("*/*.md"):
        target = site / "content" / "articles" / article.relative_to(REPO / "content" / "articles")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(article, target)


def story_articles(site: Path) -> tuple[list[str], str]:
    """The sample's articles in the corpus (``<lang>/<file>.md``, story members and background) and the
    story's English summary file."""
    names = sorted(p.relative_to(REPO / "content" / "articles").as_posix() for p in (REPO / "content" / "articles").glob("*/*.md"))
    (summary,) = sorted((site / "content" / "clusters").glob("*/summary.en.md"))
    return names, summary.relative_to(site).as_posix()


def _generate(site: Path, n: int, script: Path, say: Callable[[str], None]) -> None:
    """Run the generator with a progress line now and then, then give every article a slug of its own."""
    started = time.perf_counter()
    say(f"generating {n} articles (with their Hugo and Pelican copies) into {site} …")
    done = threading.Event()

    def progress() -> None:
        articles = site / "content" / "articles"
        while not done.wait(PROGRESS_EVERY):
            count = sum(1 for folder in articles.glob("*") for _ in folder.glob("*.md"))
            say(f"  {count} of {n} articles after {time.perf_counter() - started:.0f} s")

    reporter = threading.Thread(target=progress, daemon=True)
    reporter.start()
    try:
        subprocess.run([sys.executable, str(script), "--n", str(n), "--out", str(site)], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        done.set()
        reporter.join()
    # Its titles repeat (4 pairs in 10,000 share a month and a title, which `build` rightly refuses as one URL):
    # name each page after its file.
    for path in (site / "content" / "articles").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\nslug: {path.stem}\n", 1), encoding="utf-8")
    say(f"generated {n} articles in {time.perf_counter() - started:.1f} s")


def article_names(site: Path) -> list[str]:
    """``<lang>/<file>.md`` of every article, sorted: the same names in the Hugo and Pelican copies."""
    articles = site / "content" / "articles"
    return sorted(path.relative_to(articles).as_posix() for path in articles.glob("*/*.md"))


def edit_sentence(text: str, mark: str) -> str:
    """``text`` with the first sentence of its body replaced; the body follows the header's first blank line.

    The same edit for our front matter, Hugo's and Pelican's ``Key: value`` header.
    """
    head, blank, body = text.partition("\n\n")
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line and line[0] not in "#->":  # a paragraph, not a heading, list or quote
            end = line.find(". ")
            lines[i] = f"Benchmark edit {mark}." + (line[end + 1:] if end >= 0 else "")
            return head + blank + "\n".join(lines)
    raise ValueError("no paragraph to edit")
