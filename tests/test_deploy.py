"""Deploys against a real local bare git remote, and the published tree served like GitHub Pages.

Every test builds a real site from the fixture, commits it in a scratch git
repository and pushes to a bare repository in tmp_path: nothing is mocked but
the moment a second deployer moves the branch.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import yaml

import builder.commands.deploy
from builder.commands.build import build
from builder.cli import main
from builder.read.config import load_config
from builder.commands.deploy import check_output
from builder.output.write import UnsafeOutput, safe_target

from conftest import REPO, MakeSite, require

ARTICLE = "content/articles/en/russia-kyrgyzstan-to-sign-key-collaboration-deals.md"
# Built at run time so that no scanner mistakes this file for a leak.
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5" * 3 + "f6G7h8"
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
SLACK_TOKEN = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
       + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
PRIVATE = "PRIVATE" + " KEY"  # the markers of key files, split for the same reason
PPK = "PuTTY-User-" + "Key-File-{}: ssh-ed25519\nEncryption: none\nComment: laptop\nPublic-Lines: 2\n" \
      "AAAAC3NzaC1lZDI1NTE5AAAAIHb7\nPrivate-Lines: 1\nAAAAIFm9qT0mXk2hR3cZ8pLwY1sVd4nJ6uKe5fGt7bQaOiDx\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout.strip()


@dataclass
class Project:
    site: Path  # a git repository on main, with origin = bare
    bare: Path

    def tip(self, branch: str = "gh-pages") -> str:
        return git(self.bare, "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}")

    def edit_and_commit(self, text: str) -> str:
        with (self.site / ARTICLE).open("a", encoding="utf-8") as f:
            f.write(f"\n{text}\n")
        git(self.site, "commit", "-qam", f"Edit: {text}")
        return git(self.site, "rev-parse", "HEAD")

    def published(self, ref: str = "gh-pages") -> dict[str, bytes]:
        """Every file of ``ref`` in the bare repository, by path."""
        data = subprocess.run(["git", "-C", str(self.bare), "archive", "--format=tar", ref],
                              check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]

    def second_clone(self, tmp: Path) -> Path:
        clone = tmp / "other-clone"
        git(tmp, "clone", "-q", str(self.bare), str(clone))
        return clone


def make_project(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> Project:
    """A site committed on main and pushed to a bare repository that is its origin."""
    require("git", shutil.which("git"), "deploys push to a git remote")
    for key, value in {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
                       "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}.items():
        monkeypatch.setenv(key, value)
    site = make_site({".gitignore": "public/\n"}, config=config)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "Sample site")
    git(site, "remote", "add", "origin", str(bare))
    git(site, "push", "-q", "origin", "main")
    return Project(site, bare)


@pytest.fixture
def project(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The sample without search: Pagefind 1.5 writes its filter maps in hash order, so two builds of
    the same site differ in pagefind/ and could never be compared byte for byte or be "No changes"."""
    sample = (REPO / "site.yaml").read_text(encoding="utf-8")
    assert "\nsearch: true\n" in sample
    return make_project(make_site, tmp_path, monkeypatch, sample.replace("\nsearch: true\n", "\nsearch: false\n"))


