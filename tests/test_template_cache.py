"""The compiled-template cache never returns output that differs from an uncached render."""
from __future__ import annotations

from pathlib import Path

import jinja2

from calcguide import templatecache

TEMPLATE = "{% if true %}\n  kept\n{% endif %}\n{{ word | shout }}\n"


def environment(templates: Path, cache: jinja2.BytecodeCache | None, **options) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache, **options)
    env.filters["shout"] = str.upper
    return env


def rendered(env: jinja2.Environment) -> str:
    return env.get_template("page.j2").render(word="calm")


def test_a_changed_environment_option_compiles_afresh(tmp_path):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    cache = templatecache.bytecode_cache(tmp_path / "work")
    warmed = rendered(environment(tmp_path, cache, trim_blocks=True))
    assert warmed == rendered(environment(tmp_path, None, trim_blocks=True))

    fresh = rendered(environment(tmp_path, templatecache.bytecode_cache(tmp_path / "work"), trim_blocks=False))
    assert fresh == rendered(environment(tmp_path, None, trim_blocks=False))
    assert fresh != warmed


def test_the_same_options_reuse_the_compiled_template(tmp_path):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    rendered(environment(tmp_path, templatecache.bytecode_cache(tmp_path / "work"), lstrip_blocks=True))
    stored = sorted((tmp_path / "work" / "jinja-cache").iterdir())
    assert len(stored) == 1
    rendered(environment(tmp_path, templatecache.bytecode_cache(tmp_path / "work"), lstrip_blocks=True))
    assert sorted((tmp_path / "work" / "jinja-cache").iterdir()) == stored


def test_another_jinja_or_theme_version_misses_the_cache(tmp_path, monkeypatch):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    rendered(environment(tmp_path, templatecache.bytecode_cache(tmp_path / "work")))
    monkeypatch.setattr(templatecache, "versions", lambda: "jinja2=9.9 mkdocs=9.9 mkdocs-material=99.0")
    rendered(environment(tmp_path, templatecache.bytecode_cache(tmp_path / "work")))
    assert len(list((tmp_path / "work" / "jinja-cache").iterdir())) == 2


def test_a_changed_filter_that_the_optimizer_may_fold_misses_the_cache(tmp_path):
    (tmp_path / "page.j2").write_text('{{ "calm" | shout }}')
    cache_dir = tmp_path / "work"
    first = environment(tmp_path, templatecache.bytecode_cache(cache_dir))
    assert rendered(first) == "CALM"
    second = environment(tmp_path, templatecache.bytecode_cache(cache_dir))
    second.filters["shout"] = lambda text: text + "!"
    assert rendered(second) == "calm!"
