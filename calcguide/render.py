"""Render stage: the validated Guide, through the Jinja templates of templates/, into Markdown pages per language.

One template per kind of page serves both languages; interface words come from templates/strings.yml.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import jinja2

from .catalogue import Catalogue, load_catalogue  # noqa: F401 - load_catalogue: the render stage's other entry point
from .content import CITATION, LANGS, Guide, Text
from .pages import NAV_SECTION_LIMIT, Page, RenderedLanguage, plan_pages  # noqa: F401 - what other stages import
from .deployment import PublishSettings
from .export import BIBTEX_FILE, RIS_FILE
from .pagefacts import PageFacts, page_facts
from .typography import content_text, plain_text

# A citation with the whitespace before it: "text [@ref]" renders "text\u00a0[1]", never with two spaces.
CITED_WITH_SPACE = re.compile(r"[ \t]*" + CITATION.pattern)
LINE_BREAKS = re.compile(r"[ \t\r\n]+")


class Renderer:
    """The Jinja environment bound to one guide; `render_language` writes one language's Markdown tree."""

    def __init__(self, guide: Guide, catalogue: Catalogue, templates_dir: Path,
                 bytecode_cache: jinja2.BytecodeCache | None = None, settings: PublishSettings | None = None):
        self.guide = guide
        self.catalogue = catalogue
        self.settings = settings or PublishSettings()
        self.pages = plan_pages(guide, catalogue)
        self.page_of_kind = {page.kind: page for page in self.pages if page.kind != "treatment"}
        self.page_of_treatment = {page.context["treatment"].id: page for page in self.pages if page.kind == "treatment"}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # the output is Markdown; content texts are checked for HTML at validation
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=bytecode_cache,  # compiling the templates was most of this stage
        )
        self.env.filters.update(tr=self._tr, md=self._markdown, cell=self._cell, ui=self._ui, date_text=self._date_text)
        self.env.globals.update(link=self._link, treatment_link=self._treatment_link, ref_link=self._ref_link,
                                guide=guide, strings=catalogue, page_link=self._page_link, page_title=self._page_title,
                                citation_of=self._citation_of, settings=self.settings, ris_file=RIS_FILE,
                                bibtex_file=BIBTEX_FILE, langs=LANGS)

    # --- filters and globals (they read the current page and language from the template context) ----------

    @staticmethod
    def _tr(text: Text | dict, lang: str) -> Any:
        # Typeset here too: a text may land in raw HTML, which no Markdown extension sees.
        value = text[lang]
        return plain_text(value, lang) if isinstance(value, str) else value

    @jinja2.pass_context
    def _ui(self, context: jinja2.runtime.Context, key: str) -> str:
        return plain_text(self.catalogue.ui[key][context["lang"]], context["lang"])

    @jinja2.pass_context
    def _date_text(self, context: jinja2.runtime.Context, date: "dt.date") -> str:
        """A date as readers of the language write it (the pattern is an interface string, `date_format`)."""
        from babel.dates import format_date

        return format_date(date, self.catalogue.ui["date_format"][context["lang"]], locale=context["lang"])

    def _page(self, page_id: str) -> Page:
        return next(page for page in self.pages if page.page_id == page_id)

    @jinja2.pass_context
    def _page_link(self, context: jinja2.runtime.Context, page_id: str) -> str:
        return self.href(context["page"], context["lang"], self._page(page_id).paths[context["lang"]])

    @jinja2.pass_context
    def _page_title(self, context: jinja2.runtime.Context, page_id: str) -> str:
        return self._page(page_id).titles[context["lang"]]

    @jinja2.pass_context
    def _citation_of(self, context: jinja2.runtime.Context, page_id: str) -> str:
        """The Vancouver citation of a page (About cites the whole guide: the home page's citation)."""
        lang, page = context["lang"], self._page(page_id)
        facts = page_facts(self.guide, page_id, lang, self.settings.page_url(lang, page.url(lang)))
        # Only ordinary white space is collapsed: the no-break spaces of French typography stay.
        return LINE_BREAKS.sub(" ", self.env.get_template("citation.txt.j2").render(lang=lang, page=page, facts=facts)).strip()

    @jinja2.pass_context
    def _link(self, context: jinja2.runtime.Context, kind: str, anchor: str = "") -> str:
        target = self.page_of_kind[kind].paths[context["lang"]]
        return self.href(context["page"], context["lang"], target) + (f"#{anchor}" if anchor else "")

    @jinja2.pass_context
    def _treatment_link(self, context: jinja2.runtime.Context, treatment_id: str) -> str:
        return self.href(context["page"], context["lang"], self.page_of_treatment[treatment_id].paths[context["lang"]])

    @jinja2.pass_context
    def _ref_link(self, context: jinja2.runtime.Context, ref_id: str) -> str:
        return self._link(context, "references", ref_id)

    @jinja2.pass_context
    def _markdown(self, context: jinja2.runtime.Context, text: Text | str) -> str:
        value = text[context["lang"]] if isinstance(text, Text) else text
        return self.text(value, context["lang"], lambda ref_id: self._ref_link(context, ref_id))

    # --- what a subclass may change (the handout: paper instead of the site) ---------------------------------

    def href(self, page: Page, lang: str, target: str) -> str:
        """The address of `target` (a Markdown path of the language's docs folder) as written on `page`."""
        here = posixpath.dirname(page.paths[lang])
        return posixpath.relpath(target, here or ".")

    def text(self, value: str, lang: str, ref_link: Callable[[str], str]) -> str:
        """A content text of `lang`, typeset, with [@ref] citations turned into numbered links."""
        value = content_text(value, lang)

        def cite(match: re.Match) -> str:
            links = []
            for ref_id in (part.strip().lstrip("@") for part in match.group(1).split(";")):
                number = self.guide.reference_number(ref_id)
                reference = self._tooltip(ref_id)
                links.append(f'[{number}]({ref_link(ref_id)}){{ .cite data-cg-ref="{reference}" }}')
            return "\u00a0[" + ", ".join(links) + "]"

        # The citation brings its own no-break space, so it swallows the space the editor typed before it.
        return CITED_WITH_SPACE.sub(cite, value).strip()

    @functools.cache
    def _tooltip(self, ref_id: str) -> str:
        """The reference as plain text for the citation's data-cg-ref attribute; attr_list ends a value at its
        first double quote and a list at a brace, so those become harmless look-alikes."""
        text = self.env.get_template("reference-tooltip.j2").module.reference_tooltip(self.guide.reference(ref_id))
        return " ".join(str(text).split()).replace('"', "'").replace("{", "(").replace("}", ")")

    @jinja2.pass_context
    def _cell(self, context: jinja2.runtime.Context, text: Text | str) -> str:
        """Like `md`, flattened for a Markdown table cell."""
        # Only ordinary white space: the no-break spaces of citations and of French typography stay.
        return LINE_BREAKS.sub(" ", self._markdown(context, text)).strip().replace("|", "\\|")

    # --- output -----------------------------------------------------------------------------------------------

    def render_language(self, lang: str, docs_dir: Path) -> RenderedLanguage:
        # Every page ends with the glossary's abbreviations, which the abbr extension turns into tooltips.
        abbreviations = self.env.get_template("abbreviations.md.j2").render(lang=lang, page=self.pages[0])
        for page in self.pages:
            template = self.env.get_template(page.template)
            facts = page_facts(self.guide, page.page_id, lang, self.settings.page_url(lang, page.url(lang)))
            body = template.render(lang=lang, page=page, facts=facts, **page.context)
            body = self._with_dates_under_title(body, lang, page, facts)
            counterparts = "".join(f"  {code}: {page.url(code)}\n" for code in LANGS)
            # A page may stay out of search (none does today: Safety at a glance answers the safety questions).
            search = "search:\n  exclude: true\n" if page.context.get("search_exclude") else ""
            # What the theme shows around the page (meta description, "Cite this page"): JSON is YAML.
            guide_page = json.dumps(self._guide_page(lang, page, facts), ensure_ascii=False)
            front_matter = (f"---\ntitle: {_yaml_str(plain_text(page.titles[lang], lang))}\nalternates:\n"
                            f"{counterparts}guide_page: {guide_page}\n{search}---\n\n")
            target = docs_dir / page.paths[lang]
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_if_changed(target, front_matter + body + "\n" + abbreviations)
        nav, not_in_nav = self._nav(lang)
        return RenderedLanguage(lang, docs_dir, nav, self.pages, not_in_nav)

    def _with_dates_under_title(self, body: str, lang: str, page: Page, facts: PageFacts) -> str:
        """Every page shows its review date (and "updated in version X") right under its title: the line comes
        from templates/page-dates.md.j2, placed after the page's first heading whichever template wrote it."""
        dates = self.env.get_template("page-dates.md.j2").render(lang=lang, page=page, facts=facts)
        lines = body.split("\n")
        for number, line in enumerate(lines):
            if line.startswith("# "):
                return "\n".join([*lines[:number + 1], "", dates.strip(), *lines[number + 1:]])
        return body

    def _guide_page(self, lang: str, page: Page, facts: PageFacts) -> dict[str, Any]:
        description = facts.description or page.titles[lang]  # a page without a summary of its own
        return {"id": page.page_id, "description": plain_text(description, lang), "last_reviewed": facts.last_reviewed.isoformat(),
                "citation": self._citation_of({"lang": lang}, page.page_id)}

    def _nav(self, lang: str) -> tuple[list[Any], tuple[str, ...]]:
        nav: list[Any] = []
        treatments: list[Any] = []
        not_in_nav: tuple[str, ...] = ()
        for page in self.pages:
            if page.kind == "treatment":
                treatments.append({plain_text(page.titles[lang], lang): page.paths[lang]})
            elif page.kind == "treatments":
                landing = page.paths[lang]
                nav.append({self.catalogue.pages["treatment"].title[lang]: treatments})
            else:
                nav.append({plain_text(page.titles[lang], lang): page.paths[lang]})
        if len(treatments) > NAV_SECTION_LIMIT:
            not_in_nav = (f"/{self.catalogue.pages['treatment'].slug[lang]}/",)
            treatments.clear()
        treatments.insert(0, landing)
        return nav, not_in_nav