@pytest.fixture
def sample_project(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The sample exactly as the repository has it, search index included."""
    return make_project(make_site, tmp_path, monkeypatch, (REPO / "site.yaml").read_text(encoding="utf-8"))


def deploy(capsys: pytest.CaptureFixture[str], site: Path, *args: str) -> tuple[int, str, str]:
    """``python -m builder deploy`` in-process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(["deploy", "--site", str(site), *args])
    out, err = capsys.readouterr()
    return code, out, err


def source_state(site: Path) -> tuple[str, str, bytes, str, str]:
    """What a deploy must never change in the source repository (read without refreshing the index)."""
    index = (site / ".git" / "index").read_bytes()
    return (git(site, "rev-parse", "HEAD"), git(site, "symbolic-ref", "HEAD"), index,
            git(site, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"),
            git(site, "for-each-ref", "--format=%(refname)", "refs/heads"))


def test_two_deploys_keep_history_and_publish_exactly_the_build(project: Project, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    before = source_state(project.site)
    code, out, err = deploy(capsys, project.site)
    assert code == 0, err
    assert source_state(project.site) == before
    first = project.tip()
    assert f"commit {first[:7]}" in out and "https://newsdigest.github.io/news-digest/" in out

    source = project.edit_and_commit("A paragraph added after the first deploy.")
    before = source_state(project.site)
    code, out, err = deploy(capsys, project.site)
    assert code == 0, err
    assert source_state(project.site) == before
    assert not (project.site / "public").exists()
    second = project.tip()
    assert git(project.bare, "rev-list", "--count", "gh-pages") == "2"
    assert git(project.bare, "rev-parse", "gh-pages^") == first
    assert git(project.bare, "log", "-1", "--format=%s", "gh-pages") == \
        f"Deploy {source[:7]} of main: Edit: A paragraph added after the first deploy."
    assert source in git(project.bare, "log", "-1", "--format=%b", "gh-pages")
    assert git(project.bare, "log", "-1", "--format=%(trailers:key=Deployed-by,valueonly)", "gh-pages") == "digest deploy"

    expected = tmp_path / "expected"
    build(project.site, expected)
    built = {p.relative_to(expected).as_posix(): p.read_bytes() for p in expected.rglob("*") if p.is_file()}
    published = project.published()
    assert sorted(published) == sorted([*built, ".nojekyll"])
    assert {k: v for k, v in published.items() if k != ".nojekyll"} == built
    assert published[".nojekyll"] == b"" and "404.html" in published
    assert not any(name.endswith(".md") or name == "site.yaml" for name in published)

    code, out, err = deploy(capsys, project.site)
    assert code == 0, err
    assert out.startswith("No changes to publish") and project.tip() == second


def test_message_names_the_source_and_uncommitted_changes(project: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    head = git(project.site, "rev-parse", "HEAD")
    with (project.site / ARTICLE).open("a", encoding="utf-8") as f:
        f.write("\nNot committed yet.\n")
    code, _, err = deploy(capsys, project.site, "--message", "Evening edition")
    assert code == 0, err
    assert git(project.bare, "log", "-1", "--format=%s", "gh-pages") == \
        f"Evening edition ({head[:7]} of main with uncommitted changes)"
    assert f"Source: {head} (main) with uncommitted changes" in git(project.bare, "log", "-1", "--format=%b", "gh-pages")
    assert "Not committed yet." in project.published()[
        "en/2025/11/russia-kyrgyzstan-to-sign-key-collaboration-deals/index.html"].decode()


def test_failed_build_publishes_nothing(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (project.site / "content/articles/en/broken.md").write_text("---\ntitle: never closed\n", encoding="utf-8")
    code, out, err = deploy(capsys, project.site)
    assert code == 1 and out == ""
    assert "content/articles/en/broken.md:1:" in err and "Nothing was published." in err
    assert project.tip() == ""
    assert "Traceback" not in err


def test_rewritten_remote_branch_is_refused_until_force(project: Project, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    assert deploy(capsys, project.site)[0] == 0
    mine = project.tip()
    other = project.second_clone(tmp_path)
    git(other, "checkout", "-q", "gh-pages")
    (other / "index.html").write_text("<p>published by hand</p>", encoding="utf-8")
    git(other, "commit", "-qa", "--amend", "--no-edit")
    git(other, "push", "-q", "--force", "origin", "gh-pages")
    theirs = project.tip()
    project.edit_and_commit("Edited while someone else published.")

    code, out, err = deploy(capsys, project.site)
    assert code == 1, out
    assert f"moved: its tip {theirs[:7]} does not contain {mine[:7]}" in err and "--force" in err
    assert project.tip() == theirs
    assert deploy(capsys, project.site)[0] == 1  # the refusal is remembered, not consumed

    code, out, err = deploy(capsys, project.site, "--force")
    assert code == 0, err
    assert git(project.bare, "rev-parse", "gh-pages^") == theirs  # their commit stays in the history
    assert "Edited while someone else published." in project.published()[
        "en/2025/11/russia-kyrgyzstan-to-sign-key-collaboration-deals/index.html"].decode()


def test_push_rejected_when_the_branch_moves_during_the_deploy(project: Project, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert deploy(capsys, project.site)[0] == 0
    other = project.second_clone(tmp_path)
    git(other, "checkout", "-q", "gh-pages")
    real_push = builder.commands.deploy.push

    def push_after_someone_else(repo: Path, remote: str, branch: str, commit: str, force: bool) -> None:
        (other / "late.html").write_text("<p>late</p>", encoding="utf-8")
        git(other, "add", "late.html")
        git(other, "commit", "-qm", "Someone else's deploy")
        git(other, "push", "-q", "origin", "gh-pages")
        real_push(repo, remote, branch, commit, force)

    monkeypatch.setattr(builder.commands.deploy, "push", push_after_someone_else)
    project.edit_and_commit("Racing edit.")
    known = git(project.site, "rev-parse", "origin/gh-pages")
    code, out, err = deploy(capsys, project.site)
    assert code == 1, out
    assert "was rejected" in err and "[rejected]" in err and "hint:" not in err
    assert "Nothing was published." in err and "Traceback" not in err
    assert git(project.bare, "log", "-1", "--format=%s", "gh-pages") == "Someone else's deploy"
    assert git(project.site, "rev-parse", "origin/gh-pages") == known


@pytest.mark.parametrize("remote, message", [
    ("upstream", "no git remote named 'upstream'"),
    ("gone", "cannot reach the remote 'gone'"),
])
def test_missing_remote_is_refused(project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   remote: str, message: str) -> None:
    git(project.site, "remote", "add", "gone", str(tmp_path / "nowhere.git"))
    code, out, err = deploy(capsys, project.site, "--remote", remote)
    assert code == 1 and out == ""
    assert message in err and "Nothing was published." in err and "Traceback" not in err


def test_the_current_or_default_branch_is_refused(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    main_tip = project.tip("main")
    code, _, err = deploy(capsys, project.site, "--branch", "main")
    assert code == 1 and "'main' is the branch checked out" in err
    git(project.site, "checkout", "-q", "-b", "work")
    code, _, err = deploy(capsys, project.site, "--branch", "main")
    assert code == 1 and "'main' is the default branch of origin" in err
    assert project.tip("main") == main_tip


def test_a_full_ref_name_is_the_branch_it_names(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = deploy(capsys, project.site, "--branch", "refs/heads/main")
    assert code == 1 and "'main' is the branch checked out" in err
    git(project.site, "checkout", "-q", "-b", "work")
    code, _, err = deploy(capsys, project.site, "--branch", "refs/heads/main")
    assert code == 1 and "'main' is the default branch of origin" in err
    code, _, err = deploy(capsys, project.site, "--branch", "refs/tags/v1")
    assert code == 1 and "'refs/tags/v1' is not a valid branch name" in err
    code, _, err = deploy(capsys, project.site, "--branch", "refs/heads/gh-pages")
    assert code == 0, err
    assert git(project.bare, "for-each-ref", "--format=%(refname)") == "refs/heads/gh-pages\nrefs/heads/main"


@pytest.mark.parametrize("branch", ["main", "master", "trunk"])
def test_an_empty_remotes_default_branch_is_refused(project: Project, capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path, branch: str) -> None:
    """The first branch pushed to an empty repository becomes its default, on GitHub as for git clone."""
    empty = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(empty))
    git(project.site, "remote", "set-url", "origin", str(empty))
    git(project.site, "config", "init.defaultBranch", "trunk")
    git(project.site, "checkout", "-q", "-b", "draft")
    code, _, err = deploy(capsys, project.site, "--branch", branch)
    assert code == 1 and "origin has no branch yet" in err and f"publishing to '{branch}'" in err
    assert "Nothing was published." in err
    assert git(empty, "for-each-ref") == ""
    code, _, err = deploy(capsys, project.site)
    assert code == 0, err
    assert git(empty, "for-each-ref", "--format=%(refname)") == "refs/heads/gh-pages"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_an_existing_source_branch_is_refused_even_with_force(project: Project, capsys: pytest.CaptureFixture[str],
                                                              force: list[str]) -> None:
    git(project.site, "push", "-q", "origin", "main:feature")
    git(project.site, "checkout", "-q", "-b", "work")
    feature = project.tip("feature")
    code, out, err = deploy(capsys, project.site, "--branch", "feature", *force)
    assert code == 1 and out == ""
    assert "'feature' on origin is not a Pages branch made by deploy" in err and "Nothing was published." in err
    assert project.tip("feature") == feature


def hand_made_pages(project: Project, tmp_path: Path, files: dict[str, str], message: str) -> str:
    """Publish ``files`` as an orphan gh-pages commit from another clone, as a person or another tool would."""
    other = project.second_clone(tmp_path)
    git(other, "checkout", "-q", "--orphan", "pages")
    git(other, "rm", "-rqf", ".")
    for name, text in files.items():
        (other / name).write_text(text, encoding="utf-8")
    git(other, "add", "-A")
    git(other, "commit", "-qm", message)
    git(other, "push", "-q", "origin", "pages:gh-pages")
    return project.tip()


def test_a_pages_branch_of_an_earlier_deploy_is_accepted(project: Project, capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    """Deploys before the Deployed-by trailer: known by their body and the .nojekyll in their tree."""
    source = git(project.site, "rev-parse", "HEAD")
    old = hand_made_pages(project, tmp_path, {".nojekyll": "", "index.html": "<p>old</p>"},
                          f"Deploy {source[:7]} of main: Sample site\n\nSource: {source} (main)\n"
                          f"Built for: https://newsdigest.github.io/news-digest/\n")
    code, _, err = deploy(capsys, project.site)
    assert code == 0, err
    assert git(project.bare, "rev-parse", "gh-pages^") == old


@pytest.mark.parametrize("files, message", [
    ({"index.html": "<p>by hand</p>"}, "Publish by hand"),
    # the deploy message but not the tree: a source branch that quotes a deploy commit
    ({"site.yaml": "title: x\n"}, "Sources\n\nSource: " + "a" * 40 + " (main)\nBuilt for: https://x.org/\n"),
    ({".nojekyll": "", "index.html": "<p>by ghp-import</p>"}, "Update documentation"),
])
def test_a_pages_branch_deploy_did_not_make_is_refused(project: Project, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path, files: dict[str, str], message: str) -> None:
    theirs = hand_made_pages(project, tmp_path, files, message)
    code, _, err = deploy(capsys, project.site, "--force")
    assert code == 1 and "'gh-pages' on origin is not a Pages branch made by deploy" in err
    assert project.tip() == theirs


def test_cname_from_site_yaml_or_the_command_line(project: Project, capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    config = project.site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "cname: news.example.org\n", encoding="utf-8")
    git(project.site, "commit", "-qam", "Custom domain")
    code, _, err = deploy(capsys, project.site, "--base-url", "https://news.example.org/")
    assert code == 0, err
    assert project.published()["CNAME"] == b"news.example.org\n"
    code, _, err = deploy(capsys, project.site, "--cname", "digest.example.net")
    assert code == 0 and "cname is digest.example.net but base_url is" in caplog.text
    assert project.published()["CNAME"] == b"digest.example.net\n"
    code, _, err = deploy(capsys, project.site, "--cname", "https://digest.example.net/")
    assert code == 1 and "is not a domain name" in err


def test_a_token_in_the_output_is_refused(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (project.site / "static/notes.txt").write_text(f"ok\ntoken = {GITHUB_TOKEN}\n", encoding="utf-8")
    code, out, err = deploy(capsys, project.site)
    assert code == 1 and out == ""
    assert "static/notes.txt:2: error: looks like a secret: GitHub Token" in err
    assert GITHUB_TOKEN not in err
    assert project.tip() == ""


@pytest.mark.parametrize("name, text, expected", [
    (".git/config", "[core]", ".git/: error: a git repository inside the output"),
    ("vendor/lib/.git/HEAD", "ref: x", "vendor/lib/.git/: error: a git repository inside the output"),
    (".env", "X=1", ".env: error: a file named like a secret"),
    ("en/.env.production", "X=1", "en/.env.production: error: a file named like a secret"),
    ("static/id_ed25519", "key", "static/id_ed25519: error: a file named like a secret"),
    ("static/server.pem", "pem", "static/server.pem: error: a file named like a secret"),
    ("en/post.md", "# source", "en/post.md: error: a source file"),
    ("site.yaml", "title: x", "site.yaml: error: a source file"),
    ("static/.DS_Store", "x", "static/.DS_Store: error: a hidden file"),
    ("app.js", f"const k = '{AWS_KEY}';", "app.js:1: error: looks like a secret: AWS Access Key"),
    ("k.txt", f"\n\n-----BEGIN OPENSSH {PRIVATE}-----\n", "k.txt:3: error: looks like a secret: Private Key"),
    ("static/pgp.asc", f"x\n-----BEGIN PGP {PRIVATE} BLOCK-----\n\nlQOYBGX\n", "static/pgp.asc:2: error: looks like a secret: Private Key"),
    ("static/rsa.txt", f"-----BEGIN RSA {PRIVATE}-----\nMIIEpAIB\n", "static/rsa.txt:1: error: looks like a secret: Private Key"),
    ("static/laptop.ppk", PPK.format(2), "static/laptop.ppk: error: a file named like a secret"),
    ("static/putty2.txt", PPK.format(2), "static/putty2.txt:1: error: looks like a secret: Private Key"),
    ("static/putty3.txt", PPK.format(3), "static/putty3.txt:1: error: looks like a secret: Private Key"),
    ("static/aws.js", f"// deploy\naws_secret_access_key = {AWS_SECRET}\n",
     "static/aws.js:2: error: looks like a secret: AWS Secret Access Key"),
    ("static/creds.html", f"<pre>AWS_SECRET_ACCESS_KEY: '{AWS_SECRET}'</pre>",
     "static/creds.html:1: error: looks like a secret: AWS Access Key"),
    ("static/notes.txt", f"token: {GITHUB_TOKEN}\n", "static/notes.txt:1: error: looks like a secret: GitHub Token"),
    ("static/pat.txt", "github_pat_" + "11ABCDEFG0" * 8 + "x1", "static/pat.txt:1: error: looks like a secret: GitHub Token"),
    ("static/slack.json", f'{{"bot": "{SLACK_TOKEN}"}}', "static/slack.json:1: error: looks like a secret: Slack Token"),
    ("static/app.js", f"fetch(url, {{headers: {{Authorization: 'Bearer {JWT}'}}}});",
     "static/app.js:1: error: looks like a secret: JSON Web Token"),
])
def test_check_output_refuses(tmp_path: Path, name: str, text: str, expected: str) -> None:
    (tmp_path / ".nojekyll").write_text("")
    (tmp_path / "index.html").write_text("<p>ghp_short AKIA token talk is fine</p>")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    problems = [str(p) for p in check_output(tmp_path)]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_check_output_accepts_a_plain_build(tmp_path: Path) -> None:
    (tmp_path / ".nojekyll").write_text("")
    (tmp_path / "CNAME").write_text("news.example.org\n")
    (tmp_path / "en").mkdir()
    (tmp_path / "en/index.html").write_text("<p>ghp_short and AKIA are words here</p>")
    assert check_output(tmp_path) == []


def test_a_secret_beside_bytes_that_are_not_utf8_is_found(tmp_path: Path) -> None:
    """detect-secrets' own file scanner skips such a file whole; one stray byte must not hide a key."""
    (tmp_path / "wasm.en.pagefind").write_bytes(b"\x89\xff\x00binary\n" + f"key={GITHUB_TOKEN}\n".encode())
    assert [str(p) for p in check_output(tmp_path)] == [
        "wasm.en.pagefind:2: error: looks like a secret: GitHub Token; remove it from the source"]


def test_the_sample_site_holds_no_secret(tmp_path: Path) -> None:
    """The false-positive measure: the whole sample, search index included, passes the scan."""
    build(REPO, tmp_path / "public")
    assert list((tmp_path / "public").rglob("pagefind/*"))
    assert len(list((tmp_path / "public").rglob("*.html"))) >= 20
    assert check_output(tmp_path / "public") == []


# --- the published tree served like GitHub Pages serves a project site -------------------------------


class PagesHandler(BaseHTTPRequestHandler):
    """GitHub Pages for a project site: the tree under ``prefix``, the root 404.html for anything missing."""

    root: Path
    prefix: str

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = unquote(urlsplit(self.path).path)
        target = None
        if path.startswith(self.prefix):
            try:
                target = safe_target(self.root, path[len(self.prefix):] or "index.html")
            except UnsafeOutput:
                target = None
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            target = target / "index.html"
        if target is None or not target.is_file():
            self.reply(404, self.root / "404.html")
        else:
            self.reply(200, target)

    def reply(self, status: int, file: Path) -> None:
        data = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pages(sample_project: Project, capsys: pytest.CaptureFixture[str],
          tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The sample deployed, checked out of the bare remote, and served on 127.0.0.1 under base_url's path."""
    code, _, err = deploy(capsys, sample_project.site)
    assert code == 0, err
    tree = tmp_path / "checkout"
    for name, data in sample_project.published().items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    config, _ = load_config(sample_project.site)
    assert config is not None
    handler = type("Handler", (PagesHandler,), {"root": tree, "prefix": config.base_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", config.base_url, tree
    finally:
        server.shutdown()
        server.server_close()


class LinkCollector(HTMLParser):
    ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")}

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if (tag, k) in self.ATTRS and v]


def links_of(body: bytes, content_type: str) -> list[str]:
    """Links of an HTML page, or of a feed or sitemap (Atom ``link href``, RSS ``link``, sitemap ``loc``)."""
    if content_type == "xml":
        found = []
        for el in ElementTree.fromstring(body).iter():
            local = el.tag.rsplit("}", 1)[-1]
            if el.get("href"):
                found.append(el.get("href"))
            elif local in {"loc", "link"} and (el.text or "").strip():
                found.append(el.text.strip())
        return found
    collector = LinkCollector()
    collector.feed(body.decode("utf-8"))
    return collector.links


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def crawl(server: str, base_url: str) -> tuple[set[str], list[str]]:
    """Follow every internal link from the home page, each URL fetched once.

    Returns the paths of the HTML pages reached and ``page → link (status)`` for every broken link.
    Absolute links to base_url (canonical, hreflang, feed entries, sitemap) are internal too.
    """
    prefix = urlsplit(base_url).path
    fetched: dict[str, tuple[int, bytes]] = {}
    edges: list[tuple[str, str, str]] = []
    queue = [server + prefix]
    while queue:
        url = queue.pop()
        if url in fetched:
            continue
        fetched[url] = status, body = fetch(url)
        kind = page_kind(url)
        if status != 200 or not kind:
            continue
        for link in links_of(body, kind):
            target = urljoin(url, prefix + link[len(base_url):] if link.startswith(base_url) else link)
            if target.startswith(server + "/"):
                edges.append((url, link, target.split("#", 1)[0]))
                queue.append(target.split("#", 1)[0])
    broken = [f"{urlsplit(page).path} → {link} ({fetched[target][0]})"
              for page, link, target in edges if fetched[target][0] != 200]
    pages = {urlsplit(url).path for url, (status, _) in fetched.items() if status == 200 and page_kind(url) == "html"}
    return pages, broken


def page_path(prefix: str, tree: Path, index: Path) -> str:
    """The URL path GitHub Pages serves ``index`` (a file of ``tree``) at."""
    folder = index.parent.relative_to(tree).as_posix()
    return prefix if folder == "." else f"{prefix}{folder}/"


def page_kind(url: str) -> str:
    path = urlsplit(url).path
    return "xml" if path.endswith(".xml") else "html" if path.endswith(("/", ".html")) else ""


def test_deployed_site_has_no_broken_internal_links_under_its_sub_path(pages: tuple[str, str, Path]) -> None:
    server, base_url, tree = pages
    prefix = urlsplit(base_url).path
    in_tree = {page_path(prefix, tree, p) for p in tree.rglob("index.html")}
    reached, broken = crawl(server, base_url)
    print(f"crawled {len(reached)} pages; {len(in_tree)} index pages in the tree")
    assert broken == []
    assert reached >= in_tree and len(in_tree) >= 20  # every page is reachable by following links

    missing = f"{server}{prefix}no/such/page/"
    status, body = fetch(missing)
    assert status == 404 and body == (tree / "404.html").read_bytes()
    assert b"Page not found" in body
    # Pages serves 404.html at any depth, so its links must work from any depth.
    assert [link for link in links_of(body, "html") if not link.startswith(("#", "https://"))
            and fetch(urljoin(missing, link))[0] != 200] == []
    assert fetch(f"{server}/elsewhere/")[0] == 404  # outside the project's sub-path

    gone = next(p for p in sorted(tree.rglob("index.html")) if p.parent.parent.name.isdigit())
    gone.unlink()
    _, broken = crawl(server, base_url)
    url = page_path(prefix, tree, gone)
    assert broken and all(line.endswith((f"{url} (404)", f"{base_url}{url[len(prefix):]} (404)")) for line in broken)


# --- the GitHub Actions workflow -------------------------------------------------------------------


def test_pages_workflow_builds_like_the_readme_with_the_official_actions() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert set(uses) >= {"actions/checkout", "actions/setup-python", "actions/configure-pages",
                         "actions/upload-pages-artifact", "actions/deploy-pages"}
    assert str(uses["actions/setup-python"]["with"]["python-version"]) == "3.11"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "public"
    runs = [step["run"].strip() for step in steps if "run" in step]
    assert "make build" in runs
    # warm builds: the build cache is restored where the build looks for it, keyed by the builder's code and
    # its dependencies, falling back to the latest older key
    cache = uses["actions/cache"]["with"]
    build_step = next(step for step in steps if step.get("run", "").strip() == "make build")
    assert build_step["env"]["XDG_CACHE_HOME"] == cache["path"]
    assert "hashFiles('builder/**', 'pyproject.toml')" in cache["key"]
    assert cache["restore-keys"].splitlines()[0] == cache["key"].rsplit("-", 1)[0] + "-"
    for line in "\n".join(runs).splitlines():  # the checks' own imports name modules that exist
        if line.strip().startswith("from builder."):
            exec(line.strip(), {})
    deploy_job = next(job for job in workflow["jobs"].values() if any(
        s.get("uses", "").startswith("actions/deploy-pages") for s in job["steps"]))
    step_id = uses["actions/deploy-pages"]["id"]
    assert deploy_job["environment"] == {"name": "github-pages", "url": f"${{{{ steps.{step_id}.outputs.page_url }}}}"}
    readme = REPO / "README.md"
    if readme.exists():
        first_screen = "\n".join(readme.read_text(encoding="utf-8").splitlines()[:50])
        assert "make build" in first_screen
