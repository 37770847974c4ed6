"""References where you read: a citation [n] shows its reference in place — on hover, on keyboard focus and on a
tap — without leaving the page, from file:// (the offline bundle) as on the hosted site (tests/test_nginx_csp.py)."""
from __future__ import annotations

import pytest

from browser import visit

pytestmark = pytest.mark.browser

MAX_TABS = 200  # a page has far fewer focusable elements before its first citation


def first_citation_page(built, lang: str = "en") -> str:
    """A treatment page: it cites references in its first paragraph."""
    return next((built.site_dir / lang).glob("*/diltiazem.html")).as_uri()


def test_hovering_a_citation_shows_its_reference(browser, built):
    with visit(browser) as tab:
        tab.page.goto(first_citation_page(built))
        citation = tab.page.locator("a.cite").first
        citation.hover()
        bubble = tab.page.locator(".cg-refpop")
        bubble.wait_for(state="visible")
        assert citation.get_attribute("data-cg-ref") in bubble.inner_text()
        assert citation.get_attribute("aria-describedby") == "cg-refpop"
        tab.page.mouse.move(0, 0)
        bubble.wait_for(state="hidden")
        assert tab.console_errors == [] and tab.outside_requests == []


def test_tabbing_to_a_citation_shows_its_reference_and_escape_hides_it(browser, built):
    with visit(browser) as tab:
        tab.page.goto(first_citation_page(built, "fr"))
        for _ in range(MAX_TABS):
            tab.page.keyboard.press("Tab")
            if tab.page.evaluate("document.activeElement.matches('a.cite')"):
                break
        else:
            pytest.fail("no citation is reachable with the Tab key")
        bubble = tab.page.locator(".cg-refpop")
        bubble.wait_for(state="visible")
        expected = tab.page.evaluate("document.activeElement.getAttribute('data-cg-ref')")
        assert expected in bubble.inner_text()
        tab.page.keyboard.press("Escape")
        bubble.wait_for(state="hidden")


def test_tapping_a_citation_shows_its_reference_without_leaving_the_page(browser, built):
    page_url = first_citation_page(built)
    with visit(browser, has_touch=True, is_mobile=True, viewport={"width": 390, "height": 800}) as tab:
        tab.page.goto(page_url)
        citation = tab.page.locator("a.cite").first
        citation.tap()
        bubble = tab.page.locator(".cg-refpop")
        bubble.wait_for(state="visible")
        assert tab.page.url == page_url
        more = bubble.locator("a.cg-refpop__more")
        assert more.is_visible() and more.get_attribute("href") == citation.get_attribute("href")
        tab.page.locator("h1").tap()
        bubble.wait_for(state="hidden")
        assert tab.console_errors == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_citation_never_breaks_from_its_brackets_on_a_phone(browser, built, lang):
    """Each citation ("[3, 7]") is one box on one line, at 360 px where lines are shortest."""
    pages = [next((built.site_dir / lang).glob(f"*/{name}.html")) for name in ("diltiazem", "anti-tnf")]
    pages += [path for path in (built.site_dir / lang).glob("*.html") if "cg-cites" in path.read_text(encoding="utf-8")]
    with visit(browser, viewport={"width": 360, "height": 800}) as tab:
        checked = 0
        for path in pages:
            tab.page.goto(path.as_uri())
            broken = tab.page.evaluate("""() => Array.from(document.querySelectorAll('.cg-cites'))
                .filter(cites => cites.getClientRects().length > 1
                                 || !/^\\[[\\d, ]+\\]$/.test(cites.textContent.replace(/\\s+/g, ' ')))
                .map(cites => cites.textContent)""")
            assert broken == [], (path.name, broken)
            checked += tab.page.locator(".cg-cites").count()
        assert checked > 100
        assert tab.console_errors == []
