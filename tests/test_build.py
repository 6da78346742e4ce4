"""End to end, as a user runs it: ``python -m builder build`` on real folders.

Covers the localized pages, new languages with no code or config change, and
the promise on bad input: ``path:line: message``, exit code 1, and the previous
output byte-for-byte intact.
"""

from __future__ import annotations

import errno
from datetime import date
from pathlib import Path

import babel.dates
import pytest

from builder.lang import i18n
from conftest import REPO, MakeSite
from helpers import run, tree
from htmlscan import scan

SAMPLE_LANGS = {"uz": "o‘zbek", "tr": "Türkçe", "en": "English", "ky": "кыргызча", "vi": "Tiếng Việt"}






def article_pages(out: Path) -> dict[str, Path]:
    return {p.parent.relative_to(out).as_posix(): p for p in out.glob("*/[0-9][0-9][0-9][0-9]/*/*/index.html")}


def build_ok(site: Path, *extra: str) -> Path:
    result = run("build", "--site", str(site), "--no-search", *extra)
    assert result.returncode == 0, result.stderr
    return site / "public"


# --- the sample site -----------------------------------------------------------------


def test_sample_build_reports_where_and_how_many(make_site: MakeSite) -> None:
    site = make_site()
    result = run("build", "--no-search", cwd=site)  # --site defaults to the current folder
    assert result.returncode == 0, result.stderr
    out = site / "public"
    pages = len(list(out.rglob("*.html")))
    assert f"Built {pages} pages" in result.stdout and str(out) in result.stdout
    assert "Traceback" not in result.stderr


def test_sample_has_every_page(sample_build: Path) -> None:
    pages = article_pages(sample_build)
    assert sorted(p.split("/")[0] for p in pages) == sorted(SAMPLE_LANGS)
    assert (sample_build / "index.html").is_file()
    for lang in SAMPLE_LANGS:
        assert (sample_build / lang / "index.html").is_file()


@pytest.mark.parametrize("lang", sorted(SAMPLE_LANGS))
def test_article_page_speaks_its_language(sample_build: Path, lang: str) -> None:
    (path,) = [p for k, p in article_pages(sample_build).items() if k.startswith(lang + "/")]
    page = scan(path.read_text(encoding="utf-8"))
    html = page.one("html")
    assert html.attrs["lang"] == lang and html.attrs["dir"] == "ltr"
    time_el = page.all("time")[0]
    day = date.fromisoformat(time_el.attrs["datetime"][:10])
    assert babel.dates.format_date(day, "long", locale=i18n.language(lang).babel_id) in page.text_of(time_el)
    assert SAMPLE_LANGS[lang] in page.text
    trans = i18n.translations(lang)
    for msgid in ("Published", "Source", "Reading time", "Skip to content"):
        assert trans.gettext(msgid) in page.text
        if lang != "en":
            assert trans.gettext(msgid) != msgid, f"{msgid} untranslated in {lang}"
            assert msgid not in page.text
    assert "duration-minute" not in page.text and "None" not in page.text
    (ld,) = page.json_ld()
    assert ld["@type"] == "NewsArticle" and ld["inLanguage"] == lang and ld["headline"]
    assert ld["datePublished"] == time_el.attrs["datetime"]
    og = {m.attrs["property"]: m.attrs["content"] for m in page.all("meta") if "property" in m.attrs}
    assert og["og:locale"] == i18n.language(lang).og_locale and "_" in og["og:locale"]
    assert page.one("link", rel="canonical").attrs["href"].startswith("https://")


def test_sample_dates_are_the_stated_days(sample_build: Path) -> None:
    expected = {"uz": "2025-11-26", "tr": "2025-11-26T14:41:00+03:00", "en": "2025-11-26", "ky": "2022-05-16",
                "vi": "2025-11-27"}
    for key, path in article_pages(sample_build).items():
        ld = scan(path.read_text(encoding="utf-8")).json_ld()[0]
        assert ld["datePublished"] == expected[key.split("/")[0]]


def test_kyrgyz_and_turkish_dates_in_their_locale(sample_build: Path) -> None:
    text = {k.split("/")[0]: p.read_text(encoding="utf-8") for k, p in article_pages(sample_build).items()}
    assert "2022-ж., 16-май" in text["ky"]
    assert "26 Kasım 2025" in text["tr"]


