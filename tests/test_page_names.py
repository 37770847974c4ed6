"""Names that match (issue 30, item 8): a page's file, id and addresses agree in both languages, French addresses are
French words, and every address a page ever had still opens it (a redirect page), in the site and in the bundle."""
from __future__ import annotations

import posixpath
import shutil
import re
import unicodedata
import warnings
from pathlib import Path

import pytest

from browser import visit
from calcguide.audit import OutputCheckError, check_html, check_site
from calcguide.catalogue import load_catalogue
from calcguide.content import messages
from calcguide.content import CONTENT_FILES, LANGS, CarePage, Chapter, ContentErrors, SitePage
from calcguide.pages import plan_pages
from calcguide.pipeline import Layout, validate
from calcguide.redirects import plan_redirects
from conftest import PROJECT, errors_of, line_of, replace_in

FORMER_LIST = PROJECT / "tests" / "former_addresses.txt"
FORMER_ADDRESSES = [line for line in FORMER_LIST.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("#")]
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


def words_of(title: str) -> set[str]:
    """A title's words as an address writes them: lowercase, without accents (« d'œil » gives d, oeil)."""
    folded = unicodedata.normalize("NFKD", title.replace("œ", "oe")).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z0-9]+", folded))


def chapter_files():
    return [entry for entry in CONTENT_FILES if entry.model in (Chapter, SitePage, CarePage) and entry.page != "focus"]


def test_the_chapter_files_name_their_page_and_its_english_address(catalogue):
    # focus.yml is the guide's chapter on one group of patients: its address is its own `slug:` (checked below).
    assert {entry.page for entry in chapter_files()} >= {"evaluation", "response", "care"}
    for entry in chapter_files():
        assert Path(entry.name).stem == entry.field == entry.page
        assert catalogue.pages[entry.page].slug.en == entry.page


def test_the_follow_up_chapter_is_response_in_both_languages_apart_from_the_initial_evaluation(guide, catalogue):
    pages = {page.page_id: page for page in plan_pages(guide, catalogue)}
    assert (pages["response"].url("en"), pages["response"].url("fr")) == ("response.html", "suivi.html")
    assert (pages["evaluation"].url("en"), pages["evaluation"].url("fr")) == ("evaluation.html", "bilan-initial.html")
    assert not (PROJECT / "content" / "assessment.yml").exists()


def test_a_treatment_page_is_named_after_its_file_in_english(guide):
    for treatment in guide.treatments:
        assert (PROJECT / "content" / "treatments" / f"{treatment.slug.en}.yml").is_file()
        assert treatment.slug.en == treatment.id


def test_every_french_address_is_made_of_words_of_the_french_title(guide, catalogue):
    for page in plan_pages(guide, catalogue):
        if page.page_id == "home":
            continue  # index.html: what a web server opens for the folder
        address = posixpath.basename(page.url("fr")).removesuffix(".html")
        assert set(address.split("-")) <= words_of(page.titles["fr"]), (address, page.titles["fr"])


def test_french_treatment_addresses_are_french(guide):
    renamed = {treatment.id: treatment.slug.fr for treatment in guide.treatments}
    assert renamed["jak-inhibitors"] == "inhibiteurs-de-jak"
    assert renamed["surgical-excision"] == "exerese-chirurgicale"
    # The words rule above holds them to the French names; here, that none kept an English word the name lacks.
    for treatment in guide.treatments:
        english = set(treatment.slug.en.split("-")) - words_of(treatment.name["fr"])
        assert not english & set(treatment.slug.fr.split("-")), treatment.id


@pytest.mark.parametrize("written, expected", [
    ("Inhibiteurs de JAK", "is not a page address; expected lowercase ascii words joined by single hyphens"),
    ("inhibiteurs--de-jak", "is not a page address"),
    ("inhibiteurs-de-jak-", "is not a page address"),
    ("inhibiteurs-de-jäk", "is not a page address"),
    ("index", "'index' cannot name a treatment page"),
    ("diltiazem", "the French address 'diltiazem' is already that of treatments/diltiazem.yml"),
])
def test_a_bad_french_address_is_refused_at_its_place(content_copy, written, expected):
    path = content_copy / "treatments" / "jak-inhibitors.yml"
    replace_in(path, "fr: inhibiteurs-de-jak}", f'fr: "{written}"}}')
    [error] = errors_of(content_copy)
    assert error.startswith(f"treatments/jak-inhibitors.yml:{line_of(path, 'slug:')}:")
    assert "slug.fr: " in error and expected in error, error


