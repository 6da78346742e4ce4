"""Site search on a static host: a search page per interface language and a Pagefind index.

Pagefind (the ``pagefind[extended]`` package, which ships its binary) reads the
staged output before it replaces the live folder. Every language goes into one
index (``--force-language``): a reader's first query then loads one WebAssembly
module and the few index chunks its words need, not a module and an index per
language (first query on 1,000 articles: 225–258 KB in 28 requests, from 820 KB in 62). Stemming
per language is given up for it; spellings are covered instead by the entity
table: each page carries the names and aliases of the entities it names, so
"Japarov", "Жапаров" and "扎帕罗夫" find the same pages.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from builder.lang import i18n
from builder.errors import BuildError, Problem
from builder.render.jobs import Job
from builder.render.pages import Renderer
from builder.render.search_order import FormatError, sort_filters

log = logging.getLogger(__name__)

INDEX_LANGUAGE = "en"  # the single index's language code (Pagefind needs one): no page's own language is forced
BUNDLE = "pagefind"  # the index folder, under the output folder
TIMEOUT = 600  # seconds; 1,000 articles index in about a second
# The binary the pagefind package ships, started by an isolated Python: -P keeps the current folder (a
# site's pagefind.py or concurrent.py) off the module path, -E ignores PYTHONPATH; the user's site-packages,
# where pip --user puts pagefind, stay.
PAGEFIND = [sys.executable, "-P", "-E", "-m", "pagefind"]
HINT = "install it with pip install 'pagefind[extended]', or build with --no-search (search: false in site.yaml)"


def search_jobs(r: Renderer) -> list[Job]:
    """``<lang>/search/`` for every interface language, unless search is off."""
    if not r.site.config.search:
        return []
    jobs = []
    for lang in r.interface_languages():
        path = r.search_path(lang)
        jobs.append(r.job("search.html", path + "index.html", {f"catalog:{lang}"},
                          lambda lang=lang, path=path: search_context(r, lang, path)))
    return jobs


def search_context(r: Renderer, lang: str, path: str) -> dict[str, Any]:
    ctx = r.common(lang, path, {code: r.search_path(code) for code in r.interface_languages()})
    ctx.update(
        page_title=i18n.translations(lang).gettext("Search"),
        description="",
        bundle_url=r.url(f"{BUNDLE}/"),
        browse=[{"url": r.url(f"{code}/"), "endonym": i18n.language(code).endonym, "lang": code,
                 "dir": i18n.language(code).direction} for code in r.present],
        og_type="website",
    )
    return ctx


def _sort_entry(path: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted, an unchanged site gives identical bytes (and no deploy)."""
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), sort_keys=True,
                               separators=(",", ":")), encoding="utf-8")


def index_site(folder: Path) -> float:
    """Build the Pagefind index into ``folder/pagefind/``; return seconds taken, raise BuildError on failure."""
    started = time.perf_counter()
    command = [*PAGEFIND, "--site", str(folder), "--output-subdir", BUNDLE, "--force-language", INDEX_LANGUAGE,
               "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except OSError as exc:
        raise BuildError([Problem("search", None, f"cannot run Pagefind: {exc}", hint=HINT)]) from None
    except subprocess.TimeoutExpired:
        raise BuildError([Problem("search", None, f"Pagefind took over {TIMEOUT} s", hint=HINT)]) from None
    if done.returncode != 0:
        detail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-3:]) or f"exit code {done.returncode}"
        raise BuildError([Problem("search", None, f"Pagefind could not index the site: {detail}", hint=HINT)])
    entry = folder / BUNDLE / "pagefind-entry.json"
    if not entry.is_file():  # exit code 0 and no index: a site without search must not pass for one with it
        raise BuildError([Problem("search", None, f"Pagefind wrote no index ({BUNDLE}/pagefind-entry.json is missing)",
                                  hint=HINT)])
    try:
        sort_filters(folder / BUNDLE)
    except FormatError as exc:  # a search that works matters more than identical bytes
        log.warning("search index: %s; a rebuild may change its files", exc)
    _sort_entry(entry)
    seconds = time.perf_counter() - started
    log.debug("search index built in %.2f s", seconds)
    return seconds