def test_internal_links_live_under_the_base_path(sample_build: Path) -> None:
    for path in sample_build.rglob("*.html"):
        page = scan(path.read_text(encoding="utf-8"))
        for el in page.all("a") + page.all("link") + page.all("script"):
            url = el.attrs.get("href") or el.attrs.get("src") or ""
            if url.startswith("/"):
                assert url.startswith("/news-digest/"), (path, url)


def test_language_switcher_lists_endonyms(sample_build: Path) -> None:
    page = scan((sample_build / "index.html").read_text(encoding="utf-8"))
    links: dict[str, str] = {}  # the language list comes first; story links carry hreflang too
    for a in page.all("a"):
        links.setdefault(a.attrs.get("hreflang") or "", page.text_of(a))
    for lang, endonym in SAMPLE_LANGS.items():
        assert links.get(lang) == endonym


# --- languages the sample lacks ----------------------------------------------------------

NEW = {
    "ru": ("Путин прибыл в Бишкек", "ltr", "русский"),
    "ar": ("بوتين يصل إلى بيشكيك", "rtl", "العربية"),
    "fa": ("پوتین وارد بیشکک شد", "rtl", "فارسی"),
    "he": ("פוטין הגיע לבישקק", "rtl", "עברית"),
    "zh-Hans": ("普京抵达比什凯克", "ltr", "中文 (简体)"),
    "ja": ("プーチン大統領がビシュケクに到着", "ltr", "日本語"),
    "ko": ("푸틴 대통령 비슈케크 도착", "ltr", "한국어"),
    "hi": ("पुतिन बिश्केक पहुंचे", "ltr", "हिन्दी"),
    "de": ("Putin in Bischkek eingetroffen", "ltr", "Deutsch"),
}


def test_new_languages_need_no_code_or_config(make_site: MakeSite) -> None:
    files = {f"content/articles/new/{code}.md": f"---\ntitle: \"{title}\"\ndate: 2025-11-25\nlang: {code}\n"
             f"source: Test Wire\n---\n\n## {title}\n\n{title}. " * 1 + f"{title}.\n"
             for code, (title, _, _) in NEW.items()}
    site = make_site(files)
    before = (site / "site.yaml").read_bytes()
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 0, result.stderr
    assert (site / "site.yaml").read_bytes() == before
    pages = article_pages(site / "public")
    for code, (title, direction, endonym) in NEW.items():
        (path,) = [p for k, p in pages.items() if k.startswith(code + "/")]
        assert path.parent.name.isascii() and path.parent.name, path
        page = scan(path.read_text(encoding="utf-8"))
        assert page.one("html").attrs == {"lang": code, "dir": direction}
        assert endonym in page.text and title in page.text
        day = i18n.native_digits(babel.dates.format_date(date(2025, 11, 25), "long", locale=i18n.language(code).babel_id), code)  # the locale's digits
        assert day in page.text
        assert page.json_ld()[0]["inLanguage"] == code
        if not i18n.has_catalog(code):
            assert f"no interface catalog for '{code}'" in result.stderr
        assert (site / "public" / code / "index.html").is_file()


# --- bad input: path:line: message, exit 1, previous output intact ------------------------
# Each case of the catalog is a fixture site in tests/fixtures/bad/, run by test_bad_input.py.

