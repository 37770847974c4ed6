"""Printed handouts kept in the work folder, keyed by everything that shapes a PDF, so that a build whose
handouts did not change starts no browser.

The key of a handout is a digest of: its standalone HTML page (the texts, the chart, the stylesheets, which are
inlined), the fonts installed on the machine (Chromium embeds subsets of the system fonts the page names), the
Chromium build, its command-line switches, the printing options and the finishing after print (pdftags.FINISHING).
Any change of one of them prints afresh.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

# The Debian Chromium that prints the handouts (calcguide/handout.py; `make site` installs it).
CHROMIUM = "/usr/bin/chromium"


def font_places() -> tuple[str, ...]:
    """Where fontconfig finds fonts and its configuration (which font answers "Liberation Sans", say), the user's
    own included: read when called, since HOME and the XDG variables are the environment's of this build
    (calcguide/uptodate.py reads them too)."""
    home = os.environ.get("HOME") or str(Path.home())
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    named = [os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_SYSFILE"),
             *os.environ.get("FONTCONFIG_PATH", "").split(os.pathsep)]  # FONTCONFIG_PATH: a list of folders
    return ("/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts", os.path.join(config, "fontconfig"),
            os.path.join(data, "fonts"), os.path.join(home, ".fonts"), os.path.join(home, ".fonts.conf"),
            *(place for place in named if place))


def _stat_digest(places: tuple[str, ...]) -> str:
    """Names, sizes and times of the files under places (or of places, files): a font or configuration added,
    removed or upgraded."""
    digest = hashlib.sha256()
    for place in places:
        digest.update(f"{place}\0".encode(errors="surrogateescape"))
        if os.path.isfile(place):
            info = os.stat(place)
            digest.update(f"{info.st_size}\0{info.st_mtime_ns}\0".encode())
        for folder, subfolders, files in os.walk(place):
            subfolders.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode(errors="surrogateescape"))
    return digest.hexdigest()


def printing_machine(folder: Path, executable: str) -> dict[str, str]:
    """What of the machine shapes a printed PDF: the Chromium build and the installed fonts (also an input of
    the up-to-date check, calcguide/uptodate.py). folder: where the Chromium version is remembered."""
    return {"chromium": _chromium_version(folder, executable), "fonts": _stat_digest(font_places())}


def _chromium_version(folder: Path, executable: str) -> str:
    """The Chromium version, asked once per Chromium build: running it costs about as much as a print."""
    try:
        real = os.path.realpath(executable)
        files = sorted({real, *(p for p in ("/usr/lib/chromium/chromium",) if os.path.exists(p))})
        stamp = hashlib.sha256(json.dumps([(p, os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in files])
                               .encode()).hexdigest()
    except OSError:
        return "absent"  # the pdf stage says so when it needs to print
    remembered = folder / f"chromium-{stamp}.version"
    if remembered.is_file():
        return remembered.read_text(encoding="utf-8")
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    version = f"{stamp} {done.stdout.strip()}"
    folder.mkdir(parents=True, exist_ok=True)
    remembered.write_text(version, encoding="utf-8")
    return version


class PdfCache:
    def __init__(self, folder: Path, executable: str, args: list[str], options: dict[str, Any], finishing: str = ""):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.setup = hashlib.sha256(json.dumps({
            **printing_machine(folder, executable), "args": args, "options": options,
            "finishing": finishing,  # what is done to the PDF after printing (calcguide/pdftags.py)
        }, sort_keys=True).encode()).hexdigest()

    def key(self, html: str) -> str:
        return hashlib.sha256(f"{self.setup}\0{html}".encode()).hexdigest()

    def path(self, html: str) -> Path:
        return self.folder / f"{self.key(html)}.pdf"

    def fetch(self, html: str, target: Path) -> bool:
        """Copy the PDF printed from this page with this setup to target, if there is one; say whether."""
        return self.fetch_key(self.key(html), target)

    def fetch_key(self, key: str, target: Path) -> bool:
        """fetch() by the page's key (key()), remembered from a build that had the page."""
        cached = self.folder / f"{key}.pdf"
        if len(key) != 64 or not all(char in "0123456789abcdef" for char in key) or not cached.is_file():
            return False
        shutil.copyfile(cached, target)
        return True
