"""A content mistake as a value that knows its file, line, column and field; printed like a compiler's message
(`path:line:column: field: message`, which editors and terminals turn into a link to the spot)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()


def ordinal(number: int) -> str:
    """1 → "first", 22 → "22nd": a position as an editor counts it, from one."""
    if number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _singular(key: str) -> str:
    """The name of one item of a list key: interactions → interaction, key_references → key reference."""
    words = key.replace("_", " ")
    if words.endswith("ies"):
        return words[:-3] + "y"
    if words.endswith("s") and not words.endswith("ss"):
        return words[:-1]
    return "item"


def field_in_words(field: str) -> str:
    """A field path as an editor reads it, positions counted from one: `safety.interactions.1.treatment` →
    `safety › the second interaction › treatment`."""
    parts = field.split(".") if field else []
    shown: list[str] = []
    for number, part in enumerate(parts):
        following = parts[number + 1] if number + 1 < len(parts) else None
        if part.isdigit() and number > 0 and _singular(parts[number - 1]) != "item":
            shown[-1] = f"the {ordinal(int(part) + 1)} {_singular(parts[number - 1])}"
        elif following is not None and following.isdigit():
            shown.append(part)  # replaced by the item's words on the next step
        elif part.isdigit():
            shown.append(f"the {ordinal(int(part) + 1)} item")
        else:
            shown.append(part)
    return " › ".join(shown)


@dataclass(frozen=True, order=True)
class ContentError:
    file: str
    line: int
    field: str  # the path inside the file, dotted, list positions from zero (`safety.interactions.1`)
    message: str
    column: int = 1
    # The folder `file` is relative to (content/, or the project for docs/ and templates/), when known: printed
    # messages name the file from the current folder, so that a terminal or an editor opens it from there.
    folder: str = field(default="", compare=False)

    def __str__(self) -> str:
        """The compact form, for logs and tests: `file:line: dotted.field: message`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(file)'}: {self.message}"

    def for_editor(self) -> str:
        """What `check`, the build and the preview print: `path:line:column: field in words: message`."""
        # Line 0: not in a file of content/ (a setting of the command line, say), so no line to show.
        where = f"{self.path_for_editor()}:{self.line}:{max(self.column, 1)}" if self.line else self.file
        return f"{where}: {field_in_words(self.field) or '(file)'}: {self.message}"


    def path_for_editor(self) -> str:
        """The file from the current folder (`content/treatments/x.yml`), or whole when it lies outside it."""
        if not self.folder:
            return self.file
        path = Path(self.folder, self.file).absolute()
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return os.fspath(path)


def placed_in(errors: list[ContentError], folder: Path) -> list[ContentError]:
    """The errors whose files are relative to `folder`, knowing it (those that already know theirs keep it)."""
    return [error if error.folder else replace(error, folder=os.fspath(folder)) for error in errors]


class ContentErrors(Exception):
    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = sorted(set(errors))
