"""The words of a reference that are not translated (its title, journal, book, publisher, holder, identifier, the
source of its version) are marked with the reference's language on the other language's pages (WCAG 3.1.2), on
every page of both sites: a screen reader then reads an English title in English on a French page, and a French
holder in French on an English page."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from calcguide.content import LANGS, Reference

SHORTEST = 20  # shorter words ("Diltiazem", "ANSM") are also the names of pages, treatments and sources in prose


def declared_language(element) -> str:  # noqa: ANN001 - an lxml element
    for ancestor in (element, *element.iterancestors()):
        if ancestor.get("lang"):
            return ancestor.get("lang")
    return ""


def texts_with_their_language(tree):  # noqa: ANN001, ANN201 - an lxml tree in, (text, language) pairs out
    """Every run of text of a page with the language it is declared in: an element's own text, and the text after
    it (its tail), which belongs to its parent."""
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and node.tag not in ("script", "style"):
            yield node.text, declared_language(node)
        if node.tail and node.getparent() is not None:
            yield node.tail, declared_language(node.getparent())


def untranslated_words(reference: Reference) -> list[str]:
    """What a reference shows as it is written whatever the page's language, long enough to be found only there."""
    words = [reference.title, reference.journal, reference.book, reference.publisher, reference.holder,
             reference.identifier, reference.version and reference.version.source]
    return [word.rstrip(".")[:SHORTEST] for word in words if word and len(word) >= SHORTEST]


@pytest.mark.parametrize("lang", LANGS)
def test_every_untranslated_reference_word_in_the_other_language_carries_its_lang_on_every_page(built, guide, lang):
    foreign = {(ref.id, ref.language, words) for ref in guide.references.references if ref.language != lang
               for words in untranslated_words(ref)}
    assert {words for _, _, words in foreign} - {ref.title[:SHORTEST] for ref in guide.references.references}
    unmarked, found = [], 0
    for path in sorted((built.site_dir / lang).rglob("*.html")):
        if "assets" in path.parts:
            continue
        for text, language in texts_with_their_language(lxml_html.fromstring(path.read_bytes())):
            for ref_id, ref_language, words in foreign:
                if words in text:
                    found += 1
                    if language != ref_language:
                        unmarked.append(f"{path.name}: {ref_id}: {words!r} ({language or 'no lang'})")
    assert found > 100
    assert unmarked == []
