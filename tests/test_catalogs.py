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

import babel
import babel.dates
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from builder.lang.i18n import CATALOGS, catalog_file, catalog_languages, language, native_digits, translations
from htmlscan import Page, scan

REPO = Path(__file__).resolve().parent.parent
# every official UN language, every language of the sample and its region, and the larger languages of the
# readership: each must ship a complete catalog
REQUIRED = ("ar", "zh-Hans", "zh-Hant", "en", "fr", "ru", "es",
            "tr", "uz", "ky", "kk", "tg", "az", "vi", "fa", "ur", "hi", "bn",
            "de", "it", "pt", "pl", "uk", "he", "ja", "ko", "id", "th", "ka", "hy", "el")
RTL = {"ar", "fa", "he", "ur"}
LANGUAGES = catalog_languages()
SAMPLE_LANGUAGES = ("en", "ru", "tr", "uz", "ky", "vi")
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
    po = catalog_file(lang)
    assert po is not None and po.is_relative_to(CATALOGS), f"no catalog for '{lang}'"
    with po.open("rb") as fh:
        return read_po(fh, locale=language(lang).babel_id)


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


def test_every_required_language_has_a_catalog() -> None:
    assert set(REQUIRED) - set(LANGUAGES) == set()
    assert set(SAMPLE_LANGUAGES) <= set(LANGUAGES) and len(LANGUAGES) >= 30


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_table_knows_every_catalog_language(lang: str) -> None:
    """Its catalog is found under its own name (zh-Hans in zh_Hans/), and Babel gives its direction and endonym."""
    known = language(lang)
    assert catalog_file(lang) == CATALOGS / known.babel_id / "LC_MESSAGES" / "messages.po"
    assert known.direction == ("rtl" if lang in RTL else "ltr")
    assert known.endonym == babel.Locale.parse(known.babel_id).get_display_name(known.babel_id) != lang


@pytest.mark.parametrize(("code", "folder"), [
    ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"),
    ("uz-Latn", "uz"), ("uz-Cyrl", None), ("pt-PT", "pt"), ("ar-EG", "ar"), ("sr", None),
])
def test_a_tagged_code_finds_the_catalog_of_its_script(code: str, folder: str | None) -> None:
    """Region and script tags fall back to a catalog in the same script, never to one in another."""
    po = catalog_file(code)
    assert (po.parent.parent.name if po else None) == folder


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
    expected, header = get_plural(language(lang).babel_id), catalog(lang)
    assert header.num_plurals == expected.num_plurals
    ours, babels = gettext.c2py(header.plural_expr), gettext.c2py(expected.plural_expr)
    assert [ours(n) for n in range(1000)] == [babels(n) for n in range(1000)]


# Babel's gettext rule (babel.messages.plurals, what `pybabel init` writes) against CLDR's categories
# (babel.Locale.plural_form) for the counts a page shows (1 and up): where the two part, and why the catalog is
# still right. Reviewed language by language; a Babel upgrade that changes either side fails the test below.
CLDR_DIFFERENCES = {
    **dict.fromkeys(("es", "fr", "it", "pt"), "CLDR's 'many' is exact millions ('1 000 000 d'articles'), which "
                    "Babel's rule lacks; no page counts a million articles or minutes"),
    "he": "CLDR's 'two' is the dual, which כתבה and דקה do not take after a numeral (2 כתבות, 2 דקות)",
    **dict.fromkeys(("tr", "fa", "ka", "hy"), "CLDR's one/other, but a noun after a numeral stays singular "
                    "(3 makale, ۳ مقاله, 3 სტატია, 3 հոդված), so Babel's single form reads right for every count"),
    **dict.fromkeys(("id", "tg"), "Babel's rule has two forms where CLDR has one category: both forms must "
                    "read the same, which test_forms_cldr_does_not_tell_apart_are_the_same checks"),
}
COUNTS = (*range(1, 1001), 10**6, 2 * 10**6)


