"""What a build keeps in its work folder for the next one (calcguide/keptcache.py: the verdicts, the fragments, the
search fields, the print budget's page texts, the up-to-date record; calcguide/content/loader.py: each content
file's reading and validation) never changes the output: a file that is damaged, cut short, foreign or of another
shape is ignored, never a traceback; and a build that runs with every cache warm writes what a build with an empty
work folder writes."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest

from calcguide import render, search
from calcguide.content import Treatment
from calcguide.handout import HANDOUT_KEYS_FILE
from calcguide.content.loader import DocumentCache, load_guide
from calcguide.keptcache import SIGNED, KeptEntries, list_of_texts, read_kept, sign, verified, write_kept
from calcguide.pipeline import DOCUMENTS_FILE, FRAGMENTS_FILE, SEARCH_FIELDS_FILE
from calcguide.verdicts import FILE as VERDICTS_FILE
from conftest import (PROJECT, copy_project_with_minimal_guide, read_kept_text, replace_in, run_build,
                      write_kept_text)

MINIMAL = PROJECT / "tests" / "guides" / "minimal"


# --- one kept file: read whole and of its shape, or absent; written whole or not at all ---------------------------


def _kept(path: Path) -> KeptEntries[list[str]]:
    return KeptEntries(path, "salt", list_of_texts)


DAMAGED = {
    "cut short": lambda path: write_kept_text(path, '{"salt": "salt", "entries": {"a": ["x'),
    "nested past Python's limit": lambda path: write_kept_text(path, "[" * 100_000),
    "not UTF-8": lambda path: write_kept_text(path, b'{"salt": "\xff\xfe"}'),
    "not an object": lambda path: write_kept_text(path, "[]"),
    "entries of another shape": lambda path: write_kept_text(path, json.dumps({"salt": "salt", "entries": []})),
    "an entry of another shape": lambda path: write_kept_text(path,
        json.dumps({"salt": "salt", "entries": {"a": "not a list"}})),
    "another salt": lambda path: write_kept_text(path, json.dumps({"salt": "other", "entries": {"a": ["kept"]}})),
    "a folder": lambda path: path.mkdir(),
}


@pytest.mark.parametrize("damage", DAMAGED, ids=list(DAMAGED))
def test_a_damaged_kept_file_is_a_miss_and_is_replaced_or_left_without_a_stray_file(tmp_path, damage):
    path = tmp_path / "kept.json"
    DAMAGED[damage](path)
    kept = _kept(path)
    assert kept.get("a") is None
    assert kept.remember("a", lambda: ["computed"]) == ["computed"]
    assert kept.save() is (damage != "a folder")
    assert [item.name for item in tmp_path.iterdir()] == ["kept.json"]
    assert _kept(path).get("a") == (None if damage == "a folder" else ["computed"])


def test_a_kept_file_not_signed_by_this_user_is_a_miss_though_its_salt_and_shape_are_right(tmp_path):
    # A verdict or a fragment brought in a committed or copied work folder could pass a hostile page.
    path = tmp_path / "kept.json"
    path.write_text(json.dumps({"salt": "salt", "entries": {"good": ["text"]}}))
    assert _kept(path).get("good") is None
    write_kept_text(path, json.dumps({"salt": "salt", "entries": {"good": ["text"]}}))
    assert _kept(path).get("good") == ["text"]


def test_an_entry_of_another_shape_is_a_miss_and_the_others_are_kept(tmp_path):
    path = tmp_path / "kept.json"
    write_kept_text(path, json.dumps({"salt": "salt", "entries": {"bad": [1], "good": ["text"]}}))
    kept = _kept(path)
    assert kept.get("bad") is None and kept.get("good") == ["text"]


def test_only_the_entries_a_build_used_are_kept(tmp_path):
    path = tmp_path / "kept.json"
    first = _kept(path)
    first.put("old", ["a"])
    first.put("both", ["b"])
    first.save()
    second = _kept(path)
    assert second.get("both") == ["b"]
    second.put("new", ["c"])
    second.save()
    assert set(read_kept(path, lambda value: True)["entries"]) == {"both", "new"}


def test_a_value_that_cannot_be_written_leaves_the_last_file(tmp_path):
    path = tmp_path / "kept.json"
    assert write_kept(path, ["kept"])
    assert not write_kept(path, {"a set": {1}})  # not JSON
    assert read_kept(path, list_of_texts) == ["kept"]
    assert [item.name for item in tmp_path.iterdir()] == ["kept.json"]


def test_a_text_that_is_not_utf8_is_kept_as_it_was(tmp_path):
    name = os.fsdecode(b"caf\xe9.yml")  # a file name that is not UTF-8, in a warning: a lone surrogate
    assert write_kept(tmp_path / "kept.json", [name])
    assert read_kept(tmp_path / "kept.json", list_of_texts) == [name]


# --- the documents, kept with pickle ----------------------------------------------------------------------------


def _documents_kept(path: Path, salt: str = "salt") -> DocumentCache:
    documents = DocumentCache()
    load_guide(MINIMAL, cache=documents)
    assert documents.save(path, salt)
    return documents


class Gone:
    """A class that the next version of the build no longer has."""


def _signed(value: object) -> bytes:
    """A pickle as the build signs it: what the damages below test is what the build does with what it unpickles."""
    return sign(pickle.dumps(value))


DAMAGED_DOCUMENTS = {
    "cut short": lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
    "not a pickle": lambda path: path.write_bytes(b"not a pickle at all"),
    "signed, not a pickle": lambda path: path.write_bytes(sign(b"not a pickle at all")),
    "empty": lambda path: path.write_bytes(b""),
    "another shape": lambda path: path.write_bytes(_signed({"salt": "salt", "entries": [1, 2]})),
    "an entry of another shape": lambda path: path.write_bytes(_signed(
        {"salt": "salt", "entries": {(MINIMAL / "site.yml", "site.yml", MINIMAL, Treatment): (b"", (1, 2, 3))}})),
    "checks of another shape": lambda path: path.write_bytes(_signed(
        {**pickle.loads(verified(path.read_bytes())), "checked": {"not": "a list"}})),
    "a class that is gone": lambda path: path.write_bytes(
        sign(pickle.dumps({"salt": "salt", "entries": Gone()}).replace(b"Gone", b"Went"))),
    "unsigned": lambda path: path.write_bytes(verified(path.read_bytes())),
    "another salt": lambda path: _documents_kept(path, "another salt"),
    "a folder": lambda path: (path.unlink(), path.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGED_DOCUMENTS, ids=list(DAMAGED_DOCUMENTS))
def test_damaged_kept_documents_are_a_miss_and_every_file_is_read(tmp_path, damage):
    path = tmp_path / DOCUMENTS_FILE
    _documents_kept(path)
    DAMAGED_DOCUMENTS[damage](path)
    documents = DocumentCache.kept(path, "salt")
    assert documents.entries == {}
    assert load_guide(MINIMAL, cache=documents) == load_guide(MINIMAL)


def test_kept_checks_are_those_of_the_kept_sources_and_a_stray_one_is_dropped(tmp_path):
    path = tmp_path / DOCUMENTS_FILE
    documents = _documents_kept(path)
    stored = pickle.loads(verified(path.read_bytes()))
    stray = next(iter(stored["entries"].values()))[1][1]
    path.write_bytes(_signed({**stored, "checked": [*stored["checked"], (len, "not a source", 1),
                                                         ("not callable", stray, 1)]}))
    kept = DocumentCache.kept(path, "salt")
    assert len(kept.checked) == len(documents.checked) > 0
    sources = {id(entry[1][1]) for entry in kept.entries.values()}
    assert all(key[1] in sources and source is not None for key, (source, _) in kept.checked.items())
    assert load_guide(MINIMAL, cache=kept) == load_guide(MINIMAL)


def test_kept_documents_are_used_only_for_the_same_bytes(tmp_path, content_copy):
    path = tmp_path / DOCUMENTS_FILE
    documents = DocumentCache()
    load_guide(content_copy, cache=documents)
    documents.save(path, "salt")
    kept = DocumentCache.kept(path, "salt")
    assert len(kept.entries) == len(documents.entries)
    treatment = sorted((content_copy / "treatments").glob("*.yml"))[0]
    replace_in(treatment, "\n", "\n# an editor's note\n")
    assert load_guide(content_copy, cache=kept) == load_guide(content_copy)
    [(raw, _)] = [entry for key, entry in kept.entries.items() if key[1].endswith(treatment.name)]
    assert raw == treatment.read_bytes()  # read again, not the kept reading of the old bytes


# --- end to end: a build that runs with its caches warm writes what a build from nothing writes --------------------


def output_tree(root: Path) -> dict[str, str]:
    """Every file by its bytes, a zip by its members'. Not the printed PDFs: Chromium does not print the same page
    twice to the same bytes (two builds from nothing differ), and a build that runs takes them from the PDF cache
    (calcguide/pdfcache.py, tests/test_pdf_cache.py)."""
    tree = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".pdf":
            continue
        digest = hashlib.sha256()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if not name.endswith(".pdf"):
                        digest.update(name.encode() + b"\0" + hashlib.sha256(archive.read(name)).digest())
        else:
            digest.update(path.read_bytes())
        tree[path.relative_to(root).as_posix()] = digest.hexdigest()
    return tree


class CopiedProject:
    """A copy of what the build reads, with the minimal guide, built into out/<name>/ from work/<name>/."""

    def __init__(self, root: Path):
        self.root = root
        self.project = root / "project"
        copy_project_with_minimal_guide(self.project)

    def build(self, name: str, *flags: str) -> dict[str, str]:
        # This process's own memory of fragments and search fields forgotten: what the work folder kept is read.
        render._FRAGMENTS.clear()
        search._FIELDS.clear()
        done = run_build("--site-dir", str(self.root / "out" / name / "site"), "--dist-dir",
                         str(self.root / "out" / name / "dist"), "--work-dir", str(self.root / "work" / name),
                         *flags, project=self.project)
        assert done.returncode == 0 and "\npublish " in done.stdout, done.stderr
        self.warnings = done.stderr  # the review's, the release's: worked out from the kept documents too
        return output_tree(self.root / "out" / name)

    def from_nothing(self) -> dict[str, str]:
        shutil.rmtree(self.root / "work" / "empty", ignore_errors=True)
        return self.build("empty")


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory):
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1790000000"  # MkDocs dates the sitemap with the build's time
    copy = CopiedProject(tmp_path_factory.mktemp("kept"))
    copy.build("warm")
    yield copy
    if saved is None:
        del os.environ["SOURCE_DATE_EPOCH"]
    else:
        os.environ["SOURCE_DATE_EPOCH"] = saved


KEPT_FILES = (FRAGMENTS_FILE, SEARCH_FIELDS_FILE, DOCUMENTS_FILE, VERDICTS_FILE, HANDOUT_KEYS_FILE,
              "editor-schemas.json")


@pytest.mark.slow
def test_a_forced_build_with_warm_caches_writes_what_a_build_from_nothing_writes(copied):
    for name in KEPT_FILES:
        assert (copied.root / "work" / "warm" / name).is_file(), name
    assert copied.build("warm", "--force") == copied.from_nothing()


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["a treatment's text", "a reference", "the glossary"])
def test_an_edited_build_with_warm_caches_writes_what_a_build_from_nothing_writes(copied, edit):
    content = copied.project / "content"
    path, old, new = {  # each changes what pages show: a text, the citations' tooltips, the abbreviations' terms
        "a treatment's text": (content / "treatments" / "co2-laser.yml", "Carbon dioxide laser vaporisation",
                               "Edited for calcinosis in juvenile dermatomyositis: carbon dioxide laser vaporisation"),
        "a reference": (content / "references.yml", "title: Management of calcinosis",
                        "title: Revised management of calcinosis"),
        "the glossary": (content / "glossary.yml", "    en: dermatomyositis", "    en: dermatomyositis (edited)"),
    }[edit]
    text = path.read_text(encoding="utf-8")
    try:
        replace_in(path, old, new)
        warm = copied.build("warm")
        warned = copied.warnings
        assert warm == copied.from_nothing()
        assert warned == copied.warnings and "changed since its review" in warned
    finally:
        path.write_text(text, encoding="utf-8")


DAMAGES = {
    "cut short": lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
    "of another shape": lambda path: write_kept_text(path, json.dumps({"salt": "x", "entries": {"a": {"b": 1}}})),
    "a folder": lambda path: (path.unlink(), path.mkdir()),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_build_with_damaged_caches_writes_what_a_build_from_nothing_writes(copied, damage):
    for name in KEPT_FILES:
        kept = copied.root / "work" / "warm" / name
        DAMAGES[damage](kept)
    try:
        assert copied.build("warm", "--force") == copied.from_nothing()
    finally:
        for name in KEPT_FILES:
            kept = copied.root / "work" / "warm" / name
            if kept.is_dir():
                kept.rmdir()


@pytest.mark.slow
def test_the_editor_schemas_are_made_again_when_one_was_changed_by_hand(copied):
    copied.build("warm", "--force")  # whatever an earlier test did to the work folder, the record is written
    schema = copied.project / "schemas" / "treatment.schema.json"
    written = schema.read_text(encoding="utf-8")
    assert (copied.root / "work" / "warm" / "editor-schemas.json").is_file()
    schema.write_text("{}", encoding="utf-8")
    copied.build("warm", "--force")
    assert schema.read_text(encoding="utf-8") == written


@pytest.mark.slow
def test_the_printed_pages_are_made_again_only_when_what_they_are_made_of_changed(copied, monkeypatch):
    from calcguide import handout

    made = []
    html = handout.HandoutRenderer.html
    monkeypatch.setattr(handout.HandoutRenderer, "html", lambda self, *args: made.append(args) or html(self, *args))
    copied.build("warm", "--force")  # whatever an earlier test did to the work folder, the keys are remembered
    made.clear()
    copied.build("warm", "--force")
    assert made == []  # the same inputs: the PDFs fetched by the keys the last build remembered
    summary = copied.project / "content" / "summary.yml"
    text = summary.read_text(encoding="utf-8")
    try:
        replace_in(summary, "\n", "\n# an editor's note\n")
        copied.build("warm")
        assert len(made) == 4  # the handout and the leaflet in both languages, made again and looked up
    finally:
        summary.write_text(text, encoding="utf-8")
    for name in ("handout-keys.json", "pdf-cache"):
        assert (copied.root / "work" / "warm" / name).exists()


def test_what_each_page_shows_is_worked_out_again_when_a_content_file_changed(content_copy):
    from calcguide.reviewed import review_problems, write_record

    write_record(load_guide(content_copy), content_copy)  # every page reviewed as it is now
    documents = DocumentCache()
    assert review_problems(load_guide(content_copy, cache=documents), content_copy, documents) == []
    replace_in(content_copy / "treatments" / "diltiazem.yml", "Its benefit", "Its edited benefit")
    guide = load_guide(content_copy, cache=documents)
    kept = review_problems(guide, content_copy, documents)
    assert kept == review_problems(guide, content_copy)
    assert "what the page 'diltiazem' shows changed" in " ".join(problem.message for problem in kept)


# --- a kept file that would run code is loaded only when this user's build signed it -----------------------------


class WritesAFile:
    """Unpickled, it creates the file it names: a stand-in for any code a foreign pickle could run."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


