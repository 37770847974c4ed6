"""A treatment page's addresses agree with its file: in English the file's name (its id), in French French words
of its own, used by no other treatment. The form of each (lowercase ascii words and hyphens) is the schema's."""
from __future__ import annotations

from pathlib import PurePosixPath

from .errors import ContentError
from .files import TREATMENTS_DIR
from .schema import Treatment
from .source import SourceFile

# MkDocs makes index.md and README.md the page of their folder (mkdocs/structure/files.py): a treatment page so
# named would be taken for the Treatments section's own.
RESERVED_PAGE_NAMES = frozenset({"index", "readme"})


def treatment_slug_errors(treatments: list[tuple[Treatment, SourceFile]]) -> list[ContentError]:
    errors: list[ContentError] = []
    french: dict[str, SourceFile] = {}
    for treatment, source in treatments:
        slug = getattr(treatment, "slug", None)
        if slug is None:
            continue  # the field itself is wrong, and its own message says so
        file_name = PurePosixPath(source.name).stem  # what other files name it by (a wrong `id:` has its message)
        if slug.en != file_name:
            errors.append(source.error(("slug", "en"), (
                f"the English address {slug.en!r} differs from the file's name; expected {file_name!r} "
                f"(to rename the page, rename {TREATMENTS_DIR}/{file_name}.yml and its id, and list the old "
                "address in moved.yml)")))
        if slug.fr in RESERVED_PAGE_NAMES:
            errors.append(source.error(("slug", "fr"), (
                f"{slug.fr!r} cannot name a treatment page: it would be taken for the landing page of the "
                "Treatments section; use the French name's words")))
        elif slug.fr in french:
            errors.append(source.error(("slug", "fr"), (
                f"the French address {slug.fr!r} is already that of {french[slug.fr].name}; give each treatment "
                "its own")))
        else:
            french[slug.fr] = source
    return errors
