"""Every YAML syntax mistake of one file in one run. The parser stops at the first mistake; after each one, the line
is mended as its message advises (the text put in quotes, the quote or the brace closed) or, where no advice fits,
left out with the lines indented under it, and the file is parsed again. Each mistake is told once, with what to
write; a mistake that only follows from an earlier mend is left out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import yaml

MAX_MISTAKES = 30  # then the file is surely not YAML at all
MAX_PARSES = 60  # each mend costs a parse of at most 256 KB; a file needing more is shown what was found by then
RUNAWAY_WINDOW = 400  # lines above a mistake searched for a quote left open (a text is at most 60 lines)
RUNAWAY_MAX_BRACKETS = 64  # open brackets past which no quote is looked for (MAX_NESTING in source.py is 24)


@dataclass(frozen=True)
class SyntaxMistake:
    line: int  # from one
    column: int  # from one
    message: str


@dataclass(frozen=True)
class Reading:
    mistakes: tuple[SyntaxMistake, ...]
    mended: str  # the text with every mistake mended, line for line
    mended_lines: frozenset[int]  # from one
    faithful: bool  # every mend is the fix its message advises: the mended text says what the editor meant
    fields: dict[int, str]  # line (from one) of each mistake → the field it stands in, dotted ("" at the top)


# A block key and its text on one line: `  en: text` or `  - name: text`.
_KEY_AND_TEXT = re.compile(r"^(?P<key>\s*(?:- +)?[^\s#'\"{\[][^:#]*?:) +(?P<text>\S.*?)\s*$")
# A line that starts a key: what a quote left open swallows when it runs on into the lines below.
_KEY_LINE = re.compile(r"^\s*(?:- +)?[\w-]+:(?:\s|$)")
_CLOSERS = {"{": "}", "[": "]"}


def read_syntax(text: str, compose: Callable[[str], object]) -> Reading:
    """The syntax mistakes of `text` (`compose` parses it, raising yaml.MarkedYAMLError), and the mended text."""
    lines = text.split("\n")
    mistakes: list[SyntaxMistake] = []
    mended: set[int] = set()  # indexes from zero
    faithful = True
    for index, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip())]
        if "\t" in indent:
            mistakes.append(SyntaxMistake(index + 1, indent.index("\t") + 1,
                                          "a tab is used for indentation; indent with spaces"))
            lines[index] = indent.replace("\t", "  ") + line.lstrip()
            mended.add(index)
            faithful = False  # how many spaces the tab stood for is a guess
    previous: tuple[int, str] | None = None
    node = None
    for _ in range(MAX_PARSES):
        if len(mistakes) >= MAX_MISTAKES:
            faithful = False  # too many to tell: the rest of the file is not checked
            break
        current = "\n".join(lines)
        try:
            node = compose(current)
            break
        except yaml.MarkedYAMLError as exc:
            line, column = yaml_error_position(exc)
            # A quote left open is noticed further down, if at all: look for one above the mistake.
            runaway = _runaway_quote(lines, line)
            if runaway is not None:
                index, column, quote = runaway
                problem = SyntaxMistake(index + 1, column, "a quote opened here is not closed on its line, so the "
                                        "text runs on into the lines below; close it with the same quote mark")
                mend = _close_at_end(lines, index, quote)
            else:
                index = min(line - 1, len(lines) - 1)
                problem = SyntaxMistake(index + 1, column, _advice(lines[index], exc))
                mend = _mend(lines, index, exc)
        if (index, current) == previous:
            break  # no mend changed anything: the mistakes found so far are what can be told
        previous = (index, current)
        if index in mended or mend is None:
            faithful = False
            if not _leave_out(lines, index):
                break
        else:
            lines = mend
        if index not in mended:
            mistakes.append(problem)  # a mistake at a line already mended follows from that mend: not told
        mended.add(index)
    else:
        faithful = False  # too many parses: the rest of the file is not checked
    fields = _fields_of_lines(node, text.split("\n"), [mistake.line for mistake in mistakes])
    return Reading(tuple(mistakes), "\n".join(lines), frozenset(index + 1 for index in mended), faithful, fields)


def _fields_of_lines(node: object, original: list[str], wanted: list[int]) -> dict[int, str]:
    """The field each wanted line (from one) writes, from the mended file's tree; a line left out takes the field
    of the block above it (the nearest line less indented that the tree has)."""
    keyed: dict[int, str] = {}
    seen: set[int] = set()  # a node reached again through an alias (or a loop of them) is not walked twice

    def walk(current: object, location: tuple) -> None:
        if id(current) in seen:
            return
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                keyed.setdefault(key.start_mark.line + 1, ".".join(map(str, (*location, key.value))))
                walk(value, (*location, key.value))
        elif isinstance(current, yaml.SequenceNode):
            for position, value in enumerate(current.value):
                keyed.setdefault(value.start_mark.line + 1, ".".join(map(str, (*location, position))))
                walk(value, (*location, position))

    try:
        if wanted:
            walk(node, ())
    except RecursionError:  # nested deeper than content ever is: refused later, at its line, with the file's fields
        keyed.clear()
    fields = {}
    for line in wanted:
        written = original[line - 1] if line <= len(original) else ""
        if line not in keyed and (own := _KEY_LINE.match(written)):
            fields[line] = own.group().strip(" -:\t")  # a key the tree lost: named alone, where it was written
            continue
        indent = _indent(written)
        above = line if line in keyed else next(
            (number for number in range(line - 1, 0, -1) if number in keyed and _indent(original[number - 1]) < indent),
            None)
        fields[line] = keyed[above] if above else ""
    return fields


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_QUOTE_INSIDE = ("a text in quotes goes on after its closing quote (a quote inside the text ended it); write the "
                 "text inside the other quotes (\"it's\", or 'say \"no\"')")


def _advice(line: str, exc: yaml.MarkedYAMLError) -> str:
    """What to write, said of this line when the line shows which of the parser's usual causes it is."""
    if _after_closing_quote(line, exc):
        return _QUOTE_INSIDE
    if "did not find expected ','" in (exc.problem or ""):
        if unclosed := _unclosed_brackets(line):
            return (f"YAML syntax error: a bracket opened on this line is not closed; end the line with "
                    f"{''.join(reversed(unclosed))}")
        return ("YAML syntax error: a text inside { … } or [ … ] holds a comma or ': ', where YAML ends it; put "
                "the whole text in quotes (name: {en: \"Tablets, 1 mg\", fr: …})")
    return explain_yaml_error(exc)


