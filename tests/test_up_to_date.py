"""A build whose inputs are all unchanged since the last published build, and whose output is intact, does nothing
and says so (calcguide/uptodate.py); any input changed, or any output file touched, and the build runs whole and
writes what a build from nothing writes."""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from calcguide import uptodate
from calcguide.content import editorschema, scaffold
from calcguide.deployment import PublishSettings
from conftest import (PROJECT, copy_project_with_minimal_guide, read_kept_text, replace_in, run_build,
                      write_kept_text)

NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.timezone.utc)


# --- the digest of the inputs, on a small project -------------------------------------------------------------


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """The files the digest reads, few and small: a guide, templates, docs, mkdocs.yml, build.py and code."""
    project = tmp_path / "project"
    for folder in ("content/treatments", "templates", "docs", "code"):
        (project / folder).mkdir(parents=True)
    (project / "content" / "site.yml").write_text("title: {en: Guide, fr: Guide}\n")
    (project / "content" / "treatments" / "a.yml").write_text("summary: {en: One., fr: Un.}\n")
    (project / "templates" / "page.md.j2").write_text("# {{ title }}\n")
    (project / "docs" / "extra.css").write_text("body { color: black; }\n")
    (project / "mkdocs.yml").write_text("site_name: Guide\n")
    (project / "build.py").write_text("print('build')\n")
    (project / "code" / "stage.py").write_text("STAGE = 1\n")
    return project


def digest_of(project: Path, settings: PublishSettings = PublishSettings(today=NOW.date()),
              flags: dict[str, str] | None = None, now: dt.datetime = NOW) -> str:
    outputs = {"site": project / "site", "dist": project / "dist"}
    return uptodate.input_digest(project, project / "content", outputs, settings, project / "work" / "pdf-cache",
                                 flags or {"command": "build"}, code=project / "code", now=now)


