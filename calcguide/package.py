"""Package stage: the offline zip of the built sites (and, later, the PDF handouts)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from .content import Guide


def bundle_name(guide: Guide) -> str:
    return f"calcinosis-guide-offline-{guide.site.version}"


def write_offline_bundle(guide: Guide, site_dir: Path, dist_dir: Path) -> Path:
    """Zip site/ (and the PDF handouts already in dist/) into one folder that opens from file://."""
    folder = bundle_name(guide)
    target = dist_dir / f"{folder}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(site_dir.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder}/{path.relative_to(site_dir).as_posix()}")
        for handout in sorted(dist_dir.glob("*.pdf")):
            archive.write(handout, f"{folder}/{handout.name}")
    return target
