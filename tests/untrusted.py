"""Helpers for the tests that write hostile content: put any string into any text of a copy of the content,
exactly as written (every character that is not plain printable ASCII goes in as a YAML escape)."""
from __future__ import annotations

import re
from pathlib import Path

# A text of each kind of content file, found by the shape of its lines: (file, top-level key, language).
TEXT_FIELDS = [
    ("treatments/diltiazem.yml", "regimen"),
    ("treatments/diltiazem.yml", "name"),
    ("treatments/diltiazem.yml", "cautions"),
    ("site.yml", "title"),
    ("site.yml", "short_title"),
    ("site.yml", "disclaimer"),
    ("site.yml", "authors"),
    ("summary.yml", "title"),
    ("care.yml", "title"),
    ("glossary.yml", "intro"),
    ("tiers.yml", "intro"),
]


def yaml_quoted(value: str) -> str:
    """value as a YAML double-quoted scalar that reads back to exactly value."""
    out = []
    for character in value:
        if character in '"\\':
            out.append("\\" + character)
        elif " " <= character <= "~":
            out.append(character)
        elif character == "\n":
            out.append("\\n")
        else:
            out.append(f"\\U{ord(character):08x}")
    return '"' + "".join(out) + '"'


def set_text(content: Path, file: str, key: str, lang: str, value: str) -> None:
    """Replace the `lang` text of the top-level `key` of content/file (a {en, fr} pair, inline or as a block)."""
    path = content / file
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next((index for index, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    assert start is not None, f"no top-level {key}: in {file}"
    inline = re.match(rf"^{key}: \{{", lines[start])
    if inline:  # `key: {en: …, fr: …}` on one line: rewrite it as a block
        texts = {code: _inline_value(lines[start], code) for code in ("en", "fr")}
        texts[lang] = value
        lines[start:start + 1] = [f"{key}:", *(f"  {code}: {yaml_quoted(texts[code])}" for code in ("en", "fr"))]
        path.write_text("\n".join(lines), encoding="utf-8")
        return
    at = next(index for index in range(start + 1, len(lines)) if lines[index].startswith(f"  {lang}:"))
    end = at + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    lines[at:end] = [f"  {lang}: {yaml_quoted(value)}"]
    path.write_text("\n".join(lines), encoding="utf-8")


def _inline_value(line: str, lang: str) -> str:
    match = re.search(rf"\b{lang}: ([^,}}]+)", line)
    assert match, line
    return match.group(1).strip().strip("'\"")