FOREIGN_PICKLES = {
    "unsigned, with the build's salt": lambda marker: pickle.dumps(
        {"salt": "salt", "entries": {}, "checked": [], "derived": {}, "code": WritesAFile(marker)}),
    "unsigned, with another salt": lambda marker: pickle.dumps({"salt": "other", "code": WritesAFile(marker)}),
    "signed with another key": lambda marker: SIGNED + hmac.new(b"k" * 32, data := pickle.dumps(
        {"salt": "salt", "entries": {}, "checked": [], "code": WritesAFile(marker)}), hashlib.sha256).digest() + data,
}


@pytest.mark.parametrize("foreign", FOREIGN_PICKLES, ids=list(FOREIGN_PICKLES))
def test_a_foreign_pickle_in_the_work_folder_is_never_unpickled(tmp_path, foreign):
    marker = tmp_path / "code ran"
    path = tmp_path / DOCUMENTS_FILE
    path.write_bytes(FOREIGN_PICKLES[foreign](marker))
    kept = DocumentCache.kept(path, "salt")
    assert not marker.exists()
    assert kept.entries == {}


def test_a_foreign_compiled_template_in_the_work_folder_is_never_loaded(tmp_path):
    import jinja2
    from jinja2.bccache import bc_magic

    from calcguide.templatecache import bytecode_cache

    def rendered() -> str:
        environment = jinja2.Environment(loader=jinja2.DictLoader({"page": "{{ 1 + 1 }}"}),
                                         bytecode_cache=bytecode_cache(tmp_path))
        return environment.get_template("page").render()

    assert rendered() == "2"  # compiled and kept, signed
    [kept] = (tmp_path / "jinja-cache").iterdir()
    marker = tmp_path / "code ran"
    kept.write_bytes(bc_magic + pickle.dumps(WritesAFile(marker)))  # Jinja unpickles the checksum first
    assert rendered() == "2"
    assert not marker.exists()