def test_an_english_address_other_than_the_file_name_is_refused(content_copy):
    path = content_copy / "treatments" / "jak-inhibitors.yml"
    replace_in(path, "slug: {en: jak-inhibitors,", "slug: {en: jak-inhibitor,")
    [error] = errors_of(content_copy)
    assert error.startswith(f"treatments/jak-inhibitors.yml:{line_of(path, 'slug:')}: slug.en: ")
    assert "expected 'jak-inhibitors'" in error and "moved.yml" in error


def test_a_treatment_without_addresses_is_refused(content_copy):
    path = content_copy / "treatments" / "jak-inhibitors.yml"
    replace_in(path, "slug: {en: jak-inhibitors, fr: inhibiteurs-de-jak}\n", "")
    [error] = errors_of(content_copy)
    assert error.startswith("treatments/jak-inhibitors.yml:") and ": slug: " in error and "required" in error


def moved_errors_of(content: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        validate(Layout(PROJECT, content, content / "site", content / "dist", content / "work"))
    return [str(error) for error in caught.value.errors]


@pytest.mark.parametrize("entry, expected", [
    ("{from: en/old-page.html, to: nothing}", "to: there is no page 'nothing'"),
    ("{from: fr/traitements/diltiazem.html, to: colchicine}",
     "from: fr/traitements/diltiazem.html is the address of the page 'diltiazem' of this build"),
    ("{from: fr/evaluation.html, to: care}", "from: fr/evaluation.html is listed twice"),
    ("{from: en/404.html, to: home}", "from: en/404.html is the address of the error page of this build"),
])
def test_a_former_address_must_lead_to_a_page_and_hide_none(content_copy, entry, expected):
    with (content_copy / "moved.yml").open("a", encoding="utf-8") as moved:
        moved.write(f"  - {entry}\n")
    [error] = moved_errors_of(content_copy)
    last = len((content_copy / "moved.yml").read_text(encoding="utf-8").splitlines())
    assert error.startswith(f"moved.yml:{last}:") and expected in error, error


def test_a_former_address_not_of_the_site_is_refused(content_copy):
    with (content_copy / "moved.yml").open("a", encoding="utf-8") as moved:
        moved.write("  - {from: 'https://elsewhere.test/fr/old.html', to: care}\n")
    [error] = errors_of(content_copy)
    assert error.startswith("moved.yml:") and "is not a page address of the site" in error


def test_a_field_spelt_otherwise_in_yaml_is_checked_alone_without_a_pydantic_warning(content_copy):
    # moved.yml's `from` and `to` are aliases; checking one such field alone once gave pydantic's "alias has no
    # effect" warning, kept once per process (so the cache is emptied first).
    messages._field_adapter.cache_clear()
    with (content_copy / "moved.yml").open("a", encoding="utf-8") as moved:
        moved.write("  - {from: 'en/Old Page.html', to: care}\n")
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        [error] = errors_of(content_copy)
    assert error.startswith("moved.yml:") and ".from: 'en/Old Page.html' is not a page address" in error
    assert [str(warning.message) for warning in warned] == []


@pytest.mark.parametrize("taken", ["suivi", "a-propos", "index"])
def test_a_chapter_may_not_take_the_address_of_another_page(content_copy, taken):
    replace_in(content_copy / "focus.yml", "fr: dermatomyosite-juvenile}", f"fr: {taken}}}")
    errors = moved_errors_of(content_copy)  # the pages' addresses are known with the catalogue's
    line = line_of(content_copy / "focus.yml", "slug:")
    assert any(error.startswith(f"focus.yml:{line}:") and f"fr/{taken}.html is already the address of the page"
               in error for error in errors), errors


def test_every_address_of_the_former_site_lists_both_languages():
    # tests/former_addresses.txt: every page of main before the renaming (a build's site/en and site/fr), and since.
    assert {address.split("/")[0] for address in FORMER_ADDRESSES} == set(LANGS) and len(FORMER_ADDRESSES) >= 68
    assert "fr/traitements/jak-inhibitors.html" in FORMER_ADDRESSES and "fr/evaluation.html" in FORMER_ADDRESSES


def opens(root: Path, address: str) -> str:
    """Where a reader who opens `address` under root lands: itself if it is a page, else where its redirect leads
    (one hop, to a page that is not itself a redirect)."""
    html = (root / address).read_text(encoding="utf-8")
    if not (refresh := REFRESH.search(html)):
        return address
    landing = posixpath.normpath(posixpath.join(posixpath.dirname(address), refresh.group(1)))
    assert f'href="{refresh.group(1)}"' in html, f"{address}: no visible link to {landing}"
    assert '<meta name="robots" content="noindex">' in html and "<script" not in html
    assert not REFRESH.search((root / landing).read_text(encoding="utf-8")), f"{address}: a redirect to a redirect"
    return landing


@pytest.mark.parametrize("address", FORMER_ADDRESSES)
def test_every_former_address_still_opens_a_page_of_the_site(built, address):
    landing = opens(built.site_dir, address)
    assert landing.split("/")[0] == address.split("/")[0]
    assert "<h1" in (built.site_dir / landing).read_text(encoding="utf-8") or landing.endswith("404.html")


def test_every_former_address_still_opens_a_page_of_the_offline_bundle(bundle):
    for address in FORMER_ADDRESSES:
        if address.endswith("404.html"):
            continue  # a server's error page, left out of the bundle
        landing = opens(bundle, address)
        assert "<h1" in (bundle / landing).read_text(encoding="utf-8"), address


def test_a_renamed_page_leads_to_its_new_address(built):
    assert opens(built.site_dir, "fr/traitements/jak-inhibitors.html") == "fr/traitements/inhibiteurs-de-jak.html"
    assert opens(built.site_dir, "fr/evaluation.html") == "fr/suivi.html"
    assert opens(built.site_dir, "fr/bilan-initial.html") == "fr/bilan-initial.html"


@pytest.mark.browser
@pytest.mark.parametrize("former, page", [
    ("fr/traitements/jak-inhibitors.html", "fr/traitements/inhibiteurs-de-jak.html"),
    ("fr/evaluation.html", "fr/suivi.html"),
])
def test_a_reader_opening_a_former_address_of_the_bundle_lands_on_the_page(bundle, browser, former, page):
    with visit(browser) as session:
        session.page.goto((bundle / former).as_uri())
        session.page.wait_for_url((bundle / page).as_uri())
        session.page.locator("h1").first.wait_for(state="visible")
        assert session.console_errors == []


def test_the_server_answers_each_former_address_with_a_permanent_redirect(built, guide, catalogue):
    conf = (built.dist_dir / "nginx-redirects.conf").read_text(encoding="utf-8")
    for redirect in plan_redirects(guide, plan_pages(guide, catalogue)):
        block = re.search(rf"location = /{re.escape(redirect.site_path)} \{{(.*?)\}}", conf, re.DOTALL)
        assert block, redirect.site_path
        assert f"return 301 /{redirect.lang}/{redirect.target};" in block.group(1)
        assert "add_header" not in block.group(1)  # one would replace the server's security headers
    assert "include /srv/calcinosis-guide/dist/nginx-redirects.conf;" in (PROJECT / "deploy" / "nginx.conf").read_text(
        encoding="utf-8")


REDIRECT = ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
            '<meta http-equiv="refresh" content="0; url={to}"><title>x</title></head>'
            '<body><p><a href="{to}">x</a></p></body></html>')


