"""Search adapter: what makes Material's search find what a clinician types, in one place.

Material's search runs in a web worker whose address each page reads from `__config.search`. The `config` block
of templates/theme/main.html points it at our own worker, `WORKER`, which this module writes into each
language's site next to Material's. Ours sits between the page and Material's worker file, unchanged
(calcguide/search_worker.js), and changes queries and results on the way (calcguide/search_query.js: typo
tolerance, prefixes while typing, glossary abbreviations as written, the words a result misses, short previews).

The index loads when it is needed: Material's page script loads none (templates/theme/partials/search.html names
its form otherwise), the page's search-open.js tells the worker when the reader first opens search, and the worker
then loads `INDEX`, the one index file of the language, a script (`var __index = …`) that a worker loads on a
server and the iframe-worker shim from file:// alike. The search stage writes it from the JSON MkDocs wrote (and
removes that), with, for each section:

* `keywords`, as strong as a title: what the page is about in the words a reader may use instead of the title:
  a treatment's name, drug class, `search_terms` and brand names; Safety at a glance's safety headings; and the
  whole synonym ring (abbreviation, term, `search_terms`, the other language's abbreviation) of each glossary term
  these words or the section's title mention, so a glossary abbreviation or synonym reaches the treatment
  that its class or its name is;
* `related`, as strong as the text: the synonym rings of the glossary terms the text mentions, so an abbreviation
  finds a section that only spells the term out;
* in both, the index word of each abbreviation of those rings (`abbreviation_token`), which the query side uses
  when a glossary abbreviation is typed as written, before the stop-word list (an abbreviation "LES" is also the French article "les");
* `boost`, by kind of page (`PAGE_BOOST`, Material's per-document boost).

The boosts of the fields are set in mkdocs.yml (`search: fields:`). The worker adds `title_folded` and
`text_folded` (the words with accents, written without them) as it sets the index up.
Moving to another search means removing this module and its call in the pipeline, the two scripts, the page's
search-open.js, the `config` block of main.html, the form's name in partials/search.html and the extra fields of
mkdocs.yml.
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

from .catalogue import Catalogue
from .content import LANGS, Guide
from .content.safety import Safety
from .content.schema import Treatment
from .keptcache import KeptEntries
from .pages import RenderedLanguage

# MkDocs' search plugin writes the index as JSON; the search stage turns it into the one index file each language
# ships, a script (`var __index = {...}`), which the search worker loads the first time a reader opens search, on a
# server (importScripts) and from file:// (the iframe-worker shim's importScripts, a <script>) alike.
MKDOCS_INDEX = Path("search/search_index.json")
INDEX = Path("search/search_index.js")
INDEX_PREFIX = "var __index = "
WORKERS = Path("assets/javascripts/workers")
# Our worker: templates/theme/main.html names it too (in the folder of the worker Material's __config names).
WORKER = WORKERS / "calcguide-search.js"
MATERIAL_WORKER = "search.*.min.js"  # Material's worker file, with its content hash in the name
# The worker's scripts, in order: the query side (defines CalcguideSearch), then the worker that uses it.
WORKER_SCRIPTS = (Path(__file__).with_name("search_query.js"), Path(__file__).with_name("search_worker.js"))
# Where the page's script (docs/assets/javascripts/search-open.js) and the worker meet: a BroadcastChannel named
# after this and the language site's address, on which the page says when the reader first opens search.
CHANNEL = "calcguide-search "


class SearchSetupError(Exception):
    """The built site does not hold what the search adapter expects of Material (a Material upgrade)."""

# Ligatures that Unicode decomposition leaves whole, although readers type them as two letters.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=8192)  # called word by word, and most words recur from document to document
def fold(text: str) -> str:
    """The text without accents or ligatures: "Œdème cutané" → "OEdeme cutane"."""
    decomposed = unicodedata.normalize("NFD", text.translate(LIGATURES))
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


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


def abbreviation_token(abbreviation: str) -> str:
    """The index word of a glossary abbreviation, matched only as written: "LES" (an abbreviation) is a French stop word,
    "les", and would never reach the index. Lowercase letters and digits with a marker at each end that no stemmer
    or stop-word list touches ("LES" -> "zzles9"), so that it goes through the index's pipeline unchanged."""
    return "zz" + "".join(char for char in fold(abbreviation).lower() if char.isalnum()) + "9"


@dataclass(frozen=True)
class SynonymRing:
    """Words that name the same thing in one language (an abbreviation, a term, its variants), and the index words
    of its abbreviations (abbreviation_token), added wherever the ring is mentioned."""

    words: tuple[str, ...]
    tokens: tuple[str, ...] = ()


