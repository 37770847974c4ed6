"""The search adapter's door and data: Material's search worker stays as installed, every page starts ours
(which loads Material's and the index, one script per language), the boosts are mkdocs.yml's, and the keyword,
synonym and abbreviation fields and page weights that calcguide/search.py computes from content/ (no browser
needed)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import material
import yaml

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from calcguide.search import (INDEX, WORKER, WORKERS, WordSplitter, abbreviation_token, fold, read_index,
                              synonym_rings)
from conftest import PROJECT

MKDOCS = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
SEPARATOR = next(plugin["search"]["separator"] for plugin in MKDOCS["plugins"]
                 if isinstance(plugin, dict) and "search" in plugin)
TREATMENT_FOLDER = load_catalogue(PROJECT / "templates").pages["treatment"].slug


def _worker_data(site: Path) -> dict:
    """The data our worker carries: its first line, `var CALCGUIDE_SEARCH = <json>;`."""
    first_line = (site / WORKER).read_text(encoding="ascii").split("\n", 1)[0]
    return json.loads(first_line.removeprefix("var CALCGUIDE_SEARCH = ").removesuffix(";"))


def test_materials_search_worker_is_byte_identical_to_the_installed_one(built):
    installed = Path(material.__file__).parent / "templates" / WORKERS
    [original] = installed.glob("search.*.min.js")
    for lang in LANGS:
        workers = built.site_dir / lang / WORKERS
        assert {path.name for path in workers.iterdir()} == {original.name, WORKER.name}
        assert (workers / original.name).read_bytes() == original.read_bytes()


def test_every_page_starts_our_worker_which_loads_materials_and_the_index_from_the_site(built):
    for lang in LANGS:
        site = built.site_dir / lang
        [material_worker] = (site / WORKERS).glob("search.*.min.js")
        data = _worker_data(site)
        assert data["worker"] == material_worker.name
        assert ((site / WORKER).parent / data["index"]).resolve() == (site / INDEX).resolve()
        assert ((site / WORKER).parent / data["site"]).resolve() == site.resolve()
        for page in site.rglob("*.html"):
            config = re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                               page.read_text(encoding="utf-8"), re.DOTALL)
            if config:
                address = json.loads(config.group(1))["search"]  # relative, or from the server's root (404.html)
                folder = built.site_dir if address.startswith("/") else page.parent
                assert (folder / address.lstrip("/")).resolve() == (site / WORKER).resolve(), page


def test_each_language_ships_one_index_file_a_script_and_no_json(built):
    for lang in LANGS:
        search = built.site_dir / lang / INDEX.parent
        assert sorted(path.name for path in search.iterdir()) == [INDEX.name]
        assert (search / INDEX.name).read_text(encoding="ascii").startswith("var __index = {")


def test_no_page_names_a_form_search_so_materials_page_script_loads_no_index(built):
    """Material's page script loads the index at once when a form is named "search" (partials/search.html)."""
    for lang in LANGS:
        for page in (built.site_dir / lang).rglob("*.html"):
            assert 'name="search"' not in page.read_text(encoding="utf-8"), page


def test_index_fields_and_boosts_are_mkdocs_yml_s_and_the_documents_keep_mkdocs_title_text_and_address(built):
    configured = next(plugin["search"]["fields"] for plugin in MKDOCS["plugins"]
                      if isinstance(plugin, dict) and "search" in plugin)
    for lang in LANGS:
        index = read_index(built.site_dir / lang)
        assert {name: spec["boost"] for name, spec in index["config"]["fields"].items() if name in configured} == \
               {name: spec["boost"] for name, spec in configured.items()}
        # Written by the worker as it sets the index up, not shipped: the words of a field without their accents.
        assert not any(set(doc) & {"title_folded", "text_folded"} for doc in index["docs"])
        assert all({"location", "title", "text"} <= set(doc) for doc in index["docs"])


def test_treatment_page_carries_its_drug_class_brands_and_the_glossary_abbreviation_of_that_class(built):
    guide = load_guide(built.content_dir)
    diltiazem = guide.treatment("diltiazem")
    for lang in LANGS:
        docs = {doc["location"]: doc for doc in read_index(built.site_dir / lang)["docs"]}
        keywords = docs[f"{TREATMENT_FOLDER[lang]}/diltiazem.html"]["keywords"]
        class_ring = next(term for term in guide.glossary.terms
                          if term.term[lang].lower() == diltiazem.drug_class[lang].lower())
        assert diltiazem.drug_class[lang] in keywords
        assert class_ring.abbr[lang] in keywords.split()
        assert abbreviation_token(class_ring.abbr[lang]) in keywords.split()
        assert all(brand.name in keywords for brand in diltiazem.brands) and diltiazem.brands


def test_pages_weigh_by_kind_a_treatment_above_the_references_and_the_glossary(built):
    catalogue = load_catalogue(PROJECT / "templates")
    for lang in LANGS:
        boost = {doc["location"].split("#")[0]: doc.get("boost", 1) for doc in read_index(built.site_dir / lang)["docs"]}
        treatment = boost[f"{TREATMENT_FOLDER[lang]}/diltiazem.html"]
        assert treatment > 1 and boost[catalogue.pages["safety"].slug[lang] + ".html"] > 1
        assert boost[catalogue.pages["references"].slug[lang] + ".html"] < 1
        assert boost[catalogue.pages["glossary"].slug[lang] + ".html"] < 1


def test_fold_drops_accents_and_splits_ligatures():
    assert fold("Œdème thérapeutique, première") == "OEdeme therapeutique, premiere"


def test_an_abbreviation_is_mentioned_only_as_written_and_a_term_whatever_its_case_and_accents():
    splitter = WordSplitter(SEPARATOR)
    passage = splitter.passage("La sclérodermie systémique (ScS) et les ic")
    assert splitter.mentions(passage, "ScS")
    assert not splitter.mentions(passage, "IC")
    assert splitter.mentions(passage, "Sclerodermie systemique")
    assert not splitter.mentions(passage, "sclérodermie limitée")


def test_an_abbreviations_index_word_survives_stemming_and_stop_words_and_tells_abbreviations_apart():
    assert abbreviation_token("LES") == "zzles9" and abbreviation_token("ScS") == "zzscs9"
    assert abbreviation_token("NXP2") == "zznxp29"
    assert len({abbreviation_token(abbr) for abbr in ("LES", "LEC", "ScS", "SSc")}) == 4


def test_synonym_rings_are_the_glossary_terms_with_the_other_languages_abbreviation(built):
    guide = load_guide(built.content_dir)
    rings = {ring.words[0]: ring for ring in synonym_rings(guide, "fr")}
    for term in guide.glossary.terms:
        if term.abbr:
            ring = rings[term.abbr["fr"]]
            assert term.term["fr"] in ring.words and term.abbr["en"] in ring.words
            assert set(term.search_terms["fr"]) <= set(ring.words)
            assert abbreviation_token(term.abbr["fr"]) in ring.tokens
