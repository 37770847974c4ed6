"""Publishing site/ and dist/ as one unit, and keeping builds out of each other's work folder.

site/ and dist/ must change together: dist/nginx-csp.conf allows exactly the inline scripts of this site/, and the
offline zip is this site. Two folders cannot be renamed in one system call, so the switch is a small transaction:
1. the new folders are moved next to their targets (`site.new`, `dist.new`: same file system, so renames work);
2. a journal naming them is written with one atomic rename (`site.publish`) — the commit point;
3. each target is renamed to `.old` and its `.new` renamed into place;
4. the journal is deleted, then the `.old` folders.
Killed before 2, nothing has changed and the `.new` folders are stray; killed after 2, the journal says the
switch was decided. Every later build (or serve) first finishes an interrupted switch
(`recover`), so site/ and dist/ are never left one old and one new for more than the time until that run.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

# A test stops the publish at a step (see tests/test_publish.py); the build never sets it.
Step = Callable[[str], None]


def _no_step(name: str) -> None:
    pass


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(target.name + suffix)


def journal_path(targets: list[Path]) -> Path:
    return _sibling(targets[0], ".publish")


def publish_together(pairs: list[tuple[Path, Path]], step: Step = _no_step) -> None:
    """Replace each target with its staged folder, all of them or none (see the module's docstring)."""
    targets = [target for _, target in pairs]
    journal = journal_path(targets)
    recover(targets)
    for staged, target in pairs:
        fresh = _sibling(target, ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(fresh))
        step(f"staged {target.name}")
    _write_atomically(journal, json.dumps({"targets": [str(target) for target in targets]}))
    step("committed")
    _switch(targets, step)
    journal.unlink()
    step("journal removed")
    for target in targets:
        shutil.rmtree(_sibling(target, ".old"), ignore_errors=True)


def recover(targets: list[Path]) -> None:
    """Finish a switch that a killed build committed, or forget one it had not committed."""
    journal = journal_path(targets)
    if journal.exists():
        recorded = [Path(name) for name in json.loads(journal.read_text(encoding="utf-8"))["targets"]]
        _switch(recorded, _no_step)
        journal.unlink()
        targets = [*targets, *recorded]
    for target in targets:
        for suffix in (".new", ".old"):
            shutil.rmtree(_sibling(target, suffix), ignore_errors=True)


def _switch(targets: list[Path], step: Step) -> None:
    """Each committed `.new` into place; safe to run again after a kill at any point of it."""
    for target in targets:
        fresh, old = _sibling(target, ".new"), _sibling(target, ".old")
        if not fresh.exists():
            continue  # already switched
        if target.exists() or target.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            step(f"moved old {target.name} aside")
        fresh.rename(target)
        step(f"switched {target.name}")


def _write_atomically(path: Path, text: str) -> None:
    partial = _sibling(path, ".part")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


class WorkFolderBusy(Exception):
    """Another build holds the work folder."""


@contextmanager
def work_folder_lock(work_dir: Path) -> Iterator[None]:
    """Hold work_dir for this build: a second build with the same work folder stops at once instead of mixing
    its pages with ours. The lock is the kernel's (flock), so it goes with the process, however it ends; stale
    folders of killed builds (output-*, preview-*) are removed once it is held."""
    work_dir.mkdir(parents=True, exist_ok=True)
    handle = open(work_dir / ".lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkFolderBusy(f"another build is using the work folder {work_dir}; wait for it to finish, "
                                 "or give this one its own with --work-dir") from None
        for stale in [*work_dir.glob("output-*"), *work_dir.glob("preview-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        handle.close()
