"""Honest and quick at the point of care (issue 23, items 1–4): the draft notice while no editor is named and the
page date that says what was done; "Before prescribing" at the top of every drug page, in one phone screen; one
status badge in a prescriber's words, evidence apart; Safety at a glance, one row (or card) per drug."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT, errors_of, is_redirect_page, markdown_with_an_editor
from lxml import html as lxml_html

from calcguide.catalogue import date_in_words
from calcguide.content import LANGS

SHORT_FIELDS = ("contraindications", "pregnancy", "kidney", "monitoring")


def spaced(text: str) -> str:
    """Words with French typography's no-break spaces made plain, and a typographic apostrophe made straight."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2019", "'").split())


def pages_of(site: Path, lang: str) -> list[Path]:
    """Every page of a language site (the server's error page for a missing address, 404.html, holds nothing of the
    guide: neither text, date nor disclaimer)."""
    return sorted(path for path in (site / lang).rglob("*.html") if "assets" not in path.parts
                  and path.name != "404.html" and not is_redirect_page(path))


def tree(path: Path):
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def said_in(said: str, text: str) -> bool:
    """`said` in `text`, as written or, after a colon of the page, with French's first letter in lower case."""
    return said in text or said[:1].lower() + said[1:] in text


def words(element) -> str:
    return spaced(element.text_content())


def drug_page(built, lang: str, treatment) -> Path:
    folder = "treatments" if lang == "en" else "traitements"
    return built.site_dir / lang / folder / f"{treatment.slug[lang]}.html"


# --- 1. the draft notice and the page date --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_says_it_is_a_draft_while_no_editor_is_named(built, guide, catalogue, lang):
    assert not guide.site.editors
    notice = spaced(catalogue.ui["draft_notice"][lang])
    pages = pages_of(built.site_dir, lang)
    assert len(pages) >= 30
    for path in pages:
        found = tree(path).xpath('//*[contains(@class, "cg-draft")][@role="note"]')
        assert len(found) == 1 and notice in words(found[0]), path


def test_the_chooser_and_the_offline_index_say_it_is_a_draft_in_each_language(built, bundle, guide, catalogue):
    for index in (built.site_dir / "index.html", bundle / "index.html"):
        page = tree(index)
        for lang in LANGS:
            [section] = page.xpath(f'//section[@lang="{lang}"]')
            [notice] = section.xpath('.//*[contains(@class, "cg-draft")][@role="note"]')
            assert spaced(catalogue.ui["draft_notice"][lang]) in words(notice), index
        # Its date is what was done, in each language's words.
        review = words(page.xpath('//*[contains(@class, "cg-review")]')[0])
        for lang in LANGS:
            assert spaced(f'{catalogue.ui["checked_on"][lang]} {date_in_words(catalogue, guide.last_reviewed, lang)}') in review


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_date_says_checked_against_its_sources_in_words_not_reviewed(built, guide, catalogue, lang):
    checked = spaced(catalogue.ui["checked_on"][lang])
    reviewed = spaced(catalogue.ui["last_reviewed"][lang])
    # "29 November 2026", « 29 novembre 2026 »: the month written out.
    month = re.compile(r"\d{1,2} [a-zéû]+ \d{4}", re.I)
    for path in pages_of(built.site_dir, lang):
        page = tree(path)
        text = words(page)
        assert reviewed not in text, path
        # The date line under the title (What's new also dates each version with this class, in words too).
        line = page.xpath('//article//*[contains(@class, "cg-page-dates")]')[0]
        said = words(line)
        assert said.startswith(checked) and month.search(said), (path, said)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", said), (path, said)
        [footer] = page.xpath('//aside[contains(@class, "cg-disclaimer")]//*[contains(@class, "cg-review")]')
        assert checked in words(footer) and month.search(words(footer)), path
    assert spaced(date_in_words(catalogue, guide.last_reviewed, lang)) in words(tree(pages_of(built.site_dir, lang)[0]))


def test_dates_in_words_in_both_languages(catalogue):
    import datetime as dt

    day = dt.date(2026, 11, 29)
    # The day and the month never part at a line end (a no-break space between them).
    assert date_in_words(catalogue, day, "en") == "29\u00a0November 2026"
    assert date_in_words(catalogue, day, "fr") == "29\u00a0novembre 2026"