def test_without_a_signing_key_nothing_is_signed_and_no_signed_file_is_loaded(tmp_path, monkeypatch):
    from calcguide import keptcache

    signed = sign(b"data")
    assert verified(signed) == b"data"
    (tmp_path / "cache" / "calcguide").mkdir(parents=True)
    (tmp_path / "cache" / "calcguide" / "kept-key").mkdir()  # a folder where the key should be: no key
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    keptcache.signing_key.cache_clear()
    try:
        assert sign(b"data") is None and verified(signed) is None
        path = tmp_path / DOCUMENTS_FILE
        assert not DocumentCache().save(path, "salt") and not path.exists()
    finally:
        monkeypatch.undo()
        keptcache.signing_key.cache_clear()


def test_a_kept_file_that_is_a_link_is_a_miss_and_a_write_replaces_the_link_not_its_target(tmp_path):
    # A work folder inside the repository can hold links committed there (git add -f build/…).
    target = tmp_path / "elsewhere.json"
    target.write_text('{"salt": "s", "entries": {}}', encoding="utf-8")
    kept = tmp_path / "work" / "search-fields.json"
    kept.parent.mkdir()
    kept.symlink_to(target)
    assert read_kept(kept, lambda value: True) is None
    for pid in range(os.getpid() - 50, os.getpid() + 50):  # links at the names a staged file once took
        (kept.parent / f".search-fields.json.{pid}").symlink_to(target)
    assert write_kept(kept, {"salt": "new"})
    assert target.read_text(encoding="utf-8") == '{"salt": "s", "entries": {}}'
    assert not kept.is_symlink() and read_kept(kept, lambda value: True) == {"salt": "new"}


