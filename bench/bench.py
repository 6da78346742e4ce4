"""``digest build`` at 1,000 to 50,000 articles: cold, warm, no-op, after one edit; beside Hugo and Pelican.

The corpus comes from ../shared/bench/make_corpus.py, which exports the same
articles for Hugo and Pelican, so the peers do the same work in the same run.
Every build is a fresh process; see report.NOTES for what each figure means.

    .venv/bin/python bench/bench.py [--sizes 1000 10000 50000] [--runs 3] [--no-peers] [--work DIR] [--keep]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from corpus import DEFAULT_SCRIPT, REPO, article_names, corpus_site, edit_sentence, story_articles  # noqa: E402
from measure import Run, measure  # noqa: E402

from builder.parallel import cores  # noqa: E402
from report import (BACKGROUND, COLD, DIGEST, EDIT, MEMBER, NOOP, NOTES, SEARCH, STORY_EDITS, SUMMARY, WARM,  # noqa: E402
                    Results, on_cores, ratios, scaling, table, targets, wall)

JOURNAL = ".bench-edits"  # in the corpus folder: the originals of the files a run changes
CACHE = ".digest-cache"  # digest's build cache, put in the corpus folder with --cache-dir so a cold build can remove it


@dataclass(frozen=True)
class Tool:
    name: str
    command: list[str]
    out: Path
    caches: tuple[Path, ...]  # removed, with the output, before a cold build
    template: Path | None  # appended to before a warm build; None: the tool re-renders every page on every run
    article: Callable[[str], Path]  # "<lang>/<file>.md" → that article in the tool's own copy
    modes: tuple[str, ...]
    cwd: Path | None = None
    story: dict[str, Path] | None = None  # the file each story edit mode changes (digest only: peers have no story)


class Edits:
    """Files the benchmark changes in a corpus, put back as they were at the end: the corpus is reused.

    Each original is saved in the corpus's JOURNAL folder before its first change, so the edits of a
    killed run are undone when the next run starts.
    """

    def __init__(self, site: Path) -> None:
        self.site, self.journal = site, site / JOURNAL
        self.restore()

    def write(self, path: Path, change: Callable[[str], str]) -> None:
        saved = self.journal / path.relative_to(self.site)
        if not saved.exists():
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, saved.with_name(saved.name + ".part"))
            os.replace(saved.with_name(saved.name + ".part"), saved)  # never a half-saved original
        path.write_text(change(saved.read_text(encoding="utf-8")), encoding="utf-8")

    def restore(self) -> None:
        if self.journal.is_dir():
            for saved in self.journal.rglob("*"):
                if saved.is_file() and saved.suffix != ".part":
                    shutil.copyfile(saved, self.site / saved.relative_to(self.journal))
            shutil.rmtree(self.journal)


def builder_flags() -> set[str]:
    """The optional ``build`` flags this checkout's builder has (the script runs before and after they land)."""
    usage = subprocess.run([sys.executable, "-m", "builder", "build", "--help"], cwd=REPO, check=True,
                           capture_output=True, text=True).stdout
    return {flag for flag in ("--quiet", "--timings", "--cache-dir", "--no-cache") if re.search(rf"{flag}\b", usage)}


def digest_tool(site: Path, out: Path, flags: set[str]) -> Tool:
    sample, summary = story_articles(site)
    member = next(name for name in sample if name.startswith("en/"))
    background = next(name for name in sample if name.startswith("ky/"))  # the sample's background article
    story = {MEMBER: site / "content" / "articles" / member, BACKGROUND: site / "content" / "articles" / background,
             SUMMARY: site / summary}
    command = [sys.executable, "-m", "builder", "build", "--site", str(site), "--out", str(out), "--no-search"]
    command += ["--quiet"] if "--quiet" in flags else []
    command += ["--cache-dir", str(site / CACHE)] if "--cache-dir" in flags else []
    return Tool(DIGEST, command, out, (site / CACHE,), site / "templates" / "base.html",
                lambda name: site / "content" / "articles" / name, (COLD, WARM, NOOP, EDIT, *STORY_EDITS), cwd=REPO,
                story=story)


def hugo_tool(exe: str, site: Path, out: Path, cache: Path) -> Tool:
    hugo = site / "hugo"
    return Tool("Hugo", [exe, "--quiet", "--source", str(hugo), "--destination", str(out), "--cacheDir", str(cache)],
                out, (hugo / "resources", cache), hugo / "layouts" / "_default" / "baseof.html",
                lambda name: hugo / "content" / name.split("/")[0] / "articles" / name.split("/")[1],
                (COLD, WARM, NOOP, EDIT))


