"""Reading one YAML file of content/ once, keeping the line of every key and list item for located messages."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError

Location = tuple[str | int, ...]


class SourceFile:
    """One YAML file: its data, and the line of every mapping key and list item, for located messages."""

    def __init__(self, path: Path, root: Path):
        self.path = path
        self.name = path.relative_to(root).as_posix()
        self.lines: dict[Location, int] = {}
        self.data: Any = None

    def line_of(self, location: Location) -> int:
        location = tuple(location)
        while location and location not in self.lines:
            location = location[:-1]
        return self.lines.get(location, 1)

    def error(self, location: Location, message: str) -> ContentError:
        field = ".".join(str(part) for part in location)
        return ContentError(self.name, self.line_of(location), field, message)

    def read(self) -> list[ContentError]:
        """Parse the file; return the errors that make it unreadable (then `data` stays None)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [ContentError(self.name, 1, "", "the file is missing (deleted or renamed?); it is required")]
        except OSError as exc:
            return [ContentError(self.name, 1, "", f"the file cannot be read ({exc.strerror}); check it exists and is a file")]
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
        for number, line in enumerate(text.splitlines(), start=1):
            indent = line[: len(line) - len(line.lstrip())]
            if "\t" in indent:
                return [ContentError(self.name, number, "", "a tab is used for indentation; indent with spaces")]
        if not text.strip():
            return [ContentError(self.name, 1, "", "the file is empty; it must hold a YAML mapping")]
        loader = _UniqueKeyLoader(text)
        try:
            # Parsed once: the node tree gives the lines, the same tree gives the data.
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            return [ContentError(self.name, _yaml_error_line(exc), "", _explain_yaml(exc))]
        except yaml.YAMLError as exc:  # errors without a position
            return [ContentError(self.name, 1, "", f"YAML syntax error: {exc}")]
        finally:
            loader.dispose()
        if self.data is None:
            return [ContentError(self.name, 1, "", "the file is empty (only comments or blank lines); "
                                 "it must hold key: value lines")]
        if not isinstance(self.data, dict):
            self.data = None
            return [ContentError(self.name, 1, "", "the file must hold a YAML mapping (key: value lines) at the top")]
        self._index(node, ())
        return []

    def _index(self, node: yaml.Node, location: Location) -> None:
        self.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*location, key.value)
                self.lines[child] = key.start_mark.line + 1
                self._index(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for position, value in enumerate(node.value):
                self._index(value, (*location, position))


def _yaml_error_line(exc: yaml.MarkedYAMLError) -> int:
    # A key without its colon is noticed a line or more later; the key's own line is the one to fix.
    if exc.context_mark and (exc.context or "").startswith(("while scanning a simple key", "while scanning a quoted",
                                                            "while parsing a flow")):
        return exc.context_mark.line + 1
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 1


# libyaml's terse phrases, and what an editor should check; the phrase itself follows in brackets.
_YAML_ADVICE = (
    ("written twice", "{problem}; keep one of them"),
    ("mapping values are not allowed", "a text contains ': ' (colon and space); put the whole text in quotes"),
    ("could not find expected ':'", "a line has no 'key:' at its start, or a text goes on at the wrong indentation; "
                                    "indent continuation lines further than their key"),
    ("did not find expected key", "this line is not aligned with the lines of its block; check the spaces before it"),
    ("did not find expected '-'", "this line is not aligned with the list items above it; check the spaces before it"),
    ("did not find expected ',' or ']'", "a list in [ … ] is not closed, or an item in it contains a comma or colon; "
                                         "close the bracket or put that item in quotes"),
    ("did not find expected ',' or '}'", "a { … } block is not closed, or a text in it contains a comma or colon; "
                                         "close the brace or put that text in quotes"),
    ("found unexpected end of stream", "a quote is opened but never closed; close it with the same quote mark"),
    ("found unknown escape character", "a backslash inside \"double quotes\"; use 'single quotes' or remove it"),
    ("cannot start any token", "a value starts with a character YAML reserves (@ ` % | > * & !); put the text in quotes"),
    ("undefined alias", "a value starts with * (read as a YAML alias); put the text in quotes"),
    ("found a tab character", "a tab is used for indentation; indent with spaces"),
)


def _explain_yaml(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or str(exc).splitlines()[0]
    for phrase, advice in _YAML_ADVICE:
        if phrase in problem:
            if "{problem}" in advice:
                return advice.format(problem=problem)
            return f"YAML syntax error: {advice} ({problem})"
    return f"YAML syntax error: {problem}; check the indentation, the colons and the quotes on this line"


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


# YAML 1.1 reads `no`, `yes`, `on`, `off` as booleans; editors mean words. Only true/false are booleans here.
# (A copy: the resolver table is shared with yaml.SafeLoader, which MkDocs also uses.)
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
