"""Edit-to-reloaded-page latency of ``digest serve``, in headless chromium, on the sample site and a big one.

For each edit: the time the Markdown file is saved, and the time the browser had
the new page (its DOMContentLoaded, read from the page's own performance
timeline, on the same clock), so polling by this script adds nothing to the
figure. Reports median and 95th percentile, the server's own rebuild lines (with
where the time went: load, plan, render, write) and the initial full build.

    .venv/bin/python bench/bench_serve.py [--n 10000] [--edits 30] [--corpus-script PATH]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from conftest import CHROMIUM_ARGS  # noqa: E402
from corpus import corpus_site  # noqa: E402
from test_serve import Served  # noqa: E402

def sample_site(work: Path) -> Path:
    site = work / "sample"
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    return site


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(site: Path, work: Path, edits: int, chromium: str) -> list[dict[str, object]]:
    """Save-to-browser latency of ``edits`` edits of the site's middle article and, when the site holds the
    sample's story, of the story's English member (whose edit reaches the story's pages too)."""
    from playwright.sync_api import Error, sync_playwright

    from builder.commands.build import load_site

    started = time.time()
    served = Served(site, work / f"out-{site.name}", start_timeout=1800)
    startup = time.time() - started
    loaded, _ = load_site(site)
    articles = [sorted(loaded.articles, key=lambda a: a.path)[len(loaded.articles) // 2]]
    by_path = {a.path: a for a in loaded.articles}
    members = [by_path[d.article] for s in loaded.stories for d in s.members]
    articles += [a for a in members if a.lang == "en" and a not in articles][:1]
    del loaded
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for article in articles:
                role = "story member" if article in members else "article"
                latencies = _edits(page, served, site / article.path, article.page_path, edits, Error)
                full = next(line for line in served.lines if line.startswith("full build"))
                rebuilds = [line for line in served.rebuilds() if article.path in line]
                server_ms = [float(m.group(1)) for line in rebuilds if (m := re.search(r" in (\d+) ms", line))]
                results.append({"site": f"{site.name}, {role}", "startup_s": startup, "full_build": full,
                                "latencies": latencies, "rebuild_ms": server_ms,
                                "sample_rebuild": rebuilds[len(rebuilds) // 2] if rebuilds else ""})
            browser.close()
    finally:
        served.stop()
    return results


def _edits(page: Any, served: Served, path: Path, page_path: str, edits: int, error: type[Exception]) -> list[float]:
    """Seconds from each save of ``path`` to the browser's DOMContentLoaded of the page showing it."""
    original = path.read_text(encoding="utf-8")
    latencies: list[float] = []
    page.goto(f"http://127.0.0.1:{served.port}/news-digest/{page_path}")
    page.wait_for_function("() => window.LiveReload !== undefined", timeout=30_000)
    try:
        for i in range(edits):
            marker = f"bench-marker-{i:04d}"
            time.sleep(0.3)  # let the previous reload settle
            saved = time.time()
            path.write_text(original.replace("\n---\n", f"\n---\n{marker}\n\n", 1), encoding="utf-8")
            # Wait for the browser's own navigation events rather than polling it: polling every few
            # milliseconds costs CPU the server needs on a 2-core machine and inflates the figure.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    page.wait_for_event("domcontentloaded", timeout=60_000)
                    at = page.evaluate(
                        "m => document.body && document.body.innerText.includes(m) ? performance.timeOrigin"
                        " + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd : 0", marker)
                except error:  # the page is being replaced by the reload
                    at = 0
                if at:
                    latencies.append(at / 1000 - saved)
                    break
            else:
                raise SystemExit(f"edit {i} never reached the browser; server said:\n" + "\n".join(served.lines[-5:]))
    finally:
        path.write_text(original, encoding="utf-8")
    return latencies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000, help="articles in the generated site (0: sample site only)")
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--corpus-script", type=Path, default=REPO.parent / "shared" / "bench" / "make_corpus.py")
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed at the end)")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        sites = [sample_site(work)]
        if args.n:
            sites.append(corpus_site(work, args.n, args.corpus_script, say=lambda line: print(line, flush=True)))
        for result in (result for site in sites for result in measure(site, work, args.edits, chromium)):
            ms = [v * 1000 for v in result["latencies"]]  # type: ignore[union-attr]
            server = result["rebuild_ms"]
            print(f"\n== {result['site']}: {len(ms)} article edits, save → new page in the browser")
            print(f"   median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
                  f"min {min(ms):.0f} ms, max {max(ms):.0f} ms")
            if server:
                print(f"   server rebuild: median {statistics.median(server):.0f} ms, "  # type: ignore[arg-type]
                      f"p95 {percentile(server, 0.95):.0f} ms")  # type: ignore[arg-type]
            print(f"   a typical rebuild line: {result['sample_rebuild']}")
            print(f"   initial: {result['full_build']} (server up after {result['startup_s']:.1f} s)", flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
