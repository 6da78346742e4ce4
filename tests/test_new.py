"""``digest new``, as a new user runs it: a site of one's own that builds, and one that takes an article, with
the builder's theme; a folder with files, or settings a build would refuse, leave the disk as they found it."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import run, tree


def test_a_new_site_builds_with_the_theme_and_takes_an_article(tmp_path: Path) -> None:
    site = tmp_path / "Новости Бишкека"  # a folder name in another script: the URL's path is made ASCII
    made = run("new", str(site), "--language", "ky")
    assert made.returncode == 0, made.stderr
    config = yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8"))
    assert config["title"] == "Новости Бишкека" and config["default_language"] == "ky"
    assert config["base_url"].isascii() and config["base_url"].endswith("/novosti-bishkeka/")
    assert "public/" in (site / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert not (site / "templates").exists()  # the builder's theme, not a copy
    article = site / "content/articles/ky/first.md"
    article.write_text("---\ntitle: Биринчи макала\ndate: 2025-11-27\nlang: ky\nsource: Kabar\n---\n"
                       "Бишкекте жолугушуу болду.\n", encoding="utf-8")
    built = run("build", "--no-search", cwd=site)
    assert built.returncode == 0, built.stderr
    home = (site / "public/index.html").read_text(encoding="utf-8")
    assert "Биринчи макала" in home and (site / "public/static/style.css").is_file()


def test_a_folder_with_files_is_left_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run("new", str(site))
    assert result.returncode == 1
    assert f"{site}: error: is not an empty folder" in result.stderr and "Nothing was written." in result.stderr
    assert tree(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_settings_a_build_would_refuse_write_nothing(tmp_path: Path) -> None:
    result = run("new", str(tmp_path / "site"), "--base-url", "ftp://example.org/", "--language", "not a language")
    assert result.returncode == 1
    assert "base_url 'ftp://example.org/' must be an absolute http(s) URL" in result.stderr
    assert "'not a language' is not a BCP 47 language code" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither the site nor its staging folder
