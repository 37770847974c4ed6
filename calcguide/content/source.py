"""Reading one YAML file of content/ once, keeping the line of every key and list item for located messages."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError
from .hygiene import character_problem, describe_character
from .regular import read_regular_file
from .yamlrepair import explain_yaml_error, read_syntax, yaml_error_position

Location = tuple[str | int, ...]


class ImpossibleDate(str):
    """A value written as a date that the calendar does not have (2026-02-30): kept as written, so that the
    field that expects a date reports it with its location."""

    reason: str = ""


class SourceFile:
    """One YAML file: its data, and the line of every mapping key and list item, for located messages."""

    def __init__(self, path: Path, root: Path, tree: Path | None = None):
        self.path = path
        self.tree = tree or root  # the folder below which no link is followed (see regular.py)
        self.name = path.relative_to(root).as_posix()
        self.lines: dict[Location, int] = {}
        self.columns: dict[Location, int] = {}  # from one, as editors count them
        self.data: Any = None
        self.mended_lines: frozenset[int] = frozenset()  # lines whose syntax mistake is reported (from one)

    def line_of(self, location: Location) -> int:
        location = tuple(location)
        while location and location not in self.lines:
            location = location[:-1]
        return self.lines.get(location, 1)

    def column_of(self, location: Location) -> int:
        location = tuple(location)
        while location and location not in self.columns:
            location = location[:-1]
        return self.columns.get(location, 1)

    def error(self, location: Location, message: str) -> ContentError:
        field = ".".join(str(part) for part in location)
        return ContentError(self.name, self.line_of(location), field, message, self.column_of(location))

    def read(self, raw: bytes | ContentError | None = None) -> list[ContentError]:
        """Parse the file (or `raw`, what `read_raw` gave); return the errors that make it unreadable (then `data`
        stays None)."""
        raw = self.read_raw() if raw is None else raw
        if isinstance(raw, ContentError):
            return [raw]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return [ContentError(self.name, line, "", f"the file is not UTF-8 text (byte {raw[exc.start]:#04x} is not a "
                                 "character); save it with the UTF-8 encoding")]
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            return [ContentError(self.name, line, "", "the file holds a zero byte, so it is not a text file; "
                                 "save it as UTF-8 text")]
        if not text.strip():
            return [ContentError(self.name, 1, "", "the file is empty; it must hold a YAML mapping")]
        # Every syntax mistake at once (yamlrepair.py); the rest of the file is checked only when each was mended
        # as its message advises, so that nothing is reported that only follows from a guess.
        try:
            reading = read_syntax(text, _compose)
        except yaml.reader.ReaderError as exc:  # a character YAML never reads (a control character): nothing to mend
            # The reader stops at the first such character; libyaml counts its position in bytes, so find it.
            position = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
            position = position if position >= 0 else 0
            line = text.count("\n", 0, position) + 1
            column = position - text.rfind("\n", 0, position)
            return [ContentError(self.name, line, "", f"the file holds {describe_character(chr(exc.character))}, "
                                 "which YAML does not accept; delete it", column)]
        errors = [ContentError(self.name, mistake.line, reading.fields.get(mistake.line, ""), mistake.message,
                               mistake.column)
                  for mistake in reading.mistakes]
        if errors and not reading.faithful:
            return errors
        text = reading.mended
        try:
            # First the events alone (no tree is built): aliases, tags, complex keys and deep nesting are refused
            # before anything could expand; then the same text is parsed once more into nodes and data.
            if problem := _refused_structure(text):
                line, field, message = problem
                return [*errors, ContentError(self.name, line, field, message)]
            loader = _UniqueKeyLoader(text)
            try:
                node = loader.get_single_node()
                if twice := list(_keys_written_twice(node, ())):
                    return [*errors, *(self.error_at(key, field, f"the key {key.value!r} is written twice in the "
                                                     "same block; keep one of them") for key, field in twice)]
                self.data = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            line, column = yaml_error_position(exc)
            return [*errors, ContentError(self.name, line, "", explain_yaml_error(exc), column)]
        except yaml.YAMLError as exc:  # errors without a position
            return [*errors, ContentError(self.name, 1, "", f"YAML syntax error: {exc}")]
        if self.data is None:
            return [ContentError(self.name, 1, "", "the file is empty (only comments or blank lines); "
                                 "it must hold key: value lines")]
        if not isinstance(self.data, dict):
            self.data = None
            return [ContentError(self.name, 1, "", "the file must hold a YAML mapping (key: value lines) at the top")]
        self._index(node, ())
        later = [*self._character_errors(self.data, ()), *self._cut_texts(node, (), text.splitlines())]
        self.mended_lines = reading.mended_lines
        return [*errors, *(error for error in later if error.line not in reading.mended_lines)]

    def read_raw(self) -> bytes | ContentError:
        """The file's bytes, or the error that refuses it (calcguide/content/regular.py)."""
        return read_regular_file(self.path, self.name, root=self.tree)

    def error_at(self, node: yaml.Node, field: str, message: str) -> ContentError:
        return ContentError(self.name, node.start_mark.line + 1, field, message, node.start_mark.column + 1)

    def _cut_texts(self, node: yaml.Node, location: Location, lines: list[str]) -> list[ContentError]:
        """A text written without quotes stops at ' #': YAML reads the rest of the line as a comment, and the
        reader would get half a sentence."""
        errors = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                errors.extend(self._cut_texts(value, (*location, key.value), lines))
        elif isinstance(node, yaml.SequenceNode):
            for position, value in enumerate(node.value):
                errors.extend(self._cut_texts(value, (*location, position), lines))
        elif (isinstance(node, yaml.ScalarNode) and not node.style and location and location[-1] in ("en", "fr")
              and node.end_mark.line < len(lines)):
            rest = lines[node.end_mark.line][node.end_mark.column:]
            if rest.lstrip().startswith("#"):
                errors.append(self.error(location, (
                    f"the text stops before '{rest.strip()[:30]}': YAML reads ' #' and what follows as a comment; "
                    "put the whole text in quotes if the # belongs to it")))
        return errors

    def _index(self, node: yaml.Node, location: Location) -> None:
        self.lines.setdefault(location, node.start_mark.line + 1)
        self.columns.setdefault(location, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*location, key.value)
                self.lines[child] = key.start_mark.line + 1
                self.columns[child] = key.start_mark.column + 1
                self._index(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for position, value in enumerate(node.value):
                self._index(value, (*location, position))

    def _character_errors(self, value: Any, location: Location) -> list[ContentError]:
        """Every key and text of the file obeys hygiene.py: no invisible characters, no text over the limit."""
        errors = []
        if isinstance(value, str):
            if problem := character_problem(value):
                errors.append(self.error(location, problem))
        elif isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and (problem := character_problem(key)):
                    errors.append(self.error(location, f"a key: {problem}"))
                errors.extend(self._character_errors(child, (*location, key)))
        elif isinstance(value, list):
            for position, child in enumerate(value):
                errors.extend(self._character_errors(child, (*location, position)))
        return errors


MAX_NESTING = 24  # blocks inside blocks; the deepest content file uses 5


@lru_cache(maxsize=256)  # a pure function of the text: a file read again unchanged is not walked again
def _refused_structure(text: str) -> tuple[int, str, str] | None:
    """(line, field, message) of the first YAML feature content may not use, found from the parser's events:
    aliases and anchors (a 400-byte alias bomb expands to gigabytes; a recursive one never ends), explicit tags,
    keys that are lists or blocks, and nesting deeper than MAX_NESTING."""
    loader = _SafeLoader(text)
    # One entry per open block: [is a mapping, children seen, the key being read, its field path].
    open_blocks: list[list[Any]] = []
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.CollectionEndEvent,)):
                open_blocks.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            path: list[Any] = []
            is_key = False
            if open_blocks:
                block = open_blocks[-1]
                if block[0]:
                    is_key = block[1] % 2 == 0
                    path = [*block[3], *([] if is_key else [block[2]])]
                else:
                    path = [*block[3], block[1]]
                block[1] += 1
            field = ".".join(str(part) for part in path)
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                return line, field, (f"YAML aliases (*{event.anchor}) are not allowed in content; write the value "
                                     "out in full where it is needed")
            if event.anchor is not None:
                return line, field, (f"YAML anchors (&{event.anchor}) are not allowed in content; write the value "
                                     "out in full where it is needed")
            if getattr(event, "tag", None) is not None:
                return line, field, (f"YAML tags ({event.tag}) are not allowed in content; write the value plainly "
                                     "(in quotes if it must stay a text)")
            if is_key and not isinstance(event, yaml.ScalarEvent):
                return line, field, "a key must be a plain word before its colon, not a list or a block"
            if is_key:
                open_blocks[-1][2] = event.value
            if isinstance(event, yaml.CollectionStartEvent):
                if len(open_blocks) >= MAX_NESTING:
                    return line, field, (f"blocks are nested more than {MAX_NESTING} deep; content needs far fewer "
                                         "levels (check the indentation)")
                open_blocks.append([isinstance(event, yaml.MappingStartEvent), 0, None, path])
    finally:
        loader.dispose()
    return None


