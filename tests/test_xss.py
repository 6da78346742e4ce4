"""Article bodies are untrusted: XSS vectors never reach a page as something that runs.

Vectors from OWASP's XSS Filter Evasion Cheat Sheet and PortSwigger's XSS cheat sheet, Markdown's own
(links, images, references, autolinks), raw HTML, and template syntax. One site holds every vector as an
article, built by the real builder. Each page is judged twice: by parsing its HTML (no script but the
site's own, no event handler, no script or data URL, no frame, object, embed, base, form or refresh),
and in headless Chromium, where alert/confirm/prompt/print and a ``window.__xss`` counter report every
execution, whatever a Content-Security-Policy might have blocked, while every link of the body is clicked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import markdown
import pytest

from builder.read.articles import parse_article
from builder.model import SiteConfig
from conftest import say, write_site
from htmlscan import Page, scan
from helpers import run

JS = "alert(1)"
B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>

# (name, where it comes from, the article body)
VECTORS: list[tuple[str, str, str]] = [
    # OWASP XSS Filter Evasion Cheat Sheet
    ("basic script", "OWASP", "<script>window.__xss++</script>"),
    ("script src", "OWASP", '<SCRIPT SRC="data:text/javascript,window.__xss++"></SCRIPT>'),
    ("img javascript src", "OWASP", f"<IMG SRC=\"javascript:{JS};\">"),
    ("img no quotes", "OWASP", f"<IMG SRC=javascript:{JS}>"),
    ("case", "OWASP", f"<IMG SRC=JaVaScRiPt:{JS}>"),
    ("grave accents", "OWASP", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"),
    ("malformed a", "OWASP", '\\<a onmouseover="alert(document.cookie)"\\>xxs link\\</a\\>'),
    ("malformed img", "OWASP", '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>'),
    ("fromCharCode", "OWASP", "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>"),
    ("default src onmouseover", "OWASP", "<IMG SRC=# onmouseover=\"alert('xxs')\">"),
    ("onerror", "OWASP", '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>'),
    ("decimal references", "OWASP", "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;"
                                    "&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"),
    ("long decimal references", "OWASP", "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
                                         "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114"
                                         "&#0000116&#0000040&#0000049&#0000041>"),
    ("hex references", "OWASP", "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65"
                                "&#x72&#x74&#x28&#x31&#x29>"),
    ("embedded tab", "OWASP", f"<IMG SRC=\"jav\tascript:{JS};\">"),
    ("encoded tab", "OWASP", f"<IMG SRC=\"jav&#x09;ascript:{JS};\">"),
    ("encoded newline", "OWASP", f"<IMG SRC=\"jav&#x0A;ascript:{JS};\">"),
    ("encoded carriage return", "OWASP", f"<IMG SRC=\"jav&#x0D;ascript:{JS};\">"),
    ("encoded null", "OWASP", f"<IMG SRC=java&#0;script:{JS}>"),
    ("spaces and meta before", "OWASP", f"<IMG SRC=\" &#14;  javascript:{JS};\">"),
    ("non-alpha separator", "OWASP", "<SCRIPT/XSS SRC=\"data:text/javascript,window.__xss++\"></SCRIPT>"),
    ("body onload junk", "OWASP", "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>"),
    ("extraneous brackets", "OWASP", "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>"),
    ("no closing script", "OWASP", "<SCRIPT SRC=data:text/javascript,window.__xss++?< B >"),
    ("half open", "OWASP", f"<IMG SRC=\"`<javascript:{JS}>`"),
    ("end title", "OWASP", "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>"),
    ("input image", "OWASP", f"<INPUT TYPE=\"IMAGE\" SRC=\"javascript:{JS};\">"),
    ("body background", "OWASP", f"<BODY BACKGROUND=\"javascript:{JS}\">"),
    ("svg onload", "OWASP", "<SVG/ONLOAD=window.__xss++>"),
    ("bgsound", "OWASP", f"<BGSOUND SRC=\"javascript:{JS};\">"),
    ("link stylesheet", "OWASP", f"<LINK REL=\"stylesheet\" HREF=\"javascript:{JS};\">"),
    ("style import", "OWASP", "<STYLE>@import'data:text/css,body{background:red}';</STYLE>"),
    ("meta refresh", "OWASP", f"<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:{JS};\">"),
    ("meta refresh data", "OWASP", f"<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html;base64,{B64_SCRIPT}\">"),
    ("iframe", "OWASP", f"<IFRAME SRC=\"javascript:{JS};\"></IFRAME>"),
    ("frameset", "OWASP", f"<FRAMESET><FRAME SRC=\"javascript:{JS};\"></FRAMESET>"),
    ("table background", "OWASP", f"<TABLE BACKGROUND=\"javascript:{JS}\"><tr><td>x</td></tr></TABLE>"),
    ("style url", "OWASP", f"<DIV STYLE=\"background-image: url(javascript:{JS})\">x</DIV>"),
    ("style expression", "OWASP", "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>"),
    ("base href", "OWASP", f"<BASE HREF=\"javascript:{JS};//\">"),
    ("object", "OWASP", f"<OBJECT TYPE=\"text/html\" DATA=\"data:text/html;base64,{B64_SCRIPT}\"></OBJECT>"),
    ("embed svg", "OWASP", "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zd"
                           "mciIG9ubG9hZD0iYWxlcnQoMSkiLz4=\" type=\"image/svg+xml\" AllowScriptAccess=\"always\">"),
    ("form action", "OWASP", f"<form action=\"javascript:{JS}\"><input type=submit value=go></form>"),
    # PortSwigger's cross-site scripting cheat sheet
    ("details ontoggle", "PortSwigger", f"<details open ontoggle={JS}><summary>s</summary>x</details>"),
    ("svg animate onbegin", "PortSwigger", f"<svg><animate onbegin={JS} attributeName=x dur=1s>"),
    ("svg animate href", "PortSwigger", "<svg><a><animate attributeName=href values=javascript:alert(1) />"
                                        "<text x=20 y=20>Click me</text></a></svg>"),
    ("svg script", "PortSwigger", "<svg><script>window.__xss++</script></svg>"),
    ("math href", "PortSwigger", f"<math><mtext><a href=\"javascript:{JS}\">math link</a></mtext></math>"),
    ("math maction", "PortSwigger", f"<math><maction actiontype=\"statusline\" xlink:href=\"javascript:{JS}\">CLICK"
                                    "<mtext>x</mtext></maction></math>"),
    ("video source onerror", "PortSwigger", f"<video><source onerror={JS}></video>"),
    ("audio onerror", "PortSwigger", f"<audio src/onerror={JS}>"),
    ("animation start", "PortSwigger", "<style>@keyframes x{}</style><xss style=\"animation-name:x\" "
                                       f"onanimationstart=\"{JS}\"></xss>"),
    ("autofocus onfocus", "PortSwigger", f"<input autofocus onfocus={JS}>"),
    ("custom tag onfocus", "PortSwigger", f"<xss id=x onfocus={JS} tabindex=1>#x</xss>"),
    ("marquee onstart", "PortSwigger", f"<marquee onstart={JS}>m</marquee>"),
    ("iframe srcdoc", "PortSwigger", "<iframe srcdoc=\"<script>parent.__xss++</script>\"></iframe>"),
    ("button formaction", "PortSwigger", f"<form><button formaction=javascript:{JS}>X</button></form>"),
    ("noscript mutation", "PortSwigger", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>"),
    ("comment breakout", "PortSwigger", "<!--<img src=\"--><img src=x onerror=alert(1)//\">"),
    ("nested script", "PortSwigger", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("eval alt", "PortSwigger", "<img src=x:alert(alt) onerror=eval(src) alt=0>"),
    ("leading space scheme", "PortSwigger", f"<a href=\" javascript:{JS}\">lead</a>"),
    ("entity in scheme", "PortSwigger", f"<a href=\"javas&#99;ript:{JS}\">ent</a>"),
    ("data link", "PortSwigger", f"<a href=\"data:text/html;base64,{B64_SCRIPT}\">data</a>"),
    ("vbscript", "PortSwigger", "<a href=\"vbscript:msgbox(1)\">vb</a>"),
    ("template element", "PortSwigger", f"<template><img src=x onerror={JS}></template>"),
    # Markdown
    ("md link", "Markdown", f"[x](javascript:{JS})"),
    ("md link case", "Markdown", f"[x](JaVaScRiPt:{JS})"),
    ("md link entity colon", "Markdown", f"[x](javascript&#58;{JS})"),
    ("md link entity letter", "Markdown", f"[x](&#106;avascript:{JS})"),
    ("md link angle brackets", "Markdown", f"[x](<javascript:{JS}>)"),
    ("md link vbscript", "Markdown", "[x](vbscript:msgbox(1))"),
    ("md link data", "Markdown", f"[x](data:text/html;base64,{B64_SCRIPT})"),
    ("md image data", "Markdown", f"![x](data:text/html;base64,{B64_SCRIPT})"),
    ("md image javascript", "Markdown", f"![x](javascript:{JS})"),
    ("md image title breakout", "Markdown", '![img](x" onerror="window.__xss++)'),
    ("md link title breakout", "Markdown", f'[x](https://ok.test/ "t\\" onmouseover=\\"{JS}")'),
    ("md reference", "Markdown", f"[x][1]\n\n[1]: javascript:{JS}"),
    ("md reference data", "Markdown", f"![x][img]\n\n[img]: data:text/html;base64,{B64_SCRIPT}"),
    ("md autolink", "Markdown", f"<javascript:{JS}>"),
    ("md autolink data", "Markdown", f"<data:text/html;base64,{B64_SCRIPT}>"),
    ("md html in emphasis", "Markdown", f"*<img src=x onerror={JS}>*"),
    ("md code is text", "Markdown", "`<script>window.__xss++</script>`\n\n    <img src=x onerror=alert(1)>"),
    # Raw HTML the sanitizer must take apart
    ("onclick div", "raw HTML", f"<div onclick=\"{JS}\">click</div>"),
    ("object data js", "raw HTML", f"<object data=\"javascript:{JS}\"></object>"),
    ("embed js", "raw HTML", f"<embed src=\"javascript:{JS}\">"),
    ("meta refresh body", "raw HTML", "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test/\">"),
    ("link import", "raw HTML", "<link rel=\"import\" href=\"https://evil.test/x.html\">"),
    ("base target", "raw HTML", "<base href=\"https://evil.test/\" target=\"_top\">"),
    ("unclosed div and table", "raw HTML", "<div><table><tr><td>cell"),
    # Template syntax: printed, never evaluated
    ("template expression", "template", "Sum: {{ 7*7 }} and {{ config.items() }} and {{ self }}"),
    ("template include", "template", "{% include 'base.html' %} {% for x in range(3) %}loop{% endfor %}"),
]
TEMPLATE_TITLE = "{{ 7*7 }} {% include 'base.html' %} <script>window.__xss++</script>"
SCHEMES = {"javascript", "vbscript", "data"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "lowsrc", "dynsrc",
             "cite", "longdesc", "srcset", "values", "to", "from", "by"}
FORBIDDEN = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input", "button",
             "textarea", "select", "isindex", "keygen", "bgsound", "video", "audio", "source", "template", "noscript",
             "svg", "math", "marquee", "xss", "animate"}


def article(name: str, body: str, title: str | None = None) -> str:
    return (f"---\ntitle: {json.dumps(title or name)}\ndate: 2025-11-20\nlang: en\nsource: Wire\n---\n\n"
            f"Before.\n\n{body}\n\nAfter.\n")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One site with every vector as an article, built by ``digest build``; vector name → its page."""
    files = {f"content/articles/v{i:03d}.md": article(name, body) for i, (name, _, body) in enumerate(VECTORS)}
    files["content/articles/title.md"] = article("title", "Body with a {{ 7*7 }} in it.", TEMPLATE_TITLE)
    files["content/articles/control.md"] = article("control", "A plain body with [a link](https://example.com/).")
    site = write_site(tmp_path_factory.mktemp("xss") / "site", files, sample=False)
    result = run("build", "--site", str(site), "--no-search")
    if result.returncode != 0:  # a vector whose link leads nowhere in the site is refused, never published
        errors = re.findall(r"^(\S+?)(?::\d+)*: error: (.*)$", result.stderr, re.MULTILINE)
        assert errors and all(message.startswith("broken link") for _, message in errors), result.stderr
        for path in {path for path, _ in errors}:
            (site / path).unlink()
        result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 0, result.stderr
    out = site / "public" / "en" / "2025" / "11"
    found = {}
    for index_html in out.glob("*/index.html"):
        h1 = scan(index_html.read_text(encoding="utf-8")).one("h1")
        found["".join(h1.children_text).strip()] = index_html
    return found