def _yaml_str(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar with every line break and control escaped: a title can never
    # end the front matter early (a line `---` inside it) or hide a key.
    return json.dumps(value, ensure_ascii=False)


def _write_if_changed(path: Path, text: str) -> None:
    """Leave unchanged files untouched so that MkDocs' live reload and file times see only real changes."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def render(guide: Guide, catalogue: Catalogue, project: Path, out_dir: Path,
           bytecode_cache: jinja2.BytecodeCache | None = None,
           settings: PublishSettings | None = None) -> dict[str, RenderedLanguage]:
    """Render both languages into out_dir/<lang>/, with the hand-made docs/ (assets, pages) copied alongside,
    and the reference list as RIS and BibTeX files (MkDocs copies them to the site)."""
    from .export import EXPORTS

    renderer = Renderer(guide, catalogue, project / "templates", bytecode_cache, settings)
    rendered = {}
    for lang in LANGS:
        docs_dir = out_dir / lang
        shutil.copytree(project / "docs", docs_dir, dirs_exist_ok=True)
        rendered[lang] = renderer.render_language(lang, docs_dir)
        for name, write in EXPORTS.items():
            _write_if_changed(docs_dir / name, write(guide.references.references))
        _remove_stale(docs_dir, project / "docs", {page.paths[lang] for page in renderer.pages} | set(EXPORTS))
    return rendered


def _remove_stale(docs_dir: Path, hand_made: Path, generated: set[str]) -> None:
    """Delete pages left over from an earlier render (a treatment removed from content/, say)."""
    for path in docs_dir.rglob("*"):
        relative = path.relative_to(docs_dir).as_posix()
        if path.is_file() and relative not in generated and not (hand_made / relative).exists():
            path.unlink()