GOOD_HEAD = "---\ntitle: Fine\ndate: 2025-11-20\nlang: en\nsource: Wire\n---\nBody.\n"
BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "missing field": ("---\ntitle: A\ndate: 2025-11-20\nlang: en\n---\nx\n", "content/articles/bad.md:1: error: required field 'source' is missing"),
    "bad yaml": ("---\ntitle: a: b\ndate: 2025-11-20\nlang: en\nsource: W\n---\n", "content/articles/bad.md:2:9: error: "
                 "mapping values are not allowed here\n    2 | title: a: b\n      |         ^\n"
                 '    hint: quote the value: title: "a: b"\n'),
    "bad date": ("---\ntitle: A\ndate: 2025-02-30\nlang: en\nsource: W\n---\n", "content/articles/bad.md:3:7: error: '2025-02-30' is not a real date: day is out of range"),
    "unknown language": ("---\ntitle: A\ndate: 2025-11-20\nlang: xx\nsource: W\n---\n", "content/articles/bad.md:4:7: error: unknown language code 'xx'"),
    "not utf-8": ("---\ntitle: Caf\xe9\ndate: 2025-11-20\nlang: en\nsource: W\n---\n".encode("latin-1"), "content/articles/bad.md:2:11: error: not valid UTF-8"),
    "unclosed": ("---\ntitle: A\n", "content/articles/bad.md:1:1: error: front matter opened"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_input_keeps_previous_output(make_site: MakeSite, case: str) -> None:
    site = make_site()
    out = build_ok(site)
    before = tree(out)
    content, expected = BAD_FILES[case]
    bad = site / "content/articles/bad.md"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Build failed with" in result.stderr
    assert tree(out) == before
    assert not [p for p in site.iterdir() if "staging" in p.name or ".old-" in p.name]


def test_all_problems_are_reported_at_once(make_site: MakeSite) -> None:
    """Broken articles, a broken story file and a broken site.yaml key: one run reports them all."""
    site = make_site({"content/articles/a.md": BAD_FILES["bad date"][0], "content/articles/b.md": BAD_FILES["missing field"][0],
                      "content/articles/c.md": BAD_FILES["bad yaml"][0]})
    story = site / "content/clusters/putin-bishkek-2025-11/story.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace("end: 2025-11-30", "end: 2025-11-31"), encoding="utf-8")
    story_line = story.read_text(encoding="utf-8").splitlines().index("  end: 2025-11-31") + 1
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("feeds: true", "feeds: yes"), encoding="utf-8")
    config_line = config.read_text(encoding="utf-8").splitlines().index("feeds: yes") + 1
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "Build failed with 5 errors" in result.stderr, result.stderr
    for where in ("content/articles/a.md:3:7: error:", "content/articles/b.md:1: error:", "content/articles/c.md:2:9: error:",
                  f"content/clusters/putin-bishkek-2025-11/story.yaml:{story_line}:8: error: 'window.end' must be a date",
                  f"site.yaml:{config_line}:8: error: 'feeds' must be a boolean"):
        assert where in result.stderr, (where, result.stderr)
    assert "Traceback" not in result.stderr and not (site / "public").exists()


def test_same_url_names_both_files(make_site: MakeSite) -> None:
    head = GOOD_HEAD.replace("source: Wire\n", "source: Wire\nslug: fine\n")  # one title alone moves apart
    site = make_site({"content/articles/x1.md": head, "content/articles/x2.md": head}, sample=False)
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1
    assert "content/articles/x1.md" in result.stderr and "content/articles/x2.md" in result.stderr


def test_site_yaml_error_names_line(make_site: MakeSite) -> None:
    site = make_site()
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_file_bytes: lots\n", encoding="utf-8")
    line = len(config.read_text(encoding="utf-8").splitlines())
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and f"site.yaml:{line}:17: error: 'max_file_bytes' must be an integer" in result.stderr


def test_template_errors_name_template_and_line(make_site: MakeSite) -> None:
    site = make_site()
    template = site / "templates/article.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "{% if %}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "templates/article.html:3:" in result.stderr, result.stderr
    assert "\n    3 | {% if %}\n" in result.stderr
    lines[2] = "{{ no_such_variable }}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "templates/article.html:3:" in result.stderr
    assert "no_such_variable" in result.stderr and "while rendering /" in result.stderr
    # five article pages fail on one template line: one problem, naming a page and counting the others
    assert result.stderr.count("no_such_variable' is undefined") == 1, result.stderr
    assert "Build failed with 1 error:" in result.stderr and "and 4 other pages)" in result.stderr


def test_a_failed_build_shows_its_warnings_too(make_site: MakeSite) -> None:
    site = make_site({"content/articles/typo.md": GOOD_HEAD.replace("title: Fine", "title: Fine\ntittle: x"),
                      "content/articles/bad.md": BAD_FILES["missing field"][0]})
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "Build failed with 1 error:" in result.stderr
    assert "content/articles/typo.md:3:1: warning: unknown key 'tittle'" in result.stderr, result.stderr


