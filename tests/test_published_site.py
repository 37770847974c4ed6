"""The built guide, as published without a public address (the shared `built` fixture) and with one: no made-up
address anywhere, page heads, sitemap, QR codes on the handouts, review dates, What's new, Cite this page,
favicon and handout links."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from calcguide.content import load_guide
from calcguide.reviewed import write_record
from conftest import PROJECT, is_redirect_page, replace_in
from pypdf import PdfReader

from calcguide.content import LANGS
from calcguide.pipeline import Layout, build_everything
from calcguide.deployment import PublishSettings

ADDRESS = "https://calcinosis-guide.test/"
PLACEHOLDER = re.compile(rb"example\.(org|com|net)")


EDITOR = "Test Editor"
CONTACT = "errors@calcinosis-guide.test"
TOUCHED = "colchicine"  # the page the newest version touched, in the release fixture


@pytest.fixture(scope="session")
def built_with_address(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    """A release build (`--release`: it fails if anything is missing) of the real content plus what a release
    needs and the shipped content lacks: fixture editors and contact, and a changes entry that touches a page."""
    root = tmp_path_factory.mktemp("with-address")
    content = root / "content"
    shutil.copytree(PROJECT / "content", content)
    replace_in(content / "site.yml", "editors: []\n", f"""editors:
  - name: {EDITOR}
    role: {{en: Editor, fr: Éditeur}}
    affiliation: {{en: Test hospital, fr: Hôpital de test}}
    interests: {{en: None declared, fr: Aucun lien déclaré}}
contact: {{email: {CONTACT}}}
""")
    replace_in(content / "changes.yml", "pages: []", f"pages: [{TOUCHED}]")
    write_record(load_guide(content), content)  # the editors' review of these pages, recorded (calcguide/reviewed.py)
    layout = Layout(PROJECT, content, root / "site", root / "dist", root / "work")
    build_everything(layout, settings=PublishSettings(public_url=ADDRESS, release=True))
    return layout


class Head(HTMLParser):
    """The links and metas of a page, and every href."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.metas: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.in_head = True
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.in_head = False
        if tag == "link" and self.in_head:
            self.links.append(attributes)
        if tag == "meta" and self.in_head:
            self.metas[attributes.get("name") or attributes.get("property", "")] = attributes.get("content", "")
        if "href" in attributes:
            self.hrefs.append(attributes["href"])

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links
                if link.get("rel") == "alternate" and "hreflang" in link}

    def canonical(self) -> str | None:
        return next((link["href"] for link in self.links if link.get("rel") == "canonical"), None)


def pages_of(site: Path, lang: str) -> list[Path]:
    return sorted(page for page in (site / lang).rglob("*.html") if page.name != "404.html" and not is_redirect_page(page))


def every_text_in(layout: Layout):
    """Every file of site/ and dist/ as bytes, the zip's members and the PDFs' text included."""
    for path in [*layout.site_dir.rglob("*"), *layout.dist_dir.rglob("*")]:
        if path.is_file():
            yield path.name, path.read_bytes()
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        yield name, archive.read(name)
            if path.suffix == ".pdf":
                yield path.name, "".join(page.extract_text() for page in PdfReader(path).pages).encode()


def qr_codes_in(pdf: Path, tmp_path: Path) -> list[str]:
    """The QR codes zbarimg reads on the first page of a PDF (rendered at 150 dpi, as a printer would)."""
    image = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(image)],
                   check=True)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", f"{image}.png"], capture_output=True, text=True)
    assert result.returncode in (0, 4), result.stderr  # 4: no code found
    return result.stdout.split()


needs_zbar = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="zbar-tools and poppler-utils (make test installs them)")


# --- no made-up address, with or without a public one ----------------------------------------------------------


@pytest.mark.parametrize("which", ["built", pytest.param("built_with_address", marks=pytest.mark.slow)])
def test_no_placeholder_address_anywhere_in_site_or_dist(request, which):
    layout = request.getfixturevalue(which)
    found = [name for name, data in every_text_in(layout) if PLACEHOLDER.search(data)]
    assert found == []


