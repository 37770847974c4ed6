"""The up-to-date check, as make does it: a build whose inputs are all as they were at the last published build, and
whose published output is still what that build wrote, has nothing to do.

After each build that published, the work folder keeps a record (`up-to-date.json`): a digest of every input, a
manifest of the digests of the files it published (site/, dist/, and the editors' schemas/), and the warnings it
printed. The next `build.py` computes the digest of its inputs again; if it equals the record's and every published
file still has its recorded digest (none added, none missing), it replays the warnings and stops. Anything
else — a changed, added or renamed input, a touched output file, a record missing or unreadable, a file of a kind
the build refuses (a link, a pipe, folders nested deeper than MAX_DEPTH), or anything the check did not expect — and
the build runs whole, which reports what is wrong where it is. `build.py --force` skips the check.

An input is whatever can change a byte of the output or a warning (`input_digest`): content/, templates/, docs/,
mkdocs.yml, the build's own code (build.py, calcguide/), the installed Python packages (their names and versions),
the vendored browser files (package-lock.json and the shim the bundle carries), Chromium's build and the fonts
(calcguide/pdfcache.py), the build's settings (--public-url, --release, the folders), the environment variables the
build and MkDocs read, and the date (the review cycle's warnings are counted from it, and MkDocs dates the sitemap).
The imports here are light on purpose: a build with nothing to do must not pay for loading the build.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from .deployment import PublishSettings
from .keptcache import read_kept, write_kept
from .pdfcache import CHROMIUM, printing_machine

RECORD = "up-to-date.json"
# Raised whenever what the record holds changes meaning: an older record is then never trusted.
RECORD_VERSION = 2  # 2: the manifest lists folders, and each file's and folder's mode
# Where `build.py` writes the editors' schemas (SCHEMA_DIR of calcguide/content/editorschema.py; a test holds
# them equal): not imported, since that module loads the whole content schema.
SCHEMA_DIR = "schemas"
# Environment variables that shape the output or a warning: the public address (calcguide/deployment.py), the
# date MkDocs stamps (its sitemap), the time zone and locale the date is read in, fontconfig's files (the PDFs)
# and where Python finds its packages (not NO_MKDOCS_2_WARNING: the build sets it, calcguide/site.py).
# HOME and the XDG folders say where a user's fontconfig settings and fonts are (calcguide/pdfcache.py).
READ_VARIABLES = ("CALCGUIDE_PUBLIC_URL", "SOURCE_DATE_EPOCH", "TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE",
                  "LC_TIME", "LC_COLLATE", "FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSFILE", "HOME",
                  "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PYTHONPATH", "PYTHONHOME")
# Folders nested deeper than this (content/ is a few levels deep, site/ about five) leave the check in doubt: the
# walk would otherwise end in Python's recursion limit, and the build reports the folder located.
MAX_DEPTH = 64
# The folders of the vendored browser files that the build copies (calcguide/package.py's SHIM) and their lock.
VENDORED = ("node_modules/iframe-worker", "package-lock.json")
CODE = Path(__file__).resolve().parent  # calcguide/, wherever it was imported from


class InDoubt(Exception):
    """An input the check cannot vouch for (a link, a pipe, an unreadable file): the build runs whole, and says
    what is wrong if it is wrong."""


@dataclass(frozen=True)
class LastBuild:
    """What the work folder remembers of the last build that published."""

    inputs: str  # input_digest of that build
    outputs: dict[str, str]  # "site/en/index.html" → its mode and sha256; "site/en/" → the folder's mode
    warnings: list[str]  # what it warned about, in its order
    summary: list[str]  # what it told at the end (the offline bundle's size)
    version: int = RECORD_VERSION


def input_digest(project: Path, content: Path, outputs: dict[str, Path], settings: PublishSettings,
                 pdf_cache: Path, flags: dict[str, str], code: Path = CODE, now: dt.datetime | None = None) -> str:
    """One digest of every input of a build (the module's docstring lists them), `flags` being its command line;
    InDoubt when one cannot be vouched for."""
    now = now or dt.datetime.now(dt.timezone.utc)
    parts = {
        "version": RECORD_VERSION,
        "settings": repr(settings),  # public address, release or not, and the day the review cycle counts from
        "utc date": now.date().isoformat(),  # MkDocs' build date (its sitemap) is UTC's
        "flags": flags,
        "folders": {name: str(path) for name, path in sorted(outputs.items())},
        "environment": {name: os.environ.get(name) for name in READ_VARIABLES},
        "python": [sys.version, sys.executable, sys.flags.isolated],
        "packages": installed_packages(),
        "printing": printing_machine(pdf_cache, CHROMIUM),
        "content": tree_digest(content),
        "templates": tree_digest(project / "templates"),
        "docs": tree_digest(project / "docs"),
        "mkdocs.yml": tree_digest(project / "mkdocs.yml"),
        "build.py": tree_digest(project / "build.py"),
        "code": tree_digest(code, skip=("__pycache__",)),
        "vendored": {name: tree_digest(project / name) for name in VENDORED},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def output_manifest(outputs: dict[str, Path]) -> dict[str, str]:
    """Every file and folder under each output folder, by "<name>/<path inside>", with its mode and (a file) the
    digest of its bytes: a page made unreadable or a folder added is a change too."""
    manifest = {}
    for name, folder in outputs.items():
        for relative, digest in _files(folder, ()):
            manifest[f"{name}/{relative}"] = digest
    return manifest


def last_build(work_dir: Path) -> LastBuild | None:
    """The record of the last build that published, if there is one this version can read."""
    data = read_kept(work_dir / RECORD, lambda value: isinstance(value, dict))
    try:
        record = LastBuild(**data) if data is not None else None
    except TypeError:  # other fields than this version's
        return None
    return record if record is not None and record.version == RECORD_VERSION and _well_formed(record) else None


def _well_formed(record: LastBuild) -> bool:
    """The record has the shape this version writes (a file damaged or edited by hand may parse and not have it)."""
    if not (isinstance(record.warnings, list) and isinstance(record.summary, list)
            and isinstance(record.outputs, dict)):
        return False
    return all(isinstance(text, str) for text in (record.inputs, *record.warnings, *record.summary,
                                                  *record.outputs.keys(), *record.outputs.values()))


def up_to_date(work_dir: Path, inputs: str, outputs: dict[str, Path]) -> LastBuild | None:
    """The last build's record, when its inputs are `inputs` and its published files are all still as it wrote
    them; else None."""
    record = last_build(work_dir)
    if record is None or record.inputs != inputs:
        return None
    try:
        if output_manifest(outputs) != record.outputs:
            return None
    except (InDoubt, OSError):  # a link or a pipe among them, a file unreadable or gone while read
        return None
    return record


def forget(work_dir: Path) -> None:
    """Before a build runs: whatever it does, the record no longer describes site/ and dist/ until it publishes.
    Best effort: a record left in place (a folder of that name that cannot be removed) cannot match the output this
    build publishes, nor be read as a record."""
    record = work_dir / RECORD
    try:
        record.unlink(missing_ok=True)
    except IsADirectoryError:
        shutil.rmtree(record, ignore_errors=True)
    except OSError:
        pass


def remember(work_dir: Path, inputs: str, manifest: dict[str, str], warnings: Iterable[str],
             summary: Iterable[str] = ()) -> None:
    """After a build published: what it read, the manifest of what it wrote (output_manifest of the folders it
    staged, taken before they were swapped in: another build publishing the same site/ at once cannot slip its
    output under this build's inputs) and what it told; written whole or not at all (an OSError leaves no stray
    file, and no record: the next build runs whole)."""
    record = LastBuild(inputs, manifest, list(warnings), list(summary))
    if not write_kept(work_dir / RECORD, asdict(record)):
        forget(work_dir)


def installed_packages() -> list[str]:
    """The names of the package metadata folders on Python's path (name and version: `mkdocs-1.6.1.dist-info`)
    and their times (a reinstall of the same version shows), and the path itself."""
    found: list[str] = []
    for entry in sys.path:
        found.append(f"path {entry}")
        try:
            with os.scandir(entry or ".") as listing:
                for item in listing:
                    if item.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
                        found.append(f"{entry}/{item.name} {item.stat().st_mtime_ns}")
        except (NotADirectoryError, FileNotFoundError, PermissionError):
            continue
    return sorted(found)


def tree_digest(path: Path, skip: tuple[str, ...] = ()) -> str:
    """The digest of a file, or of a folder's file names and bytes; "absent" when there is nothing there."""
    if not path.exists() and not path.is_symlink():
        return "absent"
    digest = hashlib.sha256()
    for relative, file_digest in _files(path, skip):
        digest.update(os.fsencode(relative) + f"\0{file_digest}\0".encode())  # a name need not be UTF-8
    return digest.hexdigest()


def _files(path: Path, skip: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    """(path inside `path`, its mode and the digest of its bytes) of every file under `path` (or of `path`, a file),
    and (path inside + "/", its mode) of every folder under it, sorted; InDoubt at anything that is neither a folder
    nor a regular file, and at folders nested deeper than MAX_DEPTH."""
    info = os.lstat(path) if path.exists() or path.is_symlink() else None
    if info is None:
        return
    if stat.S_ISREG(info.st_mode):
        yield "", f"{stat.S_IMODE(info.st_mode):o} {_file_digest(path)}"
        return
    if not stat.S_ISDIR(info.st_mode):
        raise InDoubt(f"{path} is neither a folder nor a regular file")
    top_depth = str(path).rstrip(os.sep).count(os.sep)
    for folder, subfolders, files in os.walk(path):
        if folder.count(os.sep) - top_depth >= MAX_DEPTH:  # before os.walk goes deeper, into Python's limit
            raise InDoubt(f"{folder} is nested more than {MAX_DEPTH} folders deep")
        subfolders[:] = sorted(name for name in subfolders if name not in skip)
        for name in subfolders:
            full = os.path.join(folder, name)
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                raise InDoubt(f"{full} is a link")
            yield os.path.relpath(full, path) + "/", f"folder {stat.S_IMODE(info.st_mode):o}"
        for name in sorted(files):
            full = os.path.join(folder, name)
            info = os.lstat(full)
            if not stat.S_ISREG(info.st_mode):
                raise InDoubt(f"{full} is not a regular file")
            yield os.path.relpath(full, path), f"{stat.S_IMODE(info.st_mode):o} {_file_digest(Path(full))}"


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
