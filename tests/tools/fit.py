"""Fit the member threshold of builder/data/evidence.yaml on the labelled set's TUNE part only.

Every threshold from 2 to 12 in steps of 0.5 is tried; the fit keeps those with per-article
precision 1.00 on tune, then the highest recall, and prints the middle of that range (the
margin is widest there). The heldout part is never read. Usage: python tests/tools/fit.py
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

import eval as evaluation
import labelled

from builder.stories import evidence


def main() -> None:
    truth, rows = labelled.labels(), labelled.split()
    tune = {p for p, e in rows.items() if e.split == "tune"}
    base = evidence.model()
    results: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="digest-fit-") as scratch:
        root = labelled.labelled_site(Path(scratch) / "site")
        for step in range(4, 25):
            threshold = step / 2
            evidence.model = lambda t=threshold: dataclasses.replace(base, member=t)  # type: ignore[assignment]
            members, _, _ = evaluation.decide(root)
            assigned = {p: s for s, paths in members.items() for p in paths}
            precision, recall, _, _ = evaluation.per_article(truth, assigned, tune)
            results.append((threshold, precision, recall))
            print(f"member ≥ {threshold:4.1f}: tune precision {precision:.3f} recall {recall:.3f}")
    exact = [r for r in results if r[1] == 1.0]
    best = max(r[2] for r in exact)
    chosen = [r[0] for r in exact if r[2] == best]
    print(f"fitted: member threshold {(chosen[0] + chosen[-1]) / 2:g} (range {chosen[0]:g}..{chosen[-1]:g}, "
          f"tune recall {best:.3f})")


if __name__ == "__main__":
    main()