def test_the_handout_page_1_says_it_is_a_draft(guide, catalogue, tmp_path):
    """The page Chromium prints (the printed PDF is read by the browser test below): the notice comes before the
    chart, on page 1, and its date says what was done, both in the page and in the running head of the next pages."""
    from calcguide.handout import HandoutRenderer

    for lang in LANGS:
        page = HandoutRenderer(guide, catalogue, PROJECT / "templates").html(lang, PROJECT)
        head = page[:page.index("cg-handout__algorithm")]
        assert 'class="cg-draft"' in head, lang
        assert spaced(catalogue.ui["draft_notice"][lang]) in spaced(lxml_html.fromstring(head).text_content())
        assert spaced(catalogue.ui["checked_on"][lang]) in spaced(page)
        assert spaced(catalogue.ui["last_reviewed"][lang]) not in spaced(page)


def test_the_printed_leaflet_dates_itself_as_checked_not_reviewed_while_no_editor_is_named(guide, catalogue):
    from calcguide.handout import LEAFLET, HandoutRenderer

    for lang in LANGS:
        page = HandoutRenderer(guide, catalogue, PROJECT / "templates").html(lang, PROJECT, LEAFLET)
        meta = spaced(lxml_html.fromstring(page).xpath('//*[contains(@class, "cg-leaflet__meta")]')[0].text_content())
        assert spaced(catalogue.ui["checked_on"][lang]) in meta, meta
        assert spaced(catalogue.ui["last_reviewed"][lang]) not in meta, meta


@pytest.mark.browser  # the printed handouts
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_handout_says_draft_on_page_1(built, catalogue, lang):
    from pypdf import PdfReader

    first = spaced(PdfReader(built.dist_dir / f"handout-{lang}.pdf").pages[0].extract_text())
    assert spaced(catalogue.ui["draft_notice"][lang]) in first
    assert spaced(catalogue.ui["last_reviewed"][lang]) not in first


def test_once_an_editor_is_named_the_notice_goes_and_the_date_says_reviewed(content_copy, tmp_path, catalogue):
    """The other state, at the render stage (the built pages with editors are checked in test_published_site)."""
    pages = markdown_with_an_editor(content_copy, tmp_path / "docs", catalogue)
    for lang in LANGS:
        for page_id, markdown in pages[lang].items():
            dates = markdown[markdown.index('<p class="cg-page-dates"'):]
            dates = dates[:dates.index("</p>")]
            assert spaced(catalogue.ui["last_reviewed"][lang]) in spaced(dates), page_id
            assert spaced(catalogue.ui["checked_on"][lang]) not in spaced(dates)
            assert "cg-draft" not in markdown


# --- 3. one status badge in a prescriber's words, evidence apart ---------------------------------------------------


def expected_status(guide, catalogue, treatment, lang: str) -> str:
    if treatment.status == "no-longer-recommended":
        return catalogue.statuses[treatment.status][lang]
    return catalogue.advice[guide.tier(treatment.tiers[0]).advice][lang]


@pytest.mark.parametrize("lang", LANGS)
def test_every_treatment_page_has_one_status_badge_in_prescriber_words_then_its_evidence(built, guide, catalogue,
                                                                                          lang):
    for treatment in guide.treatments:
        page = tree(drug_page(built, lang, treatment))
        [article] = page.xpath('//article')
        badges = article.xpath('.//*[contains(@class, "cg-badge--status")]')
        assert len(badges) == 1, treatment.id  # no second badge, no repeated row in the facts table
        assert words(badges[0]) == spaced(expected_status(guide, catalogue, treatment, lang)), treatment.id
        assert not article.xpath('.//*[contains(@class, "cg-badge--placement") or contains(@class, "cg-badge--tier")]')
        [line] = article.xpath('.//p[contains(@class, "cg-badges")]')
        evidence = line.xpath('.//*[contains(@class, "cg-evidence-line")]')
        assert evidence and words(evidence[0]).startswith(spaced(catalogue.ui["evidence"][lang])), treatment.id
        facts = words(article.xpath('.//*[contains(@class, "cg-facts")]')[0])
        assert spaced(catalogue.ui["status"][lang]) not in facts and words(badges[0]) not in facts


