"""Render stage: the validated Guide, through the Jinja templates of templates/, into Markdown pages per language.

One template per kind of page serves both languages; interface words come from templates/strings.yml.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import jinja2

from .catalogue import Catalogue, date_in_words, load_catalogue, source_date_in_words  # noqa: F401 - load_catalogue: the render stage's other entry point
from .content import LANGS, Guide, Text
from .pages import NAV_SECTION_LIMIT, Page, RenderedLanguage, plan_pages  # noqa: F401 - what other stages import
from .deployment import PublishSettings
from .export import bibtex_file, ris_file
from .pagefacts import PageFacts, page_facts
from .fragments import CONTENT_MARKDOWN, Citation, Fragment, Setting, allowed_link, plain
from .placeholders import FragmentTable, write_tables
from .content.crosscheck import texts_in
from .content.references import PartialDate
from .typography import plain_text, proper_nouns
from .keptcache import InputsSnapshot, KeptEntries

LINE_BREAKS = re.compile(r"[ \t\r\n]+")


class Trusted(str):
    """Text a template may print as it is: Markdown made by our templates and code (macro results, interface
    strings, links, placeholders). Any other string a template prints is a value: it goes through `finalize`."""


# A value made only of these characters cannot make Markdown or HTML (ids, versions, step numbers, dates).
INERT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
URL_SAFE = ":/?#@!$&'()*+,;=%-._~"  # what a link target keeps as written; the rest ([ ] < > spaces) is encoded


class _PageEnvironment(jinja2.Environment):
    # What a macro or a {% set %} block returns: assembled from template text and values already finalized.
    concat = staticmethod(lambda parts: Trusted("".join(parts)))


# Rendered fragments by what shapes them (Renderer._fragments); the last few shapes only, so memory stays bounded.
# A content text's key: (text, language, "cited" or "uncited", page folder); a plain value's: (text, language, PLAIN).
_FRAGMENTS: dict[str, dict[tuple, Fragment]] = {}
PLAIN = "\0plain"  # in place of a page folder, which never holds a NUL


def _fragments_shaped_by(shape: str) -> dict[tuple, Fragment]:
    if shape not in _FRAGMENTS:
        while len(_FRAGMENTS) >= 4:
            del _FRAGMENTS[next(iter(_FRAGMENTS))]
        _FRAGMENTS[shape] = {}
    return _FRAGMENTS[shape]


class Renderer:
    """The Jinja environment bound to one guide; `render_language` writes one language's Markdown tree.

    Templates write Markdown, and every value they print is passed, not pasted: `finalize` turns any string that
    is not `Trusted` (a content text, a name, a reference field, anything a filter made of them) into a
    placeholder of its escaped, typeset plain text, and `md` / `cell` into a placeholder of the text's fragment
    (calcguide/fragments.py); calcguide/placeholders.py swaps them back once MkDocs has made the page."""

    def __init__(self, guide: Guide, catalogue: Catalogue, templates_dir: Path,
                 bytecode_cache: jinja2.BytecodeCache | None = None, settings: PublishSettings | None = None,
                 kept: KeptEntries[list] | None = None):
        self.guide = guide
        self.catalogue = catalogue
        self.settings = settings or PublishSettings()
        self.pages = plan_pages(guide, catalogue)
        self.page_of_kind = {page.kind: page for page in self.pages if page.kind != "treatment"}
        self.page_of_treatment = {page.context["treatment"].id: page for page in self.pages if page.kind == "treatment"}
        self.table = FragmentTable()  # the fragments of the page being rendered
        self.setting = Setting("en")
        self._page_dir = ""
        # What a fragment depends on besides its text, language and page folder: the references (numbers,
        # tooltips), the glossary (abbreviations), the catalogue (the reference page's address), the tooltip's
        # template, and the proper nouns of the whole guide (a French text's first word keeps its capital after a
        # colon when the guide writes it with one inside a sentence, anywhere). Fragments are kept under it from
        # one render to the next (the preview renders on every save).
        self._shape = hashlib.sha256("\0".join([
            repr(guide.references), repr(guide.glossary), repr(catalogue),
            (templates_dir / "reference-tooltip.j2").read_text(encoding="utf-8"),
            repr(sorted(self._proper_nouns()))]).encode()).hexdigest()
        self._fragments = _fragments_shaped_by(self._shape)
        # A full build's fragments, kept in the work folder from one build to the next (kept_fragments()).
        self.kept = kept
        options = dict(loader=jinja2.FileSystemLoader(templates_dir), undefined=jinja2.StrictUndefined,
                       keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                       bytecode_cache=bytecode_cache)  # compiling the templates was most of this stage
        # Pages: Markdown, where values are placeholders (autoescape would give HTML escaping, which Markdown
        # reads again).
        self.env = _PageEnvironment(autoescape=False, finalize=self._finalize, **options)
        # Plain text (a citation, a reference's tooltip): values as they are, escaped where the text lands.
        self.text_env = jinja2.Environment(autoescape=False, **options)
        for env in (self.env, self.text_env):
            env.filters.update(tr=self._tr, md=self._markdown, cell=self._markdown, ui=self._ui,
                               date_text=self._date_text, source_date=self._source_date, url=self._url)
            env.globals.update(link=self._link, treatment_link=self._treatment_link, ref_link=self._ref_link,
                               guide=guide, strings=catalogue, page_link=self._page_link, page_title=self._page_title,
                               citation_of=self._citation_of, public_address=self._public_address,
                               settings=self.settings, ris_file=ris_file(guide),
                               bibtex_file=bibtex_file(guide), langs=LANGS)

    # --- values -------------------------------------------------------------------------------------------------

    @jinja2.pass_context
    def _finalize(self, context: jinja2.runtime.Context, value: Any) -> str:
        if isinstance(value, Trusted):
            return value
        if isinstance(value, (bool, int, float, dt.date)) or value is None:
            return str(value)
        if isinstance(value, Text):
            raise TypeError("a template printed a bilingual text as it is; write `| tr(lang)` (a name or a title) "
                            "or `| md` (a text)")
        value = str(value)
        if not value or INERT.fullmatch(value):
            return value
        # A plain fragment depends on its text and the language's abbreviations only (both in the cache's shape).
        setting = self.setting
        return self.table.add(self._fragment((value, setting.lang, PLAIN), lambda: plain(value, setting)))

    def begin(self, page: Page, lang: str, cite: bool = True) -> FragmentTable:
        """Start rendering `page` in `lang`: a fresh table of fragments, and how its texts are set."""
        self.table = FragmentTable()
        self.setting = Setting(lang, self._citation_for(page, lang) if cite else None, self._abbreviations(lang),
                               self._proper_nouns())
        self._page_dir = posixpath.dirname(page.paths[lang])
        return self.table

    def fragment(self, value: str, blocks: bool = True) -> Fragment:
        """A content text of the current page's language, rendered once (cached per language and folder)."""
        setting = self.setting
        return self._fragment((value, setting.lang, "uncited" if setting.cite is None else "cited", self._page_dir),
                              lambda: CONTENT_MARKDOWN.render(value, setting))

    def _fragment(self, key: tuple[str, ...], make: Callable[[], Fragment]) -> Fragment:
        """The fragment of `key` (a text and what shapes it besides the renderer's shape): from this process's
        memory, else from the kept fragments of the last build, else made; noted in the kept ones as used."""
        fragment = self._fragments.get(key)
        if self.kept is None:
            if fragment is None:
                fragment = self._fragments[key] = make()
            return fragment
        # The text, last, is the only part that may hold a NUL: the parts before it are read from the left. Kept by
        # its digest: the file is rewritten every build, and the full texts made it 3.5 MB ("surrogatepass": a
        # text may hold a lone surrogate).
        name = hashlib.sha256("\0".join((self._shape, *reversed(key))).encode("utf-8", "surrogatepass")).hexdigest()
        if fragment is None:
            stored = self.kept.get(name)
            fragment = self._fragments[key] = Fragment(*stored) if stored is not None else make()
        self.kept.put(name, [fragment.html, fragment.inline, fragment.text, fragment.blocks, fragment.after_colon])
        return fragment

    # --- filters and globals (they read the current page and language from the template context) ----------

    @staticmethod
    def _tr(text: Text | dict, lang: str) -> Any:
        value = text[lang]
        return plain_text(value, lang) if isinstance(value, str) else value

    @jinja2.pass_context
    def _ui(self, context: jinja2.runtime.Context, key: str) -> str:
        return Trusted(plain_text(self.catalogue.ui[key][context["lang"]], context["lang"]))

    @jinja2.pass_context
    def _date_text(self, context: jinja2.runtime.Context, date: "dt.date") -> str:
        """A date as readers of the language write it (the pattern is an interface string, `date_format`)."""
        return Trusted(date_in_words(self.catalogue, date, context["lang"]))

    @jinja2.pass_context
    def _source_date(self, context: jinja2.runtime.Context, date: PartialDate, event: str) -> str:
        """One date of a reference's version with what it dates, in the page's language ("updated 29 January
        2025"; the words are the catalogue's `source_dates`)."""
        return Trusted(source_date_in_words(self.catalogue, event, date, context["lang"]))

    @staticmethod
    def _url(address: str) -> str:
        """An address of content (a reference's url) as a link target: checked, and percent-encoded so that it
        stays one Markdown link target."""
        if not allowed_link(address):
            raise ValueError(f"{address!r} is not an address a page may link to")
        return Trusted(quote(address, safe=URL_SAFE))

    def _page(self, page_id: str) -> Page:
        return next(page for page in self.pages if page.page_id == page_id)

    @jinja2.pass_context
    def _page_link(self, context: jinja2.runtime.Context, page_id: str) -> str:
        return Trusted(self.href(context["page"], context["lang"], self._page(page_id).paths[context["lang"]]))

    @jinja2.pass_context
    def _page_title(self, context: jinja2.runtime.Context, page_id: str) -> str:
        return plain_text(self._page(page_id).titles[context["lang"]], context["lang"])

    @jinja2.pass_context
    def _citation_of(self, context: jinja2.runtime.Context, page_id: str) -> str:
        """The Vancouver citation of a page (About cites the whole guide: the home page's citation)."""
        lang, page = context["lang"], self._page(page_id)
        facts = page_facts(self.guide, page_id, lang, self.settings.page_url(lang, page.url(lang)))
        # Only ordinary white space is collapsed: the no-break spaces of French typography stay.
        text = self.text_env.get_template("citation.txt.j2").render(lang=lang, page=page, facts=facts)
        return LINE_BREAKS.sub(" ", text).strip()

    @jinja2.pass_context
    def _link(self, context: jinja2.runtime.Context, kind: str, anchor: str = "") -> str:
        target = self.page_of_kind[kind].paths[context["lang"]]
        return Trusted(self.href(context["page"], context["lang"], target) + (f"#{anchor}" if anchor else ""))

    @jinja2.pass_context
    def _public_address(self, context: jinja2.runtime.Context, kind: str, anchor: str = "") -> str:
        """Where a page (and section) of the guide is online, for paper: its path after the language's address,
        which the sheet prints once (the handout's head, the page's footer); empty without a public address."""
        if not self.settings.language_url(context["lang"]):
            return Trusted("")
        return Trusted(self.page_of_kind[kind].url(context["lang"]) + (f"#{anchor}" if anchor else ""))

    @jinja2.pass_context
    def _treatment_link(self, context: jinja2.runtime.Context, treatment_id: str) -> str:
        return Trusted(self.href(context["page"], context["lang"], self.page_of_treatment[treatment_id].paths[context["lang"]]))

    @jinja2.pass_context
    def _ref_link(self, context: jinja2.runtime.Context, ref_id: str) -> str:
        return self._link(context, "references", ref_id)

    @jinja2.pass_context
    def _markdown(self, context: jinja2.runtime.Context, text: Text | str) -> str:
        """A content text, rendered once into a fragment; the page gets its placeholder. (`cell` is the same
        filter: where the placeholder lands decides whether the text shows as blocks or as one line.)"""
        value = text[context["lang"]] if isinstance(text, Text) else text
        return Trusted(self.table.add(self.fragment(value)))

    # --- what a subclass may change (the handout: paper instead of the site) ---------------------------------

    def href(self, page: Page, lang: str, target: str) -> str:
        """The address of `target` (a Markdown path of the language's docs folder) as written on `page`."""
        here = posixpath.dirname(page.paths[lang])
        return posixpath.relpath(target, here or ".")

    def _citation_for(self, page: Page, lang: str) -> Callable[[str], Citation]:
        references = self.page_of_kind["references"].paths[lang]
        address = self.href(page, lang, references).removesuffix(".md") + ".html"  # fragments skip MkDocs' links

        def cite(ref_id: str) -> Citation:
            return Citation(self.guide.reference_number(ref_id), f"{address}#{ref_id}", self._tooltip(ref_id, lang))

        return cite

    @functools.cache
    def _proper_nouns(self) -> frozenset[str]:
        """The words content writes with a capital inside a sentence, and brand names: they keep their capital
        after a colon in French (calcguide/typography.py)."""
        texts = [text for location, text in texts_in(self.guide.model_dump(), ()) if location[-1:] == ("fr",)]
        brands = {brand.name for treatment in self.guide.treatments for brand in treatment.brands}
        common = {word.lower() for treatment in self.guide.treatments for word in treatment.name["fr"].split()}
        return proper_nouns(texts) | frozenset(word for name in brands for word in name.split()
                                               if word.lower() not in common)

    @functools.cache
    def _tooltip(self, ref_id: str, lang: str) -> str:
        """The reference as plain text in the page's language, for the citation's data-cg-ref attribute (escaped
        there)."""
        module = self.text_env.get_template("reference-tooltip.j2").make_module({"lang": lang})
        text = module.reference_tooltip(self.guide.reference(ref_id))
        return " ".join(str(text).split())

    @functools.cache
    def _abbreviations(self, lang: str) -> dict[str, str]:
        """The glossary's abbreviations of `lang` and their terms: each page marks up those it uses."""
        return {term.abbr[lang]: plain_text(term.term[lang], lang) for term in self.guide.glossary.terms if term.abbr}

    # --- output -----------------------------------------------------------------------------------------------

    def render_language(self, lang: str, docs_dir: Path, fragments_file: Path) -> RenderedLanguage:
        tables = {}
        for page in self.pages:
            tables[page.paths[lang]] = self.begin(page, lang)
            template = self.env.get_template(page.template)
            facts = page_facts(self.guide, page.page_id, lang, self.settings.page_url(lang, page.url(lang)))
            body = template.render(lang=lang, page=page, facts=facts, **page.context)
            body = self._with_dates_under_title(body, lang, page, facts)
            counterparts = "".join(f"  {code}: {page.url(code)}\n" for code in LANGS)
            # A page may stay out of search (none does today: Safety at a glance answers the safety questions).
            search = "search:\n  exclude: true\n" if page.context.get("search_exclude") else ""
            # A page that needs the width of the screen (Safety at a glance) leaves out the table of contents.
            wide = "hide:\n  - toc\n" if page.context.get("wide") else ""
            # What the theme shows around the page (meta description, "Cite this page"): JSON is YAML.
            guide_page = json.dumps(self._guide_page(lang, page, facts), ensure_ascii=False)
            front_matter = (f"---\ntitle: {_yaml_str(plain_text(page.titles[lang], lang))}\nalternates:\n"
                            f"{counterparts}guide_page: {guide_page}\n{search}{wide}---\n\n")
            target = docs_dir / page.paths[lang]
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_if_changed(target, front_matter + body)
        write_tables(fragments_file, tables)
        nav, not_in_nav = self._nav(lang)
        return RenderedLanguage(lang, docs_dir, nav, self.pages, not_in_nav, fragments_file)

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
        description = facts.description or plain_text(page.titles[lang], lang)  # a page without a summary of its own
        return {"id": page.page_id, "description": description, "last_reviewed": facts.last_reviewed.isoformat(),
                "last_reviewed_text": date_in_words(self.catalogue, facts.last_reviewed, lang),
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


def kept_fragments(path: Path, snapshot: InputsSnapshot) -> KeptEntries[list]:
    """The fragments of a full build, kept in `path` between builds. Each is keyed by the digest of its text,
    language, citations or none, page folder and the renderer's shape (references, glossary, catalogue, proper
    nouns); salted with what else might shape it: the build's code and packages (the Markdown reader, the
    sanitiser, Python's Unicode tables), every template (a tooltip template may import another) and the build's
    settings (public address, release, the day), as the build's snapshot of its inputs found them."""
    return KeptEntries(path, snapshot.salt("templates", "settings"), _fragment_well_formed)


def _fragment_well_formed(entry: object) -> bool:
    """What Renderer._fragment keeps: a Fragment's fields, in order."""
    return (isinstance(entry, list) and len(entry) == 5 and isinstance(entry[3], bool)
            and all(isinstance(entry[index], str) for index in (0, 1, 2, 4)))


def render(guide: Guide, catalogue: Catalogue, project: Path, out_dir: Path,
           bytecode_cache: jinja2.BytecodeCache | None = None,
           settings: PublishSettings | None = None,
           kept: KeptEntries[list] | None = None) -> dict[str, RenderedLanguage]:
    """Render both languages into out_dir/<lang>/, with the hand-made docs/ (assets, pages) copied alongside,
    and the reference list as RIS and BibTeX files (MkDocs copies them to the site). `kept`: the fragments of
    the last full build (kept_fragments())."""
    from .export import export_files

    renderer = Renderer(guide, catalogue, project / "templates", bytecode_cache, settings, kept)
    rendered = {}
    for lang in LANGS:
        docs_dir = out_dir / lang
        shutil.copytree(project / "docs", docs_dir, dirs_exist_ok=True)
        rendered[lang] = renderer.render_language(lang, docs_dir, out_dir / f"{lang}.fragments.json")
        exports = export_files(guide)
        for name, write in exports.items():
            _write_if_changed(docs_dir / name, write(guide.references.references))
        _remove_stale(docs_dir, project / "docs", {page.paths[lang] for page in renderer.pages} | set(exports))
    return rendered


def _remove_stale(docs_dir: Path, hand_made: Path, generated: set[str]) -> None:
    """Delete pages left over from an earlier render (a treatment removed from content/, say)."""
    for path in docs_dir.rglob("*"):
        relative = path.relative_to(docs_dir).as_posix()
        if path.is_file() and relative not in generated and not (hand_made / relative).exists():
            path.unlink()
