"""Every page of the offline bundle, opened once from file:// as a reader opens the unpacked zip (the bundle is the
site's own files, byte for byte: test_offline.py), and checked for everything that concerns a page on its own:
nothing fetched from outside and no console error; axe-core (npm, pinned in package.json) in the light and in the
dark scheme; on a phone (no sideways scrolling, tap targets big enough); printed at A4 width without the site's
chrome. Each load costs more than all the checks on it, so one load per page serves them all (tests/test_phone.py
checks that a page resized to a phone's width is the page loaded at that width); the hosted site's pages are
loaded through nginx in test_nginx_csp.py."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import visit, wait_for_scheme, without_transitions
from calcguide.content import LANGS
from conftest import PROJECT, is_redirect_page
from phone import PHONE_WIDTHS, phone_view

pytestmark = pytest.mark.browser

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
# What axe reports, cut down to what a failing test needs to say: rule, impact, the first elements. Given a tag,
# only the rules of that tag that axe runs by default (it leaves out the AAA and experimental ones). No preload:
# axe would fetch the stylesheets again by XMLHttpRequest, which file:// refuses (and logs as errors of the page).
RUN_AXE = """async (tag) => {
  const rules = tag && axe.getRules([tag]).filter(rule => !rule.tags.some(other => ["wcag2aaa", "experimental"]
                                                                                   .includes(other)))
  const only = rules ? {runOnly: {type: "rule", values: rules.map(rule => rule.ruleId)}} : {}
  const result = await axe.run(document, {resultTypes: ["violations"], preload: false, ...only})
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))
}"""
# The scheme changes colours and nothing else: in the dark one, axe's colour rules are those whose verdict can
# change (contrast, links told apart by colour); every other rule reads structure, checked in the light scheme.
COLOUR_RULES = "cat.color"
# Dark is the system setting turned dark on a page already loaded: our palette script (docs/assets/javascripts/
# palette.js) then gives the body the dark scheme, as for a reader who has not chosen with the toggle. No
# stylesheet of ours or of the chooser reads the system setting itself, so this is the whole of what dark changes
# (tests/test_dark_mode.py checks that a dark system setting does give the dark scheme at load).

SCREEN = {"width": 1280, "height": 900}
# A4 minus the @page margins of print.css (13 mm each side), in CSS pixels: the width a printed page lays out in.
A4_CONTENT_WIDTH_PX = round((210 - 26) / 25.4 * 96)
PAPER = {"width": A4_CONTENT_WIDTH_PX, "height": 1000}
WIDER_THAN = """width => [...document.querySelectorAll('body *')]
  .filter(element => element.getBoundingClientRect().right > width + 1)
  .map(element => element.tagName + '.' + element.className).slice(0, 3)"""
CHROME = (".md-header", ".md-sidebar--primary")  # what a printed page never shows


@dataclass
class PageReport:
    outside_or_errors: list[str]  # requests that left the bundle, and console errors
    axe: dict[str, list[str]]  # violations per scheme
    phone: dict[int, tuple[int, list[str]]]  # per phone width: how wide the page scrolls, its too small controls
    too_wide_in_print: list[str]
    chrome_in_print: list[str]


def pages_of(folder: Path) -> list[Path]:
    return sorted(page for page in folder.rglob("*.html") if not is_redirect_page(page))


@pytest.fixture(scope="module")
def reports(bundle, browser) -> dict[str, PageReport]:
    """Each page loaded on a desktop screen in the light scheme, narrowed to each phone width, printed (as a
    browser prints what it shows: print media, paper width), then turned dark."""
    reports = {}
    with visit(browser, offline=True, viewport=SCREEN, color_scheme="light") as session:
        tab = session.page
        tab.context.add_init_script(path=AXE)
        for page in pages_of(bundle):
            name, themed = page.relative_to(bundle).as_posix(), page.parent != bundle  # the chooser has no theme
            requests, errors = len(session.outside_requests), len(session.console_errors)
            tab.set_viewport_size(SCREEN)
            tab.emulate_media(media="screen", color_scheme="light")
            tab.goto(page.as_uri())
            assert not themed or tab.get_attribute("body", "data-md-color-scheme") == "default", name
            light = tab.evaluate(RUN_AXE, None)
            without_transitions(tab)
            phone = {width: phone_view(tab, width) for width in PHONE_WIDTHS}

            tab.emulate_media(media="print")
            tab.set_viewport_size(PAPER)
            too_wide = tab.evaluate(WIDER_THAN, A4_CONTENT_WIDTH_PX)
            chrome = [selector for selector in CHROME if tab.locator(selector).is_visible()]
            tab.emulate_media(media="screen")
            tab.set_viewport_size(SCREEN)

            tab.emulate_media(color_scheme="dark")
            if themed:
                wait_for_scheme(tab, "slate")
            dark = tab.evaluate(RUN_AXE, COLOUR_RULES)
            reports[name] = PageReport(session.outside_requests[requests:] + session.console_errors[errors:],
                                       {"light": light, "dark": dark}, phone, too_wide, chrome)
    return reports


def test_every_page_of_both_languages_is_checked(reports):
    for lang in LANGS:
        assert len([name for name in reports if name.startswith(f"{lang}/")]) > 10


def test_no_page_fetches_anything_from_outside_or_logs_an_error(reports):
    assert {name: report.outside_or_errors for name, report in reports.items() if report.outside_or_errors} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(reports, scheme):
    assert {name: report.axe[scheme] for name, report in reports.items() if report.axe[scheme]} == {}


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_no_page_is_wider_than_a_phone(reports, width):
    too_wide = {name: report.phone[width][0] for name, report in reports.items() if report.phone[width][0] > width}
    assert too_wide == {}


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_every_control_is_a_big_enough_tap_target(reports, width):
    """Citation numbers included."""
    small = {name: report.phone[width][1] for name, report in reports.items() if report.phone[width][1]}
    assert small == {}


def test_every_page_prints_within_the_a4_width(reports):
    """Nothing wider than the printed page (Chromium would shrink the whole page or cut a table)."""
    assert {name: report.too_wide_in_print for name, report in reports.items() if report.too_wide_in_print} == {}


def test_no_printed_page_shows_the_site_header_or_menu(reports):
    assert {name: report.chrome_in_print for name, report in reports.items() if report.chrome_in_print} == {}
