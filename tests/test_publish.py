"""Publishing: site/ and dist/ switch together or not at all, even when the build is killed at any step of the
switch; two builds cannot share a work folder; folders left by killed builds are cleaned."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from calcguide.publish import WorkFolderBusy, publish_together, recover, work_folder_lock
from conftest import PROJECT

STEPS = ["staged site", "staged dist", "committed", "moved old site aside", "switched site",
         "moved old dist aside", "switched dist", "journal removed"]
SWITCH_STEPS = STEPS[STEPS.index("committed"):]
# A build that publishes, in a process group of its own, killed (SIGKILL to the group: no cleanup of any kind, as
# a CI timeout does it) when the publish reaches the step named in argv.
KILLED_BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, {project!r})
from calcguide.publish import publish_together
root, stop = Path(sys.argv[1]), sys.argv[2]
publish_together([(root / "staging" / "site", root / "site"), (root / "staging" / "dist", root / "dist")],
                 kill_at=stop)
"""
# The switch process itself killed at a step (what only a kill aimed at it, or a power cut, can do).
KILLED_SWITCH = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {project!r})
from calcguide import publish
root, stop = Path(sys.argv[1]), sys.argv[2]
for name in ("site", "dist"):
    (root / "staging" / name).rename(root / (name + ".new"))
def reached(step, kill_at):
    if step == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
