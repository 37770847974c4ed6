"""What the build keeps in its work folder between builds, read and written in one way: a JSON file read whole and
checked for its shape, or taken as absent; written whole or not at all.

The work folder is the build machine's own: no content path can name a file in it (calcguide/content/regular.py
refuses links, and content/ is read by the names the build knows). Still, a kept file may be cut short by a full
disk or a killed build, edited by hand, or left by another version: whatever it holds, reading it never raises and
never returns what `well_formed` refuses, and the build computes again what it held. Writing it stages the file
beside its place and renames it over, so that a reader sees the old file or the new one; a file that cannot be
written (a full disk, a folder in its place) is not, leaves no stray file, and costs the next build its work.

`KeptEntries` is the common shape of the caches of a build that runs (the verdicts of each page, the fragments of
each text, the search fields of each section, the printed pages' keys): entries by a text key under a salt that
names everything else that shapes them, of which a build keeps only those it used.

Every salt comes from one `InputsSnapshot`, taken at the start of the build (the code as this process imported it,
templates/, docs/, content/, mkdocs.yml, the settings): what a cache holds was made from that, not from a later
reading of the disk. At the end the build takes it again, reading the code from disk; if anything differs (a save,
a `git pull` while the build ran), no kept file is saved. An input that cannot be read for a digest (an editor's
lock file, a link) gives no salt: the build then runs without the caches, never fails for them.

A file that runs code when loaded (a pickle, Jinja's compiled templates) is loaded only when signed (`sign`,
`verified`) with this user's key, kept outside the repository and the work folder (`signing_key`): a file
committed to the repository or brought by anyone else cannot carry a valid signature, and is a miss.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

V = TypeVar("V")

PROJECT = Path(__file__).resolve().parents[1]
# Far above any kept file of a guide within the content limits (this guide's largest, fragments.json, is 3 MB): a
# file past it is not read, whatever it is.
MAX_KEPT_BYTES = 256 * 1024 * 1024


def read_kept_bytes(path: Path, private: bool = False) -> bytes:
    """The bytes of the kept file at `path`, read only when it is a regular file of a bounded size (and, when
    `private`, this user's own, readable by no one else): a link (a work folder inside the repository can hold a
    committed one, to /dev/zero or a secret), a named pipe (opened without waiting for a writer) or a device
    raises OSError, as a missing file does, and is a miss."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_KEPT_BYTES:
            raise OSError(f"{path} is not a kept file")
        if private and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise OSError(f"{path} is not this user's private file")
        return handle.read(MAX_KEPT_BYTES + 1)


def read_kept(path: Path, well_formed: Callable[[Any], bool]) -> Any | None:
    """The JSON value kept at `path` when it is one `well_formed` accepts; None for anything else (no file, a
    folder, bytes that are not UTF-8 JSON, JSON nested past Python's limit, a value of another shape)."""
    try:
        data = verified(read_kept_bytes(path))
        if data is None:  # not written by this user's builds (a work folder committed or copied): a miss
            return None
        value = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # ValueError: JSON and UTF-8 alike; RecursionError: "[[[[…"
        return None
    try:
        return value if well_formed(value) else None
    except RecursionError:  # a shape check walking a value nested deep
        return None


def write_kept(path: Path, value: Any) -> bool:
    """`value` as JSON at `path`, whole or not at all; whether it was written."""
    try:
        # ASCII JSON: a text holding a lone surrogate (a file name that is not UTF-8, in a warning) is kept too.
        data = json.dumps(value, separators=(",", ":")).encode("ascii")
    except (ValueError, TypeError, RecursionError):
        return False
    signed = sign(data)  # JSON too: a verdict or a fragment brought by anyone else could pass a hostile page
    return signed is not None and write_kept_bytes(path, signed)


def write_kept_bytes(path: Path, data: bytes) -> bool:
    """`data` at `path`, whole or not at all (staged beside it, then renamed over it); whether it was written. The
    staged file is made new under a name no one can foresee (mkstemp: O_EXCL), so that a link left at a staging
    name cannot turn the write onto another file; the rename replaces a link at `path` itself, never its target."""
    staged: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        staged = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(staged, path)
        return True
    except OSError:  # a folder in its place, a full disk: nothing left behind
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink(missing_ok=True)
        return False


class KeptEntries(Generic[V]):
    """Entries by key, kept in one file under a salt: an entry is trusted only from a file of the same salt and
    only when `entry_well_formed` accepts it (any other is computed again). `save()` keeps the entries this build
    used, so the file holds one build's worth."""

    def __init__(self, path: Path, salt: str | None, entry_well_formed: Callable[[Any], bool]):
        """salt None: what shapes the entries could not be worked out; nothing is read, and nothing saved."""
        self.path = path
        self.salt = salt
        self.known: dict[str, V] = {}
        stored = None if salt is None else read_kept(
            path, lambda value: isinstance(value, dict) and isinstance(value.get("entries"), dict))
        if stored is not None and stored.get("salt") == salt:
            self.known = {key: entry for key, entry in stored["entries"].items() if entry_well_formed(entry)}
        self.used: dict[str, V] = {}

    def get(self, key: str) -> V | None:
        entry = self.known.get(key)
        if entry is not None:
            self.used[key] = entry
        return entry

    def put(self, key: str, entry: V) -> None:
        self.known[key] = self.used[key] = entry

    def remember(self, key: str, compute: Callable[[], V]) -> V:
        """The entry kept under `key`, or compute()'s, kept."""
        entry = self.get(key)
        if entry is None:
            entry = compute()
            self.put(key, entry)
        return entry

    def save(self) -> bool:
        return self.salt is not None and write_kept(self.path, {"salt": self.salt, "entries": self.used})