def synonym_rings(guide: Guide, lang: str) -> list[SynonymRing]:
    """One ring per glossary term: its abbreviation, term and search terms in this language, and its
    abbreviation in the other languages (clinicians read both literatures: "IVIG" on the French site)."""
    rings = []
    for term in guide.glossary.terms:
        abbreviations = _unique([term.abbr[lang], *(term.abbr[other] for other in LANGS if other != lang)]
                                if term.abbr else [])
        words = [*abbreviations[:1], term.term[lang], *term.search_terms[lang], *abbreviations[1:]]
        rings.append(SynonymRing(_unique(words), _unique(abbreviation_token(abbr) for abbr in abbreviations)))
    return rings


def abbreviations(guide: Guide, lang: str) -> dict[str, str]:
    """Each glossary abbreviation a reader of this language may type (its own and the other language's), as
    written, with its index word: the query side matches them case-sensitively, before the stop-word list."""
    return {abbr: abbreviation_token(abbr) for term in guide.glossary.terms if term.abbr
            for abbr in (term.abbr[lang], *(term.abbr[other] for other in LANGS if other != lang))}


def safety_words(catalogue: Catalogue, lang: str) -> list[str]:
    """The headings of a drug's safety section (safety, contraindications, pregnancy, kidney function…), as the
    interface names them: the words a reader types to ask whether a drug is safe."""
    keys = ["safety", *(f"safety_{field}" for field in Safety.model_fields), "glance_pregnancy", "glance_interactions"]
    return [catalogue.ui[key][lang] for key in keys if key in catalogue.ui]


def brand_names(treatment: Treatment) -> list[str]:
    return [brand.name for brand in treatment.brands]


def page_keywords(language: RenderedLanguage, catalogue: Catalogue) -> dict[str, list[str]]:
    """Keywords of the pages that are about one thing, by their address in the index: a treatment page is about
    its treatment's name, drug class, search terms and brand names; Safety at a glance about the safety headings."""
    lang = language.lang
    keywords = {}
    for page in language.pages:
        if page.kind == "treatment":
            treatment = page.context["treatment"]
            keywords[page.url(lang)] = [treatment.name[lang], treatment.drug_class[lang],
                                        *treatment.search_terms[lang], *brand_names(treatment)]
        elif page.kind == "safety":
            keywords[page.url(lang)] = safety_words(catalogue, lang)
    return keywords


# How much each kind of page weighs against the others, for every section it has (Material's per-document boost,
# which multiplies its score): a treatment and Safety at a glance answer a drug's or a safety question; References,
# the glossary and What's new name every drug in passing, and should never come before the page about it.
PAGE_BOOST = {"treatment": 2.0, "safety": 2.0, "references": 0.5, "glossary": 0.5, "whats-new": 0.25, "about": 0.5}


def enrich_search_index(language_site: Path, guide: Guide, language: RenderedLanguage, catalogue: Catalogue,
                        kept: KeptEntries[dict[str, str]] | None = None) -> None:
    """Turn the index MkDocs wrote for one language's site (site/<lang>/) into the one index file it ships, with the
    keyword and synonym fields and the boost of each section, and write the search worker that loads it. `kept`:
    the sections' fields of the last full build (kept_search_fields())."""
    mkdocs_index = language_site / MKDOCS_INDEX
    index = json.loads(mkdocs_index.read_text(encoding="utf-8"))
    splitter = WordSplitter(index["config"]["separator"])
    rings = synonym_rings(guide, language.lang)
    keywords_of_page = page_keywords(language, catalogue)
    boost_of_page = {page.url(language.lang): PAGE_BOOST[page.kind] for page in language.pages if page.kind in PAGE_BOOST}
    shape = repr((rings, index["config"]["separator"]))
    fields_of = _fields_shaped_by(shape)
    for document in index["docs"]:
        page = document["location"].split("#")[0]
        own_words = tuple(keywords_of_page.get(document["location"], []))
        key = (document.get("title", ""), document.get("text", ""), own_words)
        # In this process's memory, else in what the last full build kept, else worked out.
        name = hashlib.sha256(json.dumps([shape, *key]).encode()).hexdigest() if kept is not None else ""
        fields = fields_of.get(key)
        if fields is None and kept is not None:
            fields = kept.get(name)
        if fields is None:
            fields = extra_fields(document, list(own_words), rings, splitter)
        fields_of[key] = fields
        if kept is not None:
            kept.put(name, fields)  # used by this build: kept for the next
        document.update(fields)
        if page in boost_of_page:
            document["boost"] = boost_of_page[page]
    index["calcguide"] = {"abbreviations": abbreviations(guide, language.lang)}
    write_index(language_site, index)
    mkdocs_index.unlink()
    write_worker(language_site)