publish._reached = reached
publish._switch_process([root / "site", root / "dist"], stop)
"""


def release(root: Path, folder: str, version: str) -> None:
    (root / folder).mkdir(parents=True)
    (root / folder / "version.txt").write_text(version, encoding="utf-8")


def versions(root: Path) -> tuple[str, str]:
    return tuple((root / name / "version.txt").read_text(encoding="utf-8") for name in ("site", "dist"))


def leftovers(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.name not in ("site", "dist", "staging"))


@pytest.fixture
def old_release(tmp_path: Path) -> Path:
    release(tmp_path, "site", "old")
    release(tmp_path, "dist", "old")
    release(tmp_path, "staging/site", "new")
    release(tmp_path, "staging/dist", "new")
    return tmp_path


@pytest.mark.parametrize("stop", STEPS)
def test_build_killed_at_any_step_of_publish_leaves_site_and_dist_both_old_or_both_new(old_release, stop):
    script = KILLED_BUILD.format(project=str(PROJECT))
    # capture_output: run() returns once every holder of the pipes has closed them, the switch process included.
    result = subprocess.run([sys.executable, "-c", script, str(old_release), stop], capture_output=True,
                            start_new_session=True)
    assert result.returncode == -9, result.stderr  # the build was killed at that step
    expected = "new" if stop in SWITCH_STEPS else "old"
    assert versions(old_release) == (expected, expected)  # as the kill left them, before any other build runs
    recover([old_release / "site", old_release / "dist"])  # what the next build, check or serve does first
    assert versions(old_release) == (expected, expected)
    assert leftovers(old_release) == []


@pytest.mark.parametrize("stop", SWITCH_STEPS)
def test_switch_process_killed_halfway_is_finished_by_the_next_build(old_release, stop):
    script = KILLED_SWITCH.format(project=str(PROJECT))
    result = subprocess.run([sys.executable, "-c", script, str(old_release), stop], capture_output=True)
    assert result.returncode == -9, result.stderr
    recover([old_release / "site", old_release / "dist"])
    assert versions(old_release) == ("new", "new")
    assert leftovers(old_release) == []


def test_publish_without_a_kill_switches_both(old_release):
    publish_together([(old_release / "staging/site", old_release / "site"),
                      (old_release / "staging/dist", old_release / "dist")])
    assert versions(old_release) == ("new", "new")


def test_first_publish_creates_both(tmp_path):
    release(tmp_path, "staging/site", "new")
    release(tmp_path, "staging/dist", "new")
    publish_together([(tmp_path / "staging/site", tmp_path / "site"), (tmp_path / "staging/dist", tmp_path / "dist")])
    assert versions(tmp_path) == ("new", "new")


def test_a_dist_that_was_a_link_is_replaced_and_later_builds_still_publish(tmp_path):
    release(tmp_path, "site", "old")
    release(tmp_path, "elsewhere/dist", "old")
    (tmp_path / "dist").symlink_to(tmp_path / "elsewhere" / "dist")
    for version in ("new", "newer"):
        release(tmp_path, "staging/site", version)
        release(tmp_path, "staging/dist", version)
        publish_together([(tmp_path / "staging/site", tmp_path / "site"),
                          (tmp_path / "staging/dist", tmp_path / "dist")])
        assert versions(tmp_path) == (version, version)
        assert leftovers(tmp_path) == ["elsewhere"]  # the link moved aside is removed, not what it pointed to
    assert not (tmp_path / "dist").is_symlink()
    assert (tmp_path / "elsewhere" / "dist" / "version.txt").read_text(encoding="utf-8") == "old"


def test_second_build_in_the_same_work_folder_stops_at_once(tmp_path):
    with work_folder_lock(tmp_path / "build"):
        with pytest.raises(WorkFolderBusy, match="--work-dir"):
            with work_folder_lock(tmp_path / "build"):
                pass


def test_work_folders_of_killed_builds_are_removed_by_the_next_build(tmp_path):
    work = tmp_path / "build"
    for stale in ("output-abc123", "output-xyz789"):
        (work / stale / "site").mkdir(parents=True)
    (work / "docs").mkdir()
    with work_folder_lock(work):
        assert sorted(path.name for path in work.iterdir() if not path.name.startswith(".")) == ["docs"]


# A full build (every stage but the printing of the handouts, which publishing does not concern), in a session of
# its own, that kills its whole process group with SIGKILL just before the n-th file operation of its publish
# stage on site/ or dist/ (or their .new/.old/… siblings): a rename, a deletion, a folder made, a process started.
# Python's audit hooks see each operation as it is about to happen, whichever code makes it, so the kill lands at
# the same point of any implementation of the publish.
KILLED_FULL_BUILD = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {project!r})
from calcguide import pipeline
root, stop_at = Path(sys.argv[1]), int(sys.argv[2])
outputs = (str(root / "site"), str(root / "dist"))
publishing, seen = False, 0

def touches_outputs(args):
    for arg in args:
        if isinstance(arg, (list, tuple)):
            if touches_outputs(arg):
                return True
        elif isinstance(arg, (str, bytes, os.PathLike)) and os.fsdecode(arg).startswith(outputs):
            return True
    return False

def kill_at_the_nth_operation(event, args):
    global seen
    if publishing and event.startswith(("os.", "shutil.", "subprocess.")) and touches_outputs(args):
        seen += 1
        if seen == stop_at:
            os.killpg(0, signal.SIGKILL)

def publish_stage(context, run=next(stage.run for stage in pipeline.STAGES if stage.name == "publish")):
    global publishing
    publishing = True
    run(context)

pipeline.STAGES = tuple(pipeline.Stage(stage.name, publish_stage) if stage.name == "publish" else stage
                        for stage in pipeline.STAGES)
sys.addaudithook(kill_at_the_nth_operation)
layout = pipeline.Layout(Path({project!r}), Path({project!r}) / "content", root / "site", root / "dist", root / "work")
pipeline.run_stages(layout, tuple(stage.name for stage in pipeline.STAGES if stage.name != "pdf"), parallel=False)
"""


def state(folder: Path) -> str:
    if not folder.is_dir():
        return "missing"
    return "old" if (folder / "version.txt").is_file() else "new"


@pytest.mark.slow
@pytest.mark.parametrize("stop_at", [3, 6, 10])
def test_a_full_build_killed_during_its_publish_leaves_site_and_dist_both_old_or_both_new(tmp_path, stop_at):
    release(tmp_path, "site", "old")
    release(tmp_path, "dist", "old")
    script = KILLED_FULL_BUILD.format(project=str(PROJECT))
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(stop_at)], capture_output=True,
                            text=True, start_new_session=True)
    assert result.returncode in (-9, 0), result.stderr  # killed there, or its publish had fewer operations
    states = (state(tmp_path / "site"), state(tmp_path / "dist"))
    assert states in {("old", "old"), ("new", "new")}, f"killed at operation {stop_at}: site/ and dist/ {states}"
    if states == ("new", "new"):
        assert (tmp_path / "site" / "en" / "index.html").is_file() and list((tmp_path / "dist").glob("*.zip"))
    recover([tmp_path / "site", tmp_path / "dist"])  # what the next build does first
    assert (state(tmp_path / "site"), state(tmp_path / "dist")) == states