def list_of_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(text, str) for text in value)


# --- what salts the caches: one snapshot of the inputs, taken when the build starts ------------------------------


def code_now() -> str:
    """The build's code on disk (calcguide/), the installed packages and Python; InDoubt (calcguide/uptodate.py)
    when a file there cannot be vouched for (an editor's lock file is a link)."""
    from . import uptodate  # loaded late: it imports this module

    return hashlib.sha256(json.dumps([uptodate.tree_digest(uptodate.CODE, skip=("__pycache__",)),
                                      uptodate.installed_packages(), sys.version]).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str | None:
    """code_now() once per process, at its first use (a build's start): the code this process imported; None when
    it cannot be worked out."""
    try:
        return code_now()
    except Exception:  # noqa: BLE001 - in doubt, whatever the doubt: no cache salted with it is used
        return None


@dataclass(frozen=True)
class InputsSnapshot:
    """Digests of what the kept caches' entries are made of, by name ("code", "templates", "docs", "content",
    "mkdocs.yml", "settings", "project"); `parts` None when one could not be worked out."""

    project: Path
    content_dir: Path
    parts: dict[str, str] | None

    @classmethod
    def take(cls, project: Path, content_dir: Path, settings: str, code: str | None = None) -> "InputsSnapshot":
        """Now, with the code as this process imported it (code_digest) unless `code` is given."""
        from . import uptodate

        try:
            parts = {"code": code or code_digest(), "settings": settings, "project": str(project),
                     **{name: uptodate.tree_digest(project / name) for name in ("templates", "docs", "mkdocs.yml")},
                     "content": uptodate.tree_digest(content_dir)}
        except Exception:  # noqa: BLE001 - a link, a lock file, an unreadable file: in doubt
            parts = None
        if parts is not None and parts["code"] is None:
            parts = None
        return cls(project, content_dir, parts)

    def salt(self, *names: str, extra: str = "") -> str | None:
        """The code's digest with the parts named and `extra`; None when in doubt."""
        if self.parts is None:
            return None
        return hashlib.sha256(json.dumps([[self.parts[name] for name in ("code", *names)], extra]).encode()
                              ).hexdigest()

    def still_holds(self) -> bool:
        """Every input is now as the snapshot found it, the code read again from disk (not this process's memory of
        it): else what the build made may be of inputs that no longer are, and is not kept."""
        if self.parts is None:
            return False
        try:
            code = code_now()
        except Exception:  # noqa: BLE001 - in doubt
            return False
        return InputsSnapshot.take(self.project, self.content_dir, self.parts["settings"], code).parts == self.parts


# --- files that run code when loaded: signed with this user's key ------------------------------------------------

SIGNED = b"calcguide-signed-1\n"  # the header of a signed file, then the HMAC-SHA256 of the rest, then the rest
KEY_BYTES = 32


def key_path() -> Path:
    """Where this user's signing key is: $XDG_CACHE_HOME/calcguide/kept-key, else ~/.cache/calcguide/kept-key (a
    relative XDG_CACHE_HOME is ignored, as the XDG specification says)."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "calcguide" / "kept-key"


@functools.lru_cache(maxsize=None)
def signing_key(path: Path | None = None) -> bytes | None:
    """This user's key (made once, from os.urandom, readable by this user alone); None when it cannot be read or
    made, or could be anyone else's: a key inside the project (it could be committed, and a committed key signs
    anything), a link, a pipe, a file or folder that another user owns or may write. Then nothing is signed and
    no signed file is loaded: the build runs without the caches that load code."""
    path = path or key_path()
    try:
        if path.resolve().is_relative_to(PROJECT):
            return None
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = os.stat(path.parent, follow_symlinks=False)
        if not stat.S_ISDIR(folder.st_mode) or folder.st_uid != os.getuid() or folder.st_mode & 0o022:
            return None
        key = _private_key(path)
        if key is not None and len(key) != KEY_BYTES:  # cut short by a killed build of an earlier version
            _new_key(path, replace=True)
        elif key is None and not os.path.lexists(path):
            _new_key(path, replace=False)
        key = _private_key(path)
    except OSError:
        return None
    return key if key is not None and len(key) == KEY_BYTES else None


def _private_key(path: Path) -> bytes | None:
    """The bytes of the key file when it is this user's own regular file, readable by no one else; else None."""
    try:
        return read_kept_bytes(path, private=True)
    except OSError:
        return None


def _new_key(path: Path, replace: bool) -> None:
    """A new key at `path`, whole or not at all: written under a staged name, then linked to `path` (which fails if
    another build made one meanwhile, whose key is then used) or, to replace a key cut short, renamed over it."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=".kept-key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
        if replace:
            os.replace(name, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(name, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def sign(data: bytes) -> bytes | None:
    """`data` with its signature, to be loaded by `verified`; None without a key."""
    key = signing_key()
    if key is None:
        return None
    return SIGNED + hmac.new(key, data, hashlib.sha256).digest() + data


def verified(signed: bytes) -> bytes | None:
    """The data `sign` signed with this user's key; None for anything else (unsigned, signed with another key,
    altered, no key)."""
    key = signing_key()
    if key is None or not signed.startswith(SIGNED):
        return None
    signature, data = signed[len(SIGNED):len(SIGNED) + 32], signed[len(SIGNED) + 32:]
    return data if hmac.compare_digest(signature, hmac.new(key, data, hashlib.sha256).digest()) else None