def _mend(lines: list[str], index: int, exc: yaml.MarkedYAMLError) -> list[str] | None:
    """The lines with line `index` written as the message for `exc` advises, or None when no advice fits."""
    problem, context = exc.problem or "", exc.context or ""
    if "while scanning a quoted scalar" in context and exc.context_mark is not None:
        start = exc.context_mark
        return _close_at_end(lines, start.line, lines[start.line][start.column])
    if "mapping values are not allowed" in problem:
        return _quoted(lines, index)
    if "did not find expected ','" in problem:
        unclosed = _unclosed_brackets(lines[index])
        return _replaced(lines, index, lines[index].rstrip() + "".join(reversed(unclosed))) if unclosed else None
    if _after_closing_quote(lines[index], exc):
        return _requoted(lines, index)
    return None


def _replaced(lines: list[str], index: int, line: str) -> list[str]:
    return [*lines[:index], line, *lines[index + 1:]]


def _quoted(lines: list[str], index: int) -> list[str] | None:
    """`key: text: more` → `key: 'text: more'`, the advice for a colon (or ' #') inside a text."""
    match = _KEY_AND_TEXT.match(lines[index])
    if match is None or match["text"][0] in "'\"{[|>&*!":
        return None
    return _replaced(lines, index, f"{match['key']} '{match['text'].replace(chr(39), chr(39) * 2)}'")


def _requoted(lines: list[str], index: int) -> list[str] | None:
    """`key: 'it's` → `key: "it's"`: a quote inside a text is written inside the other quotes."""
    match = _KEY_AND_TEXT.match(lines[index])
    if match is None or match["text"][0] not in "'\"":
        return None
    quote, inner = match["text"][0], match["text"][1:]
    inner = inner[:-1] if inner.endswith(quote) else inner
    return _replaced(lines, index, f"{match['key']} \"{inner.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}\"")


def _after_closing_quote(line: str, exc: yaml.MarkedYAMLError) -> bool:
    """The parser stopped right after a quoted text closed, where a quote inside the text ended it early."""
    mark = exc.problem_mark
    return mark is not None and mark.column >= 1 and line[mark.column - 1: mark.column] in ("'", '"') \
        and bool(_KEY_AND_TEXT.match(line))


def _close_at_end(lines: list[str], index: int, quote: str) -> list[str]:
    """The quote closed at the end of its line's text: before the braces and brackets that close the line
    (`{en: "Tablets}` → `{en: "Tablets"}`) when the text stands inside them."""
    line = lines[index].rstrip()
    text = line.rstrip("]}, ")
    if _unclosed_brackets(text[: text.find(quote)] if quote in text else text):
        return _replaced(lines, index, text + quote + line[len(text):])
    return _replaced(lines, index, line + quote)


def _unclosed_brackets(line: str) -> list[str]:
    """The closers that `{` and `[` opened on `line` (outside quotes) still wait for, innermost last."""
    waiting: list[str] = []
    quote = ""
    for character in line:
        if quote:
            quote = "" if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character in _CLOSERS:
            waiting.append(_CLOSERS[character])
        elif waiting and character == waiting[-1]:
            waiting.pop()
        elif character == "#":
            break
    return waiting