def test_every_tier_has_advice_words_and_every_advice_has_words_in_both_languages(guide, catalogue):
    import typing

    from calcguide.content.schema import Advice

    assert set(catalogue.advice) == set(typing.get_args(Advice))
    assert {tier.advice for tier in guide.tiers.tiers} <= set(catalogue.advice)
    # The words the issue asks for, as a prescriber says them.
    assert catalogue.advice["first-line"]["en"] == "Generally prescribed first"
    assert catalogue.statuses["no-longer-recommended"]["en"] == "No longer recommended"


def test_in_french_tier_and_level_of_evidence_never_share_a_word(built, guide, catalogue):
    """« niveau » is the level of evidence only; a tier is an « étape »."""
    tier_words = [
        catalogue.ui["tier"]["fr"], catalogue.ui["tiers"]["fr"], catalogue.ui["tiers_at_a_glance"]["fr"],
        catalogue.ui["treatments_in_tier"]["fr"], catalogue.pages["treatments"].title["fr"], guide.tiers.title["fr"],
        guide.tiers.intro["fr"], *(text["fr"] for text in catalogue.advice.values()),
        *(text["fr"] for text in catalogue.statuses.values()), *(tier.name["fr"] for tier in guide.tiers.tiers)]
    for text in tier_words:
        assert "niveau" not in text.lower(), text
    assert "niveau" in catalogue.ui["evidence"]["fr"].lower()
    # On the built tiers page, the tier headings and the table's labels say « étape », never « niveau ».
    page = tree(built.site_dir / "fr" / "traitements.html")
    for heading in page.xpath("//article//h1 | //article//h2 | //article//th"):
        assert "niveau" not in words(heading).lower() or "preuve" in words(heading).lower(), words(heading)


# --- 2. "Before prescribing" -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_drug_page_opens_with_before_prescribing_linked_to_its_details(built, guide, catalogue, lang):
    for treatment in guide.treatments:
        page = tree(drug_page(built, lang, treatment))
        panels = page.xpath('//section[contains(@class, "cg-before")]')
        if treatment.kind != "drug":
            assert panels == [], treatment.id
            continue
        [panel] = panels
        assert words(panel).startswith(spaced(catalogue.ui["before_prescribing"][lang]))
        # Before the summary and the facts: at the top of the page.
        body = page.xpath("//article")[0]
        order = [element for element in body.iter() if element is panel or "cg-facts" in (element.get("class") or "")]
        assert order[0] is panel, treatment.id
        ids = set(page.xpath("//@id"))
        for field in SHORT_FIELDS:
            [link] = panel.xpath(f'.//a[@href="#safety-{field}"]')
            assert f"safety-{field}" in ids, (treatment.id, field)
            short = getattr(treatment.safety.short, field)[lang].split("[@")[0]  # its words, before any citation
            # After the panel's colon, French goes on in lower case (calcguide/typography.py: lower_first_word).
            assert said_in(spaced(short)[:40], words(panel)), (treatment.id, field)
        for shown in guide.interactions_of(treatment.id):
            action = shown.interaction.action[lang].split("[@")[0]
            if shown.other_than(treatment.id):  # with another treatment of the guide: its action word for word
                assert said_in(spaced(action)[:40], words(panel)), (treatment.id, shown.other_than(treatment.id))
            else:
                assert spaced(shown.interaction.other[lang]) in words(panel), treatment.id
        if any(shown.partner is None for shown in guide.interactions_of(treatment.id)):
            assert panel.xpath('.//a[@href="#interactions"]') and "interactions" in ids


