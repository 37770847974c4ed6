"""The minimal guide (tests/guides/minimal/, test data) built end to end by `build.py --content`, as a new guide's
editors would build theirs: both sites, the handouts and leaflets, the offline bundle and search. Then the rules
the real guide's tests check, run on it too (imported below, with this module's `built`, `guide` and `walked`):
every derived view says what the treatment files say, French typography, the output policy.

A second full build, with the handouts printed: `slow` and `browser`, left out of the fast tier. The fast tier
checks the minimal guide's content and schemas (tests/test_guide_generator.py)."""
from __future__ import annotations

import re
import zipfile

import pytest

from conftest import PROJECT, Built, run_build
from calcguide.content import LANGS, load_guide
from calcguide.package import offline_bundles
from calcguide.pages import plan_pages
from calcguide.render import load_catalogue

# The real guide's rules, run here on the minimal guide (pytest gives them this module's fixtures).
from test_derived_views import (test_every_view_shows_each_regimen_with_its_note_and_each_interaction_with_its_action,  # noqa: F401
                                views)
from test_output_check import ours, test_built_site_passes_the_output_check  # noqa: F401
from test_typography import (french_site, test_english_pages_keep_english_punctuation,  # noqa: F401
                             test_every_french_page_is_typeset, test_the_french_handout_is_typeset)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MINIMAL = PROJECT / "tests" / "guides" / "minimal"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("minimal-guide")
    layout = Built(PROJECT, MINIMAL, root / "site", root / "dist", root / "work", printed=True)
    run = run_build("--content", str(MINIMAL), "--site-dir", str(layout.site_dir), "--dist-dir",
                    str(layout.dist_dir), "--work-dir", str(layout.work_dir))
    assert run.returncode == 0, run.stderr
    return layout


@pytest.fixture(scope="module")
def guide():
    return load_guide(MINIMAL)


@pytest.fixture(scope="module")
def walked(built, guide):
    return guide, views(built, guide)


@pytest.fixture(scope="module")
def pages(guide):
    return plan_pages(guide, load_catalogue(PROJECT / "templates"))


def test_both_sites_have_every_page_of_the_minimal_guide_and_no_page_of_the_real_one(built, guide, pages):
    real = {treatment.id for treatment in load_guide(PROJECT / "content").treatments}
    ours_ = {treatment.id for treatment in guide.treatments}
    for lang in LANGS:
        for page in pages:
            assert (built.site_dir / lang / page.url(lang)).is_file(), (lang, page.url(lang))
        html = " ".join(path.read_text(encoding="utf-8") for path in (built.site_dir / lang).rglob("*.html"))
        for missing in real - ours_:
            assert not re.search(rf"/{re.escape(missing)}\.html\b", html), missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_says_it_is_test_data(built, lang):
    words = {"en": "not clinical advice", "fr": "non un avis médical"}[lang]
    for path in (built.site_dir / lang).rglob("*.html"):
        if path.name == "404.html":
            continue
        text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        assert words in text, path


def test_the_handouts_and_leaflets_are_printed_in_both_languages(built):
    from pypdf import PdfReader

    for lang in LANGS:
        for kind in ("handout", "leaflet"):
            pdf = built.dist_dir / f"{kind}-{lang}.pdf"
            assert pdf.is_file(), pdf
            text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
            assert text.strip()
    handout = " ".join(page.extract_text() for page in PdfReader(built.dist_dir / "handout-en.pdf").pages)
    # CO₂ is typeset by the build; a PDF's text may give its subscript back as a plain 2.
    assert re.search(r"CO\s*[2\u2082]\s+laser", handout), handout
    for name in ("Diltiazem", "Surgical excision"):
        assert name in handout


def test_the_offline_bundle_holds_both_sites_their_search_and_the_pdfs(built, guide):
    [bundle] = offline_bundles(built.dist_dir)
    assert guide.site.version in bundle.name
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    top = names[0].split("/")[0]
    for lang in LANGS:
        assert f"{top}/{lang}/index.html" in names
        assert f"{top}/{lang}/search/search_index.js" in names
        assert f"{top}/handout-{lang}.pdf" in names
    assert f"{top}/index.html" in names


@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_each_treatment_by_its_name_and_a_typo(built, guide, pages, lang):
    from engine import search_all

    treatments = [page for page in pages if page.kind == "treatment"]
    queries = [page.titles[lang] for page in treatments] + ["diltiazme"]
    results = search_all(built.site_dir / lang, queries)
    for page, groups in zip(treatments, results):
        assert groups and groups[0].page == page.url(lang), (page.titles[lang], groups[:2])
    diltiazem = next(page for page in treatments if page.context["treatment"].id == "diltiazem")
    assert results[-1] and results[-1][0].page == diltiazem.url(lang)
