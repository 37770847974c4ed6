"""What reading a built page found, remembered between builds by the digest of the page: the output check's findings
(calcguide/audit.py) and its inline scripts (which the server policy and the offline bundle's policies hash,
calcguide/csp.py). Each build reads every page three times for these; a page whose bytes did not change since the
last build (most of them, after an edit) is not parsed again.

A verdict's key is the digest of the page's text, what else the reading was given (a redirect's target) and the
salt: the build's code and installed packages (calcguide/keptcache.py's InputsSnapshot) and the inline scripts
our templates write, so a change to the checker, its policy or the parser reads every page afresh. The file keeps only the verdicts of
the last build's pages; one cut short, unreadable or of another shape is ignored (every page is read), and one that
cannot be written is not (the next build reads every page).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from .keptcache import KeptEntries, code_digest, list_of_texts

FILE = "verdicts.json"


class Verdicts:
    def __init__(self, path: Path, scripts_key: str,
                 code_salt: str | None | Callable[[], str | None] = code_digest):
        """path: the file in the work folder; scripts_key: the inline scripts our templates write (csp.OurScripts);
        code_salt: the build's code and packages (a build's snapshot's, calcguide/keptcache.py; by default this
        process's code). None (in doubt): nothing is read or kept."""
        self.path = path
        code_salt = code_salt() if callable(code_salt) else code_salt
        self.salt = hashlib.sha256(f"{code_salt}\0{scripts_key}".encode()).hexdigest() if code_salt else None
        self.kept: KeptEntries[list[str]] = KeptEntries(path, self.salt, list_of_texts)

    def remember(self, kind: str, html: str, read: Callable[[], list[str]], given: str | None = None) -> list[str]:
        """read() for this page (its `kind` of verdict, with `given`: None and "" are two things), or what it gave
        for the same bytes before."""
        key = hashlib.sha256(f"{self.salt}\0{kind}\0{given!r}\0".encode() + html.encode("utf-8")).hexdigest()
        return list(self.kept.remember(key, lambda: list(read())))

    def save(self) -> None:
        """The verdicts this build used, written whole or not at all: a cache, so a file that cannot be written (a
        folder in its place, a full disk) leaves no stray file and costs the next build its readings, nothing more."""
        self.kept.save()