def test_without_public_address_no_page_names_an_address(built):
    for lang in LANGS:
        for page in pages_of(built.site_dir, lang):
            head = Head(page.read_text(encoding="utf-8"))
            assert head.canonical() is None, page
            assert head.alternates() == {}, page
            assert "og:url" not in head.metas, page
        assert not (built.site_dir / lang / "sitemap.xml").exists()
    assert not (built.site_dir / "sitemap.xml").exists()
    chooser = Head((built.site_dir / "index.html").read_text(encoding="utf-8"))
    assert chooser.canonical() is None and chooser.alternates() == {}


@pytest.mark.browser  # needs the printed handouts (Chromium)
@needs_zbar
@pytest.mark.parametrize("lang", LANGS)
def test_without_public_address_the_handout_has_no_qr_code_and_shows_version_and_date(built, guide, catalogue,
                                                                                       tmp_path, lang):
    from calcguide.typography import written_date

    handout = built.dist_dir / f"handout-{lang}.pdf"
    assert qr_codes_in(handout, tmp_path) == []
    first_page = " ".join(PdfReader(handout).pages[0].extract_text().split())
    reviewed = " ".join(written_date(guide.last_reviewed, lang, catalogue.ui["date_format"][lang]).split())
    assert guide.site.version in first_page and reviewed in first_page
    assert "https://" not in first_page.split(reviewed)[0]


# --- with a public address ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_with_public_address_every_page_head_has_canonical_and_hreflang_for_both_languages_and_x_default(
        built_with_address, lang):
    site = built_with_address.site_dir
    for page in pages_of(site, lang):
        head = Head(page.read_text(encoding="utf-8"))
        address = ADDRESS + page.relative_to(site).as_posix()
        assert head.canonical() == address
        alternates = head.alternates()
        assert set(alternates) == {*LANGS, "x-default"}
        assert alternates[lang] == address and alternates["x-default"] == ADDRESS
        other = next(code for code in LANGS if code != lang)
        assert (site / alternates[other].removeprefix(ADDRESS)).is_file()  # the counterpart exists


