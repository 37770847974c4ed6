"""A failed stage told in an editor's words: content mistakes as `path:line:column: field: message`, a template mistake
at its template's file and line, anything else on one line. Shared by `build.py` and `serve`."""
from __future__ import annotations

from pathlib import Path

import jinja2

from .content import ContentErrors
from .site import SiteBuildError


class StageFailure(Exception):
    """A failure already told in an editor's words (in a build process of its own, whose traceback stays there)."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def describe(error: BaseException, project: Path) -> list[str]:
    """The lines to print for `error` (several for content mistakes, one otherwise)."""
    if isinstance(error, StageFailure):
        return error.lines
    if isinstance(error, ContentErrors):
        return [item.for_editor() for item in error.errors]
    if isinstance(error, SiteBuildError):
        return [f"error: {error}"]
    return [f"{where(error, project)}{one_line(error)}"]


def where(error: BaseException, project: Path) -> str:
    """`templates/pages/x.md.j2:12: ` when the error comes from one of our templates, else nothing."""
    location: tuple[str, int] | None = None
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        location = (error.filename, error.lineno)
    else:
        # Jinja puts the template's own file and line into the traceback; the innermost one is the culprit.
        frame = error.__traceback__
        while frame is not None:
            filename = frame.tb_frame.f_code.co_filename
            if Path(filename).suffix in (".j2", ".html") and Path(filename).is_file():
                location = (filename, frame.tb_lineno)
            frame = frame.tb_next
    if location is None:
        return ""
    path = Path(location[0]).resolve()
    name = path.relative_to(project).as_posix() if path.is_relative_to(project) else path.name
    return f"{name}:{location[1]}: "


def one_line(error: BaseException) -> str:
    kind = "template error" if isinstance(error, jinja2.TemplateError) else f"error: {type(error).__name__}"
    message = " ".join(str(error).split()) or "(no message)"
    return f"{kind}: {message}"
