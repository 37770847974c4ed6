"""Publishing site/ and dist/ as one unit, and keeping builds out of each other's work folder.

site/ and dist/ must change together: dist/nginx-csp.conf allows exactly the inline scripts of this site/, and the
offline zip is this site. Two folders cannot be renamed in one system call, so the switch is a small transaction:
1. the build moves the new folders next to their targets (`site.new`, `dist.new`: same file system, so renames
   work) — killed here, nothing has changed, and the next build removes the stray `.new` folders;
2. a separate *switch process* writes a journal naming them with one atomic rename (`site.publish`: the commit
   point), renames each target to `.old` and its `.new` into place, and deletes the journal;
3. the build deletes the `.old` folders.
The switch process runs in a session of its own and ignores the signals a build is stopped with, so a kill of the
build at any moment — Ctrl-C, `kill`, `kill -9`, a CI timeout that kills the build's whole process group — either
comes before step 2 (site/ and dist/ both old) or cannot stop it (both new). Only a kill aimed at the switch
process itself, or a power cut, can stop it halfway: then the journal says the switch was decided, and the next
build (or serve) finishes it first (`recover`).
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

# The signals that stop a build; the switch process ignores them (SIGKILL cannot be ignored: see the docstring).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class PublishFailed(Exception):
    """The switch process could not put the new folders in place."""


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(target.name + suffix)


def journal_path(targets: list[Path]) -> Path:
    return _sibling(targets[0], ".publish")


def publish_together(pairs: list[tuple[Path, Path]], work_lock: IO | None = None, kill_at: str = "") -> None:
    """Replace each target with its staged folder, all of them or none (see the module's docstring).

    work_lock: the build's work-folder lock, held by the switch process too, so that no other build can start
    (and `recover` a switch still running) before it has finished. kill_at: for tests only — when the publish
    reaches the step of that name, the build is killed (SIGKILL to its process group) and the publish goes on."""
    targets = [target for _, target in pairs]
    recover(targets)
    for staged, target in pairs:
        fresh = _sibling(target, ".new")
        _remove(fresh)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(fresh))
        _reached(f"staged {target.name}", kill_at)
    command = [sys.executable, "-I", __file__, "--kill-at", kill_at, *map(str, targets)]
    # Not subprocess.run: on Ctrl-C it would kill the switch process, which must always finish.
    switch = subprocess.Popen(command, start_new_session=True,
                              pass_fds=(work_lock.fileno(),) if work_lock else ())
    if switch.wait() != 0:
        raise PublishFailed(f"the new site/ and dist/ could not be put in place (exit {switch.returncode}); "
                            "the next build finishes or undoes the switch")
    for target in targets:
        _remove(_sibling(target, ".old"))


def _remove(path: Path) -> None:
    """Remove a folder left over, or the link that stood in its place (a dist/ that was a link is moved aside as
    one, and rmtree refuses links: left there, it would stop every later switch)."""
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def recover(targets: list[Path]) -> None:
    """Finish a switch that a killed switch process committed, or forget one that was not committed."""
    journal = journal_path(targets)
    if journal.exists():
        recorded = [Path(name) for name in json.loads(journal.read_text(encoding="utf-8"))["targets"]]
        _switch(recorded, "")
        journal.unlink()
        targets = [*targets, *recorded]
    for target in targets:
        for suffix in (".new", ".old"):
            _remove(_sibling(target, suffix))


def _switch_process(targets: list[Path], kill_at: str) -> None:
    """Step 2 of the docstring, in the switch process."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    journal = journal_path(targets)
    _write_atomically(journal, json.dumps({"targets": [str(target) for target in targets]}))
    _reached("committed", kill_at)
    _switch(targets, kill_at)
    journal.unlink()
    _sync_folder(journal.parent)
    _reached("journal removed", kill_at)


def _switch(targets: list[Path], kill_at: str) -> None:
    """Each committed `.new` into place; safe to run again after a kill at any point of it."""
    for target in targets:
        fresh, old = _sibling(target, ".new"), _sibling(target, ".old")
        if not fresh.exists():
            continue  # already switched
        if target.exists() or target.is_symlink():
            _remove(old)
            target.rename(old)
            _reached(f"moved old {target.name} aside", kill_at)
        fresh.rename(target)
        _reached(f"switched {target.name}", kill_at)
    for parent in {target.parent for target in targets}:
        _sync_folder(parent)


def _reached(step: str, kill_at: str) -> None:
    # The tests' way to kill the build at a given step (tests/test_publish.py); a build never sets kill_at.
    if step == kill_at:
        build = os.getpid() if step.startswith("staged") else os.getppid()
        os.killpg(os.getpgid(build), signal.SIGKILL)


def _write_atomically(path: Path, text: str) -> None:
    partial = _sibling(path, ".part")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Renames in `folder` reach the disk (a power cut after this keeps them)."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class WorkFolderBusy(Exception):
    """Another build holds the work folder."""


@contextmanager
def work_folder_lock(work_dir: Path) -> Iterator[IO]:
    """Hold work_dir for this build: a second build with the same work folder stops at once instead of mixing
    its pages with ours. The lock is the kernel's (flock), so it goes with the process, however it ends; stale
    folders of killed builds (output-*) are removed once it is held."""
    work_dir.mkdir(parents=True, exist_ok=True)
    handle = open(work_dir / ".lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkFolderBusy(f"another build is using the work folder {work_dir}; wait for it to finish, "
                                 "or give this one its own with --work-dir") from None
        for stale in work_dir.glob("output-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield handle
    finally:
        handle.close()


if __name__ == "__main__":  # the switch process, started by publish_together
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--kill-at", default="")
    arguments.add_argument("targets", nargs="+", type=Path)
    options = arguments.parse_args()
    _switch_process(options.targets, options.kill_at)
