"""A reference title in the page's other language is marked with its language (WCAG 3.1.2), on every page of both
sites: a screen reader then reads an English title in English on a French page, and a French one in French on an
English page."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from calcguide.content import LANGS

SHORTEST_TITLE = 20  # shorter titles ("Diltiazem") are also the names of pages and treatments


def declared_language(element) -> str:  # noqa: ANN001 - an lxml element
    for ancestor in element.iterancestors():
        if ancestor.get("lang"):
            return ancestor.get("lang")
    return ""


@pytest.mark.parametrize("lang", LANGS)
def test_every_reference_title_in_the_other_language_carries_its_lang_on_every_page(built, guide, lang):
    foreign = [ref for ref in guide.references.references if ref.language != lang and len(ref.title) >= SHORTEST_TITLE]
    assert foreign
    unmarked, found = [], 0
    for path in sorted((built.site_dir / lang).rglob("*.html")):
        if "assets" in path.parts:
            continue
        tree = lxml_html.fromstring(path.read_bytes())
        for node in tree.iter():
            if not isinstance(node.tag, str) or node.tag in ("script", "style"):
                continue
            for ref in foreign:
                if ref.title.rstrip(".")[:SHORTEST_TITLE] in (node.text or ""):
                    found += 1
                    language = node.get("lang") or declared_language(node)
                    if language != ref.language:
                        unmarked.append(f"{path.name}: {ref.id} ({language or 'no lang'})")
    assert found > 50
    assert unmarked == []
