"""Whole-process build time of ``digest build`` on generated corpora, beside Hugo and Pelican when installed.

The corpus comes from ../shared/bench/make_corpus.py, which exports the same
articles for Hugo and Pelican, so the peers do the same work in the same run.

    .venv/bin/python bench/bench.py [--sizes 1000 10000] [--runs 3] [--search]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_SCRIPT, corpus_site  # noqa: E402


def timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peers(site: Path, out: Path) -> dict[str, list[str]]:
    """The peer generators installed here, as commands building the corpus's own export of the same articles."""
    found = {}
    if shutil.which("hugo") and (site / "hugo").is_dir():
        found["hugo"] = ["hugo", "--quiet", "--source", str(site / "hugo"), "--destination", str(out / "hugo")]
    if shutil.which("pelican") and (site / "pelican").is_dir():
        found["pelican"] = ["pelican", str(site / "pelican" / "content"), "-s", str(site / "pelican" / "pelicanconf.py"),
                            "-o", str(out / "pelican"), "-q"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=1, help="runs per tool and size; the median is reported")
    parser.add_argument("--search", action="store_true", help="include the Pagefind index")
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        for n in args.sizes:
            site = corpus_site(work, n, args.corpus_script)
            digest = [sys.executable, "-m", "builder", "build", "--site", str(site), "--out", str(work / "out")]
            tools = {"digest": digest + ([] if args.search else ["--no-search"]), **peers(site, work)}
            for name, command in tools.items():
                times = [timed(command) for _ in range(args.runs)]
                print(f"{n:>6} articles  {name:<8} median {statistics.median(times):6.1f} s  "
                      f"(runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
