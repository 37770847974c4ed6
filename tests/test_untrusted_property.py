"""Properties over any input (issue 21): texts drawn from a grammar of Markdown, HTML, attribute lists, CSS, URLs and
Unicode format characters, put in every text field of every content file, are either refused with located errors
or build into a site, an offline bundle and handouts that hold only what the output policy allows; every content
fragment reaches its page once, whole and unchanged; and no input of at most 1 MB makes `check` or the build use
more than 1.5 GB of memory or 60 s of processor time."""
from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcguide.audit import check_html
from calcguide.content import ContentErrors, load_guide
from calcguide.fragments import CITATION
from calcguide.csp import OurScripts
from calcguide.placeholders import CLOSE, OPEN, read_tables
from calcguide.site import read_base_config
from conftest import PROJECT, is_redirect_page
from test_hostile_build import layout_of, project_copy

pytestmark = pytest.mark.slow  # each example is a build of its own

# Pieces that completed a construct when texts were pasted into Markdown (issue 21), and their relatives.
HOSTILE = [
    " { #__config }", " { hidden", " { #__search =", "{: dir=rtl\n}", "**480 mg**{: dir=rtl", "}", " }", '" }',
    '](https://evil.example){ style="position:fixed;inset:0" x="', "![x", "](data:image/svg+xml;base64,PHN2Zz4=)",
    "\\[x\\](https://evil.example)", "*[mg]: milligrams", "[@{cite}](//evil.example/)", "[@{cite}]{ #__config }",
    "[x]: https://evil.example", "!!! danger \"Recall notice\"", "# Heading", "| a | b |", "\\|", "|", "--8<-- x",
    "url(https\\3a //evil.example/x.png)", "image-set('https://evil.example/x.png' 1x)", "position:fixed",
    "javascript:alert(1)", "data:text/html,x", "&", "\"", "'", "<", ">", "rubrique 4.5", "version 2.1", "4.8 mois",
    "5218 patients", "**bold**", "*em*", "_u_", "`4.5`", "[ok](https://ok.example/)", ":", " ;", "« x »", "\\",
    "\n", "    ", "> ", "[@{cite}]", "[@{cite}; @{cite}]", "<!-- x", "-->", "<< 4", "a > b",
]
FORMAT_CHARACTERS = ["\u202e", "\u200b", "\u2066", "\u034f", "\u3164", "\ufe0f", "\u2800", "\u00ad"]
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçABC0123456789 .,;:!?()-", max_size=20)


def accepted(text: str) -> bool:
    """Whether validation takes text as a one-paragraph content text (the property builds only those; what it
    refuses is refused with a location, tests/test_untrusted_input.py)."""
    from calcguide.content.editorial import PLACEHOLDERS
    from calcguide.content.hygiene import character_problem
    from calcguide.content.text import markup_problem

    return (bool(text.strip()) and character_problem(text) is None and markup_problem(text, blocks=False) is None
            and not any(placeholder.search(text) for placeholder, _ in PLACEHOLDERS))