def test_symlink_leaving_the_site_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    outside = tmp_path / "outside.md"
    outside.write_text(GOOD_HEAD, encoding="utf-8")
    (site / "content/articles/link.md").symlink_to(outside)
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "symlinks outside the site are not followed" in result.stderr


@pytest.mark.parametrize("target", ["content", ".", "content/articles/out", "/"])
def test_refuses_output_folders_holding_sources(make_site: MakeSite, target: str) -> None:
    site = make_site()
    before = tree(site)
    result = run("build", "--site", str(site), "--no-search", "--out", target if target == "/" else str(site / target))
    assert result.returncode == 1 and "refusing" in result.stderr
    assert tree(site) == before


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("build", "--site", str(tmp_path)).returncode == 2
    assert run("build", "--no-such-flag").returncode == 2
    assert run().returncode == 2


def test_nothing_is_written_outside_the_output(make_site: MakeSite) -> None:
    site = make_site({"content/articles/evil.md": "---\ntitle: \"../../../etc {{ 7*7 }}\"\ndate: 2025-11-20\nlang: en\nsource: W\n---\n"
                      "<script>alert(1)</script>\n"})
    parent_before = sorted(p.name for p in site.parent.iterdir())
    source_before = tree(site)
    out = build_ok(site)
    assert sorted(p.name for p in site.parent.iterdir()) == parent_before
    assert {k: v for k, v in tree(site).items() if not k.startswith("public/")} == source_before
    (page,) = [p for k, p in article_pages(out).items() if "etc" in k]
    text = page.read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in text and "<script>alert" not in text
    assert page.resolve().is_relative_to(out.resolve())


def test_interrupted_render_keeps_previous_output(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.render import pages as render
    from builder.commands.build import build
    from builder.errors import BuildError

    site = make_site()
    out = build_ok(site)
    before = tree(out)
    calls = {"n": 0}
    original = render.Renderer.article_context

    def failing(self, article):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, article)

    monkeypatch.setattr(render.Renderer, "article_context", failing)
    with pytest.raises(KeyboardInterrupt):
        build(site, out)
    assert tree(out) == before

    def disk_full(self, data):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(render.Renderer, "article_context", original)
    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(BuildError, match="No space left"):
        build(site, out)
    monkeypatch.undo()
    assert tree(out) == before
    assert not [p for p in site.iterdir() if "staging" in p.name]


