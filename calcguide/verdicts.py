"""What reading a built page found, remembered between builds by the digest of the page: the output check's findings
(calcguide/audit.py) and its inline scripts (which the server policy and the offline bundle's policies hash,
calcguide/csp.py). Each build reads every page three times for these; a page whose bytes did not change since the
last build (most of them, after an edit) is not parsed again.

A verdict's key is the digest of the page's text, what else the reading was given (a redirect's target) and the
salt: the build's code and installed packages (calcguide/uptodate.py) and the inline scripts our templates write,
so a change to the checker, its policy or the parser reads every page afresh. The file keeps only the verdicts of
the last build's pages; one cut short, unreadable or of another shape is ignored (every page is read), and one that
cannot be written is not (the next build reads every page).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from .uptodate import code_digest

FILE = "verdicts.json"


class Verdicts:
    def __init__(self, path: Path, scripts_key: str):
        """path: the file in the work folder; scripts_key: the inline scripts our templates write (csp.OurScripts)."""
        self.path = path
        self.salt = hashlib.sha256(f"{code_digest()}\0{scripts_key}".encode()).hexdigest()
        self.known: dict[str, list[str]] = {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested past Python's limit
            stored = None  # none yet, or unreadable: every page is read
        if isinstance(stored, dict) and stored.get("salt") == self.salt and _well_formed(stored.get("verdicts")):
            self.known = stored["verdicts"]
        self.used: dict[str, list[str]] = {}

    def remember(self, kind: str, html: str, read: Callable[[], list[str]], given: str | None = None) -> list[str]:
        """read() for this page (its `kind` of verdict, with `given`: None and "" are two things), or what it gave
        for the same bytes before."""
        key = hashlib.sha256(f"{self.salt}\0{kind}\0{given!r}\0".encode() + html.encode("utf-8")).hexdigest()
        verdict = self.known.get(key)
        if verdict is None:
            verdict = list(read())
            self.known[key] = verdict
        self.used[key] = verdict
        return list(verdict)

    def save(self) -> None:
        """The verdicts this build used, written whole or not at all: a cache, so a file that cannot be written (a
        folder in its place, a full disk) leaves no stray file and costs the next build its readings, nothing more."""
        staged = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(json.dumps({"salt": self.salt, "verdicts": self.used}), encoding="utf-8")
            os.replace(staged, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                staged.unlink(missing_ok=True)


def _well_formed(verdicts: object) -> bool:
    """What save() writes: page keys, each with its list of texts."""
    return isinstance(verdicts, dict) and all(
        isinstance(key, str) and isinstance(verdict, list) and all(isinstance(text, str) for text in verdict)
        for key, verdict in verdicts.items())
