"""Package stage: the offline zip — the built sites and the PDF handouts in one folder that opens from file://."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .content import Guide

BUNDLE_SUFFIX = "-offline-"  # <the guide's file stem>-offline-<version>.zip (content/site.yml names the guide)
# Read only by a web server (the 404 page, whose links are absolute) or by crawlers (sitemaps, robots.txt); a reader
# of the unpacked folder never gets them, and the 404 page would not even display from file://.
SERVER_ONLY = frozenset({"404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt"})
HANDOUTS = "*.pdf"
# Chosen by measurement (`make bench`, zip levels): level 5 makes a zip about 1 % bigger than level 9 (the pages
# and the search index compress well at any level; the PDFs and the PNG not at all) in a third of the time.
COMPRESS_LEVEL = 5


def bundle_name(guide: Guide) -> str:
    return f"{guide.site.file_stem}{BUNDLE_SUFFIX}{guide.site.version}"


@dataclass(frozen=True)
class BundleSize:
    """What a zip weighs, and how much of it is the PDF handouts (the size budget counts the sites only)."""

    path: Path
    total: int
    handouts: int

    @property
    def sites(self) -> int:
        return self.total - self.handouts

    def __str__(self) -> str:
        return (f"{self.path.name}: {self.total / 1024:.0f} KB "
                f"(sites {self.sites / 1024:.0f} KB, PDF handouts {self.handouts / 1024:.0f} KB)")


class BundleError(Exception):
    """A file whose name cannot be a member of the zip (it could leave its folder when unpacked)."""


# A member name: relative, "/"-separated parts, none empty, "." or "..", no backslash (a separator to some
# unpackers), no control character, no drive letter.
_UNSAFE_PART = re.compile(r"^\.{1,2}$|[\\\x00-\x1f\x7f]|^[A-Za-z]:")


def member_name(name: str) -> str:
    """name, if it is safe as a zip member; else BundleError."""
    if not name or name.startswith("/") or any(not part or _UNSAFE_PART.search(part) for part in name.split("/")):
        raise BundleError(f"{name!r} cannot be a file of the offline bundle: a member name is a relative path "
                          "without '..', backslashes or control characters")
    return name


def write_offline_bundle(guide: Guide, site_dir: Path, dist_dir: Path,
                         page_policy: Callable[[str], str] | None = None) -> Path:
    """Zip site/ and the PDF handouts already in dist/ into one folder: index.html (choose a language), en/, fr/.
    Each page gets `page_policy(html)` (its Content-Security-Policy as a <meta>, calcguide/csp.py); every member's
    name is checked as it is written."""
    folder = bundle_name(guide)
    target = dist_dir / f"{folder}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for path in sorted(site_dir.rglob("*")):
            _refuse_link(path, site_dir)
            if path.is_file() and path.name not in SERVER_ONLY:
                name = member_name(f"{folder}/{path.relative_to(site_dir).as_posix()}")
                if page_policy and path.suffix == ".html":
                    archive.writestr(name, page_policy(path.read_text(encoding="utf-8")))
                else:
                    archive.write(path, name)
        for handout in sorted(dist_dir.glob(HANDOUTS)):
            _refuse_link(handout, dist_dir)
            if not (site_dir / handout.name).exists():  # the build copies them into site/ (pages link them)
                archive.write(handout, member_name(f"{folder}/{handout.name}"))
    return target


def _refuse_link(path: Path, root: Path) -> None:
    """A symbolic link is never followed into the bundle: it could pack any file of the build machine. The build
    writes none (content/, docs/ and templates/ refuse them), so one here is an error, not something to skip."""
    if path.is_symlink():
        raise BundleError(f"{root.name}/{path.relative_to(root).as_posix()} is a symbolic link; the offline bundle "
                          "holds only regular files, and a link is never followed")


def offline_bundles(dist_dir: Path) -> list[Path]:
    return sorted(dist_dir.glob(f"*{BUNDLE_SUFFIX}*.zip"))


def measure_bundle(path: Path) -> BundleSize:
    with zipfile.ZipFile(path) as archive:
        handouts = sum(info.compress_size for info in archive.infolist() if Path(info.filename).match(HANDOUTS))
    return BundleSize(path, path.stat().st_size, handouts)