def _keys_written_twice(node: yaml.Node | None, location: Location):
    """(key node, field) of every key written a second time in its block (YAML would silently keep the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield key, ".".join(str(part) for part in (*location, key.value))
            seen.add(key.value)
            yield from _keys_written_twice(value, (*location, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for position, value in enumerate(node.value):
            yield from _keys_written_twice(value, (*location, position))


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_SafeLoader)


# libyaml's parser when PyYAML has it (ten times faster than the pure-Python one; same nodes, same lines).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice in the same block", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_date(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> Any:
    """A date as the calendar has it; an impossible one (2026-02-30) stays text for the field to report."""
    try:
        return _SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        value = ImpossibleDate(node.value)
        value.reason = str(exc)
        return value


MAX_DIGITS = 12  # no number of content has more (a PMID has 8); a longer one stays text, for its field to report


def _construct_decimal(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> int | str:
    digits = node.value.lstrip("+-0") or "0"
    return int(node.value, 10) if len(digits) <= MAX_DIGITS else node.value


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_decimal)

# YAML 1.1 reads `no`, `yes`, `on`, `off` as booleans, `01234567` as an octal number, `0x1F` as hexadecimal and
# `1:30` as 90 (base 60); editors mean words and decimal numbers (a PMID, a year). Only true/false are booleans
# here, and only decimal digits are numbers, read in base 10 as written; anything else stays text.
# (A copy: the resolver table is shared with yaml.SafeLoader, which MkDocs also uses.)
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_UniqueKeyLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
