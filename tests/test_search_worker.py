"""The search adapter's door and data: Material's search worker stays as installed, every page starts ours
(which loads Material's from the same folder), the boosts are mkdocs.yml's, the index files are MkDocs' own, and
the keyword and synonym fields that calcguide/search.py computes from content/ (no browser needed)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import material
import yaml

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from calcguide.search import INDEX, WORKER, WORKERS, WordSplitter, fold, synonym_rings
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


def test_every_page_starts_our_worker_which_loads_materials_from_the_same_folder(built):
    for lang in LANGS:
        site = built.site_dir / lang
        [material_worker] = (site / WORKERS).glob("search.*.min.js")
        assert _worker_data(site)["worker"] == material_worker.name
        for page in site.rglob("*.html"):
            config = re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                               page.read_text(encoding="utf-8"), re.DOTALL)
            if config:
                address = json.loads(config.group(1))["search"]  # relative, or from the server's root (404.html)
                folder = built.site_dir if address.startswith("/") else page.parent
                assert (folder / address.lstrip("/")).resolve() == (site / WORKER).resolve(), page


def test_index_fields_and_boosts_are_mkdocs_yml_s_and_the_index_files_are_left_as_mkdocs_wrote_them(built):
    configured = next(plugin["search"]["fields"] for plugin in MKDOCS["plugins"]
                      if isinstance(plugin, dict) and "search" in plugin)
    for lang in LANGS:
        index = json.loads((built.site_dir / lang / INDEX).read_text(encoding="utf-8"))
        assert {name: spec["boost"] for name, spec in index["config"]["fields"].items() if name in configured} == \
               {name: spec["boost"] for name, spec in configured.items()}
        assert not any(set(doc) & {"keywords", "related", "title_folded", "text_folded"} for doc in index["docs"])


def test_treatment_page_carries_its_drug_class_and_the_glossary_abbreviation_of_that_class(built):
    guide = load_guide(built.content_dir)
    diltiazem = guide.treatment("diltiazem")
    for lang in LANGS:
        fields = _worker_data(built.site_dir / lang)["fields"][f"{TREATMENT_FOLDER[lang]}/diltiazem.html"]
        class_ring = next(term for term in guide.glossary.terms
                          if term.term[lang].lower() == diltiazem.drug_class[lang].lower())
        assert diltiazem.drug_class[lang] in fields["keywords"]
        assert class_ring.abbr[lang] in fields["keywords"].split()


def test_fold_drops_accents_and_splits_ligatures():
    assert fold("Œdème thérapeutique, première") == "OEdeme therapeutique, premiere"


def test_an_abbreviation_is_mentioned_only_as_written_and_a_term_whatever_its_case_and_accents():
    splitter = WordSplitter(SEPARATOR)
    passage = splitter.passage("La sclérodermie systémique (ScS) et les ic")
    assert splitter.mentions(passage, "ScS")
    assert not splitter.mentions(passage, "IC")
    assert splitter.mentions(passage, "Sclerodermie systemique")
    assert not splitter.mentions(passage, "sclérodermie limitée")


def test_synonym_rings_are_the_glossary_terms_with_the_other_languages_abbreviation(built):
    guide = load_guide(built.content_dir)
    rings = {ring.words[0]: ring.words for ring in synonym_rings(guide, "fr")}
    for term in guide.glossary.terms:
        if term.abbr:
            ring = rings[term.abbr["fr"]]
            assert term.term["fr"] in ring and term.abbr["en"] in ring
            assert set(term.search_terms["fr"]) <= set(ring)