def _runaway_quote(lines: list[str], line: int) -> tuple[int, int, str] | None:
    """(line index, column from one, quote mark) of a quoted text above `line` (from one) that runs on over lines
    that start keys: a quote left open, which the parser only notices further down (or never, if a later quote
    closes it). Read from a top-level key at most RUNAWAY_WINDOW lines up, where a document may start."""
    first = max(line - RUNAWAY_WINDOW, 0)
    while first > 0 and not (_KEY_LINE.match(lines[first]) and not lines[first][:1].isspace()):
        first -= 1
    found = _runaway_in("\n".join(lines[first:line]), lines[first:])
    return (found[0] + first, *found[1:]) if found else None


def _runaway_in(text: str, lines: list[str]) -> tuple[int, int, str] | None:
    scanner = yaml.SafeLoader(text)  # the pure-Python scanner gives every token up to the mistake
    try:
        while True:
            token = scanner.get_token()
            # Each token costs the scanner a pass over its open brackets: a file of nested brackets would take
            # minutes (100 000 deep: 46 s). Content never nests so deep, and libyaml's message says why.
            if scanner.flow_level > RUNAWAY_MAX_BRACKETS:
                return None
            if token is None or isinstance(token, yaml.StreamEndToken):
                return None
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') \
                    and token.end_mark.line > token.start_mark.line:
                start = token.start_mark
                indent = len(lines[start.line]) - len(lines[start.line].lstrip())
                if any(_KEY_LINE.match(line) and len(line) - len(line.lstrip()) <= indent
                       for line in lines[start.line + 1: token.end_mark.line + 1]):
                    return start.line, start.column + 1, token.style
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark
        if exc.context and "while scanning a quoted scalar" in exc.context and mark is not None:
            return mark.line, mark.column + 1, lines[mark.line][mark.column]
        return None
    finally:
        scanner.dispose()


def _leave_out(lines: list[str], index: int) -> bool:
    """Blank line `index` and the lines indented under it (keeping the count of lines); False if nothing changed."""
    if index >= len(lines) or not lines[index].strip():
        return False
    indent = len(lines[index]) - len(lines[index].lstrip())
    end = index + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    for blank in range(index, end):
        lines[blank] = ""
    return True


def yaml_error_position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    """(line, column), from one."""
    # A key without its colon is noticed a line or more later; the key's own line is the one to fix.
    if exc.context_mark and (exc.context or "").startswith(("while scanning a simple key", "while scanning a quoted",
                                                            "while parsing a flow")):
        return exc.context_mark.line + 1, exc.context_mark.column + 1
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


# libyaml's terse phrases, and what an editor should check; the phrase itself follows in brackets.
_YAML_ADVICE = (
    ("written twice", "a key is written twice in the same block; keep one of them"),
    ("mapping values are not allowed", "a text contains ': ' (colon and space); put the whole text in quotes "
                                       "(en: \"Dose: 1 g\")"),
    ("could not find expected ':'", "a line has no 'key:' at its start, or a text goes on at the wrong indentation; "
                                    "indent continuation lines further than their key"),
    ("did not find expected key", "this line is not aligned with the lines of its block, or a text in quotes goes "
                                  "on after its closing quote; check the spaces before it, and write a text that "
                                  "holds a quote inside the other quotes (\"it's\")"),
    ("did not find expected '-'", "this line is not aligned with the list items above it; check the spaces before it"),
    ("did not find expected ',' or ']'", "a list in [ … ] is not closed on this line, or an item in it contains a "
                                         "comma or ': '; close the bracket or put that item in quotes"),
    ("did not find expected ',' or '}'", "a { … } block is not closed on this line, or a text in it contains a "
                                         "comma or ': '; close the brace or put that text in quotes "
                                         "(en: \"Tablets, 1 mg\")"),
    ("found unexpected end of stream", "a quote is opened but never closed; close it with the same quote mark"),
    ("found unknown escape character", "a backslash inside \"double quotes\"; use 'single quotes' or remove it"),
    ("cannot start any token", "a value starts with a character YAML reserves (@ ` % | > * & !); put the text in quotes"),
    ("undefined alias", "a value starts with * (read as a YAML alias); put the text in quotes"),
    ("exceeded maximum nesting depth", "blocks are nested too deep; content needs only a few levels "
                                       "(check the brackets and the indentation)"),
    ("found a tab character", "a tab is used for indentation; indent with spaces"),
)


def explain_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or str(exc).splitlines()[0]
    for phrase, advice in _YAML_ADVICE:
        if phrase in problem:
            return f"YAML syntax error: {advice} ({problem})"
    return f"YAML syntax error: {problem}; check the indentation, the colons and the quotes on this line"
