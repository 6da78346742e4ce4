"""The link checker's quick scan finds exactly the links and ids HTMLParser finds, or leaves the page to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from builder.model import SiteConfig
from builder.output.links import Page, _quick_scan, _Scanner, scan, unvouched

GOLDEN = Path(__file__).parent / "golden"


def parsed(html: str) -> Page:
    """What HTMLParser reads: the rule the quick scan keeps to."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.page


def test_every_golden_page_is_read_quickly_and_alike() -> None:
    pages = sorted(GOLDEN.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        quick = _quick_scan(html)
        assert quick is not None, f"{path}: the theme's markup should not need HTMLParser"
        assert quick == parsed(html), path


@pytest.mark.parametrize("html", [
    '<a title="a<b" href="/x/">x</a>',  # a "<" inside a value
    "<!-- <a href=/hidden/> --><a href=/shown/>x</a>",  # a tag inside a comment
    '<script>if (a < b) {}</script><a href="/x/">',  # a "<" in raw text
    '<script>document.write("<a href=/no/>")</script>',
    '<title><a href="/t/"></title>',  # raw in newer HTMLParsers, not in older ones: left to the one running
    "<plaintext><a href=/p/>",
    "<a href=/x/>",  # a bare value ending in "/": HTMLParser keeps the slash
    '<a\xa0href="/x/">',  # a Unicode space inside a tag
    '<a href="/x/"id="y">',  # no space between attributes
    "<a href= >", "<a =x>", "<?pi x?><a href=/y>", "<![CDATA[<a href=/z>]]>", "a < b <a href=/c>",
    '<script>x</style><a href="/s/"></script>',  # a raw element closed by another name
])
def test_markup_outside_the_plain_subset_is_left_to_htmlparser(html: str) -> None:
    assert _quick_scan(html) is None
    assert scan(html) == parsed(html)


def test_values_are_read_as_htmlparser_reads_them() -> None:
    html = ('<!DOCTYPE html><A HREF=" /a?x=1&amp;y=2 " ID=top><p hidden id="">'
            "<a name='n&#x41;' href=''><img src=i.png alt=x><area href><br/>"
            '<script type="application/ld+json">{"a": 1}</script><style>p{}</style><!-- c -->')
    quick = _quick_scan(html)
    assert quick == parsed(html)
    assert quick == Page(["/a?x=1&y=2", "", "i.png"], {"top", "", "nA"})


PIECES = ["<a", "<A", "<p", "<div", "<img", "<br", "<script", "<SCRIPT", "<title", "<textarea", "<xmp",
          "<plaintext", "<noscript", "<ſcript", "</a>", "</p >", "</script>", "</SCRIPT>", "</title>", "</ script>",
          " href=", " HREF=", " src=", " id=", " name=", " ID=", " hidden", " data-x=", " title=", "=", "\n", "\xa0",
          " ", "/", "/>", ">", ">", ">", "'", '"', '"/x/"', "'#y'", "/bare/", "a&amp;b", "&#x41;", "x", "<",
          "<!--", "-->", "--!>", "<!-->", "<!doctype html>", "<?x?>", "<![CDATA[", "]]>", "text", "\u00e9"]


def test_random_markup_is_read_as_htmlparser_reads_it() -> None:
    """Tag soup from pieces of tags, values and text: wherever the quick scan answers, it agrees."""
    rng = random.Random(19)
    quick = 0
    for _ in range(4000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))
        found = _quick_scan(html)
        if found is not None:
            quick += 1
            assert found == parsed(html), repr(html)
    tags, attrs, values = ["a", "A", "p", "script", "title"], ["", " href=", " id=", " name=", " SRC="], \
        ["", '"/x/#y"', "'z'", "/b", '""', "a&amp;b"]
    for _ in range(1000):  # well-formed tags, so that many documents take the quick path
        html = "".join("<" + rng.choice(tags) + rng.choice(attrs) + rng.choice(values) + rng.choice(["", " hidden", " id=k"])
                       + rng.choice([">", " />", ">t</a>", ">s</script>"]) for _ in range(rng.randint(1, 8)))
        found = _quick_scan(html)
        if found is not None:
            quick += 1
            assert found == parsed(html), repr(html)
    assert quick > 300  # the comparison above was made often enough to mean something


def test_a_rendered_page_keeps_only_the_links_it_cannot_vouch_for() -> None:
    """What a build's worker hands over of a page: its broken links and its #fragments into other pages (whose
    ids only the whole site shows), each as often as written; every id of its own."""
    cfg = SiteConfig(root=Path("."), title={"en": "T"}, base_url="https://example.org/site/", default_language="en",
                     languages=("en",))
    files = {"en/index.html", "en/a/index.html", "feed.xml"}
    links = ["/site/en/", "../", "#top", "https://example.com/", "/site/feed.xml",  # fine
             "/site/missing/", "#nowhere", "/elsewhere/", "/site/missing/",  # broken
             "/site/en/#news", "../#news"]  # a fragment into another page: its ids decide
    page = Page(links, {"top"})
    assert unvouched(page, "en/a/index.html", cfg, files, {}) == Page(
        ["/site/missing/", "#nowhere", "/elsewhere/", "/site/missing/", "/site/en/#news", "../#news"], {"top"})
