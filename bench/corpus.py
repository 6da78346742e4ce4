"""The benchmark corpus as a site: ../shared/bench/make_corpus.py's articles plus a site.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCRIPT = REPO.parent / "shared" / "bench" / "make_corpus.py"
SITE_YAML = """\
title:
  en: Benchmark Digest
base_url: https://bench.example/news-digest/
default_language: en
languages: [en, tr, uz, ky, vi]
allow_future: true
search: false
"""


def corpus_site(work: Path, n: int, script: Path = DEFAULT_SCRIPT) -> Path:
    """The generator's corpus with a site.yaml and the builder's own theme (no templates/ of its own)."""
    site = work / f"corpus-{n}"
    subprocess.run([sys.executable, str(script), "--n", str(n), "--out", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    # Its titles repeat (4 pairs in 10,000 share a month and a title, which `build` rightly refuses as one URL):
    # name each page after its file.
    for path in (site / "content" / "articles").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\nslug: {path.stem}\n", 1), encoding="utf-8")
    return site
