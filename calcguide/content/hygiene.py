"""Characters and citations: what a text may hold that a reader cannot see, and what only looks like a citation.

One rule for every string of every YAML file (ids, citations, prose, interface strings alike): characters that
change what the reader sees without being seen are refused, never silently removed, so that the editor decides.
The classes come from the Unicode data of the `regex` module, never from a hand list:
- Bidirectional controls reorder the text on screen ("480 mg" shows as "mg 480").
- Default-ignorable code points and format characters (Cf: zero-width, soft hyphen, variation selectors, the
  combining grapheme joiner, the Hangul fillers) show nothing and hide inside ids and citations.
- Control characters other than line break and tab, lone surrogates, private-use and unassigned code points,
  non-characters (U+FFFE, U+FDD0…), line and paragraph separators: nothing to show, or a broken page.
- Spaces other than the space, the no-break spaces of French typography (U+00A0, U+202F) and the thin space.
- Letters outside the scripts a French and English guide is written in (Latin, Greek, and the common and
  inherited characters: digits, punctuation, symbols, accents). A blank glyph is a character like any other to
  Unicode: U+2800 BRAILLE PATTERN BLANK is a symbol of the Braille script that prints nothing, like the Hangul
  fillers; other scripts bring look-alikes of Latin letters (Cyrillic "а"). Both are refused by script.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, Iterator

import regex

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
SCRIPTS = ("Latin", "Greek", "Common", "Inherited")
_INVISIBLE = (r"[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Bidi_Control}"
              r"\p{Noncharacter_Code_Point}\p{Zs}]")
REFUSED = regex.compile(r"[" + _INVISIBLE + r"--[\t\n \u00a0\u202f\u2009]]|[^"
                        + "".join(rf"\p{{Script={script}}}" for script in SCRIPTS) + "]", regex.V1)
INVISIBLE = regex.compile(_INVISIBLE, regex.V1)
MAX_TEXT_CHARS = 5_000  # one text (a paragraph or a few); documented in README (Limits)


def invisible_characters(value: str) -> Iterator[tuple[int, str]]:
    """(position, character) of every refused character of value."""
    if value.isascii() and value.isprintable():
        return  # the common case, at C speed
    for match in REFUSED.finditer(value):
        yield match.start(), match.group(0)


def describe_character(character: str) -> str:
    name = unicodedata.name(character, "")
    if not name:
        name = {"Cs": "a lone surrogate", "Co": "a private-use character",
                "Cc": "a control character"}.get(unicodedata.category(character), "not a character")
    return f"U+{ord(character):04X} ({name})"


def character_problem(value: str) -> str | None:
    """The message for the first refused character of value, or None."""
    for position, character in invisible_characters(value):
        line = value.count("\n", 0, position) + 1
        where = f" on line {line} of the text" if "\n" in value else ""
        if regex.match(r"\p{Bidi_Control}", character):
            kind = "a right-to-left or other direction control, which reorders the text on screen"
        elif regex.match(r"\p{Zs}", character):
            kind = "a space of unusual width; type a plain space (the build sets the no-break spaces)"
        elif INVISIBLE.match(character):
            kind = "an invisible or non-printing character"
        elif character.translate(_LOOK_ALIKES) != character:
            kind = f"a letter of another script that looks like the Latin {character.translate(_LOOK_ALIKES)!r}"
        else:
            kind = (f"a character of a script this guide does not use ({_script(character)}; some, like U+2800, "
                    "print as blank space)")
        return (f"the text holds {describe_character(character)}, {kind}, after {value[max(0, position - 20):position]!r}"
                f"{where}; delete it (retype the words around it)")
    if len(value) > MAX_TEXT_CHARS:
        return f"the text is {len(value)} characters long; the limit is {MAX_TEXT_CHARS} per text (split it)"
    return None


# --- citations -------------------------------------------------------------------------------------------

# Latin look-alikes from Cyrillic and Greek, the usual homoglyphs of a Latin id.
_LOOK_ALIKES = str.maketrans("аеорсухіјѕԁһӏԛԝꞮαεοκνρτυχι", "aeopcyxijsdhlqwiaeokvptuxi")
_BRACKETED = re.compile(r"(?<!!)\[([^\[\]\n]{1,200})\](?!\()")
_BARE_AT = re.compile(r"(?<![\w\[@.])@([^\s\[\];,.()]{2,80})")


def _script(character: str) -> str:
    for script in ("Braille", "Hangul", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Han", "Cherokee"):
        if regex.match(rf"\p{{Script={script}}}", character):
            return f"the {script} script"
    return "another script"


@functools.lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """What an id looks like, whatever was typed: compatibility forms folded, case folded, invisible characters
    dropped, Cyrillic and Greek look-alikes read as Latin."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LOOK_ALIKES)
    return "".join(character for character in folded if unicodedata.category(character) not in REFUSED_CATEGORIES
                   and not character.isspace())


@functools.lru_cache(maxsize=4)
def _skeletons(reference_ids: tuple[str, ...]) -> dict[str, str]:
    return {skeleton(ident): ident for ident in reference_ids}


def citation_problems(text: str, strict: re.Pattern, reference_ids: Iterable[str]) -> Iterator[str]:
    """Anything in text that looks like a citation but is not a well-formed one; `strict` is the citation syntax.
    A well-formed citation of an unknown id is left to the id check (it knows the close matches)."""
    known = _skeletons(tuple(reference_ids))

    def guess(written: str) -> str:
        ids = [known.get(skeleton(part.strip().lstrip("@"))) for part in written.split(";")]
        if ids and all(ids):
            return "; did you mean [" + "; ".join(f"@{ident}" for ident in ids) + "]?"
        return "; ids are lowercase letters, digits and hyphens, as in references.yml"

    for match in _BRACKETED.finditer(text):
        inside = match.group(1)
        if strict.fullmatch(match.group(0)):
            continue
        if "@" in inside:
            yield (f"{match.group(0)!r} is not a citation the build can read; write [@reference-id] or "
                   f"[@one; @two]{guess(inside)}")
        elif skeleton(inside.strip()) in known:
            yield (f"{match.group(0)!r} looks like a citation without its @; write "
                   f"[@{known[skeleton(inside.strip())]}]")
    for match in _BARE_AT.finditer(text):
        if skeleton(match.group(1)) in known:
            yield f"'@{match.group(1)}' looks like a citation without brackets; write [@{known[skeleton(match.group(1))]}]"