@pytest.mark.parametrize("kind", ["a named pipe", "a link to a device"])
def test_a_kept_file_that_is_not_a_regular_file_is_a_miss_without_waiting(tmp_path, kind):
    kept = tmp_path / "fragments.json"
    if kind == "a named pipe":
        os.mkfifo(kept)  # opened without O_NONBLOCK, reading it would wait forever for a writer
    else:
        kept.symlink_to("/dev/zero")  # read through the link, it would never end
    assert read_kept(kept, lambda value: True) is None


def _key_refused_or_made(tmp_path, monkeypatch, prepare) -> bytes | None:
    """The signing key found under XDG_CACHE_HOME=tmp_path/cache after `prepare(key_path)`."""
    from calcguide import keptcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = keptcache.key_path()
    path.parent.mkdir(parents=True, mode=0o700)
    prepare(path)
    keptcache.signing_key.cache_clear()
    try:
        return keptcache.signing_key()
    finally:
        monkeypatch.undo()
        keptcache.signing_key.cache_clear()


def test_a_new_signing_key_is_made_whole_and_private(tmp_path, monkeypatch):
    key = _key_refused_or_made(tmp_path, monkeypatch, lambda path: None)
    path = tmp_path / "cache" / "calcguide" / "kept-key"
    assert key is not None and len(key) == 32 and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert [child.name for child in path.parent.iterdir()] == ["kept-key"]  # no staged file left


