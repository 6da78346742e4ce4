"""Publish the site to a ``gh-pages`` branch: build, check, commit, push — or publish nothing.

We drive git's plumbing ourselves rather than ghp-import: ghp-import builds on
the possibly stale remote-tracking ref without fetching, resets the local
``gh-pages`` branch to it, never says "No changes", and pushes even when its
``fast-import`` failed. Here the commit is made from a temporary index, so the
user's working tree, index and branches are never touched; its parent is the
remote tip just fetched, so history is kept; and the only write to the remote
is one push, so a failure at any step leaves the remote as it was.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from builder.commands.build import build
from builder.read.config import load_config
from builder.errors import Problem
from builder.output.secrets import find_secret

log = logging.getLogger(__name__)

# Names that are secrets or sources whatever they contain; a site never needs to publish them.
SECRET_NAME = re.compile(r"^(\.env(\..+)?|id_(rsa|dsa|ecdsa|ed25519)|.+\.(pem|key|p12|pfx|ppk)|\.netrc|\.npmrc|\.pypirc"
                         r"|credentials(\.json)?)$", re.IGNORECASE)
SOURCE_SUFFIXES = (".md", ".markdown")
SOURCE_NAMES = ("site.yaml",)
PAGES_BRANCH = "gh-pages"
# The trailer that marks a commit as made by deploy: a branch is published to only when its history holds one.
MARKER = "Deployed-by: digest deploy"
# Before the trailer, deploy commits were recognisable by their body ("Source: <commit> (<ref>)",
# "Built for: <url>") and by the .nojekyll they put in the tree; branches they made are still accepted.
LEGACY_MARKS = (r"^Source: ([0-9a-f]{40}|no commit yet) \(", r"^Built for: [a-z]+://")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GITHUB_REMOTE = re.compile(r"github\.com[:/]([^/]+)/([^/]+?)(\.git)?/?$")


class DeployError(Exception):
    """A refusal or a failed git step; raised before anything reaches the remote."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = problems or []
        super().__init__(message)

    def report(self) -> str:
        return "\n".join([f"deploy: {self}", *(f"  {p}" for p in self.problems), "Nothing was published."])


@dataclass
class DeployResult:
    remote: str
    remote_url: str
    branch: str
    url: str  # where GitHub Pages serves the site: base_url
    files: int
    commit: str | None  # None when the remote already had this exact tree
    parent: str | None = None

    def summary(self) -> str:
        where = f"'{self.branch}' on {self.remote} ({self.remote_url})"
        if self.commit is None:
            return f"No changes to publish: {where} already holds this build ({self.files} files).\nSite: {self.url}"
        after = f" on top of {self.parent[:7]}" if self.parent else " as the branch's first commit"
        return (f"Published {self.files} files to {where}: commit {self.commit[:7]}{after}.\n"
                f"Site: {self.url} (GitHub Pages serves it a minute or so after the push, when "
                f"Settings → Pages → Build and deployment is set to deploy from the '{self.branch}' branch)")


