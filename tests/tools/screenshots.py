"""Screenshots of a built site at phone and desktop widths, in light and dark: ``make screenshots``.

    python tests/tools/screenshots.py public screenshots

Takes the home page, the first article of each language, the first story page and the
search page (with a query) at 360 px and 1280 px, using Debian's chromium. With
``--variety`` it also builds the fixture site of 32 languages (tests/labelled.py) and
takes its Arabic and Korean article pages and its Arabic story page (``variety-*.png``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]  # tests/, and this builder

from builder.commands.build import build  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
from labelled import variety_site  # noqa: E402
from siteserver import open_search, serve_site  # noqa: E402

WIDTHS = (360, 1280)
_ARTICLE = re.compile(r"^[^/]+/\d{4}/\d{2}/[^/]+/index\.html$")


def pages(folder: Path) -> dict[str, str]:
    """Name → site-relative URL of the pages worth looking at."""
    found = {"home": ""}
    for path in sorted(folder.rglob("index.html")):
        rel = path.relative_to(folder).as_posix()
        if _ARTICLE.match(rel):
            found.setdefault(f"article-{rel.split('/')[0]}", rel.removesuffix("index.html"))
    stories = sorted(p.parent for p in (folder / "stories").glob("*/index.html")) if (folder / "stories").is_dir() else []
    if stories:
        found["story"] = stories[0].relative_to(folder).as_posix() + "/"
    if (folder / "en" / "search" / "index.html").is_file():
        found["search"] = "en/search/?q=Bishkek"
    return found


VARIETY = ("ar", "ko")  # a right-to-left and a Korean page: see tests/test_fixture_site.py


def variety_pages(folder: Path) -> dict[str, str]:
    """Name → site-relative URL of the fixture site's Arabic and Korean article pages and Arabic story page."""
    found = {f"variety-{name}": url for name, url in pages(folder).items() if name.removeprefix("article-") in VARIETY}
    story = sorted((folder / "stories").glob("*/ar/index.html"))
    if story:
        found["variety-story-ar"] = story[0].parent.relative_to(folder).as_posix() + "/"
    return found


def shoot(browser, folder: Path, named: dict[str, str], out: Path, schemes: tuple[str, ...]) -> None:
    with serve_site(folder) as root:
        for name, url in named.items():
            for width in WIDTHS:
                for scheme in schemes:
                    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    if name == "search":
                        open_search(page, root + url)
                    else:
                        page.goto(root + url, wait_until="networkidle")
                    target = out / f"{name}-{width}{'' if scheme == 'light' else '-dark'}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    print(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built output folder")
    parser.add_argument("out", type=Path, help="where to write the PNG files")
    parser.add_argument("--dark", action="store_true", help="also take every page in the dark scheme")
    parser.add_argument("--variety", action="store_true", help="also the fixture site's Arabic and Korean pages")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    if not (args.site / "index.html").is_file():
        print(f"no built site in {args.site} (run make build first)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    schemes = ("light", "dark") if args.dark else ("light",)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        shoot(browser, args.site, pages(args.site), args.out, schemes)
        if args.variety:
            site = variety_site(Path(tmp) / "site")
            build(site, site / "public")
            shoot(browser, site / "public", variety_pages(site / "public"), args.out, schemes)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