def scheme(url: str) -> str:
    """The scheme a browser sees: tabs and newlines anywhere removed, leading spaces and controls ignored."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21)))).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


def executable(page: Page, control: Page) -> list[str]:
    """Everything on ``page`` that could run, beyond what the site's own clean article page has."""
    found = []
    ours = Counter((e.attrs.get("type"), e.attrs.get("src")) for e in control.all("script"))
    theirs = Counter((e.attrs.get("type"), e.attrs.get("src")) for e in page.all("script"))
    found += [f"script {key}" for key in theirs - ours]
    for tag in sorted(FORBIDDEN | {"style", "link", "meta"}):
        if len(page.all(tag)) > len(control.all(tag)):
            found.append(f"<{tag}>")
    for el in page.elements:
        for name, value in el.attrs.items():
            if name.startswith("on") or name in {"srcdoc", "style"}:
                found.append(f"<{el.tag} {name}>")
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            if name in URL_ATTRS and any(scheme(url) in SCHEMES for url in urls):
                found.append(f"<{el.tag} {name}={value!r}>")
        if el.tag == "meta" and el.attrs.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
    return found


def test_enough_vectors_from_each_source() -> None:
    sources = Counter(source for _, source, _ in VECTORS)
    assert len(VECTORS) >= 30 and sources["OWASP"] + sources["PortSwigger"] >= 30 and sources["Markdown"] >= 10
    assert len({name for name, _, _ in VECTORS}) == len(VECTORS)


