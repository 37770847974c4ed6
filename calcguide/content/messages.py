"""Validation against a model, with pydantic's errors turned into messages an editor can act on."""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import types
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
        if pattern.endswith("\\.html$"):
            return (f"{describe(given)} is not a page address of the site; expected its language, then its path, in "
                    "lowercase ascii words joined by hyphens (e.g. fr/traitements/topical-treatment.html)")
        if pattern.endswith("(-[a-z0-9]+)*$"):
            return (f"{describe(given)} is not a page address; expected lowercase ascii words joined by single "
                    "hyphens, without accents, spaces or capitals (e.g. traitement-local)")
        if "https?" in pattern:
            return f"{describe(given)} is not a web address; expected one starting with https:// and ending with /"
        return (f"{describe(given)} is not a valid id; expected lowercase letters, digits and hyphens, "
                "without spaces or accents (e.g. first-line)")
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
        problems = exc.errors()
        misspelt = _misspelt_fields(problems)
        errors = []
        for problem in problems:
            # pydantic names a wrong key of a mapping `<key>.[key]`: the key itself is the place to show
            location = tuple(part for part in (*prefix, *problem["loc"]) if part != "[key]")
            if problem["type"] == "missing" and problem["loc"] in misspelt.values():
                continue  # the field is there, misspelt: one message, at the misspelling
            if problem["loc"] in misspelt:
                meant = misspelt[problem["loc"]][-1]
                errors.append(source.error(location, f"unknown field; did you mean '{meant}'? (this block needs it)"))
                continue
            errors.append(source.error(location, explain(problem)))
        return None, errors


def _misspelt_fields(problems: list[dict]) -> dict[tuple, tuple]:
    """An unknown field next to a required one that is missing and spelt almost alike (drugclass, drug_class): the
    location of the unknown one → that of the missing one."""
    missing = {problem["loc"] for problem in problems if problem["type"] == "missing" and problem["loc"]}
    pairs: dict[tuple, tuple] = {}
    for problem in problems:
        where = problem["loc"]
        if problem["type"] != "extra_forbidden" or not where or not isinstance(where[-1], str):
            continue
        siblings = {str(loc[-1]): loc for loc in missing if loc[:-1] == where[:-1] and loc not in pairs.values()}
        if close := difflib.get_close_matches(where[-1], list(siblings), n=1, cutoff=0.75):
            pairs[where] = siblings[close[0]]
    return pairs


@functools.lru_cache(maxsize=None)
def _field_adapter(model: type[Model], name: str) -> TypeAdapter:
    """Validates one field's value alone: its type and its constraints. Not its whole FieldInfo, whose alias and
    default belong to a model (pydantic warns that they mean nothing here)."""
    info = model.model_fields[name]
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)


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
    broken: set[Location] = field(default_factory=set)  # the fields (and list items) that did not validate
    broken_ids: dict[str, set[str]] = field(default_factory=dict)  # list field → ids of the items left out
    dropped: set[str] = field(default_factory=set)  # the list fields some items of which were left out


def _model_of(annotation: Any) -> type[Model] | None:
    """The model a field holds (also when it may be None), or None."""
    candidates = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) \
        else (annotation,)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, Model)]
    return models[0] if len(models) == 1 else None


def _item_model_of(annotation: Any) -> type[Model] | None:
    """The model of the items of a list field, or None."""
    if typing.get_origin(annotation) is list and typing.get_args(annotation):
        return _model_of(typing.get_args(annotation)[0])
    return None


def salvage(model: type[Model], data: dict) -> Salvaged:
    """The model built from every field that validates alone; a block (or an item of a list of blocks) that does
    not is salvaged the same way, field by field; what cannot be is empty (`_empty`). Every field that did not
    validate is listed in `broken`. Checks across a whole model (its own validators) are not run: the failed
    validation already reported them."""
    values: dict[str, Any] = {}
    result = Salvaged(None)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            values[name] = _empty(model, name)
            if info.is_required():
                result.broken.add((key,))
            continue
        adapter = _field_adapter(model, name)
        try:
            values[name] = adapter.validate_python(data[name] if key == name else data[key])
            continue
        except ValidationError:
            pass
        given = data[key]
        inner, item_model = _model_of(info.annotation), _item_model_of(info.annotation)
        if inner is not None and isinstance(given, dict):
            part = salvage(inner, given)
            values[name] = part.value
            result.broken |= {(key, *where) for where in part.broken}
            continue
        values[name] = _empty(model, name)
        if not (isinstance(given, list) and isinstance(values[name], list)):
            result.broken.add((key,))
            continue
        kept = []
        for position, item in enumerate(given):
            try:
                kept.append(adapter.validate_python([item])[0])
                continue
            except ValidationError:
                pass
            if item_model is not None and isinstance(item, dict):
                part = salvage(item_model, item)
                kept.append(part.value)
                result.broken |= {(key, position, *where) for where in part.broken}
            else:
                result.broken.add((key, position))
                result.dropped.add(key)
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    result.broken_ids.setdefault(key, set()).add(item["id"])
        values[name] = kept
        if not any(where[0] == key for where in result.broken):
            result.broken.add((key,))  # the list as a whole (too short, too long)
    result.value = model.model_construct(**values)
    return result