def test_the_audit_refuses_a_refresh_on_any_other_page():
    [problem] = check_html(REDIRECT.format(to="page.html"), lambda source: False)
    assert "http-equiv=refresh" in problem


def test_the_audit_refuses_a_redirect_page_that_leads_elsewhere_than_planned():
    assert check_html(REDIRECT.format(to="page.html"), lambda source: False, refresh_to="page.html") == []
    assert check_html(REDIRECT.format(to="https://elsewhere.test/"), lambda source: False, refresh_to="page.html")
    assert check_html(REDIRECT.format(to="page.html").replace("</head>", "<script>go()</script></head>"),
                      lambda source: False, refresh_to="page.html")


@pytest.mark.parametrize("target", ["missing.html", "../en/page.html", "https://elsewhere.test/page.html",
                                    "//elsewhere.test/page.html", "old.html"])
def test_the_audit_refuses_a_redirect_to_what_is_not_a_live_page_of_its_language(tmp_path, target):
    site = tmp_path / "site"
    (site / "fr").mkdir(parents=True)
    (site / "en").mkdir()
    (site / "en" / "page.html").write_text("<p>page</p>", encoding="utf-8")
    (site / "fr" / "old.html").write_text(REDIRECT.format(to=target), encoding="utf-8")
    with pytest.raises(OutputCheckError) as caught:
        check_site([site / "fr"], site, lambda source: False, {"fr/old.html": target})
    assert f"fr/old.html: a redirect to {target!r}, which is not a page of the site" in caught.value.findings


def test_a_page_address_of_the_catalogue_is_held_to_the_same_form(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    replace_in(templates / "strings.yml", "fr: soins}", "fr: Soins}")
    with pytest.raises(ContentErrors) as caught:
        load_catalogue(templates)
    [error] = [str(error) for error in caught.value.errors]
    line = line_of(templates / "strings.yml", "  care:")
    assert error.startswith(f"templates/strings.yml:{line}: pages.care.slug.fr: ")
    assert "is not a page address" in error
