"""The benchmark's results as a table, the ratios to the peers, and the issue's targets, MET or NOT MET."""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from measure import Run

COLD, WARM, NOOP, EDIT, SEARCH = "cold", "warm", "no-op", "edit", "cold+search"
# one sentence of the sample story's English member, of a background article of it, of its English summary
MEMBER, BACKGROUND, SUMMARY = "member", "background", "summary"
STORY_EDITS = (MEMBER, BACKGROUND, SUMMARY)


def on_cores(k: int) -> str:
    """The mode of a cold build pinned to ``k`` cores (``taskset``), for the scaling line."""
    return f"{COLD}, {k} core{'s' if k > 1 else ''}"
MODES = (COLD, WARM, NOOP, EDIT)
DIGEST = "digest"
FLAT = 0.25  # per-article cold time is "flat" when every size is within ±25% of the smallest one

Results = dict[tuple[int, str, str], list[Run]]  # (articles, tool, mode) → its runs, in order

NOTES = """\
wall, CPU: medians over the runs; CPU is user + sys of the process and every child it reaped.
ms/article: wall per article, for the builds that render every page (cold, warm).
peak MB: the largest single process (ru_maxrss from wait4) / the whole process tree (the sum of its
  processes' proportional set sizes, sampled every 250 ms: a page forked workers share with their parent
  counts once in all, not once per process); the highest of the runs.
written / unchanged: output files new or changed (another inode, mtime or size) / left as they were
  (medians); for edits, "differ" counts the written files whose bytes changed."""


def wall(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu for r in runs)


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def row(n: int, tool: str, mode: str, runs: list[Run]) -> list[str]:
    """One line of the table: medians of the times and counts, the highest memory."""
    per_article = f"{wall(runs) * 1000 / n:.2f}" if mode in (COLD, WARM, SEARCH) else ""
    trees = [r.tree_rss_mb for r in runs if r.tree_rss_mb is not None]
    written = f"{statistics.median(r.written for r in runs):.0f} / {statistics.median(r.unchanged for r in runs):.0f}"
    differ = [r.changed_bytes for r in runs if r.changed_bytes is not None]
    if differ:
        written += f" ({statistics.median(differ):.0f} differ)"
    return [str(n), tool, mode, f"{wall(runs):.2f}", f"{cpu(runs):.2f}", per_article,
            f"{_mb(max(r.max_rss_mb for r in runs))} / {_mb(max(trees) if trees else None)}", written]


HEADER = ["articles", "tool", "mode", "wall s", "CPU s", "ms/article", "peak MB (largest / tree)",
          "files written / unchanged"]


def table(results: Results, markdown: bool) -> str:
    """The results, one line per size, tool and mode, as aligned text or as Markdown."""
    rows = [row(n, tool, mode, runs) for (n, tool, mode), runs in results.items()]
    if markdown:
        lines = [HEADER, ["---"] * len(HEADER), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(cells[i]) for cells in [HEADER, *rows]) for i in range(len(HEADER))]
    right = {0, 3, 4, 5}
    return "\n".join("  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()
                     for cells in [HEADER, *rows])


def ratios(results: Results) -> Iterator[str]:
    """digest's median wall (and CPU) time over each peer's, for the modes both ran, per size."""
    pairs: dict[tuple[int, str], list[str]] = {}
    for (n, tool, mode), runs in results.items():
        ours = results.get((n, DIGEST, mode))
        if tool != DIGEST and ours and mode in MODES:
            ratio = f"{mode} {wall(ours) / wall(runs):.2f}× ({cpu(ours) / cpu(runs):.2f}×)"
            pairs.setdefault((n, tool), []).append(ratio)
    for (n, tool), parts in pairs.items():
        yield f"{n} articles, digest / {tool}, wall (CPU): " + ", ".join(parts)


def _verdict(name: str, checks: dict[int, tuple[bool, str]], missing: str) -> str:
    if not checks:
        return f"{name}: not measured ({missing})"
    met = all(ok for ok, _ in checks.values())
    detail = "; ".join(f"{n}: {text}" for n, (ok, text) in checks.items())
    return f"{name}: {'MET' if met else 'NOT MET'} ({detail})"


