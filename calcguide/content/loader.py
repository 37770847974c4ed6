"""The loader: every file of content/ read, validated and cross-checked into one `Guide`, or every mistake."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .crosscheck import cross_check
from .editorial import editorial_errors
from .errors import ContentError, ContentErrors
from .files import CONTENT_FILES, TREATMENTS_DIR
from .messages import validate_model
from .schema import Guide, Treatment
from .source import SourceFile
from .text import Model


def load_document(path: Path, model: type[Model], root: Path | None = None) -> tuple[Any, SourceFile, list[ContentError]]:
    """One YAML file validated against `model`: (the model or None, the source with its lines, the errors).
    Messages name the file relative to `root` (default: its folder)."""
    source = SourceFile(path, root or path.parent)
    if read_errors := source.read():
        return None, source, read_errors
    value, problems = validate_model(source, model, source.data)
    return value, source, problems


def load_guide(root: Path) -> Guide:
    """Read, validate and cross-check all of `root` (the content/ folder); raise ContentErrors with every mistake."""
    root = Path(root)
    errors: list[ContentError] = []
    parsed: dict[str, Any] = {}
    sources: dict[str, SourceFile] = {}

    for content_file in CONTENT_FILES:
        value, source, problems = load_document(root / content_file.name, content_file.model, root)
        errors.extend(problems)
        if source.data is not None:
            parsed[content_file.name], sources[content_file.name] = value, source

    treatments: list[tuple[Treatment, SourceFile]] = []
    invalid_treatments: list[str] = []  # still defined, so that their mistakes are not reported twice
    treatment_dir = root / TREATMENTS_DIR
    treatment_files = sorted(treatment_dir.glob("*.yml")) if treatment_dir.is_dir() else []
    if not treatment_files:
        errors.append(ContentError(TREATMENTS_DIR, 1, "", "no treatment files; expected one .yml file per treatment"))
    for path in treatment_files:
        value, source, problems = load_document(path, Treatment, root)
        errors.extend(problems)
        if value is None:
            invalid_treatments.append(path.stem)
        else:
            treatments.append((value, source))
            if value.id != path.stem:
                errors.append(source.error(("id",), f"the id {value.id!r} differs from the file name; expected {path.stem!r}"))

    errors.extend(cross_check(parsed, sources, treatments, invalid_treatments))
    errors.extend(editorial_errors(parsed, sources, treatments))
    if errors:
        raise ContentErrors(errors)
    return Guide(**{content_file.field: parsed[content_file.name] for content_file in CONTENT_FILES},
                 treatments=[treatment for treatment, _ in treatments])
