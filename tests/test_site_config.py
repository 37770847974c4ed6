"""Each language's MkDocs configuration inherits mkdocs.yml, so MkDocs reads the base with its own YAML tags."""
from __future__ import annotations


from calcguide.pipeline import Layout, validate
from calcguide.render import render
from calcguide.site import build_language
from conftest import PROJECT

TAGGED = """site_author: !ENV [CALCGUIDE_TEST_AUTHOR, "nobody"]
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""


def test_a_base_configuration_with_mkdocs_tags_builds(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    for shared in ("templates", "docs", "node_modules", "content"):
        (project / shared).symlink_to(PROJECT / shared)
    base = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(base.replace("markdown_extensions:\n", TAGGED, 1), encoding="utf-8")
    monkeypatch.setenv("CALCGUIDE_TEST_AUTHOR", "An editor from the environment")

    layout = Layout(project, project / "content", tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    guide, catalogue = validate(layout)
    rendered = render(guide, catalogue, project, layout.work_dir / "docs")
    build_language(guide, catalogue, rendered["fr"], project, layout.work_dir, layout.site_dir)

    home = (layout.site_dir / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="author" content="An editor from the environment">' in home
    assert '<html lang="fr"' in home


def test_the_base_configuration_is_read_again_when_its_bytes_or_the_environment_change(tmp_path, monkeypatch):
    from calcguide.site import read_base_config

    (tmp_path / "mkdocs.yml").write_text("site_name: !ENV [GUIDE_NAME, first]\n", encoding="utf-8")
    first = read_base_config(tmp_path)
    first["site_name"] = "changed by its caller"
    assert read_base_config(tmp_path)["site_name"] == "first"  # each caller gets its own copy
    monkeypatch.setenv("GUIDE_NAME", "from the environment")
    assert read_base_config(tmp_path)["site_name"] == "from the environment"
    (tmp_path / "mkdocs.yml").write_text("site_name: edited\n", encoding="utf-8")
    assert read_base_config(tmp_path)["site_name"] == "edited"


def test_a_base_configuration_that_inherits_follows_its_parent(tmp_path):
    from calcguide.site import read_base_config

    (tmp_path / "parent.yml").write_text("site_name: parent\ntheme: {name: material}\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("INHERIT: parent.yml\n", encoding="utf-8")
    assert read_base_config(tmp_path)["site_name"] == "parent"
    (tmp_path / "parent.yml").write_text("site_name: parent edited\ntheme: {name: material}\n", encoding="utf-8")
    assert read_base_config(tmp_path)["site_name"] == "parent edited"