def git(repo: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> str:
    """Run ``git -C repo args``; return its stdout, raise DeployError with git's own words on failure."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True,
                              env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise DeployError("git is not installed (deploy needs it: apt install git, or see git-scm.com)") from None
    if proc.returncode != 0:
        said = (proc.stderr or proc.stdout).decode("utf-8", "replace").splitlines()
        # git's hints advise porcelain commands (git pull, …) that do not apply to what deploy does.
        words = "\n".join(line for line in said if line.strip() and not line.startswith("hint:"))
        raise DeployError(f"git {args[0]} failed: {words}")
    return proc.stdout.decode("utf-8", "replace").strip()


def maybe(repo: Path, *args: str) -> str | None:
    """``git``'s output, or None when git says no (a missing ref, a detached HEAD) or prints nothing."""
    try:
        return git(repo, *args) or None
    except DeployError:
        return None


def deploy(root: Path, remote: str = "origin", branch: str = PAGES_BRANCH, message: str | None = None,
           cname: str | None = None, base_url: str | None = None, force: bool = False,
           strict: bool = False) -> DeployResult:
    """Build the site at ``root`` and push it as a new commit on ``remote``'s ``branch``.

    Raises BuildError when the site has errors and DeployError for every refusal;
    in both cases the remote is unchanged.
    """
    top = maybe(root, "rev-parse", "--show-toplevel")
    if top is None:
        raise DeployError(f"{root} is not in a git repository; deploy pushes to a git remote "
                          f"(git init, commit, then git remote add {remote} <url>)")
    repo = Path(top)
    branch = branch.removeprefix("refs/heads/")  # else git would create a branch named "refs/heads/…"
    remote_url = check_target(repo, remote, branch)
    default, tip = remote_heads(repo, remote, branch)
    if branch == default:
        raise DeployError(f"'{branch}' is the default branch of {remote}; publishing would replace its sources "
                          f"with the built site (use --branch {PAGES_BRANCH})")
    if tip:
        fetch_tip(repo, remote, branch, tip, force)
    with tempfile.TemporaryDirectory(prefix="digest-deploy-") as tmp:
        out = Path(tmp) / "public"
        log.info("Building %s for production", root)
        report = build(root, out, base_url, strict)
        config, _ = load_config(root, base_url)
        assert config is not None  # the build just read it without errors
        domain = check_cname(cname if cname is not None else config.cname)
        add_pages_files(out, domain)
        problems = check_output(out)
        if problems:
            raise DeployError(f"refusing to publish: the output holds {len(problems)} file(s) that must not be public",
                              problems)
        for warning in [*map(str, report.warnings), *url_warnings(config.base_url, domain, remote_url)]:
            log.warning("%s", warning)
        files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        tree = write_tree(repo, out, files, Path(tmp) / "index")
    result = DeployResult(remote, remote_url, branch, config.base_url, len(files), None, tip)
    if tip and git(repo, "rev-parse", f"{tip}^{{tree}}") == tree:
        return result
    commit = git(repo, "commit-tree", tree, *(["-p", tip] if tip else []), "-F", "-",
                 stdin=commit_message(repo, root, message, config.base_url).encode("utf-8"))
    push(repo, remote, branch, commit, force)
    result.commit = commit
    return result


def check_target(repo: Path, remote: str, branch: str) -> str:
    """The remote's URL; refuse an unknown remote, a bad branch name, or the branch checked out here."""
    if maybe(repo, "check-ref-format", "--branch", branch) is None or branch.startswith("refs/"):
        raise DeployError(f"'{branch}' is not a valid branch name (give a branch's short name, e.g. {PAGES_BRANCH})")
    url = maybe(repo, "remote", "get-url", remote)
    if url is None:
        known = maybe(repo, "remote") or "none"
        raise DeployError(f"no git remote named '{remote}' in {repo} (remotes: {known.replace(chr(10), ', ')}); "
                          f"add it with: git remote add {remote} <url>, or pass --remote NAME")
    if maybe(repo, "symbolic-ref", "--short", "-q", "HEAD") == branch:
        raise DeployError(f"'{branch}' is the branch checked out in {repo}; publishing to it would replace "
                          f"your sources with the built site (check out your source branch, or use --branch gh-pages)")
    return url


def remote_heads(repo: Path, remote: str, branch: str) -> tuple[str | None, str | None]:
    """The remote's default branch and the tip of ``branch`` (None when absent), in one round trip.

    Refuses, on an empty remote, any name a default branch could take but the Pages branch's: the first
    branch pushed there becomes the default (on GitHub, and for git clone).
    """
    log.info("Reading %s", remote)
    try:
        listing = git(repo, "ls-remote", "--symref", remote, "HEAD", "refs/heads/*")
    except DeployError as exc:
        raise DeployError(f"cannot reach the remote '{remote}': {exc}") from None
    default = tip = None
    heads = 0
    for line in listing.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: refs/heads/") and name == "HEAD":
            default = left.removeprefix("ref: refs/heads/")
        elif name.startswith("refs/heads/"):
            heads += 1
            tip = left if name == f"refs/heads/{branch}" else tip
    if default is None:  # an empty remote advertises no HEAD; the clone may still remember it
        default = (maybe(repo, "symbolic-ref", "-q", f"refs/remotes/{remote}/HEAD") or "").removeprefix(
            f"refs/remotes/{remote}/") or None
    if not heads and branch != PAGES_BRANCH and branch in {default, maybe(repo, "config", "init.defaultBranch"),
                                                         "main", "master"}:
        raise DeployError(f"{remote} has no branch yet, so the first one pushed becomes its default branch: "
                          f"publishing to '{branch}' would make the built site the repository's main branch "
                          f"(push your sources first, or use --branch {PAGES_BRANCH})")
    return default, tip


def fetch_tip(repo: Path, remote: str, branch: str, tip: str, force: bool) -> None:
    """Fetch the remote tip; refuse a branch deploy did not make (whatever ``force`` says), or one that
    no longer contains what this clone last published or saw."""
    known = maybe(repo, "rev-parse", "--verify", "-q", f"refs/remotes/{remote}/{branch}^{{commit}}")
    log.info("Fetching %s from %s", branch, remote)
    # An empty --refmap keeps <remote>/<branch> as it was: it records what this clone last saw.
    git(repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap=", remote, f"refs/heads/{branch}")
    if maybe(repo, "rev-parse", "--verify", "-q", f"{tip}^{{commit}}") is None:
        raise DeployError(f"'{branch}' on {remote} changed while deploying; run the deploy again")
    if not made_by_deploy(repo, tip):
        raise DeployError(f"'{branch}' on {remote} is not a Pages branch made by deploy (no commit of its history "
                          f"says '{MARKER}', or its tree has no .nojekyll); publishing would replace its files with "
                          f"the built site. Pick a new branch name, or delete that branch on {remote} if it is "
                          f"indeed an old copy of the site")
    if force or known is None or known == tip:
        return
    if not is_ancestor(repo, known, tip):
        raise DeployError(
            f"'{branch}' on {remote} moved: its tip {tip[:7]} does not contain {known[:7]}, the commit this clone "
            f"last published or fetched (someone rewrote the branch). Look at it with git fetch {remote} && "
            f"git log {remote}/{branch}; once fetched, the next deploy builds on it. --force publishes now")


def made_by_deploy(repo: Path, tip: str) -> bool:
    """Whether ``tip`` has ``.nojekyll`` at its root and a deploy commit in its history (MARKER, LEGACY_MARKS).

    The history, not the tip alone: a commit someone adds by hand on top of a deploy keeps the branch a
    Pages branch. A source branch has no ``.nojekyll`` at its root, even if a deploy was merged into it.
    """
    if maybe(repo, "rev-parse", "--verify", "-q", f"{tip}:.nojekyll") is None:
        return False
    if maybe(repo, "log", "-1", "--format=%H", "-E", f"--grep=^{MARKER}$", tip):
        return True
    return maybe(repo, "log", "-1", "--format=%H", "-E", "--all-match",
                 *(f"--grep={mark}" for mark in LEGACY_MARKS), tip) is not None


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """Whether ``descendant``'s history contains ``ancestor`` (git answers with the exit code)."""
    proc = subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", ancestor, descendant],
                          capture_output=True)
    if proc.returncode > 1:
        raise DeployError(f"git merge-base failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.returncode == 0


def check_cname(value: str) -> str:
    """The custom domain, lowercased; raise DeployError for a URL or anything that is not a host name."""
    domain = value.strip().lower()
    if domain and not DOMAIN.match(domain):
        raise DeployError(f"cname '{value}' is not a domain name; give the bare host, e.g. news.example.org "
                          f"(no https://, no path)")
    return domain


def add_pages_files(out: Path, domain: str) -> None:
    """``.nojekyll`` (serve ``_``-prefixed files as they are) and ``CNAME`` for a custom domain."""
    (out / ".nojekyll").write_bytes(b"")
    if domain:
        (out / "CNAME").write_text(domain + "\n", encoding="ascii")


def check_output(out: Path) -> list[Problem]:
    """Every file of the output that must not be published: repositories, secrets, sources, hidden files."""
    problems: dict[str, Problem] = {}
    for path in sorted(out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(out).as_posix()
        parts = name.split("/")
        if ".git" in parts:  # one problem per repository, not one per object in it
            where = "/".join(parts[: parts.index(".git") + 1]) + "/"
            problems.setdefault(where, Problem(where, None, "a git repository inside the output"))
            continue
        reason = refusal(name, path)
        found = None if reason else find_secret(path)
        if found:
            reason = f"looks like a secret: {found.kind}; remove it from the source"
        if reason:
            problems[name] = Problem(name, found.line if found else None, reason)
    return list(problems.values())


def refusal(name: str, path: Path) -> str | None:
    """Why the output file ``name`` must not be published, judged by its name; None when it may be."""
    base = name.rsplit("/", 1)[-1]
    if path.is_symlink():
        return "a symlink; the build writes plain files only"
    if any(ord(c) < 32 for c in name):
        return "a control character in the file name"
    if SECRET_NAME.match(base):
        return "a file named like a secret (keys, .env, credentials)"
    if base.lower().endswith(SOURCE_SUFFIXES) or base in SOURCE_NAMES:
        return "a source file (Markdown or site.yaml), not build output"
    if name != ".nojekyll" and any(part.startswith(".") for part in name.split("/")):
        return "a hidden file"
    return None


def write_tree(repo: Path, out: Path, files: list[str], index: Path) -> str:
    """Store ``files`` of ``out`` as blobs and a tree, through a temporary index; return the tree id."""
    paths = "\n".join(str(out / f) for f in files).encode("utf-8")
    blobs = git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths).split()
    entries = b"".join(f"100644 {blob}\t{name}".encode("utf-8") + b"\0" for blob, name in zip(blobs, files))
    env = {"GIT_INDEX_FILE": str(index)}
    git(repo, "update-index", "--add", "-z", "--index-info", stdin=entries, env=env)
    return git(repo, "write-tree", env=env)


def commit_message(repo: Path, root: Path, message: str | None, base_url: str) -> str:
    """A subject that names the source commit, and a body with the full id and the base_url built for."""
    head = maybe(repo, "rev-parse", "--verify", "-q", "HEAD")
    ref = maybe(repo, "symbolic-ref", "--short", "-q", "HEAD") or "detached HEAD"
    changes = ""
    if maybe(repo, "--no-optional-locks", "status", "--porcelain", "--", str(root)):
        log.warning("warning: %s has uncommitted changes; they are published too", root)
        changes = " with uncommitted changes"
    if head is None:
        subject = message or f"Deploy uncommitted work on {ref}"
    else:
        source = f"{head[:7]} of {ref}{changes}"
        subject = f"{message} ({source})" if message else f"Deploy {source}: {git(repo, 'log', '-1', '--format=%s', head)}"
    return f"{subject}\n\nSource: {head or 'no commit yet'} ({ref}){changes}\nBuilt for: {base_url}\n\n{MARKER}\n"


def push(repo: Path, remote: str, branch: str, commit: str, force: bool) -> None:
    """One push, the only write to the remote; on success remember the tip as ``<remote>/<branch>``."""
    log.info("Pushing %s to %s %s", commit[:7], remote, branch)
    try:
        git(repo, "push", remote, f"{'+' if force else ''}{commit}:refs/heads/{branch}")
    except DeployError as exc:
        raise DeployError(f"the push to '{branch}' on {remote} was rejected:\n{exc}\nIf the branch moved while "
                          f"deploying, run the deploy again (it builds on the new tip); --force replaces it") from None
    maybe(repo, "update-ref", f"refs/remotes/{remote}/{branch}", commit)  # published already: best effort


def url_warnings(base_url: str, domain: str, remote_url: str) -> list[str]:
    """Say when base_url is not where GitHub Pages will serve the site: every link would break."""
    host = base_url.split("://", 1)[1].split("/", 1)[0].lower()
    if domain:
        return [] if host == domain else [f"warning: cname is {domain} but base_url is {base_url}; "
                                          f"set base_url: https://{domain}/ so links point to the custom domain"]
    found = GITHUB_REMOTE.search(remote_url)
    if not found:
        return []
    owner, name = found.group(1).lower(), found.group(2)
    expected = f"https://{owner}.github.io/" + ("" if name.lower() == f"{owner}.github.io" else f"{name}/")
    if base_url.lower() != expected.lower():
        return [f"warning: GitHub Pages serves {remote_url} at {expected}, but base_url is {base_url}; "
                f"set base_url: {expected} (or a cname) so links work"]
    return []
