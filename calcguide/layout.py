"""Where the build reads and writes (its own module: `build.py` needs it before it knows whether to load the build)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Layout:
    """Where the build reads and writes; tests and the benchmark point it at temporary folders."""

    project: Path
    content_dir: Path
    site_dir: Path
    dist_dir: Path
    work_dir: Path

    @classmethod
    def default(cls, project: Path) -> "Layout":
        return cls(project, project / "content", project / "site", project / "dist", project / "build")
