"""Search stage: makes one language's built search (Material's lunr index) find what a clinician types.

Runs on a language's site right after MkDocs built it, and changes three things, all generated from content/:

* the index (`search/search_index.json`, and `search/search_index.js`, its copy for file://): every document
  gets extra indexed fields, which the search worker indexes like title and text because they are listed in
  the index's `config.fields`:
  - `keywords`, as strong as a title: what the page is about in the words a reader may use instead of the
    title: a treatment's name, drug class and `search_terms`, and the whole synonym ring (abbreviation, term,
    `search_terms`, the other language's abbreviation) of each glossary term these words or the document's
    title mention, so "CCB" or "calcium channel blocker" reach diltiazem;
  - `related`, as strong as the text: the synonym rings of the glossary terms the text mentions, so "STS"
    finds a page that only says "sodium thiosulfate";
  - `title_folded` and `text_folded`: the words written with accents, without them, so "premiere" finds
    "première" (lunr-languages' French stemmer does not fold accents);
* the search pipeline, set in mkdocs.yml: the stemmer of the language is on, so the index holds stems;
* the query: Material turns every query word into a prefix and lunr skips the stemmer for prefixes, so
  calcguide/search_query.js (prepended to the search worker) stems the words of a query with the index's own
  pipeline first; "traitements" and "traitement" then meet on "trait". The worker gets a new name (the old
  one plus a hash of what was prepended) so that no browser keeps a cached copy of the unpatched one.
"""
from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .content import LANGS, Guide
from .render import RenderedLanguage

INDEX = Path("search/search_index.json")
OFFLINE_INDEX = Path("search/search_index.js")  # written by Material's offline plugin: `var __index = <json>`
WORKERS = Path("assets/javascripts/workers")
QUERY_SCRIPT = Path(__file__).with_name("search_query.js")

# Ligatures that Unicode decomposition leaves whole, although readers type them as two letters.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=8192)  # called word by word, and most words recur from document to document
def fold(text: str) -> str:
    """The text without accents or ligatures: "Œdème cutané" → "OEdeme cutane"."""
    decomposed = unicodedata.normalize("NFD", text.translate(LIGATURES))
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


@dataclass(frozen=True)
class SynonymRing:
    """Words that name the same thing in one language (an abbreviation, a term, its variants)."""

    words: tuple[str, ...]


class WordSplitter:
    """Splits text into words the way the index does (the index's separator), to find phrases in documents."""

    def __init__(self, separator: str):
        self.separator = re.compile(separator)
        self.phrase = functools.lru_cache(maxsize=None)(self.phrase)  # the same variants, for every document

    def split(self, text: str) -> list[str]:
        return [word for word in self.separator.split(text) if word]

    def passage(self, text: str) -> "Passage":
        return Passage(_spaced(self.split(text)), _spaced(self.split(fold(text).lower())))

    def phrase(self, variant: str) -> tuple[bool, str]:
        """How to look for a variant: a variant with a capital after its first letter (STS, IgIV, ScS) is an
        abbreviation and must match as written; any other variant matches whatever its case and accents."""
        as_written = variant[1:] != variant[1:].lower()
        return as_written, _spaced(self.split(variant) if as_written else
                                   (fold(word).lower() for word in self.split(variant)))

    def mentions(self, passage: "Passage", variant: str) -> bool:
        """Whether the words of `variant` occur in a row in the passage."""
        as_written, phrase = self.phrase(variant)
        return phrase.strip() != "" and phrase in (passage.as_written if as_written else passage.folded)


@dataclass(frozen=True)
class Passage:
    """A text's words, as written and folded, each between spaces so that a phrase is found by `in`."""

    as_written: str
    folded: str


def _spaced(words: Iterable[str]) -> str:
    return " " + " ".join(words) + " "


def synonym_rings(guide: Guide, lang: str) -> list[SynonymRing]:
    """One ring per glossary term: its abbreviation, term and search terms in this language, and its
    abbreviation in the other languages (clinicians read both literatures: "IVIG" on the French site)."""
    rings = []
    for term in guide.glossary.terms:
        words = [term.abbr[lang]] if term.abbr else []
        words += [term.term[lang], *term.search_terms[lang]]
        words += [term.abbr[other] for other in LANGS if other != lang and term.abbr]
        rings.append(SynonymRing(_unique(words)))
    return rings


