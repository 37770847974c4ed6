"""The compiled-template cache never returns output that differs from an uncached render."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from calcguide import templatecache
from conftest import PROJECT

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


# A build in a process of its own, as `build.py` runs: whatever versions are installed for it are the real ones.
RENDER = """
import sys
from pathlib import Path
sys.path.insert(0, {project!r})
import jinja2
from calcguide import templatecache
folder = Path(sys.argv[1])
env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=templatecache.bytecode_cache(folder / "work"))
env.filters["shout"] = str.upper
print(env.get_template("page.j2").render(word="calm"), end="")
"""


def install_distribution(site: Path, name: str, version: str) -> None:
    """What pip leaves for an installed package: its metadata, which importlib.metadata reads."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def install_jinja(site: Path, version: str) -> None:
    """Jinja itself, at another version (its code copied, its version string changed)."""
    shutil.copytree(Path(jinja2.__file__).parent, site / "jinja2")
    init = site / "jinja2" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))


def render_in_a_new_process(folder: Path, site: Path | None = None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    done = subprocess.run([sys.executable, "-c", RENDER.format(project=str(PROJECT)), str(folder)],
                          capture_output=True, text=True, env=env, check=True)
    return done.stdout


@pytest.mark.parametrize("package", ["mkdocs-material", "mkdocs", "jinja2"])
def test_another_installed_version_of_jinja_mkdocs_or_the_theme_misses_the_cache(tmp_path, package):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    first = render_in_a_new_process(tmp_path)
    assert render_in_a_new_process(tmp_path) == first
    assert len(list((tmp_path / "work" / "jinja-cache").iterdir())) == 1  # the same versions: the same entry
    site = tmp_path / "site-packages"
    if package == "jinja2":
        install_jinja(site, "3.1.99")
    else:
        install_distribution(site, package, "99.0.0")
    assert render_in_a_new_process(tmp_path, site) == first
    assert len(list((tmp_path / "work" / "jinja-cache").iterdir())) == 2


def test_a_changed_filter_that_the_optimizer_may_fold_misses_the_cache(tmp_path):
    (tmp_path / "page.j2").write_text('{{ "calm" | shout }}')
    cache_dir = tmp_path / "work"
    first = environment(tmp_path, templatecache.bytecode_cache(cache_dir))
    assert rendered(first) == "CALM"
    second = environment(tmp_path, templatecache.bytecode_cache(cache_dir))
    second.filters["shout"] = lambda text: text + "!"
    assert rendered(second) == "calm!"