def test_a_key_cut_short_is_replaced_by_a_whole_one(tmp_path, monkeypatch):
    def cut_short(path: Path) -> None:
        path.write_bytes(b"")
        path.chmod(0o600)

    key = _key_refused_or_made(tmp_path, monkeypatch, cut_short)
    assert key is not None and len(key) == 32


def _readable_by_others(path: Path) -> None:
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)


def _a_link_to_a_key(path: Path) -> None:
    (path.parent / "real").write_bytes(os.urandom(32))
    (path.parent / "real").chmod(0o600)
    path.symlink_to(path.parent / "real")


def _a_folder_others_may_write(path: Path) -> None:
    path.write_bytes(os.urandom(32))
    path.chmod(0o600)
    path.parent.chmod(0o777)


@pytest.mark.parametrize("prepare", [os.mkfifo, _readable_by_others, _a_link_to_a_key, _a_folder_others_may_write],
                         ids=["a named pipe", "readable by others", "a link", "a folder others may write"])
def test_a_key_that_could_be_anyone_elses_is_refused_without_waiting(tmp_path, monkeypatch, prepare):
    assert _key_refused_or_made(tmp_path, monkeypatch, prepare) is None


def test_a_key_inside_the_project_is_refused_and_a_relative_cache_folder_ignored(tmp_path, monkeypatch):
    from calcguide import keptcache

    inside = PROJECT / ".cache" / "calcguide" / "kept-key"  # a committed key would sign anything
    assert keptcache.signing_key(inside) is None and not inside.exists()
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert keptcache.key_path() == tmp_path / ".cache" / "calcguide" / "kept-key"