TEXTS = st.lists(st.one_of(st.sampled_from(HOSTILE), WORDS), min_size=1, max_size=6).map("".join).filter(accepted)
PROPERTY = settings(max_examples=4, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def load_yaml(text: str):  # noqa: ANN201 - YAML data
    # libyaml, as the loader of content/ (PyYAML's own parser refuses a "?" inside a flow mapping that libyaml reads).
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def content_files(content: Path) -> list[Path]:
    return sorted(content.glob("*.yml")) + sorted((content / "treatments").glob("*.yml"))


def earliest_citable(content: Path) -> str:
    """A reference every page may cite: checked no later than any page's review, and not the 2014 review (which
    would bind the tiers that cite it)."""
    references = load_yaml((content / "references.yml").read_text(encoding="utf-8"))["references"]
    source = load_yaml((content / "site.yml").read_text(encoding="utf-8"))["source_review"]
    return min((ref["checked"], ref["id"]) for ref in references if ref["id"] != source)[1]


def replace_texts(value, texts, citation: str):  # noqa: ANN001, ANN201 - YAML data in, YAML data out
    """value with every bilingual text replaced by the next of `texts` (the same in both languages), followed by the citations the text had (the
    cross-file rules read them), or by `citation`."""
    if isinstance(value, dict):
        if set(value) == {"en", "fr"} and all(isinstance(text, str) for text in value.values()):
            # One drawn text for both languages: they must state the same numbers (calcguide/content/parity.py).
            text = next(texts)
            return {lang: f"{text} " + (" ".join(match.group(0) for match in CITATION.finditer(value[lang])) or f"[@{citation}]")
                    for lang in ("en", "fr")}
        # A page's `slug` is an address per language, an id, not a text.
        return {key: child if key == "slug" else replace_texts(child, texts, citation) for key, child in value.items()}
    if isinstance(value, list):
        return [replace_texts(child, texts, citation) for child in value]
    return value


# Plain-text fields of a reference (authors keep their form: the editorial rules check it).
REFERENCE_TEXTS = ("title", "journal", "holder", "identifier", "volume", "pages")


def write_texts(content: Path, texts) -> None:  # noqa: ANN001 - an iterator of texts
    citation = earliest_citable(content)
    texts = (text.replace("{cite}", citation) for text in texts)
    for path in content_files(content):
        data = load_yaml(path.read_text(encoding="utf-8"))
        for reference in data.get("references", []) if path.name == "references.yml" else []:
            reference.update({field: next(texts).strip() or "x" for field in REFERENCE_TEXTS if field in reference})
            if "source" in reference.get("version", {}):  # the version's detail is a text pair: replace_texts has it
                reference["version"]["source"] = next(texts).strip() or "x"
        path.write_text(yaml.safe_dump(replace_texts(data, texts, citation), allow_unicode=True, sort_keys=False,
                                       width=10_000), encoding="utf-8")


def refresh_of(page: Path, html: str) -> str | None:
    """Where a redirect page at a former address refreshes to: the build's audit checks that address
    (tests/test_page_names.py); here, that nothing else in the page breaks the policy."""
    return re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1) if is_redirect_page(page) else None