def test_the_check_sees_vectors_the_sanitizer_would_remove() -> None:
    """Without the sanitizer most vectors are caught by ``executable`` (the rest Markdown escapes itself),
    so a page that passes it is clean, not unexamined."""
    plain = scan("<p>x</p>")
    caught = [name for name, _, body in VECTORS if executable(scan(markdown.markdown(body)), plain)]
    assert len(caught) >= 75, sorted({name for name, _, _ in VECTORS} - set(caught))


def test_no_vector_leaves_anything_executable(pages: dict[str, Path], request: pytest.FixtureRequest) -> None:
    control = scan(pages["control"].read_text(encoding="utf-8"))
    assert control.all("script") and not executable(control, control)
    found = {}
    refused = [name for name, _, _ in VECTORS if name not in pages]  # broken links: the build refused them
    assert len(refused) < len(VECTORS) // 5, refused
    for name in (name for name, _, _ in VECTORS if name in pages):
        page = scan(pages[name].read_text(encoding="utf-8"))
        if problems := executable(page, control):
            found[name] = problems
        assert "Before." in page.text and page.all("footer"), name  # the page around the body stays whole
    say(request.config, f"XSS: {len(VECTORS)} vectors, {len(refused)} refused for a broken link, "
                        f"{sum(map(len, found.values()))} executable constructs found by parsing the pages")
    assert not found


