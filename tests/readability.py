"""How easy the patient leaflet is to read, measured on the built page with textstat (pinned in
requirements-test.txt), one formula per language:

- English: Flesch reading ease (Flesch 1948): 206.835 − 1.015 × words per sentence − 84.6 × syllables per word;
  60 and above is plain English.
- French: the Kandel–Moles adaptation of Flesch (1958) that textstat applies to French:
  207 − 1.015 × words per sentence − 73.6 × syllables per word. Its figures do not compare with English ones, so
  the target is the level of a patient guide of the Haute Autorité de Santé measured with the same library and
  formula (README, "Patient leaflet").

What is measured is what a patient reads of the leaflet: the draft notice, the introduction, every part, the
questions and the closing words; not the list of sources. Every heading, paragraph and list item counts as one
sentence (one without a final stop gets one). Run it on a built site:

    .venv/bin/python tests/readability.py site/
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import textstat

FORMULAS = {"en": "Flesch reading ease", "fr": "Kandel–Moles (Flesch for French)"}
# English: the plain-English threshold. French: the HAS patient guide measured 68.3 (README).
TARGETS = {"en": 60.0, "fr": 68.0}
BLOCKS = frozenset({"h1", "h2", "h3", "h4", "p", "li"})


class _LeafletBlocks(HTMLParser):
    """The text of each heading, paragraph and list item inside the leaflet (class cg-leaflet), its sources left
    out (class cg-leaflet__sources)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.open: list[str] = []  # the classes of the open <div> and <section> elements
        self.block_depth = 0
        self.in_permalink = False  # a heading's ¶ link, which no reader reads

    @property
    def inside(self) -> bool:
        return (any("cg-leaflet" in classes.split() for classes in self.open)
                and not any("cg-leaflet__sources" in classes.split() for classes in self.open))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("div", "section"):
            self.open.append(dict(attrs).get("class") or "")
        elif tag == "a" and "headerlink" in (dict(attrs).get("class") or "").split():
            self.in_permalink = True
        elif tag in BLOCKS and self.inside:
            if self.block_depth == 0:
                self.blocks.append("")
            self.block_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "section") and self.open:
            self.open.pop()
        elif tag == "a":
            self.in_permalink = False
        elif tag in BLOCKS and self.block_depth:
            self.block_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.block_depth and self.inside and not self.in_permalink:
            self.blocks[-1] += data


def leaflet_blocks(html: str) -> list[str]:
    """What a patient reads of a built leaflet page, block by block, white space collapsed."""
    reader = _LeafletBlocks()
    reader.feed(html)
    return [" ".join(block.split()) for block in reader.blocks if block.strip()]


def leaflet_prose(html: str) -> str:
    """The blocks as sentences: a block that does not end a sentence gets a full stop."""
    return "\n".join(block if block[-1] in ".!?" else f"{block}." for block in leaflet_blocks(html))


@dataclass(frozen=True)
class Readability:
    lang: str
    formula: str
    score: float
    words: int
    sentences: int

    @property
    def target(self) -> float:
        return TARGETS[self.lang]

    def __str__(self) -> str:
        return (f"{self.lang}: {self.formula} {self.score:.1f} (target ≥ {self.target:g}; {self.words} words, "
                f"{self.sentences} sentences)")


def readability(text: str, lang: str) -> Readability:
    textstat.set_lang(lang)
    return Readability(lang, FORMULAS[lang], textstat.flesch_reading_ease(text), textstat.lexicon_count(text),
                       textstat.sentence_count(text))


def leaflet_page(site_dir: Path, lang: str) -> Path:
    """The built leaflet page of a language (its slug is in templates/strings.yml)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from calcguide.render import load_catalogue

    catalogue = load_catalogue(Path(__file__).resolve().parents[1] / "templates")
    return site_dir / lang / f"{catalogue.pages['leaflet'].slug[lang]}.html"


if __name__ == "__main__":
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    for code in FORMULAS:
        print(readability(leaflet_prose(leaflet_page(site, code).read_text(encoding="utf-8")), code))
