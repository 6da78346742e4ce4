"""The command line: ``digest new | build | check | serve | deploy | clusters | suggest | add`` (also ``python -m builder``).

Exit codes: 0 success, 1 errors in the site's content, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from pathlib import Path

from builder.errors import BuildError

log = logging.getLogger("builder")
DRAFTS = "include the articles marked draft: true (deploy never does)"


def _site_dir(value: str) -> Path:
    path = Path(value).resolve()
    if not (path / "site.yaml").is_file():
        raise argparse.ArgumentTypeError(f"no site.yaml in {path} (pass the site folder with --site)")
    return path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="digest", description="Build, preview and publish a multilingual news digest.")
    sub = p.add_subparsers(dest="command", required=True)

    def site_args(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--site", type=_site_dir, default=".", help="site folder, the one with site.yaml (default: .)")
        cmd.add_argument("--base-url", help="override base_url from site.yaml")
        cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")

    b = sub.add_parser("build", help="build the site into the output folder")
    site_args(b)
    b.add_argument("--out", type=Path, help="output folder (default: public/ in the site folder)")
    b.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    b.add_argument("--cache-dir", type=Path, help="build cache folder (default: ~/.cache/digest/<site>-<hash>, under $XDG_CACHE_HOME if set)")
    b.add_argument("--no-cache", action="store_true", help="build from scratch, and keep no cache")
    b.add_argument("--timings", action="store_true", help="print the seconds spent in each stage")
    b.add_argument("--drafts", action="store_true", help=DRAFTS)
    b.add_argument("--quiet", action="store_true", help="no progress bar, no summary line (warnings still show)")

    k = sub.add_parser("check", help="check the whole site, links included, without writing anything")
    site_args(k)
    k.add_argument("--drafts", action="store_true", help=DRAFTS)

    s = sub.add_parser("serve", help="preview the site: rebuild on every edit and reload the browser")
    site_args(s)
    s.add_argument("--out", type=Path, help="output folder (default: public/ in the site folder)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--open", action="store_true", help="open the site in the web browser")
    s.add_argument("--drafts", action="store_true", help=DRAFTS)

    c = sub.add_parser("clusters", help="explain which articles belong to which story, and why")
    c.add_argument("--site", type=_site_dir, default=".", help="site folder (default: .)")
    c.add_argument("--json", action="store_true", help="print the same data as public/api/clusters.json")

    g = sub.add_parser("suggest", help="propose stories for articles that are in none")
    g.add_argument("--site", type=_site_dir, default=".", help="site folder (default: .)")
    g.add_argument("--json", action="store_true", help="print the proposals as JSON")
    g.add_argument("--write", action="store_true", help="create their story files (never overwriting one) and "
                   "print the entities to add")

    # here, not in commands/add.py: parsing a ``build`` command line loads no extraction library
    a = sub.add_parser("add", help="bring articles in: text files, saved pages, URLs or pasted text")
    a.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a text file, a saved HTML page, an http(s) URL, or - for text pasted on stdin")
    a.add_argument("--site", type=_site_dir, default=".", help="site folder (default: .)")
    a.add_argument("--lang", help="the article's language (BCP 47, e.g. uz-Cyrl), when it cannot be told")
    a.add_argument("--source", dest="outlet", metavar="NAME", help="the outlet, when the text does not name it")
    a.add_argument("--date", help="publication date (2025-11-26 or 2025-11-26T14:41:00+03:00)")
    a.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    a.add_argument("--json", action="store_true", help="print one JSON object per source")

    n = sub.add_parser("new", help="start a site of your own in a new folder")
    n.add_argument("folder", type=Path, help="the site's folder (new, or empty)")
    n.add_argument("--title", help="the site's title (default: the folder's name)")
    n.add_argument("--base-url", help="where it will be published (default: https://example.org/<folder>/)")
    n.add_argument("--language", default="en", help="the site's default language, BCP 47 (default: en)")

    d = sub.add_parser("deploy", help="build for production and push the site to a gh-pages branch")
    site_args(d)
    d.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    d.add_argument("--branch", default="gh-pages", help="branch GitHub Pages serves (default: gh-pages)")
    d.add_argument("--message", help="commit message; the source commit is appended")
    d.add_argument("--cname", help="custom domain, written to CNAME (default: cname in site.yaml)")
    d.add_argument("--force", action="store_true", help="publish even if the remote branch was rewritten "
                   "(never to a branch deploy did not make)")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BuildError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `digest clusters | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so in one line; DIGEST_DEBUG=1 shows the traceback
        if os.environ.get("DIGEST_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (a bug in digest; rerun with DIGEST_DEBUG=1 "
              "for the traceback)", file=sys.stderr)
        return 1


def cmd_build(args: argparse.Namespace) -> int:
    gc.disable()  # one short process: collecting 10,000 articles' objects again and again finds no cycles
    done, taken = _unchanged(args) if not args.no_cache else (False, None)
    if done:
        return 0
    from builder import parallel
    from builder.commands.build import build

    parallel.show_progress = not args.quiet
    report = build(args.site, args.out.resolve() if args.out else None, args.base_url, args.strict,
                   search=not args.no_search, cache_dir=args.cache_dir and args.cache_dir.resolve(),
                   use_cache=not args.no_cache, stamp=taken, drafts=args.drafts)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        removed = f", removed {report.removed}" if report.removed else ""
        print(f"Built {report.pages} pages ({report.files} files) into {report.out} in {report.seconds:.2f} s: "
              f"rendered {report.rendered}, wrote {report.written}{removed}")
    if args.timings:
        for stage, seconds in report.timings:
            print(f"  {stage:<18} {seconds:7.3f} s")
    return 0


def _unchanged(args: argparse.Namespace) -> tuple[bool, str | None]:
    """Report the last build again when nothing changed since (output.state), having loaded no renderer;
    with the sources' stamp, for the build that follows otherwise."""
    from builder.output import state

    started = time.perf_counter()
    out = (args.out or args.site / "public").resolve()
    last, taken = state.unchanged(args.site, out, args.cache_dir and args.cache_dir.resolve(),
                                  state.options(args.base_url, args.strict, not args.no_search, args.drafts))
    if last is None:
        return False, taken
    for warning in last["warnings"]:
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(f"Built {last['pages']} pages ({last['files']} files) into {out} in {time.perf_counter() - started:.2f} s: "
              "rendered 0, wrote 0 (nothing changed since the last build)")
    if args.timings:
        print(f"  {'no-op check':<18} {time.perf_counter() - started:7.3f} s")
    return True, taken