def test_every_drug_has_its_short_safety_lines_and_a_drug_without_them_is_refused(guide, content_copy):
    for treatment in guide.treatments:
        if treatment.kind == "drug":
            for field in SHORT_FIELDS:
                assert getattr(treatment.safety.short, field), (treatment.id, field)
    text = (content_copy / "treatments" / "probenecid.yml").read_text(encoding="utf-8")
    start = text.index("  short:\n")
    end = text.index("\n  contraindications:", start)
    (content_copy / "treatments" / "probenecid.yml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    errors = errors_of(content_copy)
    assert any(re.match(r"treatments/probenecid\.yml:\d+: safety\.short: missing", error) for error in errors), errors


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_before_prescribing_fits_in_one_360_by_740_phone_screen(built, guide, browser, lang):
    from browser import visit, without_transitions

    with visit(browser, viewport={"width": 360, "height": 740}) as seen:
        page = seen.page
        for treatment in guide.treatments:
            if treatment.kind != "drug":
                continue
            page.goto(drug_page(built, lang, treatment).as_uri())
            without_transitions(page)
            header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().height")
            panel = page.evaluate("(() => { const r = document.querySelector('.cg-before').getBoundingClientRect();"
                                  " return {height: r.height, width: r.width}; })()")
            # Scrolled under the sticky header, the whole panel is in the screen at once.
            assert panel["height"] <= 740 - header, (treatment.id, panel, header)
            assert panel["width"] <= 360
        assert seen.outside_requests == [] and seen.console_errors == []


# --- 4. Safety at a glance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_safety_at_a_glance_has_one_row_per_drug_with_short_cells_linking_to_the_detail(built, guide, catalogue,
                                                                                       lang):
    slug = catalogue.pages["safety"].slug[lang]
    page = tree(built.site_dir / lang / f"{slug}.html")
    [table] = page.xpath('//table[contains(@class, "cg-glance")]')
    assert len(table.xpath(".//thead//th")) == 6
    rows = table.xpath(".//tbody/tr")
    drugs = [treatment for treatment in guide.treatments if treatment.kind == "drug"]
    assert len(rows) == len(drugs)
    for treatment in drugs:
        name = spaced(treatment.name[lang])
        [row] = [row for row in rows if words(row.xpath("./th")[0]).startswith(name)]
        hrefs = row.xpath(".//a/@href")
        for field in SHORT_FIELDS:
            assert any(href.endswith(f"/{treatment.slug[lang]}.html#safety-{field}") for href in hrefs), (treatment.id, field)
        assert any(href.endswith(f"/{treatment.slug[lang]}.html#interactions") for href in hrefs) or all(
            shown.partner for shown in guide.interactions_of(treatment.id))
        [status] = row.xpath('.//*[contains(@class, "cg-badge--status")]')
        assert words(status) == spaced(expected_status(guide, catalogue, treatment, lang))
        # Short cells: each a line or two of the drug's short text, never its full field.
        for cell in row.xpath("./td"):
            assert len(words(cell)) < 700, (treatment.id, words(cell)[:80])
    # The page leaves out the table of contents, so that the table takes the width of the screen.
    assert not page.xpath('//nav[contains(@class, "md-nav--secondary")]//a[contains(@class, "md-nav__link")]'
                          '[ancestor::div[contains(@class, "md-sidebar--secondary")]]')


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_safety_at_a_glance_is_a_full_width_table_with_a_header_in_view_and_cards_on_a_phone(built, catalogue,
                                                                                          browser, lang):
    from browser import visit, without_transitions

    slug = catalogue.pages["safety"].slug[lang]
    with visit(browser, viewport={"width": 1440, "height": 900}) as seen:
        page = seen.page
        page.goto((built.site_dir / lang / f"{slug}.html").as_uri())
        without_transitions(page)
        table = page.evaluate("document.querySelector('table.cg-glance').getBoundingClientRect().width")
        content = page.evaluate("document.querySelector('.md-main__inner').getBoundingClientRect().width")
        nav = page.evaluate("document.querySelector('.md-sidebar--primary').getBoundingClientRect().width")
        assert table >= (content - nav) * 0.9, (table, content, nav)
        # No word broken inside: no cell is wider inside than its box, and words wrap only at spaces.
        assert page.evaluate("""() => Array.from(document.querySelectorAll('.cg-glance :is(th, td)')).every(cell => {
            const style = getComputedStyle(cell);
            return cell.scrollWidth <= cell.clientWidth + 1 && style.hyphens !== 'auto'
                && style.overflowWrap === 'normal' && style.wordBreak === 'normal'; })""")
        # The header stays in view under the site's header while the rows scroll.
        page.evaluate("window.scrollTo(0, document.querySelector('table.cg-glance tbody tr:nth-child(6)').offsetTop)")
        page.wait_for_function("""() => { const head = document.querySelector('table.cg-glance thead th');
            const bar = document.querySelector('.md-header').getBoundingClientRect();
            const box = head.getBoundingClientRect(); return box.top >= 0 && box.top <= bar.bottom + 1; }""")
        # A phone: one card per drug, nothing wider than the screen.
        page.set_viewport_size({"width": 360, "height": 740})
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.evaluate("""() => Array.from(document.querySelectorAll('table.cg-glance tbody tr'))
            .every(row => getComputedStyle(row).display === 'block')""")
        assert seen.outside_requests == [] and seen.console_errors == []
