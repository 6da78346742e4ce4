"""What an edit costs must grow with the site, not with the square of a story: a story's members grow with the
site (about one article in fifty of the benchmark corpus), so nothing may weigh each member against each other one."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from builder import parallel
from builder.commands.build import STEPS, load_site
from builder.model import Article, Outlet
from builder.output.fingerprint import Fingerprints
from builder.render.pages import plan_site
from builder.stories import copies
from conftest import REPO, MakeSite
from helpers import EN, edit

TASS = Outlet("TASS", "news agency", aliases=("ТАСС",))
# one report in two languages: the same figures in the same order (translation), as each language writes them
FIGURES = {"en": "Trade grew {0}.6% to ${1}.1 billion, with 1,{2}00 companies and {3}50 trucks.",
           "tr": "Ticaret yüzde {0},6 artarak {1},1 milyar dolara ulaştı; 1.{2}00 şirket ve {3}50 kamyon."}


def article(n: int, lang: str, text: str, source: str = "unknown") -> Article:
    html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return Article(path=f"content/articles/{lang}/a{n:04d}.md", title=f"Article {n}", date=date(2025, 11, 26),
                   lang=lang, source=source, slug=f"a{n:04d}", body=html.encode(), words=len(text.split()))


def members(count: int, seed: int = 7) -> list[Article]:
    """``count`` articles in two languages, of which some are copies of others (a few words changed),
    translations (the same figures) or credit one agency; the rest have nothing in common."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvz") for _ in range(rng.randint(3, 9))) for _ in range(3000)]

    def prose() -> str:
        return " ".join(rng.choice(words) for _ in range(90)) + "."

    out: list[Article] = []
    while len(out) < count:
        n, kind = len(out), rng.choice(["alone", "alone", "copy", "translation", "credit"])
        if kind == "copy":
            text = prose().split()
            out.append(article(n, "en", " ".join(text)))
            text[5], text[40] = "changed", "words"
            out.append(article(n + 1, "en", " ".join(text)))
        elif kind == "translation":
            values = [rng.randint(1, 9) for _ in range(4)]
            out += [article(n + i, lang, f"{prose()}\n\n{FIGURES[lang].format(*values)}")
                    for i, lang in enumerate(FIGURES)]
        elif kind == "credit":
            out.append(article(n, "en", f"{prose()} The Kremlin said so, citing TASS."))
            out.append(article(n + 1, "tr", prose(), source="TASS"))  # the agency's own report
        else:
            out.append(article(n, rng.choice(["en", "tr"]), prose()))
    return out[:count]


def test_reports_are_those_of_comparing_every_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    group = members(120)
    found = copies.one_reports(group, [TASS])
    assert {link.kind for report in found for link in report.links} == {"copy", "translation", "credit"}
    every_pair = lambda articles, *_: list(itertools.combinations(range(len(articles)), 2))  # noqa: E731
    monkeypatch.setattr(copies, "_candidates", every_pair)
    assert copies.one_reports(group, [TASS]) == found


def test_unrelated_members_are_not_compared_pair_by_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 articles with nothing in common: 44,850 pairs, of which hardly any share a rare shingle."""
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvz") for _ in range(rng.randint(3, 9))) for _ in range(3000)]
    group = [article(n, "en", " ".join(rng.choice(words) for _ in range(120))) for n in range(300)]
    compared = []
    real = copies.similarity
    monkeypatch.setattr(copies, "similarity", lambda a, b: compared.append(1) or real(a, b))
    assert copies.one_reports(group, []) == ()
    assert len(compared) < len(group)


def member_copies(make_site: MakeSite, count: int, name: str) -> Path:
    """The sample site with ``count`` more English members of its story: the sample's English member retitled."""
    text = (Path(__file__).resolve().parents[1] / EN).read_text(encoding="utf-8")
    title = "Russia, Kyrgyzstan to sign key collaboration deals"
    return make_site({f"content/articles/en/member-{i}.md": text.replace(title, f"{title}, report {i}")
                      for i in range(count)}, name=name)


def fingerprints(site: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Each output's fingerprint, and how many inputs it names."""
    loaded, _ = load_site(site)
    _, jobs = plan_site(loaded, STEPS)
    prints = Fingerprints(loaded)
    return {job.path: prints.of(job) for job in jobs}, {job.path: len(job.deps) for job in jobs}


def test_a_member_page_names_as_many_inputs_whatever_the_story_size(make_site: MakeSite) -> None:
    small, large = member_copies(make_site, 2, "small"), member_copies(make_site, 24, "large")
    page = next(p for p in fingerprints(small)[0] if "report-1/" in p)
    assert fingerprints(small)[1][page] == fingerprints(large)[1][page]
    # yet each member page still changes with what it lists of the others, and only with that
    before, _ = fingerprints(large)
    members = {p for p in before if "/russia-kyrgyzstan-to-sign-key-collaboration-deals-report-" in p}
    assert len(members) == 24
    edit(large, "content/articles/en/member-3.md", lambda t: t + "\nOne more sentence on the visit.\n")
    after, _ = fingerprints(large)
    assert {p for p in members if before[p] != after[p]} == {p for p in members if "report-3/" in p}
    edit(large, "content/articles/en/member-3.md", lambda t: t.replace("report 3", "third report"))
    retitled, _ = fingerprints(large)
    assert len(members & retitled.keys()) == 23 and all(retitled[p] != after[p] for p in members & retitled.keys())


# run in a fresh interpreter: forking needs a process with one thread, and earlier tests (the dev server's)
# may leave threads behind in this one, which makes fork_map run in-process
_WORKER_GC = """
import gc
from builder import parallel
gc.disable()
seen = set(parallel.fork_map(lambda _: (gc.isenabled(), gc.get_freeze_count() > 0),
                             range(parallel.PARALLEL_FROM), "test"))
print(seen, (gc.isenabled(), gc.get_freeze_count()))
"""


@pytest.mark.skipif(parallel.cores() < 2, reason="one core: fork_map runs in this process")
def test_workers_collect_their_own_garbage_and_never_walk_what_they_inherit() -> None:
    """A build runs with the collector off; its forked workers render thousands of pages whose templates leave
    cycles, so they collect, with the parent's objects frozen: a collection never touches (copies) them. The
    parent is left as it was."""
    done = subprocess.run([sys.executable, "-c", _WORKER_GC], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[0] == "{(True, True)} (False, 0)", done.stdout + done.stderr


def test_a_build_keeps_no_results_for_a_next_build_it_will_not_make(make_site: MakeSite, tmp_path: Path) -> None:
    """The dev server keeps each memoised pass's results for its next rebuild; a build, which makes none, frees them."""
    from builder import cache
    from builder.commands.build import build

    cache._recent.clear()
    build(make_site(), tmp_path / "out", search=False, cache_dir=tmp_path / "cache")
    assert cache._recent == {}