def assert_policy_holds(layout, ours: OurScripts) -> None:
    """The built site, the bundle's pages and the handouts' HTML hold only what the policy allows, and no
    placeholder survived anywhere."""
    for page in sorted(layout.site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert OPEN not in html and CLOSE not in html, page
        assert check_html(html, ours.allows, refresh_to=refresh_of(page, html)) == [], page
    [bundle] = layout.dist_dir.glob("*.zip")
    with zipfile.ZipFile(bundle) as archive:
        for name in archive.namelist():
            assert "\\" not in name and ".." not in name.split("/") and not name.startswith("/"), name
            if name.endswith(".html"):
                html = archive.read(name).decode("utf-8")
                assert check_html(html, ours.allows, refresh_to=refresh_of(Path(name), html)) == [], name
    for handout in sorted((layout.work_dir / "handouts").glob("*.html")):
        assert check_html(handout.read_text(encoding="utf-8"), lambda source: False, handout=True) == [], handout


def pdf_links(path: Path) -> list[str]:
    from pypdf import PdfReader

    links = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                links.append(str(action["/URI"]))
    return links


@pytest.fixture(scope="module")
def ours() -> OurScripts:
    return OurScripts.from_templates(PROJECT, read_base_config(PROJECT)["theme"].get("features", []))


@given(texts=st.lists(TEXTS, min_size=1, max_size=12))
@PROPERTY
def test_hostile_texts_in_every_field_build_into_nothing_but_what_the_policy_allows(tmp_path_factory, ours, texts):
    from calcguide.pipeline import build_everything

    root = tmp_path_factory.mktemp("case")
    project = project_copy(root / "project")
    write_texts(project / "content", iter(texts * 10_000))
    load_guide(project / "content")  # each text was drawn to pass validation: the build must take it
    layout = layout_of(project, root)
    build_everything(layout)  # the audit stage raises on anything the policy does not allow
    assert_policy_holds(layout, ours)
    for pdf in layout.dist_dir.glob("handout-*.pdf"):
        assert all(link.startswith(("https://", "http://", "mailto:")) for link in pdf_links(pdf)), pdf


@pytest.mark.parametrize("character", FORMAT_CHARACTERS)
def test_format_characters_in_any_field_are_refused_located(tmp_path, character):
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    write_texts(content, iter([f"240 mg{character} a day"] * 10_000))
    with pytest.raises(ContentErrors) as caught:
        load_guide(content)
    assert all(error.file and error.line >= 1 and f"U+{ord(character):04X}" in error.message
               for error in caught.value.errors)


# --- every fragment once, whole, unchanged -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory):
    """The guide built with a marker text of its own in every text field."""
    from calcguide.pipeline import build_everything

    root = tmp_path_factory.mktemp("marked")
    project = project_copy(root / "project")
    counter = iter(range(1_000_000))
    markers = (f"Mark{next(counter):05d} **strong** { '{' }x{ '}' } 4.8 mg" for _ in iter(int, 1))
    write_texts(project / "content", markers)
    layout = layout_of(project, root)
    build_everything(layout)
    return layout


def test_every_fragment_reaches_its_page_whole_and_unchanged(marked):
    from calcguide.fragments import escape_text

    for lang in ("en", "fr"):
        tables = read_tables(marked.work_dir / "docs" / f"{lang}.fragments.json")
        assert tables
        for path, table in tables.items():
            html = (marked.site_dir / lang / path.removesuffix(".md")).with_suffix(".html").read_text(encoding="utf-8")
            for fragment in table.fragments:
                forms = (fragment.html, fragment.inline, escape_text(fragment.text),
                         *([fragment.after_colon] if fragment.after_colon else []))  # French, after a colon
                assert any(form in html for form in forms), (path, fragment.inline[:80])


def test_every_marker_shows_in_the_site_as_text(marked):
    site = "".join(page.read_text(encoding="utf-8") for page in marked.site_dir.rglob("*.html"))
    written: set[str] = set()

    def collect(value, path=()):  # noqa: ANN001, ANN202 - YAML data
        if isinstance(value, dict):
            for key, child in value.items():
                collect(child, (*path, key))
        elif isinstance(value, list):
            for child in value:
                collect(child, path)
        # An interaction's one-line summary shows only in a box that lists both treatments.
        elif (isinstance(value, str) and value.startswith("Mark")
              and not ("interactions" in path and path[-2] == "summary")):
            written.add(value.split()[0])

    for path in content_files(marked.content_dir):
        collect(load_yaml(path.read_text(encoding="utf-8")))
    # After a colon of the page a French text goes on in lower case ("mark00037").
    assert written and sorted(marker for marker in written if marker not in site and "m" + marker[1:] not in site) == []
    assert "{x}" in site  # braces are words, never an attribute list


# --- bounds: ≤ 1 MB of input, ≤ 1.5 GB and ≤ 60 s ------------------------------------------------------------------

MEMORY = 3 << 29  # 1.5 GB


def alias_bomb(content: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 9)}]" for level in range(8)]
    (content / "glossary.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def big_file(content: Path) -> None:
    (content / "glossary.yml").write_text("intro: " + "x" * (1 << 20) + "\n", encoding="utf-8")


def many_slow_texts(content: Path) -> None:
    """About 1 MB of treatment files whose every text is as long, and as slow for Markdown, as the limits allow
    (valid structure, so that every text is checked)."""
    text = "![[" * 20 + "a" * 4000 + "]" * 20
    for number in range(20):
        path = content / "treatments" / f"slow-{number}.yml"
        shutil.copy(content / "treatments" / "diltiazem.yml", path)
        # Without its safety block (its texts are not the slow ones, and they would take the files past 1 MB).
        data = load_yaml(path.read_text(encoding="utf-8"))
        data.pop("safety", None)
        data["id"] = path.stem
        data["slug"] = {"en": path.stem, "fr": path.stem}
        for field in ("summary", "mechanism", "regimen", "response", "cautions", "drug_class"):
            data[field] = {"en": text, "fr": text}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def deep_nesting(content: Path) -> None:
    (content / "tiers.yml").write_text("deep: " + "[" * 120_000 + "]" * 120_000 + "\n", encoding="utf-8")


def many_keys(content: Path) -> None:
    for number in range(4):
        body = "".join(f"k{item}: [a, b, c, d, e, f, g, h]\n" for item in range(7_000))
        (content / "treatments" / f"keys-{number}.yml").write_text(body, encoding="utf-8")


def huge_year(content: Path) -> None:
    path = content / "references.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("year: ", "year: " + "9" * 5000 + "0", 1), encoding="utf-8")


def long_chain(content: Path) -> None:
    """An algorithm of a chain of 1,500 boxes (a RecursionError once)."""
    path = content / "algorithm.yml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["nodes"] = [data["nodes"][0]] + [{"id": f"n{i}", "kind": "action", "label": {"en": "x", "fr": "x"}}
                                          for i in range(1500)]
    data["edges"] = [{"from": data["nodes"][i]["id"], "to": data["nodes"][i + 1]["id"]} for i in range(1500)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def wide_row(content: Path) -> None:
    """Eleven boxes in one row (a template error once)."""
    path = content / "algorithm.yml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    start = next(node for node in data["nodes"] if node["kind"] == "start")
    data["nodes"] = [start] + [{"id": f"b{i}", "kind": "action", "label": {"en": "x", "fr": "x"}} for i in range(11)]
    data["edges"] = [{"from": start["id"], "to": f"b{i}"} for i in range(11)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


REFUSED = {"alias bomb": alias_bomb, "1 MB file": big_file, "slow Markdown": many_slow_texts,
           "deep nesting": deep_nesting, "many keys": many_keys, "5,000-digit year": huge_year,
           "chain of 1,500 boxes": long_chain, "eleven boxes in a row": wide_row}


def long_words(content: Path) -> None:
    """Texts of 4,800-letter French words without spaces (a quadratic typography pattern once took minutes on
    5,000), in every field of five more treatment files (about 900 KB)."""
    word = "é" * 2400 + "a" * 2400
    for number in range(5):
        path = content / "treatments" / f"words-{number}.yml"
        data = load_yaml((content / "treatments" / "diltiazem.yml").read_text(encoding="utf-8"))
        data["id"] = path.stem
        texts = iter([word] * 10_000)
        data = {key: replace_texts(value, texts, earliest_citable(content)) if key != "safety" else value
                for key, value in data.items()}
        data["slug"] = {"en": path.stem, "fr": path.stem}  # a page address, not a text: the file's own
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def big_glossary(content: Path) -> None:
    """A glossary of about 250 KB, 850 abbreviations (every page got every definition once)."""
    path = content / "glossary.yml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["terms"] += [{"id": f"term-{i}", "abbr": {"en": f"AB{i}X", "fr": f"AB{i}X"},
                       "term": {"en": f"term {i}", "fr": f"terme {i}"},
                       "definition": {"en": "definition words " * 3, "fr": "mots de définition " * 3}}
                      for i in range(850)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


BUILT = {"5,000-letter words": long_words, "250 KB glossary": big_glossary}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY + (1 << 30), MEMORY + (1 << 30)))


