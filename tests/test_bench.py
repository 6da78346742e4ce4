"""bench/bench.py end to end on a tiny corpus, so it keeps working while the builder's flags and output change."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

from builder.parallel import cores

CORPUS_SCRIPT = REPO.parent / "shared" / "bench" / "make_corpus.py"


def run_bench(*args: str) -> str:
    done = subprocess.run([sys.executable, "bench/bench.py", "--sizes", "30", "--runs", "1", "--no-peers", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_bench_measures_every_mode_and_leaves_the_corpus_as_it_was(tmp_path):
    if not CORPUS_SCRIPT.is_file():
        pytest.skip(f"the benchmark corpus generator is not here ({CORPUS_SCRIPT})")
    work = tmp_path / "work"
    first = run_bench("--work", str(work), "--keep")
    summary = first.split("files written / unchanged")[1]  # the table, after its header
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\s+30\s+digest\s+(\S+)\s.*$", summary, re.MULTILINE)}
    scaled = cores() > 1 and shutil.which("taskset") is not None  # cold on fewer cores, for the scaling line
    assert set(rows) == {"cold", "warm", "no-op", "edit", "member", "background", "summary", "cold+search",
                         *(["cold,"] if scaled else [])}
    assert ("30 articles, cold on 1 to" in first) == scaled
    written, unchanged = map(int, re.findall(r"(\d+) / (\d+)", rows["cold"])[-1])  # the last column
    assert written > 30 and unchanged == 0  # every page of a cold build is new
    assert re.search(r"\(\d+ differ\)", rows["edit"])
    assert "search indexing:" in first
    targets = first.split("Targets:")[1].strip().splitlines()
    assert len(targets) == 8 and all(re.search(r": (MET|NOT MET|not measured) ", t) for t in targets)

    site = work / "corpus-30"
    assert not [p for p in site.rglob("*.md") if "Benchmark edit" in p.read_text(encoding="utf-8")]
    assert "benchmark: warm build" not in (site / "templates" / "base.html").read_text(encoding="utf-8")

    # A killed run leaves its edits and the originals in the journal: the next run puts them back.
    article = next((site / "content" / "articles").rglob("*.md"))
    original = article.read_bytes()
    (site / ".bench-edits" / article.relative_to(site)).parent.mkdir(parents=True)
    (site / ".bench-edits" / article.relative_to(site)).write_bytes(original)
    article.write_text("left by a killed run", encoding="utf-8")
    second = run_bench("--work", str(work), "--keep")
    assert "reusing the 30-article corpus" in second
    assert article.read_bytes() == original and not (site / ".bench-edits").exists()

    run_bench("--work", str(work))
    assert not work.exists()  # without --keep, the work folder goes
