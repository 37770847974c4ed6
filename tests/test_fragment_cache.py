"""The fragment cache of the render stage (calcguide/render.py), which the preview keeps from one save to the next:
whatever shapes a fragment and is not its own text must be in the cache's key, or a save leaves a stale fragment."""
from __future__ import annotations

import json

from calcguide import render as rendering
from calcguide.content import load_guide
from calcguide.render import load_catalogue, render
from conftest import PROJECT, replace_in


def _french_fragments(content, out) -> str:
    render(load_guide(content), load_catalogue(PROJECT / "templates"), PROJECT, out)
    return (out / "fr.fragments.json").read_text(encoding="utf-8")


def test_a_name_that_becomes_a_proper_noun_elsewhere_keeps_its_capital_after_a_colon_in_cached_fragments(
        content_copy, tmp_path, monkeypatch):
    """French lowers a text's first letter after a colon unless its first word is a proper noun: one the guide
    writes with a capital inside a sentence, anywhere. A save elsewhere can make it one."""
    monkeypatch.setattr(rendering, "_FRAGMENTS", {})
    replace_in(content_copy / "treatments" / "diltiazem.yml", "  fr: >-\n    La revue de 2014",
               "  fr: >-\n    Zorglub et la revue de 2014")
    assert "zorglub et la revue" in _french_fragments(content_copy, tmp_path / "first")  # not a name yet
    replace_in(content_copy / "treatments" / "colchicine.yml", "mechanism:\n  en: >-\n    Dampens",
               "mechanism:\n  en: >-\n    As Zorglub says, dampens")
    replace_in(content_copy / "treatments" / "colchicine.yml", "  fr: >-\n", "  fr: >-\n    Selon Zorglub, ")
    cached = _french_fragments(content_copy, tmp_path / "cached")
    monkeypatch.setattr(rendering, "_FRAGMENTS", {})  # a render from nothing
    assert json.loads(cached) == json.loads(_french_fragments(content_copy, tmp_path / "fresh"))
    assert "zorglub et la revue" not in cached