@pytest.mark.slow
def test_with_public_address_each_sitemap_lists_every_page_by_its_address(built_with_address):
    for lang in LANGS:
        sitemap = (built_with_address.site_dir / lang / "sitemap.xml").read_text(encoding="utf-8")
        listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
        expected = {ADDRESS + page.relative_to(built_with_address.site_dir).as_posix()
                    for page in pages_of(built_with_address.site_dir, lang)}
        assert listed == expected
        assert sitemap.count('hreflang="x-default"') == len(expected)
    index = (built_with_address.site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<loc>([^<]+)</loc>", index)) == {f"{ADDRESS}{lang}/sitemap.xml" for lang in LANGS}


@pytest.mark.slow
def test_with_public_address_robots_txt_names_each_languages_sitemap(built_with_address):
    robots = (built_with_address.site_dir / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert robots[:2] == ["User-agent: *", "Allow: /"]
    assert [line for line in robots if line.startswith("Sitemap:")] == [
        f"Sitemap: {ADDRESS}{lang}/sitemap.xml" for lang in LANGS]
    assert all((built_with_address.site_dir / lang / "sitemap.xml").is_file() for lang in LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_a_reference_title_in_the_other_language_is_marked_with_its_language(built, guide, catalogue, lang):
    """WCAG 3.1.2: a screen reader reads an English title on a French page in English (and the other way round)."""
    page = (built.site_dir / lang / f"{catalogue.pages['references'].slug[lang]}.html").read_text(encoding="utf-8")
    def plain(html: str) -> str:  # the words, without the glossary's <abbr> around some of them
        return " ".join(re.sub(r"<[^>]+>", "", html).replace("’", "'").split())

    marked = {plain(title): code for code, title in re.findall(r'<span lang="(\w\w)">(.*?)</span>', page)}
    foreign = {plain(ref.title.rstrip(".")): ref.language for ref in guide.references.references
               if ref.language != lang}
    own = {plain(ref.title.rstrip(".")) for ref in guide.references.references if ref.language == lang}
    # Every title in the other language is marked with it; no title in the page's language is marked (other fields
    # of a reference, a label's version line say, may be marked with their own language too).
    assert foreign and {title: marked.get(title) for title in foreign} == foreign
    assert [title for title in own - foreign.keys() if title in marked] == []


@pytest.mark.slow
@needs_zbar
@pytest.mark.parametrize("lang", LANGS)
def test_with_public_address_the_handout_qr_code_leads_to_the_online_algorithm(built_with_address, tmp_path, lang):
    codes = qr_codes_in(built_with_address.dist_dir / f"handout-{lang}.pdf", tmp_path)
    assert len(codes) == 1
    algorithm = codes[0].removeprefix(f"{ADDRESS}{lang}/")
    assert codes[0].startswith(f"{ADDRESS}{lang}/")
    assert "cg-flow" in (built_with_address.site_dir / lang / algorithm).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.browser  # needs the printed handouts (Chromium)
def test_the_qr_code_takes_no_room_the_handouts_keep_their_pages(built, built_with_address):
    for lang in LANGS:
        pages = [len(PdfReader(layout.dist_dir / f"handout-{lang}.pdf").pages) for layout in (built, built_with_address)]
        assert pages[0] == pages[1]


# --- on every page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_its_description_open_graph_favicon_and_cite_this_page(built, lang):
    descriptions = set()
    for page in pages_of(built.site_dir, lang):
        text = page.read_text(encoding="utf-8")
        head = Head(text)
        assert head.metas.get("description") and head.metas.get("og:title") and head.metas.get("og:description"), page
        descriptions.add(head.metas["description"])
        icon = next(link["href"] for link in head.links if link.get("rel") == "icon")
        assert icon.endswith("favicon.svg") and (page.parent / icon).resolve().is_file()
        assert 'class="cg-cite"' in text, page
    assert len(descriptions) == len(pages_of(built.site_dir, lang))


@pytest.mark.browser  # needs the printed handouts (Chromium)
@pytest.mark.parametrize("lang", LANGS)
def test_the_handout_is_one_click_from_every_page(built, lang):
    for page in pages_of(built.site_dir, lang):
        links = [href for href in Head(page.read_text(encoding="utf-8")).hrefs if href.endswith(f"handout-{lang}.pdf")]
        assert links, page
        assert (page.parent / unquote(links[0])).resolve() == (built.site_dir / f"handout-{lang}.pdf").resolve()
        assert (built.site_dir / f"handout-{lang}.pdf").is_file()


def test_the_chooser_links_both_handouts_and_the_favicon(built):
    chooser = Head((built.site_dir / "index.html").read_text(encoding="utf-8"))
    for lang in LANGS:
        assert f"handout-{lang}.pdf" in chooser.hrefs
    icon = next(link["href"] for link in chooser.links if link.get("rel") == "icon")
    assert (built.site_dir / icon).is_file()


@pytest.mark.browser  # needs the printed handouts (Chromium)
def test_the_offline_index_links_both_handouts_which_are_beside_it(built):
    bundle = next(built.dist_dir.glob("*.zip"))
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        index = next(name for name in names if name.count("/") == 1 and name.endswith("/index.html"))
        folder = index.removesuffix("index.html")
        hrefs = Head(archive.read(index).decode()).hrefs
        for lang in LANGS:
            assert f"handout-{lang}.pdf" in hrefs
            assert names.count(f"{folder}handout-{lang}.pdf") == 1


@pytest.mark.parametrize("lang", LANGS)
def test_every_treatment_page_shows_its_review_date_under_its_title(built, guide, catalogue, lang):
    folder = catalogue.pages["treatment"].slug[lang]
    for treatment in guide.treatments:
        text = (built.site_dir / lang / folder / f"{treatment.slug[lang]}.html").read_text(encoding="utf-8")
        after_title = text[text.index("</h1>"):]
        dates = re.search(r'class="cg-page-dates"[^>]*>.*?<time datetime="([\d-]+)"', after_title, re.DOTALL)
        assert dates and dates.group(1) == treatment.last_reviewed.isoformat()
        assert after_title.index("cg-page-dates") < after_title.index("<h2")


@pytest.mark.parametrize("lang", LANGS)
def test_whats_new_lists_every_version_in_both_languages(built, guide, catalogue, lang):
    text = (built.site_dir / lang / f"{catalogue.pages['whats-new'].slug[lang]}.html").read_text(encoding="utf-8")
    for change in guide.changes.changes:
        assert f"{catalogue.ui['version'][lang]} {change.version}" in text


@pytest.mark.slow
def test_cite_this_page_gives_version_date_and_address_only_when_set(built, built_with_address, guide):
    page = "en/treatments/colchicine.html"
    without = re.search(r'cg-cite__text">([^<]+)<', (built.site_dir / page).read_text(encoding="utf-8")).group(1)
    with_address = re.search(r'cg-cite__text">([^<]+)<',
                             (built_with_address.site_dir / page).read_text(encoding="utf-8")).group(1)
    assert guide.site.version in without and "http" not in without
    assert with_address.endswith(ADDRESS + page) and with_address.startswith(without.rstrip("."))


@pytest.mark.parametrize("lang", LANGS)
def test_reference_exports_are_linked_from_every_page_and_exist(built, lang):
    for page in pages_of(built.site_dir, lang)[:3]:
        hrefs = Head(page.read_text(encoding="utf-8")).hrefs
        for suffix in (".ris", ".bib"):
            href = next(h for h in hrefs if h.endswith(suffix))
            assert (page.parent / href).resolve().is_file()


# --- who stands behind the guide, what changed -------------------------------------------------------------------


@pytest.mark.slow
def test_report_an_error_appears_only_when_there_is_a_contact(built, built_with_address):
    for lang in LANGS:
        for page in pages_of(built.site_dir, lang):
            assert "cg-report-error" not in page.read_text(encoding="utf-8")
        for page in pages_of(built_with_address.site_dir, lang):
            report = [href for href in Head(page.read_text(encoding="utf-8")).hrefs if href.startswith("mailto:")]
            assert report and report[-1].startswith(f"mailto:{CONTACT}?subject="), page


@pytest.mark.slow
def test_about_names_the_editors_only_when_there_are_some(built, built_with_address, catalogue):
    for lang in LANGS:
        about = f"{lang}/{catalogue.pages['about'].slug[lang]}.html"
        shipped = (built.site_dir / about).read_text(encoding="utf-8")
        statement = catalogue.ui["editors_not_named"][lang].split(".")[0]  # "The editorial board is not yet named"
        assert statement.replace("'", "’") in shipped.replace("'", "’")
        with_editors = (built_with_address.site_dir / about).read_text(encoding="utf-8")
        assert EDITOR in with_editors and CONTACT in with_editors


@pytest.mark.slow
def test_once_editors_are_named_no_page_chooser_or_handout_says_draft_and_dates_say_reviewed(built_with_address,
                                                                                         catalogue):
    """The other state of issue 23's draft notice (tests/test_care.py checks the shipped, draft state)."""
    chooser = (built_with_address.site_dir / "index.html").read_text(encoding="utf-8")
    assert "cg-draft" not in chooser
    for lang in LANGS:
        reviewed = catalogue.ui["last_reviewed"][lang].replace("'", "’")
        pages = [path for path in (built_with_address.site_dir / lang).rglob("*.html") if "assets" not in path.parts
                 and not is_redirect_page(path)
                 and path.name != "404.html"]
        assert len(pages) >= 30
        for path in pages:
            text = path.read_text(encoding="utf-8")
            assert 'class="cg-draft"' not in text, path
            assert reviewed in text.replace("'", "’"), path
            assert catalogue.ui["checked_on"][lang].replace("'", "’") not in text.replace("'", "’"), path
        first_page = PdfReader(built_with_address.dist_dir / f"handout-{lang}.pdf").pages[0].extract_text()
        assert " ".join(catalogue.ui["draft_notice"][lang].split()[:4]) not in " ".join(first_page.split())


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_only_pages_touched_by_the_newest_version_say_so(built_with_address, catalogue, lang):
    noted = {page.relative_to(built_with_address.site_dir / lang).as_posix()
             for page in pages_of(built_with_address.site_dir, lang)
             if 'class="cg-updated"' in page.read_text(encoding="utf-8")}
    assert noted == {f"{catalogue.pages['treatment'].slug[lang]}/{TOUCHED}.html"}
