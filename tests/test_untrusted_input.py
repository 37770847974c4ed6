"""Content is untrusted input (issue 16): every file, structure, character and piece of markup a contributor could
write to harm a reader or the build is refused with a located `file:line: field: message`, before anything is
written. Fast tier: no MkDocs, no Chromium."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from calcguide.content import ContentErrors, load_guide
from calcguide.fragments import CONTENT_MARKDOWN, Setting
from calcguide.content.regular import MAX_FILE_BYTES
from conftest import PROJECT, errors_of, replace_in, run_build
from untrusted import set_text

REGIMEN = ("treatments/diltiazem.yml", "regimen")


def refused(content: Path, file: str, *phrases: str) -> str:
    """The one error about `file`, which must hold every phrase; returns it."""
    errors = [error for error in errors_of(content) if error.startswith(f"{file}:")]
    assert errors, f"nothing reported about {file}"
    matching = [error for error in errors if all(phrase.lower() in error.lower() for phrase in phrases)]
    assert matching, errors
    assert re.match(rf"^{re.escape(file)}:\d+: ", matching[0])
    return matching[0]


def text_refused(content: Path, value: str, *phrases: str, field: tuple[str, str] = REGIMEN) -> str:
    set_text(content, *field, "en", value)
    error = refused(content, field[0], *phrases)
    assert f": {field[1]}.en: " in error or f": {field[1]}: " in error, error
    return error


# --- files ------------------------------------------------------------------------------------------------


def test_symlink_to_the_environment_of_the_build_is_refused_unread(content_copy):
    (content_copy / "treatments" / "evil.yml").symlink_to("/proc/self/environ")
    refused(content_copy, "treatments/evil.yml", "symbolic link")


def test_content_file_replaced_by_a_link_to_dev_zero_is_refused(content_copy):
    (content_copy / "glossary.yml").unlink()
    (content_copy / "glossary.yml").symlink_to("/dev/zero")
    refused(content_copy, "glossary.yml", "symbolic link")


def test_treatments_folder_that_is_a_link_outside_is_refused(content_copy, tmp_path):
    outside = tmp_path / "elsewhere"
    (content_copy / "treatments").rename(outside)
    (content_copy / "treatments").symlink_to(outside)
    refused(content_copy, "treatments", "symbolic link")


def test_named_pipe_in_content_is_refused_without_being_opened(content_copy):
    # Opening a pipe for reading waits for a writer: the test would hang if the loader opened it.
    os.mkfifo(content_copy / "treatments" / "pipe.yml")
    os.mkfifo(content_copy / "tiers.yml.new")
    refused(content_copy, "treatments/pipe.yml", "named pipe")


def test_device_node_in_content_is_refused(content_copy):
    try:
        os.mknod(content_copy / "treatments" / "zero.yml", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    refused(content_copy, "treatments/zero.yml", "device")


def test_unknown_file_in_content_is_an_error_not_silence(content_copy):
    (content_copy / "interactions-draft.yml").write_text("title: draft\n", encoding="utf-8")
    refused(content_copy, "interactions-draft.yml", "unknown file")


def test_treatment_with_the_yaml_extension_is_an_error_not_silence(content_copy):
    (content_copy / "treatments" / "diltiazem.yml").rename(content_copy / "treatments" / "diltiazem.yaml")
    refused(content_copy, "treatments/diltiazem.yaml", "rename it to diltiazem.yml")


def test_editor_swap_and_backup_files_are_left_alone(content_copy):
    (content_copy / "treatments" / ".diltiazem.yml.swp").write_bytes(b"\x00binary")
    (content_copy / "treatments" / "diltiazem.yml~").write_text("old", encoding="utf-8")
    load_guide(content_copy)


def test_file_over_the_size_limit_is_refused(content_copy):
    path = content_copy / "glossary.yml"
    path.write_text(path.read_text(encoding="utf-8") + "#" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    refused(content_copy, "glossary.yml", "larger than")


def test_text_over_the_length_limit_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day. " * 500, "limit is 5000")


# --- YAML structure ---------------------------------------------------------------------------------------

ALIAS_BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 9)}]" for level in range(8)])


def test_more_brackets_than_the_bound_are_refused_and_the_bound_itself_is_not(content_copy):
    # 60 brackets are far more than a paragraph needs; the bound keeps nested brackets from slowing the renderer.
    set_text(content_copy, *REGIMEN, "en", "240 to 480 mg a day for 1 to 12 years " + "[x] " * 59
             + "[@palmieri-1995].")
    assert not [error for error in errors_of_content(content_copy) if error.startswith(REGIMEN[0] + ":")]
    text_refused(content_copy, "240 to 480 mg a day for 1 to 12 years " + "[x] " * 60 + "[@palmieri-1995].",
                 "the text holds 61 brackets [ ]; the limit is 60")


def test_a_line_prefix_deeper_than_the_bound_is_refused(content_copy):
    text_refused(content_copy, "240 to 480 mg a day for 1 to 12 years [@palmieri-1995].\n" + "> " * 9 + "x",
                 "a line starts with more than 16 spaces, quote or list marks")


def errors_of_content(content: Path) -> list[str]:
    """Every error of the content, or none."""
    try:
        load_guide(content)
    except ContentErrors as errors:
        return [str(error) for error in errors.errors]
    return []


def test_alias_bomb_is_refused_at_its_first_anchor(content_copy):
    assert len(ALIAS_BOMB) < 500
    (content_copy / "glossary.yml").write_text(ALIAS_BOMB + "\n", encoding="utf-8")
    refused(content_copy, "glossary.yml", "anchors (&a)")


def test_recursive_alias_is_a_located_error(content_copy):
    path = content_copy / "tiers.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\nloop: &loop [*loop]\n", encoding="utf-8")
    error = refused(content_copy, "tiers.yml", "not allowed")
    assert ": loop: " in error


def test_alias_without_anchor_in_the_same_file_is_refused(content_copy):
    path = content_copy / "tiers.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: &t", 1) + "\ncopy: *t\n",
                    encoding="utf-8")
    refused(content_copy, "tiers.yml", "not allowed")


def test_complex_key_is_a_located_error(content_copy):
    path = content_copy / "tiers.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n? [a, b]\n: c\n", encoding="utf-8")
    refused(content_copy, "tiers.yml", "a key must be a plain word")


def test_explicit_yaml_tag_is_refused(content_copy):
    replace_in(content_copy / "site.yml", 'version: "0.1.0"', "version: !!binary MC4xLjA=")
    refused(content_copy, "site.yml", "tags")


@pytest.mark.parametrize("depth", [100, 100_000])
def test_nesting_deeper_than_content_needs_is_refused(content_copy, depth):
    path = content_copy / "tiers.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\ndeep: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    refused(content_copy, "tiers.yml", "nested")


def test_impossible_date_names_the_field(content_copy):
    path = content_copy / "references.yml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"checked: \d{4}-\d\d-\d\d", text).group(0)
    path.write_text(text.replace(first, "checked: 2026-02-30", 1), encoding="utf-8")
    error = refused(content_copy, "references.yml", "2026-02-30", "not a date of the calendar")
    assert ".checked: " in error


def test_pmid_with_a_leading_zero_is_read_in_decimal_never_octal(content_copy):
    path = content_copy / "references.yml"
    text = path.read_text(encoding="utf-8")
    pmid = re.search(r"pmid: (\d{7,8})\b", text).group(1)
    path.write_text(text.replace(f"pmid: {pmid}", f"pmid: 0{pmid}", 1), encoding="utf-8")
    guide = load_guide(content_copy)
    assert int(pmid) in {reference.pmid for reference in guide.references.references}


@pytest.mark.parametrize("number", ["0x1F", "1_000", "1:30", "0o17"])
def test_number_forms_of_yaml_1_1_stay_text_and_are_refused_as_a_pmid(content_copy, number):
    path = content_copy / "references.yml"
    text = path.read_text(encoding="utf-8")
    pmid = re.search(r"pmid: (\d+)", text).group(1)
    path.write_text(text.replace(f"pmid: {pmid}", f"pmid: {number}", 1), encoding="utf-8")
    refused(content_copy, "references.yml", "pmid")


@pytest.mark.parametrize("version", ["../../x", "..\\evil", "1.0 final", "/etc/passwd", ".hidden"])
def test_version_with_path_characters_is_refused(content_copy, version):
    replace_in(content_copy / "site.yml", 'version: "0.1.0"', f"version: {version!r}")
    refused(content_copy, "site.yml", "is not a version")


def test_treatment_named_index_is_refused_before_it_replaces_the_section_page(content_copy):
    treatments = content_copy / "treatments"
    text = (treatments / "diltiazem.yml").read_text(encoding="utf-8").replace("id: diltiazem", "id: index", 1)
    (treatments / "index.yml").write_text(text, encoding="utf-8")
    refused(content_copy, "treatments/index.yml", "landing page")


@pytest.mark.parametrize("mistake, phrase", [
    ("tiers.yml: 2026-02-30", "not a date"),
    ("loop", "not allowed"),
    ("complex", "plain word"),
    ("version", "not a version"),
])
def test_structural_mistakes_exit_2_located_without_traceback(tmp_path, mistake, phrase):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    if mistake == "loop":
        (content / "tiers.yml").write_text((content / "tiers.yml").read_text() + "\nx: &x [*x]\n", encoding="utf-8")
    elif mistake == "complex":
        (content / "tiers.yml").write_text((content / "tiers.yml").read_text() + "\n? {a: b}\n: c\n", encoding="utf-8")
    elif mistake == "version":
        replace_in(content / "site.yml", 'version: "0.1.0"', 'version: "..\\\\..\\\\x"')
    else:
        text = (content / "references.yml").read_text(encoding="utf-8")
        first = re.search(r"checked: \d{4}-\d\d-\d\d", text).group(0)
        (content / "references.yml").write_text(text.replace(first, "checked: 2026-02-30", 1), encoding="utf-8")
    result = run_build("check", "--content", str(content))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"^[\w/.-]+\.yml:\d+:\d+: [^:]+: .*" + re.escape(phrase), result.stderr, re.MULTILINE), result.stderr


# --- characters -------------------------------------------------------------------------------------------


def test_right_to_left_override_in_a_dose_is_refused(content_copy):
    text_refused(content_copy, "\u202e480 mg\u202c a day [@palmieri-1995].", "U+202E", "reorders")


@pytest.mark.parametrize("character", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u2066", "\u200f"])
def test_invisible_characters_are_refused_in_prose(content_copy, character):
    text_refused(content_copy, f"240{character} mg a day [@palmieri-1995].", f"U+{ord(character):04X}")


@pytest.mark.parametrize("character", ["\x00", "\ufffe", "\U0010ffff", "\ue000", "\x1b", "\u2028"])
def test_escaped_control_and_non_characters_are_refused(content_copy, character):
    text_refused(content_copy, f"240 mg{character} a day [@palmieri-1995].", f"U+{ord(character):04X}")


def test_escaped_lone_surrogate_is_a_located_error(content_copy):
    set_text(content_copy, *REGIMEN, "en", "240 mg\ud800 a day.")
    refused(content_copy, REGIMEN[0], "invalid Unicode character escape")


def test_zero_width_space_inside_an_id_is_refused(content_copy):
    path = content_copy / "tiers.yml"
    text = path.read_text(encoding="utf-8")
    ident = re.search(r"- id: ([a-z0-9-]+)", text).group(1)
    path.write_text(text.replace(f"- id: {ident}", f'- id: "{ident[:2]}\\u200b{ident[2:]}"', 1), encoding="utf-8")
    refused(content_copy, "tiers.yml", "U+200B")


def test_no_break_spaces_of_french_typography_are_allowed(content_copy):
    set_text(content_copy, *REGIMEN, "fr", "240\u00a0à 480\u00a0mg par jour\u202f; per os, de 1 à 12\u00a0ans "
             "[@palmieri-1995].")
    load_guide(content_copy)


# --- citations --------------------------------------------------------------------------------------------


def test_citation_with_a_capital_letter_is_refused_with_the_right_id(content_copy):
    error = text_refused(content_copy, "240 mg a day [@Palmieri-1995].", "did you mean [@palmieri-1995]")
    assert "[@Palmieri-1995]" in error


def test_citation_without_its_at_sign_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day [palmieri-1995].", "without its @", "[@palmieri-1995]")


def test_citation_with_a_cyrillic_letter_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day [@p\u0430lmieri-1995].", "U+0430", "looks like the Latin 'a'")


def test_citation_with_a_zero_width_space_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day [@palmieri\u200b-1995].", "U+200B")


def test_citation_with_a_space_after_the_bracket_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day [ @palmieri-1995].", "not a citation the build can read")


def test_citation_without_brackets_is_refused(content_copy):
    text_refused(content_copy, "240 mg a day @palmieri-1995.", "without brackets")


# --- markup -----------------------------------------------------------------------------------------------

LINK_DEFINITIONS = {
    "own line": "240 mg a day.\n\n[x]: javascript:alert(1)",
    "next line": "240 mg a day [x].\n\n[x]:\n  javascript:alert(1)",
    "list item": "- 240 mg a day [x]\n\n    [x]: javascript:alert(1)",
    "quote": "> 240 mg a day [x]\n>\n> [x]: javascript:alert(1)",
    "admonition": "!!! note\n    240 mg a day [x]\n\n    [x]: javascript:alert(1)",
    "definition list": "Dose\n:   240 mg [x]\n\n    [x]: javascript:alert(1)",
    "indented": "240 mg a day [x].\n\n    [x]: https://example.org/",
    "numbered list": "1. 240 mg [x]\n\n   [x]: https://example.org/",
    "details": "??? note\n    [x]: https://example.org/",
    "safe address": "240 mg a day [x].\n\n[x]: https://example.org/",
    "abbreviation": "240 mg a day.\n\n*[mg]: milligrams of something else",
    "abbreviation in a list": "- item\n\n    *[mg]: milligrams",
    "abbreviation on two lines": "*[mg]:\n    milligrams",
}


@pytest.mark.parametrize("form", sorted(LINK_DEFINITIONS))
def test_a_definition_in_any_markdown_form_defines_nothing(form):
    # Content Markdown has no definitions: whatever the form, a section body shows them as words, and they link
    # and abbreviate nothing, on its page or any other.
    html = CONTENT_MARKDOWN.render(LINK_DEFINITIONS[form], Setting("en")).html
    assert "<a " not in html and "<abbr" not in html
    assert "[x]" in html or "*[mg]" in html


@pytest.mark.parametrize("form", ["own line", "next line", "safe address", "abbreviation"])
def test_a_definition_in_a_one_paragraph_field_is_refused(content_copy, form):
    text_refused(content_copy, LINK_DEFINITIONS[form], "one paragraph")


@pytest.mark.parametrize("link", [
    "[dose](javascript:alert(1))", "[dose](JaVaScRiPt:alert(1))", "[dose](<javascript:alert(1)>)",
    "[dose]( javascript:alert(1) )", "[dose](java\tscript:alert(1))", "[dose](data:text/html,x)",
    "[dose](vbscript:x)", "[dose](//evil.example/)", "[dose](file:///etc/passwd)", "[dose](\\\\evil/x)",
    "[dose](/\\evil.example/)", "[dose](https:evil.example)", "[dose](#)",
])
def test_link_that_is_not_to_the_web_is_refused_in_every_form(content_copy, link):
    text_refused(content_copy, f"240 mg a day, see {link}.", "not allowed")


# Addresses that no other rule refuses (a real host, https), so that only the image rule can refuse them, and
# refused for that reason.
@pytest.mark.parametrize("image", ["![x](https://www.ema.europa.eu/pixel.png)", "![x](https://pubmed.ncbi.nlm.nih.gov/a.png)",
                                   "![x](https://www.ema.europa.eu/a%20b.png)", "![](https://www.ema.europa.eu/p.png)",
                                   '![x](https://www.ema.europa.eu/p.png "title")'])
def test_images_are_refused(content_copy, image):
    text_refused(content_copy, f"240 mg a day {image}.", "images are not allowed in content texts")


def test_the_same_address_as_a_link_is_allowed(content_copy):
    # The control: what is refused above is the image, not its address.
    set_text(content_copy, *REGIMEN, "en", "240 to 480 mg a day for 1 to 12 years, see "
             "[x](https://www.ema.europa.eu/pixel.png) [@palmieri-1995].")
    load_guide(content_copy)


@pytest.mark.parametrize("markup, reason", [
    ('<img src=x onerror="alert(1)">', "HTML (text between < and >) is not allowed in content"),
    ("<javascript:alert(1)>", "HTML (text between < and >) is not allowed in content"),
    ("&#106;avascript", "HTML character codes such as '&#106;' are not allowed"),
    ("&eacute;", "HTML character codes such as '&eacute;' are not allowed"),
])
def test_raw_html_and_character_codes_are_refused(content_copy, markup, reason):
    text_refused(content_copy, f"240 to 480 mg a day for 1 to 12 years {markup} [@palmieri-1995].", reason)


@pytest.mark.parametrize("markup", ["{ onclick=alert(1) }", "**480 mg**{: dir=rtl", "{ #__config }", "{ hidden",
                                    "--8<-- /etc/passwd", "`` ` ``", "| a | b |\n|---|---|", "# Heading",
                                    "!!! danger \"Recall\"", "[^1]", "~~x~~", "\\[x\\](https://evil.example)"])
def test_attribute_lists_snippets_and_other_markdown_stay_words(markup):
    # Not refused: the renderer has no rule for them, so they are text, whatever follows them on the page.
    from calcguide.audit import read_elements

    html = CONTENT_MARKDOWN.render(f"240 mg a day {markup}", Setting("en")).html
    elements = read_elements(html)
    assert {element.tag for element in elements} <= {"p", "strong", "em"}, html
    assert not any(element.attributes for element in elements), html


def test_web_links_and_anchors_stay_allowed(content_copy):
    set_text(content_copy, *REGIMEN, "en", "240 to 480 mg a day for 1 to 12 years, see "
             "[the label](https://www.ema.europa.eu/x?a=1) and [below](#dose) [@palmieri-1995].")
    load_guide(content_copy)


def test_mkdocs_reads_no_snippet_and_content_reaches_it_only_as_fragments():
    import yaml

    configured = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    names = [next(iter(item)) if isinstance(item, dict) else item for item in configured]
    assert "pymdownx.snippets" not in names  # it would read files of the build machine into a page


def test_page_slug_in_strings_yml_that_is_a_path_is_refused(tmp_path):
    import shutil

    from calcguide.content import ContentErrors
    from calcguide.render import load_catalogue

    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    text = (templates / "strings.yml").read_text(encoding="utf-8")
    (templates / "strings.yml").write_text(re.sub(r"(care: \{slug: \{en: )care", r"\1../../care", text, count=1),
                                           encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_catalogue(templates)
    assert [error.field for error in caught.value.errors] == ["pages.care.slug.en"]
