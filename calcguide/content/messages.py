"""Validation against a model, with pydantic's errors turned into messages an editor can act on."""
from __future__ import annotations

import datetime as dt
import functools
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from .errors import ContentError
from .source import ImpossibleDate, Location, SourceFile
from .text import LANGS, Model

def describe(value: Any) -> str:
    """What an editor wrote, in words: the value itself if short, else its kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float, str, dt.date)):
        text = repr(value) if isinstance(value, str) else str(value)
        return text if len(text) <= 40 else text[:37] + "…"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of key: value lines"
    return type(value).__name__


def explain(error: dict) -> str:
    """A pydantic error in words for an editor: what is wrong; what is expected."""
    kind, message, given = error["type"], error["msg"], error.get("input")
    field = str(error["loc"][-1]) if error["loc"] else ""
    if given is None and kind in ("string_type", "model_type", "list_type", "int_type", "date_type", "bool_type"):
        # `key:` with nothing after it: YAML reads an empty value.
        what = {"model_type": "a block of key: value lines", "list_type": "a list"}.get(kind, "a value")
        if field in LANGS:
            what = "the text in this language"
        return f"nothing is written after '{field}:'; expected {what}"
    if isinstance(given, ImpossibleDate):
        return f"{given} is not a date of the calendar ({given.reason}); expected a real date written YYYY-MM-DD"
    got = f", not {describe(given)}"
    if kind == "extra_forbidden" and (given is None or " " in field):
        # `{en: Editor, section editor, fr: …}`: YAML ends the text at the comma and reads the rest as a key.
        return (f"{field!r} is read as a field of its own: a text before it holds a comma (or a colon) inside "
                "{ … }, where YAML ends the text; put the whole text in quotes (en: \"…, …\")")
    if kind in ("string_type", "model_type") and isinstance(given, (dict, list)) and field in LANGS:
        return ("expected a text, but YAML read a block or a list because the text starts with { or [ or holds "
                "': '; put the whole text in quotes")
    expected = {
        "missing": "this field is required",
        "extra_forbidden": "unknown field; check its spelling against the other entries of this file",
        "string_too_short": "the text is empty; write it in this language",
        "string_type": f"expected a text{got} (put it in quotes if it looks like a number or a date)",
        "int_type": f"expected a whole number{got} (without quotes)",
        "int_parsing": f"expected a whole number{got}",
        "date_type": f"expected a date written YYYY-MM-DD{got}",
        "date_from_datetime_parsing": f"expected a date written YYYY-MM-DD{got}",
        "bool_type": f"expected true or false{got}",
        "list_type": f"expected a list (lines starting with '- ', or [a, b]){got}",
        "model_type": f"expected a block of key: value lines{got}",
        "model_attributes_type": f"expected a block of key: value lines{got}",
        "dict_type": f"expected a block of key: value lines{got}",
        "too_short": "the list must not be empty; write at least one item",
        "too_long": f"the list is too long: at most {error.get('ctx', {}).get('max_length')} items",
        "string_too_long": f"too long; expected at most {error.get('ctx', {}).get('max_length')} characters",
        "enum": message.replace("Input should be", "expected") + got,
        "literal_error": message.replace("Input should be", "expected") + got,
    }
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if "10\\." in pattern:
            return f"{describe(given)} is not a DOI; expected the form 10.1234/suffix, without https://doi.org/"
        if pattern.startswith("^https://"):
            return f"{describe(given)} is not a secure web address; expected one starting with https://"
        if "A-Za-z.+-" in pattern:
            return (f"{describe(given)} is not a version; expected letters, digits, dots and hyphens (e.g. 1.2.0), "
                    "without spaces, slashes or backslashes")
        if "https?" in pattern:
            return f"{describe(given)} is not a web address; expected one starting with https:// and ending with /"
        return (f"{describe(given)} is not a valid id; expected lowercase letters, digits and hyphens, "
                "without spaces or accents (e.g. sodium-thiosulfate)")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if field == "year":
            return f"impossible value {given} for a year of publication; expected a year between 1900 and 2100"
        if field == "pmid":
            return f"impossible value {given} for a PMID; expected a PubMed number of 1 to 8 digits"
        return f"impossible value {given}: {message.lower().replace('input ', '')}"
    if kind.startswith("value_error") or kind == "assertion_error":
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return expected.get(kind, message)


def validate_model(source: SourceFile, model: type[Model], data: Any, prefix: Location = ()) -> tuple[Any, list[ContentError]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for problem in exc.errors():
            location = (*prefix, *problem["loc"])
            errors.append(source.error(location, explain(problem)))
        return None, errors


@functools.lru_cache(maxsize=None)
def _field_adapter(model: type[Model], name: str) -> TypeAdapter:
    info = model.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


def _empty(model: type[Model], name: str) -> Any:
    """What stands for a field that is missing or wrong: an empty list, or nothing."""
    info = model.model_fields[name]
    if not info.is_required():
        return info.get_default(call_default_factory=True)
    return [] if typing.get_origin(info.annotation) is list else None


@dataclass
class Salvaged:
    """What validates of a file that does not: its valid fields and list items, and where the rest stood, so
    that the checks between files run on what is right and say nothing about what is already reported."""

    value: Any
    broken: set[Location] = field(default_factory=set)  # top-level fields, or (list field, position)
    broken_ids: dict[str, set[str]] = field(default_factory=dict)  # list field → ids of its items that failed


def salvage(model: type[Model], data: dict) -> Salvaged:
    """The model built from every field (and every item of a list field) that validates alone; the others are
    empty (`_empty`) and listed in `broken`. Checks across a whole model (its own validators) are not run: the
    failed validation already reported them."""
    values: dict[str, Any] = {}
    result = Salvaged(None)
    for name in model.model_fields:
        if name not in data:
            values[name] = _empty(model, name)
            if model.model_fields[name].is_required():
                result.broken.add((name,))
            continue
        adapter = _field_adapter(model, name)
        try:
            values[name] = adapter.validate_python(data[name])
            continue
        except ValidationError:
            pass
        values[name] = _empty(model, name)
        items = data[name]
        if not (isinstance(items, list) and isinstance(values[name], list)):
            result.broken.add((name,))
            continue
        kept = []
        for position, item in enumerate(items):
            try:
                kept.append(adapter.validate_python([item])[0])
            except ValidationError:
                result.broken.add((name, position))
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    result.broken_ids.setdefault(name, set()).add(item["id"])
        values[name] = kept
        if not any(where[0] == name for where in result.broken):
            result.broken.add((name,))  # the list as a whole (too short, too long)
    result.value = model.model_construct(**values)
    return result