def scaling(results: Results, cores: int) -> Iterator[str]:
    """Cold wall time on 1 to ``cores`` cores (the last is the cold median), with the speed-up over 1 core."""
    for n in sorted({n for n, tool, _ in results if tool == DIGEST}):
        times = {k: wall(runs) for k in range(1, cores + 1)
                 if (runs := results.get((n, DIGEST, on_cores(k) if k < cores else COLD)))}
        if len(times) > 1 and 1 in times:
            yield f"{n} articles, cold on 1 to {cores} cores: " + ", ".join(
                f"{k}: {t:.2f} s ({times[1] / t:.2f}×)" for k, t in times.items())


def targets(results: Results, floors: dict[int, float], cores: int) -> list[str]:
    """The issue's targets, each MET or NOT MET with the figures behind it, per size measured.
    ``floors``: Python-Markdown's own wall time per size, on every core."""
    sizes = sorted({n for n, tool, _ in results if tool == DIGEST})

    def ours(n: int, mode: str) -> list[Run] | None:
        return results.get((n, DIGEST, mode))

    def versus_hugo(mode: str, limit: float) -> dict[int, tuple[bool, str]]:
        checks = {}
        for n in sizes:
            mine, hugo = ours(n, mode), results.get((n, "Hugo", mode))
            if mine and hugo:
                ratio = wall(mine) / wall(hugo)
                detail = f"{ratio:.2f}× ({wall(mine):.2f} s vs {wall(hugo):.2f} s; CPU {cpu(mine) / cpu(hugo):.2f}×)"
                checks[n] = (ratio <= limit, detail)
        return checks

    def under(mode: str, seconds: float) -> dict[int, tuple[bool, str]]:
        return {n: (wall(runs) < seconds, f"{wall(runs):.2f} s") for n in sizes if (runs := ours(n, mode))}

    edits: dict[int, tuple[bool, str]] = {}
    for n, mode in ((n, mode) for n in sizes for mode in (EDIT, *STORY_EDITS)):
        if runs := ours(n, mode):
            needless = max((r.written - r.changed_bytes) for r in runs if r.changed_bytes is not None)
            written = statistics.median(r.written for r in runs)
            files = "1 file" if written == 1 else f"{written:.0f} files"
            ok, text = edits.get(n, (True, ""))
            edits[n] = (ok and wall(runs) < 1 and needless == 0, (text + "; " if text else "") +
                        f"{mode} {wall(runs):.2f} s, {files} written (median), unchanged in bytes: {needless} at most")
    memory = {}
    if 10000 in sizes:
        runs = [r for mode in MODES for r in ours(10000, mode) or []]
        peak = max((r.tree_rss_mb if r.tree_rss_mb is not None else r.max_rss_mb) for r in runs)
        memory[10000] = (peak < 500, f"{peak:.0f} MB, the whole process tree at its peak, search off")
    cold = {n: wall(runs) * 1000 / n for n in sizes if (runs := ours(n, COLD))}
    flat = {}
    if len(cold) > 1:
        base = cold[min(cold)]
        flat = {n: (abs(ms / base - 1) <= FLAT, f"{ms:.2f} ms/article, {ms / base - 1:+.0%}") for n, ms in cold.items()}
    beyond = {n: (wall(runs) - floors[n] <= 0.5 * floors[n],
                  f"{wall(runs) - floors[n]:.2f} s beside Markdown's {floors[n]:.2f} s = {(wall(runs) - floors[n]) / floors[n]:.0%}")
              for n in sizes if n in floors and (runs := ours(n, COLD))}
    four = {n: (wall(two) / wall(all_) >= 1.7, f"{wall(two) / wall(all_):.2f}× from 2 to {cores} cores")
            for n in sizes if cores >= 4 and (two := ours(n, on_cores(2))) and (all_ := ours(n, COLD))}
    return [
        _verdict("cold ≤ 1.1× Hugo cold", versus_hugo(COLD, 1.1), "Hugo not run"),
        _verdict("cold build beside Markdown ≤ 50% of Python-Markdown's own time", beyond, "no floor measured"),
        _verdict("cold ≥ 1.7× faster on 4 cores than on 2", four, f"this machine has {cores} cores"),
        _verdict("warm (template change) ≤ 0.5× Hugo's second full build", versus_hugo(WARM, 0.5), "Hugo not run"),
        _verdict("no-op < 0.5 s", under(NOOP, 0.5), "no run"),
        _verdict("one-article edit < 1 s, writing only the files whose bytes change", edits, "no run"),
        _verdict("peak memory < 500 MB at 10,000 articles", memory, "10000 not among --sizes"),
        _verdict(f"cold ms/article flat across sizes (±{FLAT:.0%} of the smallest)", flat, "needs two sizes"),
    ]
