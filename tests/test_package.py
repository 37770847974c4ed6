"""The offline zip (calcguide/package.py): one folder named after the guide and its version, every member inside
it, and nothing reached through a symbolic link."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from calcguide.package import BundleError, member_name, write_offline_bundle

GUIDE = SimpleNamespace(site=SimpleNamespace(version="2.3.1", file_stem="calcinosis-guide"))


def small_site(root: Path) -> tuple[Path, Path]:
    site, dist = root / "site", root / "dist"
    for name in ("index.html", "en/index.html", "fr/index.html", "en/treatments/diltiazem.html", "404.html",
                 "en/sitemap.xml", "robots.txt"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<!doctype html><html><head><meta charset=utf-8><title>{name}</title></head>"
                                 "<body></body></html>", encoding="utf-8")
    dist.mkdir()
    (dist / "handout-en.pdf").write_bytes(b"%PDF-1.7 handout")
    return site, dist


def bundle(tmp_path: Path, site: Path, dist: Path) -> Path:
    """The offline zip of a small site, with a stand-in for the iframe-worker shim that the bundle carries."""
    shim = tmp_path / "shim.js"
    shim.write_text("/* shim */", encoding="utf-8")
    return write_offline_bundle(GUIDE, site, dist, shim)


def test_the_zip_unpacks_into_one_folder_named_after_the_guide_and_its_version(tmp_path):
    site, dist = small_site(tmp_path)
    zipped = bundle(tmp_path, site, dist)
    assert zipped == dist / "calcinosis-guide-offline-2.3.1.zip"
    with zipfile.ZipFile(zipped) as archive:
        names = sorted(archive.namelist())
    assert names == ["calcinosis-guide-offline-2.3.1/assets/vendor/iframe-worker/shim.js",
                     "calcinosis-guide-offline-2.3.1/en/index.html",
                     "calcinosis-guide-offline-2.3.1/en/treatments/diltiazem.html",
                     "calcinosis-guide-offline-2.3.1/fr/index.html",
                     "calcinosis-guide-offline-2.3.1/handout-en.pdf",
                     "calcinosis-guide-offline-2.3.1/index.html"]


def test_every_member_of_the_built_bundle_is_inside_its_one_folder(bundle_zip, guide):
    folder = f"calcinosis-guide-offline-{guide.site.version}/"
    assert bundle_zip.name == f"calcinosis-guide-offline-{guide.site.version}.zip"
    with zipfile.ZipFile(bundle_zip) as archive:
        outside = [name for name in archive.namelist() if not name.startswith(folder) or ".." in name.split("/")]
        assert archive.namelist() and outside == []
        assert {f"{folder}index.html", f"{folder}en/index.html", f"{folder}fr/index.html"} <= set(archive.namelist())


@pytest.mark.parametrize("link", ["a file", "a folder"])
def test_a_symbolic_link_in_the_site_is_refused_never_followed(tmp_path, link):
    site, dist = small_site(tmp_path)
    secret = tmp_path / "machine"
    secret.mkdir()
    (secret / "id_rsa").write_text("PRIVATE KEY", encoding="utf-8")
    if link == "a file":
        os.symlink(secret / "id_rsa", site / "en" / "notes.html")
    else:
        os.symlink(secret, site / "en" / "assets")
    with pytest.raises(BundleError, match=r"site/en/(notes\.html|assets) is a symbolic link; .* never followed"):
        bundle(tmp_path, site, dist)


def test_a_symbolic_link_among_the_handouts_is_refused(tmp_path):
    site, dist = small_site(tmp_path)
    (tmp_path / "passwd").write_text("root:x:0:0", encoding="utf-8")
    os.symlink(tmp_path / "passwd", dist / "handout-fr.pdf")
    with pytest.raises(BundleError, match=r"dist/handout-fr\.pdf is a symbolic link"):
        bundle(tmp_path, site, dist)


@pytest.mark.parametrize("name", ["calcinosis-guide-offline-1/../../etc/passwd", "../x.html", "/etc/passwd",
                                  "a/./b.html", "a//b.html", "a\\b.html", "a/\x1b[2J.html", "C:/x.html", ""])
def test_a_member_name_that_could_leave_the_folder_when_unpacked_is_refused(name):
    with pytest.raises(BundleError, match="cannot be a file of the offline bundle: a member name is a relative path"):
        member_name(name)


@pytest.mark.parametrize("name", ["calcinosis-guide-offline-1/en/index.html", "x/..hidden/a.html", "x/a..b.html"])
def test_an_ordinary_member_name_is_kept_as_it_is(name):
    assert member_name(name) == name