def cldr_categories(lang: str) -> dict[str, set[int]]:
    """CLDR category → the gettext form indexes Babel's rule picks for the counts in that category."""
    rule, loc = gettext.c2py(get_plural(language(lang).babel_id).plural_expr), babel.Locale.parse(language(lang).babel_id)
    found: dict[str, set[int]] = {}
    for n in COUNTS:
        found.setdefault(loc.plural_form(n), set()).add(rule(n))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_rule_matches_cldr_or_is_reviewed(lang: str) -> None:
    """One gettext form per CLDR category and one category per form, unless the difference is reviewed above."""
    found = cldr_categories(lang)
    forms_of = [index for indexes in found.values() for index in indexes]
    agrees = all(len(indexes) == 1 for indexes in found.values()) and len(forms_of) == len(set(forms_of))
    assert agrees != (lang in CLDR_DIFFERENCES), (
        f"{lang}: Babel's rule and CLDR {'now agree: drop the entry' if agrees else 'differ, unreviewed'}: {found}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forms_cldr_does_not_tell_apart_are_the_same(lang: str) -> None:
    """Where counts of one CLDR category get different gettext forms, those forms must say the same thing."""
    differing = [(message.id[0], category, {forms(message)[i] for i in indexes})
                 for category, indexes in cldr_categories(lang).items() if len(indexes) > 1
                 for message in catalog(lang) if isinstance(message.id, tuple)
                 if len({forms(message)[i] for i in indexes}) > 1]
    assert not differing, f"{lang}: {differing}"


# count → how a native writes it, for the languages with more than two forms (and Hebrew, with its dual)
PLURAL_SAMPLES = {
    "ru": {1: "1 минута", 3: "3 минуты", 5: "5 минут", 11: "11 минут", 21: "21 минута", 22: "22 минуты"},
    "uk": {1: "1 хвилина", 3: "3 хвилини", 5: "5 хвилин", 11: "11 хвилин", 21: "21 хвилина", 22: "22 хвилини"},
    "pl": {1: "1 minuta", 3: "3 minuty", 5: "5 minut", 12: "12 minut", 22: "22 minuty", 25: "25 minut"},
    "ar": {1: "1 دقيقة", 2: "2 دقيقتان", 3: "3 دقائق", 10: "10 دقائق", 11: "11 دقيقةً", 99: "99 دقيقةً",
           100: "100 دقيقة", 103: "103 دقائق", 111: "111 دقيقةً"},
    "he": {1: "1 דקה", 2: "2 דקות", 10: "10 דקות"},
    "fr": {1: "1 minute", 2: "2 minutes"},
}


@pytest.mark.parametrize("lang", PLURAL_SAMPLES)
def test_counts_take_the_right_form(lang: str) -> None:
    trans = translations(lang)
    assert {n: trans.ngettext("%(num)s minute", "%(num)s minutes", n) % {"num": n}
            for n in PLURAL_SAMPLES[lang]} == PLURAL_SAMPLES[lang]


WRONG_SCRIPT = [
    ("uz", r"[\u0400-\u04ff]", "Cyrillic in Uzbek, which the site writes in Latin"),
    ("uz", r"[A-Za-z]['`\u02bb][A-Za-z]", "o‘ and g‘ are written with U+2018 (and the tutuq with U+2019), as in CLDR"),
    ("ky", r"[A-Za-z]", "Latin letters in Kyrgyz, which is written in Cyrillic"),
    ("ru", r"[A-Za-z]", "Latin letters in Russian"),
    *((lang, r"[A-Za-z]", "Latin letters in a language with its own script")
      for lang in ("uk", "kk", "tg", "el", "ka", "hy", "ar", "fa", "ur", "he", "hi", "bn", "th")),
    ("uk", r"[ыэъё]", "Russian letters in Ukrainian"),
    ("az", r"[\u0400-\u04ff]", "Cyrillic in Azerbaijani, which the site writes in Latin"),
    ("fa", r"[يك]", "Arabic yeh and kaf in Persian, which writes ی and ک"),
    ("ur", r"[يك]", "Arabic yeh and kaf in Urdu, which writes ی and ک"),
    *((lang, r"(?<=[\u0600-\u06ff]),|(?<=[\u0600-\u06ff]) ?\?", "a Latin comma or question mark in Arabic script "
       "(، and ؟)") for lang in ("ar", "fa", "ur")),
    *((lang, r"[\u3040-\u30ff\u4e00-\u9fff][,:;!?()]", "half-width punctuation after CJK text (，：；！？（）)")
      for lang in ("zh-Hans", "zh-Hant", "ja")),
    ("fr", r"(?<!\u202f)[:;!?]", "French puts a narrow no-break space (U+202F) before : ; ! ?"),
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
    """The language index, with its story cards (plural counts from builder/render/listings.py)."""
    assert_speaks(sample_build / lang / "index.html", lang, (*CHROME, "Latest articles", "Archive"))


@pytest.mark.parametrize("lang", [code for code in SAMPLE_LANGUAGES if code != "en"])
def test_story_pages_speak_their_language(sample_build: Path, lang: str) -> None:
    """Story pages, key figures included: their row labels come from builder/data/figures.yaml through the catalog."""
    pages = sorted(sample_build.glob(f"stories/*/{lang}/index.html"))
    assert pages, f"the sample has no story page in '{lang}'"
    for path in pages:
        assert_speaks(path, lang, CHROME + ("Coverage by language",))


def one_article(lang: str) -> str:
    """An article in ``lang`` whose title is the language's own name, so nothing on its page is English."""
    return (f"---\ntitle: \"{language(lang).endonym}\"\ndate: 2025-11-26\nlang: {lang}\nsource: Example Wire\n"
            f"url: https://example.org/{lang}/1\n---\n## {language(lang).endonym}\n\n{language(lang).endonym}.\n")


@pytest.fixture(scope="module")
def every_language_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with one article in each catalog language, built once; returns the output folder."""
    from builder.commands.build import build
    from conftest import write_site

    root = write_site(tmp_path_factory.mktemp("every-language") / "site",
                      {f"content/articles/{lang}/a.md": one_article(lang) for lang in LANGUAGES}, sample=False)
    build(root, root / "public")
    return root / "public"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_catalog_language_gets_its_own_article_page(every_language_build: Path, lang: str) -> None:
    path = article_page(every_language_build, lang)
    assert scan(path.read_text(encoding="utf-8")).one("html").attrs["dir"] == language(lang).direction
    assert_speaks(path, lang, (*ALWAYS_ON_ARTICLE, "Read the original"))


PASHTO_ARTICLE = """
---
title: "د پوتین او ژاپاروف کتنه په بیشکک کې"
date: 2025-11-26
lang: ps
source: Example Wire
url: https://example.org/ps/1
---
## یو

د خبر متن.
"""


def test_a_language_without_a_catalog_falls_back_to_english(make_site, tmp_path: Path) -> None:
    from builder.commands.build import build  # here, so the catalog checks above run even when the pipeline breaks

    assert "ps" not in catalog_languages()
    root = make_site({"content/articles/ps/kata.md": PASHTO_ARTICLE}, sample=False)
    report = build(root, tmp_path / "out")
    page = scan(article_page(tmp_path / "out", "ps").read_text(encoding="utf-8"))
    html = page.one("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("ps", "rtl")
    text, _ = interface_text(page, "ps")
    english, labels = interface_text(page, "en")  # fallback strings carry lang="en" dir="ltr" of their own
    for msgid in ("Published", "Source", "Skip to content", "Read the original"):
        assert msgid in english and not english_pattern(msgid).search(text), f"{msgid!r} missing from the Pashto page or not marked English"
    assert "Languages" in labels
    assert native_digits(babel.dates.format_date(date(2025, 11, 26), format="long", locale="ps"), "ps") in text
    warnings = [str(w) for w in report.warnings if "'ps'" in w.message]
    assert warnings and "content/articles/ps/kata.md" in warnings[0], [str(w) for w in report.warnings]
