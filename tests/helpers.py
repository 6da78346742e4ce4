"""Helpers the test modules share: running the real CLI, comparing output folders, and the edits an
incremental build must follow (each gives the cold build's bytes)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import REPO


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m builder *args`` with this checkout's builder; ``env`` adds to the environment."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


EN = "content/articles/en/russia-kyrgyzstan-to-sign-key-collaboration-deals.md"


TR = "content/articles/tr/rusya-kirgizistan-stratejik-ortaklik.md"


STORY = "content/clusters/putin-bishkek-2025-11/story.yaml"


NEW_DE = """---
title: Putin besucht Bischkek
date: 2025-11-26
lang: de
source: Beispiel-Zeitung
---

Wladimir Putin traf Sadyr Dschaparow in Bischkek.
"""


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and mtime: what tells rsync and a CDN whether it changed."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def edit(site: Path, rel: str, change: Callable[[str], str]) -> None:
    path = site / rel
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "article body": lambda s: edit(s, EN, lambda t: t.replace("comprehensive", "wide-ranging", 1)),
    # what lists show of an article: its outlet (indexes), its tags (feeds), its date (the order of every list)
    "article source": lambda s: edit(s, EN, lambda t: t.replace("source: EIN Presswire", "source: EIN Newswire", 1)),
    "article tags": lambda s: edit(s, EN, lambda t: t.replace("---\n", "---\ntags: [energy, trade]\n", 1)),
    "article re-dated": lambda s: edit(s, EN, lambda t: t.replace("date: 2025-11-26", "date: 2025-11-24", 1)),
    "article title (its URL moves)": lambda s: edit(s, TR, lambda t: t.replace('title: "', 'title: "Son dakika: ', 1)),
    "article added in a new language": lambda s: (s / "content/articles/de").mkdir() or
    (s / "content/articles/de/putin-bischkek.md").write_text(NEW_DE, encoding="utf-8"),
    # the same bytes under another name: parses are kept by path and bytes, never shared between two files
    "article copied to a second file": lambda s: shutil.copyfile(s / EN, s / "content/articles/en/copy-of-the-report.md"),
    "article deleted": lambda s: (s / TR).unlink(),
    "template": lambda s: edit(s, "templates/base.html", lambda t: t.replace("</body>", "<!-- v2 --></body>")),
    "story file": lambda s: edit(s, STORY, lambda t: t.replace("end: 2025-11-30", "end: 2025-11-29")),
    "site.yaml": lambda s: edit(s, "site.yaml", lambda t: t + "latest_count: 3\n"),
    "static file": lambda s: edit(s, "static/style.css", lambda t: t + "\n/* v2 */\n"),
}
