"""Reading the project's own files as untrusted input: only regular files inside the tree, and none too big.

A contributor controls what is committed, and git stores symbolic links and (through a checkout tool) can leave
named pipes or device nodes: a link to /proc/self/environ would publish the build's environment, a pipe would
hang the build, /dev/zero would exhaust it. So every input is looked at with lstat() before it is opened, never
followed through a link, and opened only when it is a regular file of a bounded size.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ContentError

# Limits, documented in README (Limits): the largest content file is about 20 KB and the longest text about
# 800 characters, so these leave room to grow while keeping any one build small and fast.
MAX_FILE_BYTES = 256 * 1024
MAX_TREE_BYTES = 4 * 1024 * 1024  # all of content/, docs/ or templates/ together
MAX_TREE_FILES = 2000
MAX_TREE_DEPTH = 8  # folders inside folders; docs/assets/javascripts/ is 2 deep

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def refusal(mode: int) -> str:
    """Why a path that is not a regular file is refused, in an editor's words."""
    what = kind_of(mode)
    if what == "a symbolic link":
        return ("is a symbolic link; the build reads only regular files inside the repository "
                "(copy the file here instead of linking to it)")
    return f"is {what}, not a regular file; the build reads only regular files inside the repository"


def read_regular_file(path: Path, name: str, limit: int = MAX_FILE_BYTES, root: Path | None = None) -> bytes | ContentError:
    """The bytes of path, or the error that refuses it: missing, a link (or under one, below root), a pipe, a
    device, a folder, or larger than limit. A pipe or a device is never opened."""
    try:
        for folder in _folders_between(root, path):
            if stat.S_ISLNK(os.lstat(folder).st_mode):
                return ContentError(name, 1, "", f"the folder {folder.name}/ {refusal(stat.S_IFLNK)}")
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ContentError(name, 1, "", "the file is missing (deleted or renamed?); it is required")
    except OSError as exc:
        return ContentError(name, 1, "", f"the file cannot be read ({exc.strerror}); check it exists and is a file")
    if not stat.S_ISREG(mode):
        return ContentError(name, 1, "", "this path " + refusal(mode))
    try:
        # O_NOFOLLOW and O_NONBLOCK: if the path was swapped for a link or a pipe since lstat, fail, never wait.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return ContentError(name, 1, "", f"the file cannot be read ({exc.strerror}); check it exists and is a file")
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return ContentError(name, 1, "", "this path " + refusal(status.st_mode))
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        return ContentError(name, 1, "", f"the file is larger than {limit // 1024} KB, the limit for one file; "
                            "split it or shorten its texts")
    return raw


def _folders_between(root: Path | None, path: Path) -> list[Path]:
    if root is None:
        return []
    try:
        parts = path.parent.relative_to(root).parts
    except ValueError:
        return []
    folders, folder = [], root
    for part in parts:  # not root itself: see check_tree
        folder = folder / part
        folders.append(folder)
    return folders


def check_tree(root: Path, label: str, prefix: str | None = None) -> list[ContentError]:
    """Every entry under root is a regular file or a folder (no link, pipe, device or socket), and the tree stays
    within the size limits. `label` names root in messages (e.g. "docs"), `prefix` starts the name of each file
    in them (default: label/)."""
    prefix = f"{label}/" if prefix is None else prefix
    errors: list[ContentError] = []
    total = count = 0
    try:
        # The folder itself is the operator's choice (--content, a test's copy) and may be a link; what is
        # inside it is the contributors', and may not.
        root_mode = os.stat(root).st_mode
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(root_mode):
        return [ContentError(label, 1, "", "this path " + refusal(root_mode))]
    pending = [(root, 0)]
    while pending:
        folder, depth = pending.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda item: item.name):
                path = Path(entry.path)
                name = f"{prefix}{path.relative_to(root).as_posix()}"
                mode = entry.stat(follow_symlinks=False).st_mode
                if "\\" in entry.name or any(ord(character) < 32 or ord(character) == 127 for character in entry.name):
                    errors.append(ContentError(name.encode("unicode_escape").decode("ascii"), 1, "", (
                        "a file name with a backslash or a control character; the build names files with letters, "
                        "digits, hyphens and dots")))
                elif stat.S_ISDIR(mode) and depth + 1 >= MAX_TREE_DEPTH:
                    errors.append(ContentError(name, 1, "", f"folders are nested more than {MAX_TREE_DEPTH} deep "
                                               f"in {label}/; keep the tree flat"))
                elif stat.S_ISDIR(mode):
                    pending.append((path, depth + 1))
                elif not stat.S_ISREG(mode):
                    errors.append(ContentError(name, 1, "", "this path " + refusal(mode)))
                else:
                    count += 1
                    size = entry.stat(follow_symlinks=False).st_size
                    total += size
                    if size > MAX_FILE_BYTES and path.suffix in (".yml", ".md", ".j2", ".html"):
                        errors.append(ContentError(name, 1, "", f"the file is larger than {MAX_FILE_BYTES // 1024} "
                                                   "KB, the limit for one file; split it or shorten it"))
    if total > MAX_TREE_BYTES or count > MAX_TREE_FILES:
        errors.append(ContentError(label, 1, "", f"{label}/ holds {count} files, {total // 1024} KB; the limits are "
                                   f"{MAX_TREE_FILES} files and {MAX_TREE_BYTES // (1024 * 1024)} MB"))
    return errors