def cmd_check(args: argparse.Namespace) -> int:
    from builder.commands.check import check_site

    try:
        report = check_site(args.site, args.base_url, args.strict, args.drafts)
    except BuildError as exc:
        print(exc.report("Check"), file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(report)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from builder.commands.serve import serve

    out = args.out.resolve() if args.out else args.site / "public"
    return serve(args.site, out, args.host, args.port, args.base_url, args.strict, args.open, args.drafts)


def cmd_clusters(args: argparse.Namespace) -> int:
    import json

    from builder.commands.build import load_site
    from builder.stories.report import explain, stories_json

    site, _ = load_site(args.site)
    if args.json:
        print(json.dumps(stories_json(site.stories, site.articles, site.config.base_path), ensure_ascii=False, indent=2))
    else:
        print(explain(site.stories, site.articles))
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from builder.commands.suggest import run as suggest

    print(suggest(args.site, args.json, args.write))
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from builder.commands.deploy import DeployError, deploy

    try:
        result = deploy(args.site, args.remote, args.branch, args.message, args.cname, args.base_url,
                        args.force, args.strict)
    except BuildError as exc:
        print(f"{exc.report()}\nNothing was published.", file=sys.stderr)
        return 1
    except DeployError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from builder.commands.new import new_site

    try:
        written = new_site(args.folder, args.title, args.base_url, args.language)
    except BuildError as exc:
        print(f"{exc.report('digest new')}\nNothing was written.", file=sys.stderr)
        return 1
    print(f"Made a site in {args.folder}: {', '.join(written)}\n"
          f"Next, in that folder: digest add SOURCE (a URL, a saved page, a text file, or - to paste) brings "
          "articles in; digest serve --open previews the site; digest build writes it to public/; digest deploy "
          "publishes it. The theme is the builder's: a file in the site's templates/ or static/ replaces its own.")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from builder.commands.add import run as add

    return add(args)


def run() -> None:
    """The console entry point: ``main`` and exit. A build holds a large heap (10,000 articles); the OS
    frees it at once, where tearing it down object by object takes a fifth of a second."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


COMMANDS = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "clusters": cmd_clusters, "deploy": cmd_deploy,
            "add": cmd_add, "suggest": cmd_suggest, "new": cmd_new}
