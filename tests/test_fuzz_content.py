"""Fuzzing the loader: random and mutated YAML in a copy of the real content gives either valid content or
located ContentErrors (file:line), never another exception. Deterministic and modest, for CI."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcguide.content import ContentErrors, load_guide

# Stable files of the content: small enough to mutate quickly, and between them every kind of cross-reference.
TARGETS = ["references.yml", "tiers.yml", "algorithm.yml", "glossary.yml", "treatments/diltiazem.yml", "site.yml"]
FUZZ = settings(max_examples=60, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def mutate(raw: bytes, operation: str, position: float, payload: bytes) -> bytes:
    lines = raw.split(b"\n")
    at = int(position * len(lines)) % max(len(lines), 1)
    if operation == "delete-line":
        del lines[at]
    elif operation == "duplicate-line":
        lines.insert(at, lines[at])
    elif operation == "tab-indent":
        lines[at] = b"\t" + lines[at].lstrip(b" ")
    elif operation == "truncate":
        return raw[: int(position * len(raw))]
    elif operation == "insert-bytes":
        cut = int(position * len(raw))
        return raw[:cut] + payload + raw[cut:]
    elif operation == "change-type":
        key, _, _ = lines[at].partition(b":")
        lines[at] = key + b": " + (payload.decode("latin-1") if payload else "[1, 2]").encode("utf-8", "replace")
    elif operation == "indent":
        lines[at] = b"   " + lines[at]
    return b"\n".join(lines)


def assert_loads_or_locates(content: Path) -> None:
    try:
        load_guide(content)
    except ContentErrors as errors:
        assert errors.errors
        for error in errors.errors:
            assert error.file and error.line >= 1 and error.message, error
            assert (content / error.file).exists() or "missing" in error.message or error.file == "treatments"


@pytest.mark.slow
@given(target=st.sampled_from(TARGETS),
       mutations=st.lists(st.tuples(
           st.sampled_from(["delete-line", "duplicate-line", "tab-indent", "truncate", "insert-bytes",
                            "change-type", "indent"]),
           st.floats(0, 1), st.binary(max_size=12)), min_size=1, max_size=3))
@settings(FUZZ)
def test_mutated_content_is_valid_or_reported_with_locations(pristine, tmp_path_factory, target, mutations):
    content = tmp_path_factory.mktemp("case") / "content"
    shutil.copytree(pristine, content)
    raw = (content / target).read_bytes()
    for operation, position, payload in mutations:
        raw = mutate(raw, operation, position, payload)
    (content / target).write_bytes(raw)
    assert_loads_or_locates(content)


@pytest.mark.slow
@given(target=st.sampled_from(TARGETS), text=st.text(max_size=200))
@settings(FUZZ)
def test_random_text_in_place_of_a_file_is_valid_or_reported(pristine, tmp_path_factory, target, text):
    content = tmp_path_factory.mktemp("case") / "content"
    shutil.copytree(pristine, content)
    (content / target).write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_loads_or_locates(content)