def test_template_syntax_is_printed_not_run(pages: dict[str, Path]) -> None:
    page = scan(pages[TEMPLATE_TITLE].read_text(encoding="utf-8"))
    assert TEMPLATE_TITLE in page.text and "{{ 7*7 }}" in page.text and "49" not in page.text
    for name, source, body in VECTORS:
        if source == "template":
            text = scan(pages[name].read_text(encoding="utf-8")).text
            assert body in text and "looploop" not in text and "<Template" not in text


@pytest.mark.parametrize("key", ["url", "image"])
@pytest.mark.parametrize("value", [f"javascript:{JS}", f"' JaVaScRiPt:{JS}'", "vbscript:msgbox(1)",
                                   f"data:text/html;base64,{B64_SCRIPT}", "//evil.test/x"])
def test_front_matter_urls_must_be_web_urls(key: str, value: str) -> None:
    """``url`` becomes the "Read the original" link: anything but http(s) is refused, with its place."""
    config = SiteConfig(root=Path("."), title={"en": "T"}, base_url="https://x.test/", default_language="en",
                        languages=("en",))
    data = f"---\ntitle: A\ndate: 2025-11-20\nlang: en\nsource: W\n{key}: {value}\n---\n".encode()
    article, problems = parse_article("a.md", data, config)
    assert article is None and [(p.line, p.col) for p in problems] == [(6, len(key) + 3)]
    assert f"'{key}' must be an http(s) URL" in problems[0].message