def run_measured(arguments: list[str], limit_memory: bool = True) -> tuple[int, float, int, str]:
    """(peak memory in bytes of its largest process, processor seconds, exit status, stderr) of a command and
    everything it started. `limit_memory` also caps its address space (not for a build: Chromium reserves far
    more address space than it uses)."""
    probe = ("import resource, subprocess, sys;"
             "result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=1800);"
             "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
             "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, result.returncode);"
             "sys.stderr.write(result.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, *arguments], capture_output=True, text=True,
                            preexec_fn=_limit_memory if limit_memory else None)
    assert result.returncode == 0, result.stderr[-2000:]  # the probe itself: the command did not hang
    peak_kb, cpu_seconds, status = result.stdout.split()
    return int(peak_kb) * 1024, float(cpu_seconds), int(status), result.stderr


def added_bytes(content: Path) -> int:
    return sum(path.stat().st_size for path in content.rglob("*") if path.is_file()) - sum(
        path.stat().st_size for path in (PROJECT / "content").rglob("*") if path.is_file())


@pytest.mark.parametrize("bomb", sorted(REFUSED))
def test_bomb_of_at_most_1_mb_is_refused_located_within_the_bounds(tmp_path, bomb):
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    REFUSED[bomb](content)
    assert added_bytes(content) <= (1 << 20) + 4096
    # The bound is on work done (processor seconds and peak memory), not on the wall clock of a shared machine.
    peak, cpu, status, stderr = run_measured([sys.executable, str(PROJECT / "build.py"), "check", "--content",
                                              str(content)])
    assert status == 2, stderr[-2000:]
    assert peak < MEMORY and cpu < 60, (peak, cpu)
    assert "Traceback" not in stderr and "MemoryError" not in stderr and "RecursionError" not in stderr
    assert any(line.count(":") >= 3 for line in stderr.splitlines()), stderr[-2000:]  # file:line: field: message


@pytest.mark.parametrize("shape", sorted(BUILT))
def test_content_of_at_most_1_mb_builds_within_the_bounds(tmp_path, shape):
    project = project_copy(tmp_path / "project")
    BUILT[shape](project / "content")
    assert added_bytes(project / "content") <= (1 << 20) + 4096
    out = tmp_path / "out"
    peak, cpu, status, stderr = run_measured([
        sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from calcguide.pipeline import "
        "build_everything, Layout; from pathlib import Path; p, o = Path(sys.argv[2]), Path(sys.argv[3]); "
        "build_everything(Layout(p, p / 'content', o / 'site', o / 'dist', o / 'work'))",
        str(PROJECT), str(project), str(out)], limit_memory=False)
    assert status == 0, stderr[-3000:]
    assert peak < MEMORY and cpu < 60, (peak, cpu)
