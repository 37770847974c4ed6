"""Package stage: the offline zip — the built sites and the PDF handouts in one folder that opens from file://."""
from __future__ import annotations

import filecmp
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterator

from .content import LANGS, Guide

# The iframe-worker shim (npm, pinned), which runs a web worker from file://, and where the bundle keeps it.
SHIM = Path("node_modules/iframe-worker/shim/index.js")
SHIM_TARGET = "assets/vendor/iframe-worker/shim.js"

BUNDLE_SUFFIX = "-offline-"  # <the guide's file stem>-offline-<version>.zip (content/site.yml names the guide)
# Read only by a web server (the 404 page, whose links are absolute) or by crawlers (sitemaps, robots.txt); a reader
# of the unpacked folder never gets them, and the 404 page would not even display from file://.
SERVER_ONLY = frozenset({"404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt"})
HANDOUTS = "*.pdf"
# Chosen by measurement (`make bench`, zip levels): level 6 makes the sites' part of the zip about 1 % smaller than
# level 5 (1019 KB against 1032 KB, issue 25's budget being 1024 KB) and within 0.5 % of level 9, in about half of
# level 9's time (the pages and the search index compress well at any level; the PDFs not at all).
COMPRESS_LEVEL = 6


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


def write_offline_bundle(guide: Guide, site_dir: Path, dist_dir: Path, shim: Path,
                         page_policy: Callable[[str], str] | None = None, redirects: Collection[str] = ()) -> Path:
    """Zip site/ and the PDF handouts already in dist/ into one folder: index.html (choose a language), en/, fr/,
    and at its top one copy of every file that both languages' pages load and that is the same in both (the
    theme's scripts and stylesheets, ours, the icon, the reference exports): `shared_files`, whose addresses each
    page then gives relative to the top (`point_to_shared`). Each language page loads the iframe-worker `shim`
    (search from file://; a served page never needs it) and gets `page_policy(html)` (its Content-Security-Policy
    as a <meta>, calcguide/csp.py), but the `redirects` (former addresses of pages, calcguide/redirects.py), which
    run no script; every member's name is checked as it is written."""
    folder = bundle_name(guide)
    target = dist_dir / f"{folder}.zip"
    if not shim.is_file():
        raise BundleError(f"{shim} is missing; run `make site` (it installs the pinned npm packages)")
    shared = shared_files(site_dir)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for path in sorted(site_dir.rglob("*")):
            _refuse_link(path, site_dir)
            if not path.is_file() or path.name in SERVER_ONLY:
                continue
            relative = path.relative_to(site_dir).as_posix()
            lang, _, inside = relative.partition("/")
            if inside in shared:
                if lang != LANGS[0]:
                    continue  # the first language's copy is the one at the top
                relative = inside
            name = member_name(f"{folder}/{relative}")
            if path.suffix == ".html":
                # The policy is read off the page as the site has it (its inline scripts, which the addresses
                # and the shim's external script leave as they are): the audit and the server policy have
                # parsed that same text already (calcguide/audit.py).
                html = path.read_text(encoding="utf-8")
                html = point_to_shared(page_policy(html) if page_policy else html, relative, shared)
                searches = inside and lang in LANGS and relative not in redirects
                archive.writestr(name, with_shim(html, relative) if searches else html)
            else:
                archive.write(path, name)
        archive.write(shim, member_name(f"{folder}/{SHIM_TARGET}"))
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


# A page's addresses of files: an href or src attribute, as the theme and our templates write them (in double
# quotes); a content text never reaches an attribute as one (its quotes are escaped, its links are absolute).
_ADDRESS = re.compile(r'(\s(?:href|src)=")([^"]*)"')


def _local_path(address: str) -> tuple[str, str] | None:
    """(path, rest) of a relative address ("../assets/x.css", "?v=1"); None for an absolute one or an anchor."""
    path = re.split(r"[?#]", address, maxsplit=1)[0]
    if not path or path.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", path):
        return None
    return path, address[len(path):]


def _page_folder(page: str) -> str:
    return posixpath.dirname(page) or "."


def _addresses(html: str, page: str) -> Iterator[str]:
    """Where each relative address of a page at `page` (relative to the bundle's top) leads."""
    for match in _ADDRESS.finditer(html):
        if local := _local_path(match.group(2)):
            yield posixpath.normpath(posixpath.join(_page_folder(page), local[0]))


def shared_files(site_dir: Path) -> set[str]:
    """The files (paths inside a language site) that the pages load or link and that are byte-identical in every
    language: one copy is enough. Files a script finds by its own path (the search index, the search worker and
    its stemmers) are no page's address, and stay in their language."""
    named: set[str] = set()
    for lang in LANGS:
        for page in (site_dir / lang).rglob("*.html"):
            relative = page.relative_to(site_dir).as_posix()
            named |= {target.partition("/")[2] for target in _addresses(page.read_text(encoding="utf-8"), relative)
                      if target.startswith(f"{lang}/")}
    first, *others = (site_dir / lang for lang in LANGS)
    return {name for name in named if name and not name.endswith(".html") and (first / name).is_file()
            and all((other / name).is_file() and filecmp.cmp(first / name, other / name, shallow=False)
                    for other in others)}


def point_to_shared(html: str, page: str, shared: set[str]) -> str:
    """The page at `page` (relative to the bundle's top) with each address of a shared file of its language
    replaced by the address of the one copy at the top."""
    folder = _page_folder(page)

    def repoint(match: re.Match) -> str:
        local = _local_path(match.group(2))
        if local:
            lang, _, inside = posixpath.normpath(posixpath.join(folder, local[0])).partition("/")
            if lang in LANGS and inside in shared:
                return f'{match.group(1)}{posixpath.relpath(inside, folder)}{local[1]}"'
        return match.group(0)

    return _ADDRESS.sub(repoint, html)


def with_shim(html: str, page: str) -> str:
    """The page loading the iframe-worker shim before the theme's script: from file:// a browser runs no web
    worker, and the shim runs Material's search worker in a frame instead (it does nothing on a server)."""
    tag = f'<script src="{posixpath.relpath(SHIM_TARGET, _page_folder(page))}"></script>'
    if "</head>" not in html:
        raise BundleError(f"{page}: no </head> to load the search shim in")
    return html.replace("</head>", f"{tag}</head>", 1)


def offline_bundles(dist_dir: Path) -> list[Path]:
    return sorted(dist_dir.glob(f"*{BUNDLE_SUFFIX}*.zip"))


def measure_bundle(path: Path) -> BundleSize:
    with zipfile.ZipFile(path) as archive:
        handouts = sum(info.compress_size for info in archive.infolist() if Path(info.filename).match(HANDOUTS))
    return BundleSize(path, path.stat().st_size, handouts)
