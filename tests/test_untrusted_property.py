"""Properties over any input: random Unicode, markup and addresses written into the texts of content/ are either
refused with located errors, or render into pages that hold nothing hostile; and no input of at most 1 MB makes
validation use more than 1 GB of memory or 60 s of processor time (the issue's bound; the bombs of issue 16)."""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcguide.audit import check_html
from calcguide.content import ContentErrors, load_guide
from calcguide.content.markup import EXTENSIONS
from calcguide.render import load_catalogue, render
from conftest import PROJECT
from untrusted import TEXT_FIELDS, set_text

FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '" onfocus="alert(1)" autofocus x="', "' onmouseover='x",
    "[dose](javascript:alert(1))", "[dose](<javascript:alert(1)>)", "[x]: javascript:alert(1)", "[x]:\n  data:x",
    "*[mg]: milligrams", "![x](https://evil.example/p.png)", "&#106;avascript:", "{ onclick=alert(1) }", "--8<-- x",
    "\u202e", "\u200b", "\ufeff", "\x00", "\ufffe", "[@Bienvenu-2014]", "[bienvenu-2014]", "[@b\u0456envenu-2014]",
    "- item\n\n    ", "> ", "!!! note\n    ", "Dose\n:   ", "\n\n", "    ", "`", "**", "[", "]", "(", ")", "|",
    "---\n", "<", ">", "&", '"', "'", "\\", "%", "javascript:", "data:text/html,", "//evil.example/", "[@palmieri-1995]",
]
SCHEMES = st.sampled_from(["javascript:", "JaVaScRiPt:", "data:", "vbscript:", "file:///", "https://", "http://",
                           "//", "mailto:", "#", " java\tscript:", ""])
URLS = st.builds(lambda scheme, rest: scheme + rest, SCHEMES, st.text(max_size=20))
LINKS = st.builds(lambda text, url, form: form.format(text=text, url=url), st.text(max_size=10), URLS,
                  st.sampled_from(["[{text}]({url})", "[{text}](<{url}>)", "![{text}]({url})", "<{url}>",
                                   "[{text}][r]\n\n[r]: {url}", "[{text}]: {url}"]))
PIECES = st.one_of(st.text(max_size=30), st.sampled_from(FRAGMENTS), LINKS)
TEXTS = st.lists(PIECES, min_size=1, max_size=6).map("".join)
PROPERTY = settings(max_examples=40, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@given(field=st.sampled_from(TEXT_FIELDS), lang=st.sampled_from(["en", "fr"]), text=TEXTS)
@PROPERTY
def test_any_text_is_refused_located_or_renders_nothing_hostile(pristine, tmp_path_factory, field, lang, text):
    root = tmp_path_factory.mktemp("case")
    content = root / "content"
    shutil.copytree(pristine, content)
    set_text(content, *field, lang, text)
    try:
        guide = load_guide(content)
    except ContentErrors as errors:
        for error in errors.errors:
            assert error.file and error.line >= 1 and error.message, error
        return
    catalogue = load_catalogue(PROJECT / "templates")
    rendered = render(guide, catalogue, PROJECT, root / "docs")
    converter = markdown.Markdown(extensions=EXTENSIONS)
    for page in sorted(rendered[lang].docs_dir.rglob("*.md")):
        if page.is_relative_to(rendered[lang].docs_dir / "assets"):
            continue
        converter.reset()
        html = converter.convert(page.read_text(encoding="utf-8").split("---", 2)[-1])
        assert check_html(html, lambda source: False) == [], (page.name, text)
        assert not converter.references, (page.name, text)  # no link definitions came from content


# --- the bombs: ≤ 1 MB of input, ≤ 1 GB and ≤ 60 s ------------------------------------------------------------

ONE_GB = 1 << 30


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
        path.write_text(path.read_text(encoding="utf-8").split("\nsafety:\n")[0] + "\n", encoding="utf-8")
        for field in ("summary", "mechanism", "regimen", "response", "cautions", "drug_class"):
            for lang in ("en", "fr"):
                set_text(content, f"treatments/{path.name}", field, lang, text)


def deep_nesting(content: Path) -> None:
    (content / "tiers.yml").write_text("deep: " + "[" * 120_000 + "]" * 120_000 + "\n", encoding="utf-8")


def many_keys(content: Path) -> None:
    for number in range(4):
        body = "".join(f"k{item}: [a, b, c, d, e, f, g, h]\n" for item in range(7_000))
        (content / "treatments" / f"keys-{number}.yml").write_text(body, encoding="utf-8")


BOMBS = {"alias bomb": alias_bomb, "1 MB file": big_file, "slow Markdown": many_slow_texts,
         "deep nesting": deep_nesting, "many keys": many_keys}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ONE_GB + (256 << 20), ONE_GB + (256 << 20)))


@pytest.mark.slow
@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_bomb_of_at_most_1_mb_is_refused_within_1_gb_and_60_s(tmp_path, bomb):
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    BOMBS[bomb](content)
    added = sum(path.stat().st_size for path in content.rglob("*") if path.is_file()) - sum(
        path.stat().st_size for path in (PROJECT / "content").rglob("*") if path.is_file())
    assert added <= (1 << 20) + 4096
    # The bound is on work done (CPU seconds of the check and its peak memory), not on the wall clock of a shared
    # machine; the generous timeout only guards against a hang.
    probe = ("import resource, subprocess, sys;"
             "result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=900);"
             "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
             "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, result.returncode);"
             "sys.stderr.write(result.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, sys.executable, str(PROJECT / "build.py"), "check",
                             "--content", str(content)], capture_output=True, text=True, preexec_fn=_limit_memory)
    assert result.returncode == 0, result.stderr[-2000:]  # the probe itself: the check did not hang
    peak_kb, cpu_seconds, status = result.stdout.split()
    assert int(status) == 2, result.stderr[-2000:]
    assert int(peak_kb) * 1024 < ONE_GB
    assert float(cpu_seconds) < 60
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