# --- inputs that change while a build runs: nothing it made is kept under their new salt --------------------------


def _kept_files_now(work: Path) -> dict[str, tuple[int, int]]:
    """Each kept file's inode and time: a file saved again (replaced) shows, even with the same bytes."""
    return {name: ((work / name).stat().st_ino, (work / name).stat().st_mtime_ns) for name in KEPT_FILES
            if (work / name).is_file()}


def _during_mkdocs(monkeypatch: pytest.MonkeyPatch, action) -> None:
    """`action` runs between the render and MkDocs stages of the next build (an editor's save, a `git pull`)."""
    from calcguide import pipeline

    stages = tuple(pipeline.Stage(stage.name, (lambda run: lambda context: (action(), run(context)))(stage.run))
                   if stage.name == "mkdocs" else stage for stage in pipeline.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", stages)


def _warm_copy(copied, name: str) -> Path:
    copied.build("warm", "--force")  # whatever an earlier test did to the work folder, every cache is kept
    work = copied.root / "work" / name
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(copied.root / "work" / "warm", work, symlinks=True)
    return work


@pytest.mark.slow
def test_a_content_save_during_a_build_leaves_no_stale_printed_page_for_the_next_build(copied, monkeypatch):
    from calcguide import handout

    work = _warm_copy(copied, "content-race")
    before = _kept_files_now(work)
    summary = copied.project / "content" / "summary.yml"
    text = summary.read_text(encoding="utf-8")
    try:
        _during_mkdocs(monkeypatch, lambda: replace_in(summary, "\n", "\n# an editor's note\n"))
        copied.build("content-race", "--force")
        monkeypatch.undo()
        assert _kept_files_now(work) == before  # made from the guide before the save: not kept under the new one
        made = []
        html = handout.HandoutRenderer.html
        monkeypatch.setattr(handout.HandoutRenderer, "html",
                            lambda self, *args: made.append(args) or html(self, *args))
        after_the_save = copied.build("content-race")
        assert len(made) == 4  # the printed pages made from the saved guide, not fetched by the old ones' keys
        monkeypatch.undo()
        assert after_the_save == copied.from_nothing()
    finally:
        summary.write_text(text, encoding="utf-8")


@pytest.fixture
def code_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The build's code as calcguide/keptcache.py reads it from disk, in a copy a test may change (the imported
    modules stay the real ones)."""
    from calcguide import keptcache, uptodate

    copy = tmp_path / "calcguide"
    shutil.copytree(uptodate.CODE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(uptodate, "CODE", copy)
    keptcache.code_digest.cache_clear()
    yield copy
    monkeypatch.undo()
    keptcache.code_digest.cache_clear()


@pytest.mark.slow
def test_a_code_change_during_a_build_keeps_nothing_it_made(copied, code_copy, monkeypatch):
    work = _warm_copy(copied, "code-race")
    copied.build("code-race", "--force")  # its caches under the copy's code
    before = _kept_files_now(work)
    assert set(before) == set(KEPT_FILES)
    _during_mkdocs(monkeypatch, lambda: replace_in(code_copy / "search.py", '"""', '"""A git pull. '))
    copied.build("code-race", "--force")
    assert _kept_files_now(work) == before  # made by the code imported: not kept under the pulled code's salt


@pytest.mark.slow
def test_an_editors_lock_file_among_the_code_neither_fails_the_build_nor_hides_a_content_mistake(copied,
                                                                                                    code_copy):
    work = _warm_copy(copied, "lock-file")
    (code_copy / ".#render.py").symlink_to("user@host.1234:1700000000")  # what Emacs leaves while a file is edited
    assert copied.build("lock-file", "--force") == copied.from_nothing()  # no cache used, none failing
    treatment = copied.project / "content" / "treatments" / "co2-laser.yml"
    text = treatment.read_text(encoding="utf-8")
    try:
        replace_in(treatment, "id: co2-laser", "id: co2-laser\nnot_a_field: 1")
        done = run_build("--site-dir", str(copied.root / "out" / "lock-file" / "site"), "--dist-dir",
                         str(copied.root / "out" / "lock-file" / "dist"), "--work-dir", str(work),
                         project=copied.project)
    finally:
        treatment.write_text(text, encoding="utf-8")
    assert done.returncode == 2, done.stderr
    assert "co2-laser.yml:" in done.stderr and "not_a_field" in done.stderr and "InDoubt" not in done.stderr


@pytest.mark.slow
def test_kept_fragments_are_keyed_by_a_digest_not_by_their_texts(copied):
    copied.build("warm", "--force")
    kept = json.loads(read_kept_text(copied.root / "work" / "warm" / FRAGMENTS_FILE))
    assert kept["entries"] and all(len(key) == 64 and set(key) <= set("0123456789abcdef") for key in kept["entries"])