# Each section's extra fields by its title, text and the page's own keywords, under what else shapes them (the
# synonym rings and the index's separator): the preview enriches the whole index on every save, and a save changes
# a few sections. The last few shapes only, so memory stays bounded.
_FIELDS: dict[str, dict[tuple[str, str, tuple[str, ...]], dict[str, str]]] = {}


def _fields_shaped_by(shape: str) -> dict[tuple[str, str, tuple[str, ...]], dict[str, str]]:
    if shape not in _FIELDS:
        while len(_FIELDS) >= 4:
            del _FIELDS[next(iter(_FIELDS))]
        _FIELDS[shape] = {}
    return _FIELDS[shape]


def kept_search_fields(path: Path, salt: str | None) -> KeptEntries[dict[str, str]]:
    """Each section's extra fields, kept in `path` between full builds, keyed by the section's title, text and page
    keywords and the shape (synonym rings, separator), salted (`salt`, calcguide/keptcache.py's InputsSnapshot) with
    the build's code and packages (Python's Unicode tables fold the words)."""
    return KeptEntries(path, salt, _fields_well_formed)


def _fields_well_formed(fields: object) -> bool:
    return isinstance(fields, dict) and all(name in ("keywords", "related") and isinstance(words, str)
                                            for name, words in fields.items())


def extra_fields(document: dict, own_words: list[str], rings: list[SynonymRing],
                 splitter: WordSplitter) -> dict[str, str]:
    """The `keywords` and `related` fields of one section of the index (those that are not empty)."""
    title = html.unescape(TAG.sub(" ", document.get("title", "")))
    text = html.unescape(TAG.sub(" ", document.get("text", "")))

    def ring_words(where: list[str], missing_only: bool) -> list[str]:
        """The words of every ring that `where` mentions, and its abbreviations' index words; with missing_only,
        only the words `where` does not hold already."""
        passage = splitter.passage(" ".join(where))
        found = []
        for ring in rings:
            mentioned = [splitter.mentions(passage, variant) for variant in ring.words]
            if any(mentioned):
                found += [word for word, there in zip(ring.words, mentioned) if not (missing_only and there)]
                found += ring.tokens
        return found

    keywords = _unique([*own_words, *ring_words([title, *own_words], missing_only=False)])
    related = [word for word in _unique(ring_words([text], missing_only=True)) if word not in keywords]
    fields = {"keywords": _with_folded(keywords), "related": _with_folded(related)}
    return {name: " ".join(words) for name, words in fields.items() if words}


def write_index(language_site: Path, index: dict) -> Path:
    """The index as a script that sets __index (as Material's offline plugin writes it), in ASCII JSON, so that it
    reads the same whatever charset it is served with."""
    target = language_site / INDEX
    target.write_text(INDEX_PREFIX + json.dumps(index, separators=(",", ":")) + ";\n", encoding="ascii")
    return target


def read_index(language_site: Path) -> dict:
    """The index one language's site ships, as data (for the output check, the tests and the benchmark)."""
    source = (language_site / INDEX).read_text(encoding="ascii").strip()
    if not source.startswith(INDEX_PREFIX):
        raise SearchSetupError(f"{language_site / INDEX} does not start with {INDEX_PREFIX!r}")
    return json.loads(source.removeprefix(INDEX_PREFIX).removesuffix(";"))


def write_worker(language_site: Path) -> Path:
    """Our worker, next to Material's: the name of Material's worker file, the index's address (both relative to
    the worker) and the channel's name, then the scripts."""
    material = sorted((language_site / WORKERS).glob(MATERIAL_WORKER))
    if len(material) != 1:
        raise SearchSetupError(f"expected one {MATERIAL_WORKER} in {language_site / WORKERS}, found {len(material)}: "
                               "has Material's search worker moved? calcguide/search.py loads it from there")
    site_root = "../" * len(WORKERS.parts)
    data = json.dumps({"worker": material[0].name, "index": site_root + INDEX.as_posix(), "site": site_root,
                       "channel": CHANNEL}, separators=(",", ":"), sort_keys=True)
    target = language_site / WORKER
    scripts = [script.read_text(encoding="utf-8") for script in WORKER_SCRIPTS]
    target.write_text("\n".join([f"var CALCGUIDE_SEARCH = {data};", *scripts]), encoding="utf-8")
    return target


def _with_folded(words: Iterable[str]) -> tuple[str, ...]:
    return _unique(form for word in words for form in (word, fold(word)))


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))
