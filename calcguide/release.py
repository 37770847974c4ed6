"""The release gate: what a public release needs beyond valid content (a public address, named editors, a
contact for errors, a changes entry for the version, treatments reviewed within the review cycle), each missing
item as one located error. `build.py --release` and `check --release` refuse them; an everyday build warns.
"""
from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from .content import TREATMENTS_DIR, ContentError, Guide, SourceFile
from .deployment import PUBLIC_URL_VARIABLE, PublishSettings


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter: 31 Aug + 6 months = 28/29 Feb)."""
    year, month = divmod(date.month - 1 + months, 12)
    year, month = date.year + year, month + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def release_problems(guide: Guide, content_dir: Path, settings: PublishSettings) -> list[ContentError]:
    """Every item a public release lacks, located in the file an editor must change (the files are read again
    for their lines: the validated guide no longer knows them)."""
    def source(name: str) -> SourceFile:
        file = SourceFile(content_dir / name, content_dir)
        file.read()
        return file

    problems: list[ContentError] = []
    if settings.public_url_problem is not None:
        problems.append(ContentError("build.py", 0, "--public-url", (
            f"{settings.public_url_problem} (--public-url or {PUBLIC_URL_VARIABLE}); the release is published "
            "at the address its host gives, never a made-up one")))
    elif settings.public_url is None:
        problems.append(ContentError("build.py", 0, "--public-url", (
            f"no public address; pass --public-url https://… or set {PUBLIC_URL_VARIABLE} (canonical links, "
            "the sitemap, the citation address and the handouts' QR code need it)")))
    site = source("site.yml")
    if not guide.site.editors:
        problems.append(site.error(("editors",), (
            "no editors named; a release names the people who stand behind the guide, each with name, role, "
            "affiliation and declared interests")))
    if guide.site.contact is None:
        # Absent from the file: point at the block about who stands behind the guide, where it belongs.
        line = site.line_of(("contact",) if "contact" in (site.data or {}) else ("editors",))
        problems.append(ContentError(site.name, line, "contact", (
            "no contact for reporting an error; add contact: {email: …} or contact: {form: https://…}")))
    if guide.changes.entry(guide.site.version) is None:
        problems.append(source("changes.yml").error(("changes",), (
            f"no entry for version {guide.site.version} (the version in site.yml); add one at the top, with its "
            "date, a summary in both languages and the pages it touched")))
    cycle = guide.site.review_cycle_months
    for treatment in guide.treatments:
        due = add_months(treatment.last_reviewed, cycle)
        if due < settings.today:
            problems.append(source(f"{TREATMENTS_DIR}/{treatment.id}.yml").error(("last_reviewed",), (
                f"last reviewed {treatment.last_reviewed.isoformat()}, more than {cycle} months ago (the review "
                f"cycle of site.yml; the review was due {due.isoformat()}); review the page and update the date")))
    return problems