def page_keywords(language: RenderedLanguage) -> dict[str, list[str]]:
    """Keywords of the pages that are about one thing, by their address in the index: a treatment page is
    about its treatment's name, drug class and search terms."""
    lang = language.lang
    return {page.url(lang): [treatment.name[lang], treatment.drug_class[lang], *treatment.search_terms[lang]]
            for page in language.pages if page.kind == "treatment"
            for treatment in [page.context["treatment"]]}


def enrich_search_index(language_site: Path, guide: Guide, language: RenderedLanguage) -> None:
    """Add keyword, synonym and accent-folded fields to one language's search index (both copies) and make its
    search worker stem queries. `language_site` is site/<lang>/ as MkDocs wrote it."""
    index = json.loads((language_site / INDEX).read_text(encoding="utf-8"))
    config = index["config"]
    splitter = WordSplitter(config["separator"])
    rings = synonym_rings(guide, language.lang)
    keywords_of_page = page_keywords(language)
    for document in index["docs"]:
        _enrich_document(document, keywords_of_page.get(document["location"], []), rings, splitter)
    title_boost = config["fields"]["title"]["boost"]
    text_boost = config["fields"]["text"]["boost"]
    config["fields"].update({
        "keywords": {"boost": title_boost},
        "title_folded": {"boost": title_boost},
        "related": {"boost": text_boost},
        "text_folded": {"boost": text_boost},
    })
    # ASCII like Material writes it: the .js copy is read with whatever charset a server or file:// assumes.
    data = json.dumps(index, separators=(",", ":"))
    (language_site / INDEX).write_text(data, encoding="utf-8")
    if (language_site / OFFLINE_INDEX).is_file():
        (language_site / OFFLINE_INDEX).write_text(f"var __index = {data}", encoding="utf-8")
    _patch_search_worker(language_site)


def _enrich_document(document: dict, own_words: list[str], rings: list[SynonymRing], splitter: WordSplitter) -> None:
    title = html.unescape(TAG.sub(" ", document.get("title", "")))
    text = html.unescape(TAG.sub(" ", document.get("text", "")))

    def ring_words(where: list[str], missing_only: bool) -> list[str]:
        """The words of every ring that `where` mentions; with missing_only, those `where` does not hold already."""
        passage = splitter.passage(" ".join(where))
        found = []
        for ring in rings:
            mentioned = [splitter.mentions(passage, variant) for variant in ring.words]
            if any(mentioned):
                found += [word for word, there in zip(ring.words, mentioned) if not (missing_only and there)]
        return found

    keywords = _unique([*own_words, *ring_words([title, *own_words], missing_only=False)])
    related = [word for word in _unique(ring_words([text], missing_only=True)) if word not in keywords]
    fields = {
        "keywords": _with_folded(keywords),
        "related": _with_folded(related),
        "title_folded": _folded_only(splitter.split(title)),
        "text_folded": _folded_only(splitter.split(text)),
    }
    document.update({name: " ".join(words) for name, words in fields.items() if words})


def _with_folded(words: Iterable[str]) -> tuple[str, ...]:
    return _unique(form for word in words for form in (word, fold(word)))


def _folded_only(words: Iterable[str]) -> tuple[str, ...]:
    """The folded form of each word that has accents; words without accents are already indexed as they are."""
    return _unique(fold(word) for word in words if fold(word) != word)


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def _patch_search_worker(language_site: Path) -> None:
    """Prepend the query stemming to Material's search worker, under a new name that the pages then use."""
    patch = QUERY_SCRIPT.read_text(encoding="utf-8")
    digest = hashlib.sha256(patch.encode("utf-8")).hexdigest()[:8]
    for worker in (language_site / WORKERS).glob("search.*.min.js"):
        if digest in worker.name:
            continue  # already patched (a rebuild that kept the folder)
        patched = worker.with_name(worker.name.removesuffix(".min.js") + f".{digest}.min.js")
        patched.write_text(patch + "\n" + worker.read_text(encoding="utf-8"), encoding="utf-8")
        worker.unlink()
        for page in language_site.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            if worker.name in text:
                page.write_text(text.replace(worker.name, patched.name), encoding="utf-8")
