"""The preview's validation cache (calcguide/content/loader.py, DocumentCache): a save reads and validates again
only the file it changed, and the cache never answers for a file whose bytes, or whose kind, it has not seen."""
from __future__ import annotations

import pytest

from calcguide.content import ContentErrors, load_guide
from calcguide.content.loader import DocumentCache
from conftest import replace_in


def _treatment(guide, ident: str):
    return next(treatment for treatment in guide.treatments if treatment.id == ident)


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(content_copy):
    cache = DocumentCache()
    before = load_guide(content_copy, cache=cache)
    replace_in(content_copy / "treatments" / "diltiazem.yml", "summary:", "summary:  ")  # same data, other bytes
    after = load_guide(content_copy, cache=cache)
    assert _treatment(after, "colchicine") is _treatment(before, "colchicine")  # kept: its bytes did not change
    assert _treatment(after, "diltiazem") is not _treatment(before, "diltiazem")  # read again
    assert after == load_guide(content_copy)  # what a load without the cache gives


def test_a_file_changed_back_to_bytes_seen_before_gives_what_those_bytes_say(content_copy):
    cache = DocumentCache()
    source = content_copy / "treatments" / "diltiazem.yml"
    original = source.read_bytes()
    load_guide(content_copy, cache=cache)
    replace_in(source, "last_reviewed: 2026-12-04", "last_reviewed: not-a-date")
    with pytest.raises(ContentErrors) as caught:
        load_guide(content_copy, cache=cache)
    assert any(error.file == "treatments/diltiazem.yml" and error.field == "last_reviewed"
               for error in caught.value.errors)
    source.write_bytes(original)
    assert load_guide(content_copy, cache=cache) == load_guide(content_copy)


def test_a_file_swapped_for_a_link_to_the_same_bytes_is_refused_although_its_bytes_are_cached(content_copy, tmp_path):
    cache = DocumentCache()
    load_guide(content_copy, cache=cache)
    source = content_copy / "treatments" / "diltiazem.yml"
    outside = tmp_path / "diltiazem.yml"
    outside.write_bytes(source.read_bytes())
    source.unlink()
    source.symlink_to(outside)
    with pytest.raises(ContentErrors) as caught:
        load_guide(content_copy, cache=cache)
    assert any(error.file == "treatments/diltiazem.yml" and "symbolic link" in error.message
               for error in caught.value.errors)


def test_a_cached_file_keeps_its_parity_report_and_a_changed_one_gets_its_own(content_copy):
    cache = DocumentCache()
    load_guide(content_copy, cache=cache)
    source = content_copy / "treatments" / "diltiazem.yml"
    # A number in one language only: the parity check must see the new bytes, not the cached report.
    replace_in(source, "  en: >-\n    The 2014 review", "  en: >-\n    In 97 patients. The 2014 review")
    with pytest.raises(ContentErrors) as caught:
        load_guide(content_copy, cache=cache)
    assert any(error.file == "treatments/diltiazem.yml" and error.field.startswith("summary")
               for error in caught.value.errors)


def test_a_placeholder_saved_into_a_cached_file_is_reported_and_its_removal_clears_it(content_copy):
    cache = DocumentCache()
    load_guide(content_copy, cache=cache)
    source = content_copy / "treatments" / "diltiazem.yml"
    original = source.read_bytes()
    replace_in(source, "  en: >-\n    The 2014 review", "  en: >-\n    TODO The 2014 review")
    with pytest.raises(ContentErrors) as caught:
        load_guide(content_copy, cache=cache)
    assert [error.field for error in caught.value.errors if "to-do marker" in error.message] == ["summary.en"]
    source.write_bytes(original)
    load_guide(content_copy, cache=cache)  # nothing left over from the file's earlier bytes
