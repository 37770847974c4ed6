"""The Makefile (issue 25): its installs wait for the package manager's lock (a machine that installs updates in
the background holds it for minutes, and `make site` / `make test` must wait rather than fail), and `make test`
starts the longest test modules first."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

PROJECT = Path(__file__).resolve().parents[1]
LOCK_WAIT = "-o DPkg::Lock::Timeout="


def test_every_apt_get_of_the_makefile_goes_through_the_two_waiting_commands():
    lines = [line for line in (PROJECT / "Makefile").read_text().splitlines()
             if "apt-get" in line and not line.lstrip().startswith("#")]
    assert [line.split(":=")[0].strip() for line in lines] == ["APT_UPDATE", "APT_INSTALL"], lines


def test_installing_missing_system_packages_runs_apt_get_with_a_lock_timeout(tmp_path):
    # A PATH with no chromium, java, fonts…, and an apt-get that writes down how it was called.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    fake = bin_dir / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    for tool in ("grep", "sh"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    done = subprocess.run([shutil.which("make"), "-s", "system-deps", "test-system-deps"], cwd=PROJECT,
                          env={**os.environ, "PATH": str(bin_dir)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    runs = calls.read_text().splitlines()
    assert any(" update" in run for run in runs) and any(" install" in run for run in runs), runs
    for run in runs:
        timeout = re.search(re.escape(LOCK_WAIT) + r"(\d+)", run)
        assert timeout and int(timeout.group(1)) >= 60, run


def test_make_test_starts_the_longest_modules_first_and_each_keeps_its_tests_in_order():
    """tests/conftest.py puts LONGEST_FIRST ahead of the other modules, and `make test` keeps that order
    (--no-loadscope-reorder: without it xdist starts the modules with the most tests first)."""
    from conftest import LONGEST_FIRST, pytest_collection_modifyitems

    assert all((PROJECT / "tests" / name).is_file() for name in LONGEST_FIRST), "a module was renamed or removed"
    dry_run = subprocess.run([shutil.which("make"), "-n", "-o", ".venv/.test-deps", "-o", "node_modules/.installed",
                              "-o", "system-deps", "-o", "test-system-deps", "test"], cwd=PROJECT,
                             capture_output=True, text=True)
    assert "--dist loadscope --no-loadscope-reorder" in dry_run.stdout, dry_run.stdout
    collected = ["test_many.py", LONGEST_FIRST[1], "test_many.py", LONGEST_FIRST[0], "test_few.py", LONGEST_FIRST[1]]
    items = [SimpleNamespace(path=Path("tests") / name, number=number) for number, name in enumerate(collected)]
    pytest_collection_modifyitems(items)
    assert [(item.path.name, item.number) for item in items] == [
        (LONGEST_FIRST[0], 3), (LONGEST_FIRST[1], 1), (LONGEST_FIRST[1], 5), ("test_many.py", 0), ("test_many.py", 2),
        ("test_few.py", 4)]
