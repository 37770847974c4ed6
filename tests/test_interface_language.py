"""No interface words of the other language on a page (issue 23: "updated January 29, 2025" on French pages, « Mis
à jour le… » on English ones): every phrase of the catalogue (templates/strings.yml) in the other language, where
it differs from the page's own, is looked for in the text of every page of both sites, except where the page marks
a passage as being in that language (a reference's title, a link to the other language's handout)."""
from __future__ import annotations

import re
from typing import Iterator

import pytest
from lxml import html as lxml_html

from calcguide.content import LANGS, Text
from test_reference_language import texts_with_their_language

SHORTEST = 5  # "Type", "Notes": shorter words are shared by both languages or are parts of names


def plain(text: str) -> str:
    """Text as compared: French spaces and apostrophes as plain ones, runs of white space as one."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").split())


def catalogue_texts(value) -> Iterator[Text]:  # noqa: ANN001 - the catalogue or any part of it
    if isinstance(value, Text):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from catalogue_texts(child)
    elif hasattr(type(value), "model_fields"):
        for name in type(value).model_fields:
            yield from catalogue_texts(getattr(value, name))


def foreign_phrases(catalogue, lang: str) -> set[str]:
    """The catalogue's phrases in the other language that the page's language never says itself."""
    texts = [text for name in type(catalogue).model_fields if name != "language_name"  # each says its own name
             for text in catalogue_texts(getattr(catalogue, name))]
    own = {plain(text[lang]).lower() for text in texts}
    other = next(code for code in LANGS if code != lang)
    return {phrase for text in texts if len(phrase := plain(text[other])) >= SHORTEST and phrase.lower() not in own}


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_shows_interface_words_of_the_other_language(built, catalogue, lang):
    phrases = foreign_phrases(catalogue, lang)
    assert {"updated", "consulted"} <= phrases if lang == "fr" else {"mise à jour du", "Identifiants vérifiés le"} <= phrases
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) + r")(?![\w-])")
    found = []
    for path in sorted((built.site_dir / lang).rglob("*.html")):
        if "assets" in path.parts:
            continue
        for text, language in texts_with_their_language(lxml_html.fromstring(path.read_bytes())):
            if language == lang and (match := pattern.search(plain(text))):
                found.append(f"{path.relative_to(built.site_dir)}: {match.group(0)!r} in {plain(text)[:120]!r}")
    assert found == []