def pelican_tool(exe: str, site: Path, out: Path, cache: Path) -> Tool:
    """Pelican with its content cache on (make_corpus's pelicanconf leaves it off): a second run reuses it.

    Pelican re-renders every page on every run, so its warm run (nothing changed) is also its no-op.
    """
    pelican = site / "pelican"
    command = [exe, str(pelican / "content"), "-s", str(pelican / "pelicanconf.py"), "-o", str(out), "-q",
               "--cache-path", str(cache), "-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
    return Tool("Pelican", command, out, (cache,), None, lambda name: pelican / "content" / name,
                (COLD, WARM, EDIT), cwd=pelican)


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def run_once(tool: Tool, mode: str, n: int, i: int, runs: int, names: list[str], edits: Edits, logs: Path) -> Run:
    """Build ``i`` of ``runs`` in one mode, prepared as the mode says, with a line for it."""
    if mode.startswith(COLD):  # every cold mode (with search, on fewer cores) starts from nothing
        for path in (tool.out, *tool.caches):
            remove(path)
    elif mode == WARM and tool.template:
        edits.write(tool.template, lambda text: text + f"\n<!-- benchmark: warm build {i + 1} -->\n")
    elif mode == EDIT:  # a different article each run, spread over the corpus (and its languages)
        name = names[(i + 1) * len(names) // (runs + 1)]
        edits.write(tool.article(name), lambda text: edit_sentence(text, str(i + 1)))
    elif mode == SUMMARY and tool.story:
        edits.write(tool.story[mode], lambda text: text + f"\nBenchmark edit {i + 1}.\n")
    elif mode in STORY_EDITS and tool.story:
        edits.write(tool.story[mode], lambda text: edit_sentence(text, str(i + 1)))
    # untimed: the last build's writes reach the disk first, so no tool is slowed by another's write-back
    os.sync()
    run = measure(tool.command, tool.out, logs / f"{n}-{tool.name}-{mode}-{i + 1}.log", tool.cwd,
                  compare_bytes=mode in (EDIT, *STORY_EDITS))
    tree = "–" if run.tree_rss_mb is None else f"{run.tree_rss_mb:.0f}"
    differ = "" if run.changed_bytes is None else f" ({run.changed_bytes} differ)"
    print(f"{n:>6} {tool.name:<8} {mode:<11} {i + 1}/{runs}: {run.wall:7.2f} s wall {run.cpu:7.2f} s CPU "
          f"peak {run.max_rss_mb:4.0f}/{tree} MB (largest/tree)  {run.written} written{differ}, "
          f"{run.unchanged} unchanged", flush=True)
    return run


def search_seconds(run: Run, cold: list[Run], timed: bool) -> str:
    """Pagefind's share of a build: the build's own --timings line, or the difference with the cold median."""
    if timed:
        lines = [line for line in run.log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if re.search("search|pagefind", line, re.IGNORECASE)]
        lines.sort(key=lambda line: not re.search("index|pagefind", line, re.IGNORECASE))  # not the search pages' rendering
        for line in lines:
            if m := re.search(r"(\d+(?:\.\d+)?)\s*(ms|s)\b", line):
                seconds = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
                return f"{seconds:.2f} s (the build's --timings: {line.strip()})"
    why = "no search line in its --timings output" if timed else "this builder has no --timings"
    return (f"{run.wall - statistics.median(r.wall for r in cold):.2f} s wall, "
            f"{run.cpu - statistics.median(r.cpu for r in cold):.2f} s CPU (a cold build with search "
            f"minus the median cold build without: {why})")


def markdown_floor(site: Path) -> float:
    """Seconds for Python-Markdown alone (with the builder's extensions and sanitizer) to convert every
    article body of ``site`` on every core, as a cold build does: a floor no cold build goes under."""
    sys.path.insert(0, str(REPO))
    from builder.read.markdown import render_markdown
    from builder.parallel import fork_map

    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[1] for path in sorted(site.glob("content/articles/*/*.md"))]
    started = time.perf_counter()
    for _ in fork_map(lambda body: len(render_markdown(body)), bodies, "markdown"):
        pass
    return time.perf_counter() - started


def peer_exes(args: argparse.Namespace) -> dict[str, str]:
    if args.no_peers:
        return {}
    found = {"Hugo": args.hugo or shutil.which("hugo"), "Pelican": args.pelican or shutil.which("pelican")}
    return {name: exe for name, exe in found.items() if exe}


def version(command: list[str]) -> str:
    done = subprocess.run(command, check=False, capture_output=True, text=True, cwd=REPO)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "unknown version"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


PAGE_BUDGET = 200_000  # bytes: issue 18's limit for any generated page, on the 50,000-article corpus


def largest_page(n: int, out: Path) -> int:
    """Print (and return) the largest HTML page digest built; over PAGE_BUDGET is a failure of the run."""
    size, page = max(((p.stat().st_size, p) for p in out.rglob("*.html")), default=(0, out))
    print(f"{n:>6} digest largest page: {size / 1000:.1f} KB ({page.relative_to(out).as_posix()})", flush=True)
    if size > PAGE_BUDGET:
        raise SystemExit(f"bench.py: {page} is {size:,} bytes, over the {PAGE_BUDGET:,}-byte page budget")
    return size


def bench_size(n: int, args: argparse.Namespace, flags: set[str], peers: dict[str, str], results: Results,
               floors: dict[int, float]) -> None:
    """Every tool and mode on the ``n``-article corpus, into ``results``, and the Markdown floor into ``floors``."""
    work = args.work
    site = corpus_site(work, n, args.corpus_script, search=True, say=lambda line: print(line, flush=True))
    shutil.copytree(REPO / "templates", site / "templates", dirs_exist_ok=True)  # the theme, as the site's own
    out, caches, logs = work / f"out-{n}", work / f"caches-{n}", work / "logs"
    tools = [digest_tool(site, out / "digest", flags)]
    if "Hugo" in peers:
        tools.append(hugo_tool(peers["Hugo"], site, out / "hugo", caches / "hugo"))
    if "Pelican" in peers:
        tools.append(pelican_tool(peers["Pelican"], site, out / "pelican", caches / "pelican"))
    sample = set(story_articles(site)[0])  # not in the peers' copies
    names, edits = [name for name in article_names(site) if name not in sample], Edits(site)
    try:
        # Mode by mode and build by build, each tool in turn: a shared machine's load then weighs on all alike.
        for mode in (COLD, WARM, NOOP, EDIT, *STORY_EDITS):
            for i in range(args.runs):
                for tool in (tool for tool in tools if mode in tool.modes):
                    results.setdefault((n, tool.name, mode), []).append(
                        run_once(tool, mode, n, i, args.runs, names, edits, logs))
        digest = tools[0]
        if shutil.which("taskset"):  # the scaling: cold on 1 to all cores but one (all of them: the cold runs above)
            for k in range(1, cores()):
                pinned = dataclasses.replace(digest, command=["taskset", "-c", ",".join(map(str, sorted(os.sched_getaffinity(0))[:k])),
                                                             *digest.command], modes=(on_cores(k),))
                results[(n, DIGEST, on_cores(k))] = [run_once(pinned, on_cores(k), n, 0, 1, names, edits, logs)]
        largest_page(n, digest.out)
        timed = "--timings" in flags
        command = [arg for arg in digest.command if arg not in ("--no-search", "--quiet")]
        searching = Tool(DIGEST, command + (["--timings"] if timed else []), digest.out, digest.caches,
                         None, digest.article, (SEARCH,), digest.cwd)
        run = run_once(searching, SEARCH, n, 0, 1, names, edits, logs)
        results[(n, DIGEST, SEARCH)] = [run]
        print(f"{n:>6} digest search indexing: {search_seconds(run, results[(n, DIGEST, COLD)], timed)}", flush=True)
        floors[n] = markdown_floor(site)
        print(f"{n:>6} Python-Markdown alone, every body on {cores()} cores: {floors[n]:.2f} s wall", flush=True)
    finally:
        edits.restore()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000], help="articles per corpus")
    parser.add_argument("--runs", type=int, default=3, help="builds per tool and mode; the median is reported")
    parser.add_argument("--no-peers", action="store_true", help="time digest only, not Hugo and Pelican")
    parser.add_argument("--hugo", help="the hugo command (default: hugo on PATH)")
    parser.add_argument("--pelican", help="the pelican command (default: pelican on PATH)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "digest-bench",
                        help="folder for the corpora and outputs (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder: a rerun reuses its corpora")
    parser.add_argument("--markdown-table", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()
    args.work = args.work.resolve()
    # A plain kill ends the run through its finally blocks, which undo the edits to the corpus.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("bench.py: terminated (SIGTERM)"))
    flags = builder_flags()
    peers = peer_exes(args)
    # bytecode for the builder, as a user's has after its first run (or a non-editable install)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "builder")], check=True, stdout=subprocess.DEVNULL)
    commit = version(["git", "describe", "--always", "--dirty"])
    print("; ".join([f"digest {commit} (optional build flags: {' '.join(sorted(flags)) or 'none yet'})",
                     *(f"{name}: {version([exe, 'version' if name == 'Hugo' else '--version'])}"
                       for name, exe in peers.items()),
                     f"{cores()} CPUs, load {load()}", f"work folder {args.work}"]), flush=True)
    results: Results = {}
    floors: dict[int, float] = {}
    args.work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:  # a failure leaves the work folder (and the logs it names) as it was
        bench_size(n, args, flags, peers, results, floors)
    if args.keep:
        print(f"kept {args.work}: a rerun with --work {args.work} reuses its corpora")
    else:
        for name in [f"{kind}-{n}" for n in args.sizes for kind in ("corpus", "out", "caches")] + ["logs"]:
            remove(args.work / name)
        if not any(args.work.iterdir()):
            args.work.rmdir()
    print(f"\nload average at the end: {load()} (other work on the machine slows the wall times)")
    print("\n" + table(results, args.markdown_table) + "\n\n" + NOTES + "\n")
    for line in ratios(results):
        print(line)
    for n, seconds in floors.items():
        hugo = results.get((n, "Hugo", COLD))
        beside = f" = {seconds / wall(hugo):.2f}× Hugo's whole cold build" if hugo else ""
        print(f"{n} articles: Python-Markdown alone takes {seconds:.2f} s wall on every core{beside}")
    for line in scaling(results, cores()):
        print(line)
    print("\nTargets:")
    for line in targets(results, floors, cores()):
        print("- " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
