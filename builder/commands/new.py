"""``digest new``: start a site of one's own, as ``hugo new site`` or ``mkdocs new`` do.

It writes only what is the site's: ``site.yaml``, the content folders and a ``.gitignore``. The theme
stays the builder's (a site overrides it file by file, see render.templates), so a fix to the theme
reaches every site. The settings are checked by the same reader as a build's before anything is in
place: a bad ``--base-url`` or ``--language`` leaves no folder behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from builder.errors import BuildError, Problem
from builder.read.articles import ARTICLES_DIR, slugify
from builder.read.config import CONFIG_FILE, load_config
from builder.read.stories import CLUSTERS_DIR

SITE_YAML = """\
# the site's settings: every key is described in digest's README, "Configuration"
title: {title_json}
# where the site will be published (GitHub Pages: https://<user>.github.io/<repository>/); change it
# before you deploy, links and feeds are made from it
base_url: {base_url_json}
default_language: {language_json}
# the languages the interface (menus, dates, story pages) is given in
languages: [{language_json}]
"""
GITIGNORE = "# the build output: deploy publishes it, git need not keep it\npublic/\n"


def new_site(folder: Path, title: str | None = None, base_url: str | None = None, language: str = "en") -> list[str]:
    """Make a site in ``folder`` (new, or empty); return what was written. Raise BuildError with the problems
    of a folder that holds files already, or of settings a build would refuse."""
    folder = folder.resolve()  # "." too: the staging folder is made beside it, not in it
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildError([Problem(str(folder), None, "is not an empty folder: digest new starts a site in a new "
                                  "or empty one, and never writes over files")])
    slug = slugify(folder.name) or "digest"
    title = title or folder.name or "digest"
    base_url = base_url or f"https://example.org/{slug}/"
    files = {
        CONFIG_FILE: SITE_YAML.format(title_json=json.dumps(title, ensure_ascii=False), base_url_json=json.dumps(base_url),
                                      language_json=json.dumps(language)),
        ".gitignore": GITIGNORE,
    }
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".digest-new-", dir=folder.parent))
    except OSError as exc:
        raise BuildError([Problem(str(folder.parent), None, f"cannot write here: {exc.strerror or exc}")]) from None
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        for sub in (f"{ARTICLES_DIR}/{language}", CLUSTERS_DIR):
            (staging / sub).mkdir(parents=True)
        config, problems = load_config(staging)
        if config is None:
            raise BuildError([p for p in problems if not p.warning])
        folder.mkdir(exist_ok=True)
        for child in sorted(staging.iterdir()):
            child.rename(folder / child.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [*files, f"{ARTICLES_DIR}/{language}/", f"{CLUSTERS_DIR}/"]
