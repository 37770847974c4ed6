"""The pages of the site, planned once for both languages: each page's kind, template, addresses and titles."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .content import LANGS, Guide, Text


@dataclass(frozen=True)
class Page:
    """One page of the site, the same in both languages: its kind, template, addresses and template context."""

    kind: str
    template: str
    paths: dict[str, str]  # language → Markdown path inside that language's docs folder
    titles: dict[str, str]
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def url(self, lang: str) -> str:
        return self.paths[lang].removesuffix(".md") + ".html"

    @property
    def page_id(self) -> str:
        """How changes.yml names this page: a treatment's id, else the kind of page."""
        return self.context["treatment"].id if self.kind == "treatment" else self.kind


# Every page carries the whole sidebar: past this many treatments, the treatments section of the sidebar shows
# its landing page (which lists every treatment by tier) instead of every treatment, so that the weight of each
# page, and MkDocs' time per page, stay flat as the guide grows.
NAV_SECTION_LIMIT = 30


@dataclass(frozen=True)
class RenderedLanguage:
    lang: str
    docs_dir: Path
    nav: list[Any]
    pages: list[Page]
    not_in_nav: tuple[str, ...] = ()  # pages left out of the sidebar on purpose (MkDocs' `not_in_nav` patterns)
    fragments: Path | None = None  # the pages' content fragments, which MkDocs swaps in (calcguide/placeholders.py)

    def page_markdown(self, page: Page) -> str:
        """A page's Markdown with its content fragments filled in: what it says, before MkDocs."""
        from .placeholders import read_tables

        markdown = (self.docs_dir / page.paths[self.lang]).read_text(encoding="utf-8")
        return read_tables(self.fragments)[page.paths[self.lang]].fill(markdown) if self.fragments else markdown


def plan_pages(guide: Guide, catalogue: Catalogue) -> list[Page]:
    """Every page of the site, in navigation order; the same list serves both languages."""

    def simple(kind: str, title: Text | None = None, slug: Any = None, **context: Any) -> Page:
        strings = catalogue.pages[kind]
        title, slug = title or strings.title, slug or strings.slug  # a chapter may name its own address
        return Page(kind, f"pages/{kind}.md.j2", {lang: slug[lang] + ".md" for lang in LANGS},
                    {lang: title[lang] for lang in LANGS}, context)

    treatment_dir = catalogue.pages["treatment"].slug
    treatment_pages = [
        Page("treatment", "pages/treatment.md.j2",
             {lang: f"{treatment_dir[lang]}/{treatment.slug[lang]}.md" for lang in LANGS},
             {lang: treatment.name[lang] for lang in LANGS}, {"treatment": treatment})
        for tier in guide.tiers.tiers for treatment in guide.treatments_in_tier(tier.id)
        if treatment.tiers[0] == tier.id
    ]
    return [
        simple("home", guide.summary.title),
        simple("evaluation", guide.evaluation.title),
        # Wide (no table of contents beside it): the chart takes the screen's width, and a first view has that
        # much less to lay out and keep in step with the scrolling (Material's toc.follow).
        simple("algorithm", guide.algorithm.title, wide=True),
        simple("treatments", guide.tiers.title),
        *treatment_pages,
        # "Safety at a glance": each systemic drug's safety, linked to its page; searched first for safety words.
        # Wide: the table takes the screen's width (no table of contents beside it).
        simple("safety", wide=True),
        simple("classification", guide.classification.title),
        simple("diseases", guide.diseases.title),
        simple("focus", guide.focus.title, guide.focus.slug),
        simple("care", guide.care.title),
        simple("leaflet", guide.leaflet.title),  # the patient leaflet, also printed (calcguide/handout.py)
        simple("response", guide.response.title),
        simple("references"),
        simple("glossary", guide.glossary.title),
        simple("about"),
        simple("whats-new"),
    ]