FAULTS = {  # where the build is cut short, and by what
    "a bug after 3 pages": ("render", RuntimeError("a bug in digest")),
    "Ctrl-C after 4 files": ("write", KeyboardInterrupt()),
    "a bug after 4 files": ("write", RuntimeError("a bug in digest")),
    "disk full after 4 files": ("write", OSError(errno.ENOSPC, "No space left on device")),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_build_cut_short_keeps_previous_output(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    """Half a build is never swapped in: the staging folder, however full, is removed and the old output stays."""
    from builder.render import pages as render
    from builder.commands.build import build
    from builder.errors import BuildError

    site = make_site({f"content/articles/a{i}.md": GOOD_HEAD.replace("Fine", f"Fine {i}") for i in range(4)}, sample=False)
    out = build_ok(site)
    before = tree(out)
    config = site / "site.yaml"  # a new site title: every page is rendered and written again
    config.write_text(config.read_text(encoding="utf-8").replace("World News Digest", "World News Weekly"), encoding="utf-8")
    phase, error = FAULTS[fault]
    owner, name, after = (render.Renderer, "article_context", 3) if phase == "render" else (Path, "write_bytes", 5)
    original, calls = getattr(owner, name), []

    def failing(*args):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == after:
            raise error
        return original(*args)

    monkeypatch.setattr(owner, name, failing)
    with pytest.raises(BuildError if isinstance(error, OSError) else type(error)):
        build(site, out, search=False)
    monkeypatch.undo()
    assert len(calls) == after and tree(out) == before
    assert not [p for p in site.iterdir() if p.name.startswith(".public.")]


def test_builds_are_reproducible(sample_build: Path, tmp_path: Path) -> None:
    """The same sources give the same bytes (search index included), so an unchanged site deploys nothing."""
    from builder.commands.build import build

    build(REPO, tmp_path / "again")
    assert tree(tmp_path / "again") == tree(sample_build)


def test_empty_file_is_skipped_with_a_warning(make_site: MakeSite) -> None:
    site = make_site({"content/articles/new.md": ""})
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 0 and "content/articles/new.md: warning: empty file skipped" in result.stderr
    assert run("build", "--site", str(site), "--no-search", "--strict").returncode == 1


def test_static_symlink_leaving_the_site_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not publish", encoding="utf-8")
    (site / "static/leak.txt").symlink_to(secret)
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and "static/leak.txt: error: symlinks outside the site are not followed" in result.stderr


# --- the theme: a site overrides it file by file ----------------------------------------


def test_a_site_template_or_static_file_overrides_the_theme_file_by_file(make_site: MakeSite) -> None:
    """A site's ``templates/`` and ``static/`` hold only what it changes; the theme gives the rest. Removing
    the override brings the theme's file back on the next (incremental) build, byte for byte."""
    site = make_site()
    for folder in ("templates", "static"):
        for path in sorted((site / folder).iterdir(), reverse=True):
            path.unlink()
    (site / "templates/article.html").write_text(
        (REPO / "templates/article.html").read_text(encoding="utf-8").replace("</article>", "<p>local edition</p></article>"),
        encoding="utf-8")
    (site / "static/style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    out = build_ok(site)
    assert all("local edition" in page.read_text(encoding="utf-8") for page in article_pages(out).values())
    assert "local edition" not in (out / "index.html").read_text(encoding="utf-8")  # home.html is the theme's
    assert (out / "static/style.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    theme_static = {p.relative_to(REPO / "static").as_posix() for p in (REPO / "static").rglob("*") if p.is_file()}
    assert theme_static <= {p.relative_to(out / "static").as_posix() for p in (out / "static").rglob("*")}

    (site / "templates/article.html").unlink()
    (site / "static/style.css").unlink()
    build_ok(site)
    assert not any("local edition" in page.read_text(encoding="utf-8") for page in article_pages(out).values())
    assert (out / "static/style.css").read_bytes() == (REPO / "static/style.css").read_bytes()
    assert tree(out) == tree(build_ok(make_site(name="theme-only")))


# --- drafts ------------------------------------------------------------------------------------

DRAFT = "content/articles/en/putin-bishkek-draft.md"
DRAFT_TEXT = """\
---
title: Russia, Kyrgyzstan to sign key collaboration deals
date: 2025-11-26
lang: en
source: Reuters
draft: true
---
BISHKEK, Nov 26 (Reuters) - Vladimir Putin and Sadyr Japarov met in Bishkek ahead of the CSTO summit.
"""


def test_a_draft_is_left_out_of_every_page_until_a_build_asks_for_drafts(make_site: MakeSite) -> None:
    """A draft has no page, no entry in a list, feed, sitemap or story, and takes no URL: it shares its title
    (so its slug) with a published article, which keeps its own. ``--drafts`` puts it in."""
    site = make_site({DRAFT: DRAFT_TEXT})
    out = build_ok(site)
    published = set(article_pages(out))
    everything = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert "putin-bishkek-draft" not in everything and "russia-kyrgyzstan-to-sign-key-collaboration-deals-2" not in everything
    clusters = run("clusters", "--site", str(site))
    assert clusters.returncode == 0 and DRAFT not in clusters.stdout

    build_ok(site, "--drafts")
    assert len(set(article_pages(out)) - published) == 1
    assert published <= set(article_pages(out))  # the published article kept its URL
    assert "Ahead of the CSTO summit".lower() in "\n".join(
        p.read_text(encoding="utf-8").lower() for p in article_pages(out).values())
    assert set(article_pages(build_ok(site))) == published  # and a build without --drafts takes it out again


def test_a_draft_flag_that_is_not_a_boolean_names_its_line(make_site: MakeSite) -> None:
    site = make_site({DRAFT: DRAFT_TEXT.replace("draft: true", "draft: maybe")})
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 1 and f"{DRAFT}:6:8: error:" in result.stderr and "draft" in result.stderr
