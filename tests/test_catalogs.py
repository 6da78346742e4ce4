"""Interface catalogs: every string of the templates and code translated, compilable, and on the pages.

The strings are extracted here from the current templates and code, exactly as
``make messages`` does, so a new ``_("...")`` without a translation fails this
test before a reader meets an English word on a Turkish page.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import babel.dates
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from builder.lang.i18n import CATALOGS, DOMAIN, catalog_languages, translations
from htmlscan import Page, scan

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ru", "tr", "uz", "ky", "vi")
TRANSLATED_PAGES = ("tr", "uz", "ky", "vi")
# what every page shows, and every article page whatever its front matter
CHROME = ("Skip to content", "Main", "Languages", "Home")
ALWAYS_ON_ARTICLE = (*CHROME, "Published", "Language", "Source", "Reading time")
# names written in Latin letters in every language
PROPER_NAMES = re.compile(r"\b(?:Atom|JavaScript)\b")
# %(name)s, %% or a stray % that Jinja's newstyle gettext would choke on when it formats the string
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%%|%")


@lru_cache(maxsize=1)
def extracted() -> dict[str, tuple[str, ...]]:
    """msgid → all its forms (singular, plural), from templates and code, with the Makefile's mapping."""
    with (CATALOGS / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, msg, _comments, _context in extract_from_dir(str(REPO), method_map, options_map, DEFAULT_KEYWORDS):
        forms = (msg,) if isinstance(msg, str) else tuple(msg)
        found[forms[0]] = forms
    return found


@lru_cache(maxsize=None)
def catalog(lang: str) -> Catalog:
    with (CATALOGS / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def forms(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def placeholders(text: str) -> list[str]:
    """Named placeholders of a python-format string; "%" for a stray percent sign."""
    return sorted(m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


# --- (a) complete ------------------------------------------------------------------


def test_extraction_finds_the_interface_strings() -> None:
    ids = extracted()
    assert {"Published", "Read the original", "Skip to content", "Page not found"} <= ids.keys()
    assert ids["%(num)s minute"] == ("%(num)s minute", "%(num)s minutes")


def literal_gettext_calls(source: str) -> set[str]:
    """First arguments of gettext/ngettext/_ calls written as string literals, wherever they sit."""
    return {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"gettext", "ngettext", "_"}}


def test_every_gettext_call_in_code_is_extracted() -> None:
    """A gettext call Babel cannot see (inside an f-string on Python < 3.12) never reaches a catalog."""
    unseen = {f"{path.relative_to(REPO)}: {msgid!r}" for path in sorted((REPO / "builder").rglob("*.py"))
              for msgid in literal_gettext_calls(path.read_text(encoding="utf-8")) if msgid not in extracted()}
    assert not unseen, "not extracted by `make messages` (move the call out of the f-string):\n  " + "\n  ".join(sorted(unseen))


def test_every_site_language_has_a_catalog() -> None:
    assert set(LANGUAGES) <= set(catalog_languages())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_translates_every_string(lang: str) -> None:
    cat = catalog(lang)
    missing = []
    for msgid, id_forms in sorted(extracted().items()):
        message = cat.get(msgid)
        if message is None:
            missing.append(f"{msgid!r} (not in the catalog: run `make messages`)")
        elif message.fuzzy:
            missing.append(f"{msgid!r} (fuzzy)")
        elif len(id_forms) > 1 and len(forms(message)) != cat.num_plurals:
            missing.append(f"{msgid!r} ({len(forms(message))} plural forms, the header says {cat.num_plurals})")
        elif not all(form.strip() for form in forms(message)):
            missing.append(f"{msgid!r} (empty)")
    assert not missing, f"{lang}: {len(missing)} untranslated:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_babels(lang: str) -> None:
    """The Plural-Forms header is Babel's for the language, never hand-written: the same forms for every
    count (Babel releases write the same CLDR rule in different ways, so the text may differ)."""
    expected, header = get_plural(lang), catalog(lang)
    assert header.num_plurals == expected.num_plurals
    ours, babels = gettext.c2py(header.plural_expr), gettext.c2py(expected.plural_expr)
    assert [ours(n) for n in range(1000)] == [babels(n) for n in range(1000)]


def test_russian_counts_take_three_forms() -> None:
    ru = translations("ru")
    assert [ru.ngettext("%(num)s article", "%(num)s articles", n) % {"num": n} for n in (1, 3, 5, 11, 21, 22)] == [
        "1 статья", "3 статьи", "5 статей", "11 статей", "21 статья", "22 статьи"]


WRONG_SCRIPT = [
    ("uz", r"[\u0400-\u04ff]", "Cyrillic in Uzbek, which the site writes in Latin"),
    ("uz", r"[A-Za-z]['`\u02bb][A-Za-z]", "o‘ and g‘ are written with U+2018 (and the tutuq with U+2019), as in CLDR"),
    ("ky", r"[A-Za-z]", "Latin letters in Kyrgyz, which is written in Cyrillic"),
    ("ru", r"[A-Za-z]", "Latin letters in Russian"),
]


@pytest.mark.parametrize(("lang", "pattern", "why"), WRONG_SCRIPT)
def test_catalog_is_written_in_its_script(lang: str, pattern: str, why: str) -> None:
    wrong = [form for message in catalog(lang) if message.id for form in forms(message)
             if re.search(pattern, PROPER_NAMES.sub("", PLACEHOLDER.sub("", form)))]
    assert not wrong, f"{lang}: {why}: {wrong}"


# --- (b) compiles, placeholders intact -----------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_compiles_and_keeps_placeholders(lang: str) -> None:
    cat = catalog(lang)
    errors = [f"{message.id!r}: {error}" for message, errs in cat.check() for error in errs]
    for message in cat:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        expected = sorted(set(p for i in ids for p in placeholders(i)))
        for form in forms(message):
            if form and sorted(set(placeholders(form))) != expected:
                errors.append(f"{message.id!r}: {form!r} has placeholders {placeholders(form)}, expected {expected}")
    assert not errors, f"{lang}:\n  " + "\n  ".join(errors)
    buf = io.BytesIO()
    write_mo(buf, cat)
    assert buf.tell() > 0


def test_placeholder_check_catches_a_broken_translation() -> None:
    assert placeholders("%(num)s dakika") == ["num"]
    assert placeholders("%(sayı)s dakika") == ["sayı"]
    assert placeholders("%100 yerli") == ["%"]
    assert placeholders("100%% yerli") == []


# --- (c) on the pages ------------------------------------------------------------------


def interface_text(page: Page, lang: str) -> tuple[str, list[str]]:
    """The page's own text nodes (one a line) and labels: without the article body or anything in another language."""
    html = page.one("html")
    other = {id(chunk) for el in page.elements if el is not html and (
        el.attrs.get("class") == "article-body" or el.attrs.get("lang", lang) != lang) for chunk in el.children_text}
    text = "\n".join(chunk.strip() for chunk in html.children_text if id(chunk) not in other and chunk.strip())
    labels = [el.attrs[a] for el in page.elements for a in ("aria-label", "title", "placeholder", "alt")
              if a in el.attrs and el.attrs.get("lang", lang) == lang]
    return text, labels


def english_pattern(msgid: str) -> re.Pattern[str]:
    """The English string as a whole phrase, with any placeholder matching any text."""
    parts = [re.escape(part) for part in re.split(r"%\(\w+\)[sdif]", msgid)]
    return re.compile(r"(?<!\w)" + ".+?".join(parts) + r"(?!\w)")


def article_page(out: Path, lang: str) -> Path:
    pages = sorted(out.glob(f"{lang}/*/*/*/index.html"))
    assert pages, f"no article page in {out / lang}"
    return pages[0]


def translated(lang: str, msgid: str) -> str:
    """The catalog's own msgstr, never gettext's fallback to the English msgid."""
    message = catalog(lang).get(msgid)
    return forms(message)[0] if message is not None and not message.fuzzy else ""


def assert_speaks(path: Path, lang: str, expected: tuple[str, ...]) -> None:
    """No English interface string on the page (unless the catalog keeps it, like "GDP"), and ``expected`` translated."""
    page = scan(path.read_text(encoding="utf-8"))
    assert page.one("html").attrs["lang"] == lang
    text, labels = interface_text(page, lang)
    english = [form for msgid, id_forms in extracted().items() if translated(lang, msgid) != msgid for form in id_forms
               if english_pattern(form).search(text) or any(english_pattern(form).fullmatch(label) for label in labels)]
    assert not english, f"{path}: English interface strings on a '{lang}' page: {english}"
    absent = [(msgid, translated(lang, msgid)) for msgid in expected
              if not translated(lang, msgid) or (translated(lang, msgid) not in text and translated(lang, msgid) not in labels)]
    assert not absent, f"{path}: translations missing from the page: {absent}"


@pytest.mark.parametrize("lang", TRANSLATED_PAGES)
def test_article_pages_speak_their_language(sample_build: Path, lang: str) -> None:
    assert_speaks(article_page(sample_build, lang), lang, ALWAYS_ON_ARTICLE)


@pytest.mark.parametrize("lang", TRANSLATED_PAGES)
def test_language_pages_speak_their_language(sample_build: Path, lang: str) -> None:
    """The language index, with its story list (a plural count from macros.html)."""
    assert_speaks(sample_build / lang / "index.html", lang, (*CHROME, "All articles"))


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_story_pages_speak_their_language(sample_build: Path, lang: str) -> None:
    """Story pages, key figures included: their row labels come from builder/data/figures.yaml through the catalog."""
    pages = sorted(sample_build.glob(f"stories/*/{lang}/index.html"))
    assert pages, f"the sample has no story page in '{lang}'"
    for path in pages:
        assert_speaks(path, lang, CHROME + ("Coverage by language",))


FARSI_ARTICLE = """
---
title: "دیدار پوتین و ژاپاروف در بیشکک"
date: 2025-11-26
lang: fa
source: Example Wire
url: https://example.org/fa/1
---
## یک

متن خبر.
"""


def test_a_language_without_a_catalog_falls_back_to_english(make_site, tmp_path: Path) -> None:
    from builder.commands.build import build  # here, so the catalog checks above run even when the pipeline breaks

    assert "fa" not in catalog_languages()
    root = make_site({"content/articles/fa/didar.md": FARSI_ARTICLE}, sample=False)
    report = build(root, tmp_path / "out")
    page = scan(article_page(tmp_path / "out", "fa").read_text(encoding="utf-8"))
    html = page.one("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("fa", "rtl")
    text, labels = interface_text(page, "fa")
    for msgid in ("Published", "Source", "Skip to content", "Read the original"):
        assert msgid in text, f"{msgid!r} missing from the Persian page"
    assert "Languages" in labels
    assert babel.dates.format_date(date(2025, 11, 26), format="long", locale="fa") in text
    warnings = [str(w) for w in report.warnings if "'fa'" in w.message]
    assert warnings and "content/articles/fa/didar.md" in warnings[0], [str(w) for w in report.warnings]
