"""What the build keeps in its work folder between builds, read and written in one way: a JSON file read whole and
checked for its shape, or taken as absent; written whole or not at all.

The work folder is the build machine's own: no content path can name a file in it (calcguide/content/regular.py
refuses links, and content/ is read by the names the build knows). Still, a kept file may be cut short by a full
disk or a killed build, edited by hand, or left by another version: whatever it holds, reading it never raises and
never returns what `well_formed` refuses, and the build computes again what it held. Writing it stages the file
beside its place and renames it over, so that a reader sees the old file or the new one; a file that cannot be
written (a full disk, a folder in its place) is not, leaves no stray file, and costs the next build its work.

`KeptEntries` is the common shape of the caches of a build that runs (the verdicts of each page, the fragments of
each text, the search fields of each section): entries by a text key under a salt that names everything else that
shapes them (the build's code and packages, calcguide/uptodate.py's `code_digest`), of which a build keeps only
those it used.
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

V = TypeVar("V")


def read_kept(path: Path, well_formed: Callable[[Any], bool]) -> Any | None:
    """The JSON value kept at `path` when it is one `well_formed` accepts; None for anything else (no file, a
    folder, bytes that are not UTF-8 JSON, JSON nested past Python's limit, a value of another shape)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
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
    return write_kept_bytes(path, data)


def write_kept_bytes(path: Path, data: bytes) -> bool:
    """`data` at `path`, whole or not at all (staged beside it, then renamed over it); whether it was written."""
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        os.replace(staged, path)
        return True
    except OSError:  # a folder in its place, a full disk: nothing left behind
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)
        return False


class KeptEntries(Generic[V]):
    """Entries by key, kept in one file under a salt: an entry is trusted only from a file of the same salt and
    only when `entry_well_formed` accepts it (any other is computed again). `save()` keeps the entries this build
    used, so the file holds one build's worth."""

    def __init__(self, path: Path, salt: str, entry_well_formed: Callable[[Any], bool]):
        self.path = path
        self.salt = salt
        stored = read_kept(path, lambda value: isinstance(value, dict) and isinstance(value.get("entries"), dict))
        self.known: dict[str, V] = {}
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
        return write_kept(self.path, {"salt": self.salt, "entries": self.used})


def list_of_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(text, str) for text in value)