INIT = """
(() => {
  let count = 0;
  const report = (what) => window.__report(what + " on " + location.href);
  Object.defineProperty(window, "__xss", {get: () => count, set: (v) => { count = v; report("__xss"); }});
  for (const name of ["alert", "confirm", "prompt", "print"]) window[name] = () => report(name);
  document.addEventListener("securitypolicyviolation", (e) => report("blocked by CSP: " + e.violatedDirective));
})();
"""


# Every event an inline handler could wait for, on every element of the body (links are clicked for real).
PROVOKE = """
for (const el of document.querySelectorAll(".article-body *")) {
  for (const type of ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "dblclick", "focus", "focusin",
                      "blur", "keydown", "keyup", "input", "change", "toggle", "animationstart", "animationend",
                      "transitionend", "load", "error", "begin", "start", "scroll", "wheel", "pointerover"]) {
    el.dispatchEvent(new Event(type));
  }
  if (el.tagName !== "A") el.dispatchEvent(new MouseEvent("click"));
}
"""


@pytest.mark.browser
def test_no_vector_runs_in_chromium(pages: dict[str, Path], browser: object, request: pytest.FixtureRequest) -> None:
    runs: list[str] = []
    context = browser.new_context()  # type: ignore[attr-defined]
    context.expose_function("__report", lambda what: runs.append(what))
    context.add_init_script(INIT)
    # nothing leaves the machine; 204 No Content: a click on an outside link leaves the page where it is
    context.route("http*://**", lambda route: route.fulfill(status=204, body=""))
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (runs.append(f"dialog {dialog.message}"), dialog.dismiss()))
    clicked = 0
    for name in (name for name, _, _ in VECTORS if name in pages):  # the rest were refused for a broken link
        tab.goto(pages[name].as_uri())
        tab.evaluate(PROVOKE)
        tab.wait_for_timeout(30)  # animations (onbegin, onanimationstart) start meanwhile
        links = tab.locator(".article-body a")
        for i in range(links.count()):
            if i:
                tab.goto(pages[name].as_uri())
            links.nth(i).click(force=True, no_wait_after=True, timeout=2000)
            clicked += 1
            tab.wait_for_timeout(50)
    tab.wait_for_timeout(200)
    context.close()
    say(request.config, f"XSS in Chromium: {len(VECTORS)} vector pages, {clicked} body links clicked, "
                        f"{len(runs)} executions")
    assert clicked >= 10 and runs == []
