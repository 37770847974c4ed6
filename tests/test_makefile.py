"""The Makefile's installs wait for the package manager's lock (issue 25): a machine that installs updates in the
background holds it for minutes, and `make site` / `make test` must wait rather than fail."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

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
