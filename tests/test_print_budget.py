"""Issue 30, item 9: each printed product has a page budget in content/site.yml (algorithm 1, handout 3, leaflet
2); going over it is a located warning in an everyday build and an error with --release (calcguide/pipeline.py)."""
from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from calcguide.content import load_guide
from calcguide.printbudget import algorithm_pages, budget_problems, printed_pages
from conftest import PROJECT, errors_of, replace_in, write_kept_text


def _pdf(path: Path, pages: list[str]) -> Path:
    """A PDF whose pages hold these lines of text (Helvetica, which every PDF reader knows; no parentheses)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))
    for text in pages:
        stream = b"BT /F1 12 Tf 72 720 Td (" + text.encode("cp1252") + b") Tj ET"
        page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                                               Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                                               Contents=pdf.make_stream(stream)))
        pdf.pages.append(page)
    pdf.save(path)
    return path


def _printed(dist: Path, catalogue, handout_pages: int, tiers_on: int, leaflet_pages: int = 2) -> None:
    for lang in ("en", "fr"):
        heading = catalogue.ui["tiers_at_a_glance"][lang]
        pages = [heading if number == tiers_on else f"page {number + 1}" for number in range(handout_pages)]
        _pdf(dist / f"handout-{lang}.pdf", pages)
        _pdf(dist / f"leaflet-{lang}.pdf", [f"page {number + 1}" for number in range(leaflet_pages)])


def test_products_within_their_budget_give_no_message(tmp_path, guide, catalogue):
    _printed(tmp_path, catalogue, handout_pages=3, tiers_on=1)
    assert budget_problems(guide, catalogue, tmp_path, PROJECT / "content") == []


def test_one_more_page_of_chart_and_of_handout_is_named_at_the_budget_it_breaks(tmp_path, guide, catalogue):
    _printed(tmp_path, catalogue, handout_pages=4, tiers_on=2, leaflet_pages=3)
    problems = [problem.for_editor() for problem in budget_problems(guide, catalogue, tmp_path, PROJECT / "content")]
    site = (PROJECT / "content" / "site.yml").read_text(encoding="utf-8").splitlines()
    line = next(number for number, row in enumerate(site, 1) if row.startswith("print_budget:"))
    assert len(problems) == 6, problems  # algorithm, handout and leaflet, in both languages
    assert all(problem.startswith(f"site.yml:{line}:") for problem in problems)
    assert any("the clinic handout in French takes 4 A4 pages, over its budget of 3" in problem for problem in problems)
    assert any("the algorithm (the handout's chart and disclaimer) in English takes 2 A4 pages, over its budget of 1"
               in problem for problem in problems)


def test_the_algorithm_is_the_pages_before_the_tiers():
    assert algorithm_pages(["chart", "chart, continued", "The tiers  of\ntreatment"], "The tiers of treatment") == 2


def test_printed_pages_reads_the_text_of_each_page(tmp_path):
    assert [text.strip() for text in printed_pages(_pdf(tmp_path / "x.pdf", ["one", "two"]))] == ["one", "two"]


def test_remembered_texts_are_those_of_the_same_pdf_only(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = _pdf(tmp_path / "first.pdf", ["one", "two"])
    assert printed_pages(first, cache) == printed_pages(first)
    assert len(list(cache.iterdir())) == 1
    monkeypatch.setattr("pypdf.PdfReader", None)  # a second read of the same bytes reads no PDF
    assert printed_pages(first, cache) == printed_pages(_pdf(tmp_path / "again.pdf", ["one", "two"]), cache)
    monkeypatch.undo()
    other = _pdf(tmp_path / "first.pdf", ["one", "two", "three"])  # rewritten in place: other bytes, other key
    assert [text.strip() for text in printed_pages(other, cache)] == ["one", "two", "three"]


def test_a_record_cut_short_is_read_again_from_the_pdf(tmp_path):
    cache = tmp_path / "cache"
    pdf = _pdf(tmp_path / "x.pdf", ["one"])
    printed_pages(pdf, cache)
    [record] = cache.iterdir()
    write_kept_text(record, '["on')
    assert [text.strip() for text in printed_pages(pdf, cache)] == ["one"]


@pytest.mark.parametrize("record", ["null", '{"a": 1}', '["one", 2]', "[" * 100_000, "a folder"])
def test_a_record_of_another_shape_is_read_again_from_the_pdf(tmp_path, record):
    cache = tmp_path / "cache"
    pdf = _pdf(tmp_path / "x.pdf", ["one", "two"])
    printed_pages(pdf, cache)
    [remembered] = cache.iterdir()
    remembered.unlink()
    remembered.mkdir() if record == "a folder" else write_kept_text(remembered, record)
    # {"a": 1} would count as one page: a four-page handout over its budget of three would pass
    assert [text.strip() for text in printed_pages(pdf, cache)] == ["one", "two"]
    assert [path.name for path in cache.iterdir()] == [remembered.name]  # no stray file when it cannot be written


def test_the_budget_is_configured_in_site_yml_and_checked(content_copy):
    assert load_guide(PROJECT / "content").site.print_budget.model_dump() == {"algorithm": 1, "handout": 3, "leaflet": 2}
    replace_in(content_copy / "site.yml", "print_budget: {algorithm: 1,", "print_budget: {algorithm: 0,")
    [error] = errors_of(content_copy)
    assert error.startswith("site.yml:") and "print_budget.algorithm" in error


def test_the_tiers_heading_is_found_whatever_apostrophe_and_spaces_the_page_printed():
    from calcguide.printbudget import algorithm_pages

    pages = ["1/3\nAlgorithme thérapeutique", "2/3\nLes étapes du traitement en un coup d\u2019\u0153il\u00a0", "3/3"]
    assert algorithm_pages(pages, "Les étapes du traitement en un coup d'\u0153il") == 1