CHANGES = {
    "a content text": lambda project: replace_in(project / "content" / "treatments" / "a.yml", "One.", "Two."),
    "a content file's name": lambda project: (project / "content" / "treatments" / "a.yml").rename(
        project / "content" / "treatments" / "b.yml"),
    "a new content file": lambda project: (project / "content" / "notes.txt").write_text("draft\n"),
    "a template": lambda project: replace_in(project / "templates" / "page.md.j2", "# ", "## "),
    "a docs file": lambda project: replace_in(project / "docs" / "extra.css", "black", "navy"),
    "mkdocs.yml": lambda project: replace_in(project / "mkdocs.yml", "Guide", "Guide 2"),
    "build.py": lambda project: replace_in(project / "build.py", "build", "built"),
    "the build's code": lambda project: replace_in(project / "code" / "stage.py", "1", "2"),
    "the vendored browser files": lambda project: (project / "package-lock.json").write_text("{}\n"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_each_kind_of_input_changes_the_digest(small_project, change):
    before = digest_of(small_project)
    assert digest_of(small_project) == before  # the same inputs, the same digest
    CHANGES[change](small_project)
    assert digest_of(small_project) != before


def test_compiled_python_files_are_not_inputs(small_project):
    before = digest_of(small_project)
    (small_project / "code" / "__pycache__").mkdir()
    (small_project / "code" / "__pycache__" / "stage.cpython-311.pyc").write_bytes(b"compiled")
    assert digest_of(small_project) == before


def test_settings_flags_and_the_date_change_the_digest(small_project):
    today = NOW.date()
    before = digest_of(small_project)
    assert digest_of(small_project, PublishSettings("https://guide.org/", today=today)) != before
    assert digest_of(small_project, PublishSettings(release=True, today=today)) != before
    assert digest_of(small_project, PublishSettings(today=today + dt.timedelta(days=1))) != before
    assert digest_of(small_project, now=NOW + dt.timedelta(days=1)) != before  # MkDocs' (UTC) date
    assert digest_of(small_project, flags={"command": "build", "debug": "True"}) != before


def test_an_environment_variable_the_build_reads_changes_the_digest(small_project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = digest_of(small_project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert digest_of(small_project) != before


def test_another_installed_package_changes_the_digest(small_project, tmp_path, monkeypatch):
    packages = tmp_path / "site-packages"
    packages.mkdir()
    monkeypatch.syspath_prepend(str(packages))
    before = digest_of(small_project)
    (packages / "jinja2-9.9.dist-info").mkdir()
    assert digest_of(small_project) != before


def test_a_link_in_the_inputs_leaves_the_check_in_doubt(small_project, tmp_path):
    (tmp_path / "elsewhere.yml").write_text("x: 1\n")
    (small_project / "content" / "linked.yml").symlink_to(tmp_path / "elsewhere.yml")
    with pytest.raises(uptodate.InDoubt):
        digest_of(small_project)


def test_a_pipe_or_a_link_in_place_of_an_input_leaves_the_check_in_doubt(small_project, tmp_path):
    (small_project / "mkdocs.yml").rename(tmp_path / "mkdocs.yml")
    (small_project / "mkdocs.yml").symlink_to(tmp_path / "mkdocs.yml")
    with pytest.raises(uptodate.InDoubt):
        digest_of(small_project)
    (small_project / "mkdocs.yml").unlink()
    os.mkfifo(small_project / "mkdocs.yml")  # read, it would hang the build
    with pytest.raises(uptodate.InDoubt):
        digest_of(small_project)


def load_cli(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT / "build.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    return cli


@pytest.mark.parametrize("failure", [PermissionError("content/site.yml"), UnicodeEncodeError("utf-8", "", 0, 1, "x"),
                                     RecursionError(), ValueError()], ids=lambda failure: type(failure).__name__)
def test_an_unreadable_input_or_any_failure_of_the_check_makes_the_build_run_whole(tmp_path, monkeypatch, failure):
    cli = load_cli("build_cli_unreadable")

    def unreadable(*args, **kwargs):
        raise failure

    monkeypatch.setattr(uptodate, "input_digest", unreadable)
    monkeypatch.setattr(uptodate, "up_to_date", unreadable)
    args = cli.argparse.Namespace(command="build", force=False)
    layout = cli.Layout.default(tmp_path)
    assert cli._inputs(args, layout, PublishSettings()) is None
    assert cli._last_build(layout, "inputs") is None


def test_a_file_name_that_is_not_utf8_is_an_input(small_project):
    before = digest_of(small_project)
    (small_project / "content" / os.fsdecode(b"\xff.yml")).write_text("x: 1\n")
    assert digest_of(small_project) != before


def nest(folder: Path, depth: int) -> None:
    os.makedirs(os.path.join(folder, *["d"] * depth))


def test_folders_nested_too_deep_leave_the_check_in_doubt(small_project, tmp_path):
    nest(small_project / "content", uptodate.MAX_DEPTH + 1)  # 1100 deep, os.walk would end in a RecursionError
    with pytest.raises(uptodate.InDoubt, match="nested more than"):
        digest_of(small_project)
    nest(tmp_path / "site", uptodate.MAX_DEPTH + 1)
    with pytest.raises(uptodate.InDoubt, match="nested more than"):
        uptodate.output_manifest({"site": tmp_path / "site"})


def test_a_user_fontconfig_setting_changes_the_digest(small_project, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    before = digest_of(small_project)
    (tmp_path / "config" / "fontconfig").mkdir(parents=True)
    (tmp_path / "config" / "fontconfig" / "fonts.conf").write_text("<fontconfig/>\n")
    assert digest_of(small_project) != before


# --- the record and the manifest of the output ----------------------------------------------------------------


@pytest.fixture
def published(tmp_path: Path) -> dict[str, Path]:
    outputs = {"site": tmp_path / "site", "dist": tmp_path / "dist"}
    (outputs["site"] / "en").mkdir(parents=True)
    (outputs["site"] / "en" / "index.html").write_text("<p>page</p>")
    outputs["dist"].mkdir()
    (outputs["dist"] / "handout-en.pdf").write_bytes(b"%PDF")
    (tmp_path / "work").mkdir()
    uptodate.remember(tmp_path / "work", "inputs", uptodate.output_manifest(outputs), ["a warning"], ["a summary"])
    return outputs


TOUCHES = {
    "altered": lambda outputs: (outputs["site"] / "en" / "index.html").write_text("<p>other</p>"),
    "deleted": lambda outputs: (outputs["dist"] / "handout-en.pdf").unlink(),
    "added": lambda outputs: (outputs["site"] / "en" / "stray.html").write_text("<p>stray</p>"),
    "folder removed": lambda outputs: shutil.rmtree(outputs["dist"]),
    "made unreadable": lambda outputs: (outputs["site"] / "en" / "index.html").chmod(0),  # root reads it still
    "empty folder added": lambda outputs: (outputs["site"] / "en" / "evil-empty").mkdir(),
}


def test_the_record_replays_the_warnings_when_nothing_changed(published, tmp_path):
    last = uptodate.up_to_date(tmp_path / "work", "inputs", published)
    assert last is not None and last.warnings == ["a warning"] and last.summary == ["a summary"]
    assert uptodate.up_to_date(tmp_path / "work", "other inputs", published) is None


@pytest.mark.parametrize("touch", TOUCHES, ids=list(TOUCHES))
def test_an_output_file_touched_makes_the_build_run(published, tmp_path, touch):
    TOUCHES[touch](published)
    assert uptodate.up_to_date(tmp_path / "work", "inputs", published) is None


def test_a_build_that_runs_forgets_the_record_first(published, tmp_path):
    uptodate.forget(tmp_path / "work")
    assert uptodate.up_to_date(tmp_path / "work", "inputs", published) is None


def test_an_unreadable_record_makes_the_build_run(published, tmp_path):
    write_kept_text(tmp_path / "work" / uptodate.RECORD, "{not json")
    assert uptodate.up_to_date(tmp_path / "work", "inputs", published) is None


def _reshaped(**fields):
    def damage(record: Path) -> None:
        write_kept_text(record, json.dumps({**json.loads(read_kept_text(record)), **fields}))
    return damage


DAMAGED_RECORDS = {
    "nested past Python's limit": lambda record: write_kept_text(record, "[" * 100_000),
    "outputs of another shape": _reshaped(outputs=[]),
    "a digest of another shape": _reshaped(outputs={"site/en/index.html": 1}),
    "warnings of another shape": _reshaped(warnings="a warning"),
    "a folder": lambda record: (record.unlink(), record.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGED_RECORDS, ids=list(DAMAGED_RECORDS))
def test_a_damaged_record_makes_the_build_run_and_is_forgotten_then_written_again(published, tmp_path, damage):
    work = tmp_path / "work"
    DAMAGED_RECORDS[damage](work / uptodate.RECORD)
    assert uptodate.up_to_date(work, "inputs", published) is None
    uptodate.forget(work)
    uptodate.remember(work, "inputs", uptodate.output_manifest(published), [], [])
    assert uptodate.up_to_date(work, "inputs", published) is not None
    assert [path.name for path in work.iterdir()] == [uptodate.RECORD]


def test_a_record_that_cannot_be_written_leaves_no_record_and_no_stray_file(published, tmp_path):
    work = tmp_path / "work"
    uptodate.forget(work)
    (work / uptodate.RECORD).mkdir()
    (work / uptodate.RECORD / "kept").write_text("a folder os.replace cannot replace")
    uptodate.remember(work, "inputs", uptodate.output_manifest(published), [], [])
    assert uptodate.up_to_date(work, "inputs", published) is None
    assert [path.name for path in work.iterdir()] == []


def test_the_record_holds_what_this_build_staged_not_what_another_build_published_meanwhile(tmp_path, monkeypatch):
    """Two builds publishing the same site/ and dist/ at once, each with its own --work-dir: the other one's
    output, swapped in between this build's publish and its record, is not taken for this build's."""
    from calcguide import pipeline

    cli = load_cli("build_cli_two_builds")
    out, staging = tmp_path / "out", tmp_path / "staging"
    flags = ["--site-dir", str(out / "site"), "--dist-dir", str(out / "dist"), "--work-dir", str(tmp_path / "work")]
    other_build_publishes = True

    def build_everything(layout, timings, settings, warn, staged, published):
        for name in ("site", "dist"):
            (staging / name).mkdir(parents=True, exist_ok=True)
            (staging / name / "page.html").write_text("this build's")
        staged({"site": staging / "site", "dist": staging / "dist"})
        for name in ("site", "dist"):
            shutil.rmtree(out / name, ignore_errors=True)
            shutil.copytree(staging / name, out / name)
            if other_build_publishes:
                (out / name / "page.html").write_text("the other build's")
        published()

    monkeypatch.setattr(pipeline, "build_everything", build_everything)
    assert cli.main(flags) == 0
    monkeypatch.setattr(pipeline, "build_everything", lambda *args, **kwargs: pytest.fail("built again"))
    with pytest.raises(pytest.fail.Exception, match="built again"):
        cli.main(flags)  # not "up to date": site/ holds the other build's pages
    monkeypatch.setattr(pipeline, "build_everything", build_everything)
    other_build_publishes = False
    assert cli.main(flags) == 0
    monkeypatch.setattr(pipeline, "build_everything", lambda *args, **kwargs: pytest.fail("built again"))
    assert cli.main(flags) == 0  # this build's own pages, as staged: up to date


def test_names_copied_to_keep_start_up_light_are_the_modules_own():
    assert uptodate.SCHEMA_DIR == editorschema.SCHEMA_DIR
    spec = importlib.util.spec_from_file_location("build_cli_kinds", PROJECT / "build.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.SCAFFOLD_KINDS == scaffold.KINDS


# --- end to end: build.py on a copy of the project --------------------------------------------------------------


def output_tree(root: Path) -> dict[str, str]:
    """Every file of site/ and dist/ by its bytes; a zip by its members' names and bytes (the times it gives its
    members are those of the files it was made from, which differ from one build to another)."""
    tree = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                digest = hashlib.sha256()
                for name in archive.namelist():
                    digest.update(name.encode() + b"\0" + hashlib.sha256(archive.read(name)).digest())
        else:
            digest = hashlib.sha256(path.read_bytes())
        tree[path.relative_to(root).as_posix()] = digest.hexdigest()
    return tree


def stamps(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns for path in root.rglob("*")}


class CopiedProject:
    """A copy of what the build reads, building the minimal guide into its own site/, dist/ and work folder."""

    def __init__(self, root: Path):
        self.root = root
        self.project = root / "project"
        copy_project_with_minimal_guide(self.project)

    def build(self, *flags: str):
        return run_build("--site-dir", str(self.root / "out" / "site"), "--dist-dir", str(self.root / "out" / "dist"),
                         "--work-dir", str(self.root / "work"), *flags, project=self.project)

    def output(self) -> dict[str, str]:
        return output_tree(self.root / "out")


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory):
    """The copied project after one build from nothing, and that build's output and warnings."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1790000000"  # MkDocs dates the sitemap with the build's time
    copy = CopiedProject(tmp_path_factory.mktemp("up-to-date"))
    first = copy.build()
    assert first.returncode == 0 and first.stdout.startswith("validate"), first.stderr
    yield copy, copy.output(), first
    if saved is None:
        del os.environ["SOURCE_DATE_EPOCH"]
    else:
        os.environ["SOURCE_DATE_EPOCH"] = saved


def ran_whole(run) -> bool:
    return run.returncode == 0 and "are up to date" not in run.stdout and "\npublish " in run.stdout


@pytest.mark.slow
def test_a_second_build_says_up_to_date_replays_its_warnings_and_changes_nothing(copied):
    copy, reference, first = copied
    before = stamps(copy.root / "out")
    again = copy.build()
    assert again.returncode == 0
    said = again.stdout.splitlines()[0]
    assert said.startswith(f"{copy.root / 'out' / 'site'}/ and {copy.root / 'out' / 'dist'}/ are up to date with ")
    assert said.endswith("templates/, docs/, the build's code and its settings: nothing to build (--force builds "
                         "anyway)")
    assert "offline bundle minimal-test-guide-offline-0.1.0.zip" in again.stdout
    assert again.stderr == first.stderr and "warning: " in again.stderr
    assert stamps(copy.root / "out") == before


@pytest.mark.slow
def test_force_builds_anyway(copied):
    copy, reference, _ = copied
    assert ran_whole(copy.build("--force"))
    assert copy.output() == reference


def _env_change(copy: CopiedProject):
    os.environ["SOURCE_DATE_EPOCH"] = "1790086400"
    return lambda: os.environ.__setitem__("SOURCE_DATE_EPOCH", "1790000000")


def _edit(relative: str, old: str, new: str):
    def change(copy: CopiedProject):
        path = copy.project / relative
        text = path.read_text(encoding="utf-8")
        replace_in(path, old, new)
        return lambda: path.write_text(text, encoding="utf-8")
    return change


INPUT_CHANGES = {
    "a content text": _edit("content/summary.yml", "\n", "\n# an editor's note\n"),
    "a template": _edit("templates/redirect.html.j2", "\n", "\n{# a template author's note #}\n"),
    "a docs file": _edit("docs/assets/stylesheets/guide.css", "\n", "\n/* a designer's note */\n"),
    "build.py": _edit("build.py", "\n", "\n# a developer's note\n"),
    "an environment variable": _env_change,
}


@pytest.mark.slow
@pytest.mark.parametrize("change", INPUT_CHANGES, ids=list(INPUT_CHANGES))
def test_a_changed_input_runs_the_build_whole_and_its_output_equals_a_build_from_nothing(copied, change):
    copy, reference, _ = copied
    undo = INPUT_CHANGES[change](copy)
    assert ran_whole(copy.build())
    undo()
    assert ran_whole(copy.build()), "back to the first inputs: their output was replaced, so the build runs"
    assert copy.output() == reference
    assert "are up to date" in copy.build().stdout


@pytest.mark.slow
def test_a_flag_runs_the_build_whole(copied):
    copy, reference, _ = copied
    assert ran_whole(copy.build("--public-url", "https://calcinosis.guide.org/"))
    assert ran_whole(copy.build())
    assert copy.output() == reference


@pytest.mark.slow
@pytest.mark.parametrize("touch", ["altered", "deleted"])
def test_a_touched_output_file_runs_the_build_whole(copied, touch):
    copy, reference, _ = copied
    page = copy.root / "out" / "site" / "en" / "index.html"
    page.write_text("<p>edited by hand</p>") if touch == "altered" else page.unlink()
    assert ran_whole(copy.build())
    assert copy.output() == reference
