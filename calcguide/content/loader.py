"""The loader: every file of content/ read, validated and cross-checked into one `Guide`, or every mistake."""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from .addresses import RESERVED_PAGE_NAMES
from .crosscheck import cross_check
from .crosscheck import texts_in
from .editorial import check_placeholders, editorial_errors, placeholders_of
from .errors import ContentError, ContentErrors
from .files import CONTENT_FILES, TREATMENTS_DIR
from .regular import check_tree
from ..keptcache import read_kept_bytes, sign, verified, write_kept_bytes
from .messages import Salvaged, salvage, validate_model
from .parity import check_parity
from .schema import Guide, Treatment
from .source import SourceFile
from .text import Model


T = TypeVar("T")
Document = tuple[Any, SourceFile, list[ContentError]]  # the model or None, the source with its lines, the errors


@dataclass
class DocumentCache:
    """Each file's reading and validation, kept by the preview between saves, so that a save reads and validates
    again only the files whose bytes changed (the checks between files run on every load). An entry is keyed by
    all that shapes it: the path, the name its messages give it, the tree below which no link is
    followed, the model, and the bytes read (the code does not change while the preview runs). The models are
    frozen and nothing writes to a SourceFile once read, so a document is shared safely between loads."""

    entries: dict[tuple[Path, str, Path, type], tuple[bytes, Document]] = field(default_factory=dict)
    # What the checks that read one source alone found in it (its parity report, its placeholders), by check and
    # source, kept while the source is: a cached document keeps its source, a changed file gets a new one.
    checked: dict[tuple[Callable, int], tuple[SourceFile, Any]] = field(default_factory=dict)
    used: set[tuple[Path, str, Path, type]] = field(default_factory=set)  # the entries the loads asked for
    # What was worked out from every document the loads asked for, by name: (the digest of those documents, it).
    derived: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def from_all_used(self, name: str, work_out: Callable[[], T], well_formed: Callable[[Any], bool]) -> T:
        """work_out(), which reads nothing but the documents the loads so far asked for (the guide they make, say);
        kept, under `name`, for the same documents to the byte (when `well_formed` accepts what was kept)."""
        digest = self.used_digest()
        kept = self.derived.get(name)
        if kept is not None and kept[0] == digest and well_formed(kept[1]):
            return kept[1]
        value = work_out()
        self.derived[name] = (digest, value)
        return value

    def used_digest(self) -> str:
        """The digest of every document the loads so far asked for, to the byte: what the build read."""
        digest = hashlib.sha256()
        for key in sorted(self.used, key=lambda key: (str(key[0]), key[1], str(key[2]), key[3].__qualname__)):
            raw = self.entries[key][0] if key in self.entries else b"not read"
            digest.update(repr((str(key[0]), key[1], str(key[2]), key[3].__qualname__, len(raw))).encode() + raw)
        return digest.hexdigest()

    @classmethod
    def kept(cls, path: Path, salt: str | None) -> "DocumentCache":
        """The documents a full build kept in `path` (save()), when they were kept under `salt` (the build's code and
        packages: calcguide/keptcache.py's InputsSnapshot); else none (and none when `salt` is None).

        Pickle, since a document is pydantic models and a SourceFile, which JSON would have to be taught, and
        loading them (16 ms for this guide) is what spares a build that runs reading and validating every file
        again (about 0.2 s). Unpickling runs code named in the file, and the work folder (build/ by default) is
        inside the repository, where a file can be committed: so the file is unpickled only when it carries this
        user's signature (calcguide/keptcache.py's `verified`; the key is outside the repository and the work
        folder). Whatever fails in the unpickling, or a value of another shape, is a miss: every file is read."""
        if salt is None:
            return cls()
        try:
            data = verified(read_kept_bytes(path))
            if data is None:  # unsigned, or not by this user: never unpickled
                return cls()
            stored = pickle.loads(data)
        except Exception:  # noqa: BLE001 - every kind of unpickling error (EOF, a class gone, a damaged opcode…)
            return cls()
        if not (isinstance(stored, dict) and stored.get("salt") == salt and isinstance(stored.get("entries"), dict)
                and isinstance(stored.get("checked"), list)):
            return cls()
        kept = cls({key: entry for key, entry in stored["entries"].items() if _kept_entry(key, entry)})
        if isinstance(stored.get("derived"), dict):
            kept.derived = {name: value for name, value in stored["derived"].items()
                            if isinstance(name, str) and isinstance(value, tuple) and len(value) == 2
                            and isinstance(value[0], str)}
        # What the checks of one source found, with the source they read: one pickle keeps one object once, so the
        # source here is the kept document's own (checked is keyed by the source's identity).
        sources = {id(entry[1][1]) for entry in kept.entries.values()}
        for item in stored["checked"]:
            if isinstance(item, tuple) and len(item) == 3 and callable(item[0]) and id(item[1]) in sources:
                kept.checked[(item[0], id(item[1]))] = (item[1], item[2])
        return kept

    def save(self, path: Path, salt: str | None) -> bool:
        """The documents the loads since this cache was made asked for, and what the checks of one source found
        in them, under `salt`, whole or not at all."""
        entries = {key: entry for key, entry in self.entries.items() if key in self.used}
        sources = {id(entry[1][1]) for entry in entries.values()}
        checked = [(check, source, found) for (check, _), (source, found) in self.checked.items()
                   if id(source) in sources]
        try:
            data = pickle.dumps({"salt": salt, "entries": entries, "checked": checked, "derived": self.derived},
                                protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a value that does not pickle (RecursionError…): nothing kept
            return False
        signed = sign(data) if salt is not None else None
        return signed is not None and write_kept_bytes(path, signed)

    def check(self, check: Callable[[SourceFile], T], source: SourceFile) -> T:
        """check(source), worked out once per source read (`check` reads nothing but the source)."""
        kept = self.checked.get((check, id(source)))
        if kept is None or kept[0] is not source:
            live = {id(document[1]) for _, document in self.entries.values()}
            self.checked = {key: value for key, value in self.checked.items() if key[1] in live}
            kept = self.checked[(check, id(source))] = (source, check(source))
        return kept[1]

    def load(self, source: SourceFile, model: type[Model], read: Callable[[bytes | ContentError], Document]
             ) -> Document:
        raw = source.read_raw()
        if isinstance(raw, ContentError):  # missing, a link, a pipe…: told each time, never kept
            return read(raw)
        key = (source.path, source.name, source.tree, model)
        self.used.add(key)
        if (entry := self.entries.get(key)) is not None and entry[0] == raw:
            return entry[1]
        document = read(raw)
        self.entries[key] = (raw, document)
        return document


def _kept_entry(key: object, entry: object) -> bool:
    """An entry of the shape DocumentCache.load makes: (path, name, tree, model) → (bytes, (the model or None, the
    source, its errors))."""
    if not (isinstance(key, tuple) and len(key) == 4 and isinstance(key[0], Path) and isinstance(key[1], str)
            and isinstance(key[2], Path) and isinstance(key[3], type)):
        return False
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes)
            and isinstance(entry[1], tuple) and len(entry[1]) == 3):
        return False
    value, source, errors = entry[1]
    return ((value is None or isinstance(value, key[3])) and isinstance(source, SourceFile)
            and source.path == key[0] and isinstance(errors, list)
            and all(isinstance(error, ContentError) for error in errors))


def load_document(path: Path, model: type[Model], root: Path | None = None,
                  tree: Path | None = None, cache: DocumentCache | None = None) -> Document:
    """One YAML file validated against `model`: (the model or None, the source with its lines, the errors).
    Messages name the file relative to `root` (default: its folder); no link is followed below `tree` (default:
    root). With a `cache`, a file whose bytes it has seen is not read again."""
    source = SourceFile(path, root or path.parent, tree)

    def read(raw: bytes | ContentError) -> Document:
        read_errors = source.read(raw)
        if source.data is None:
            return None, source, read_errors
        # Data that read (syntax mistakes mended as their messages advise, or texts with a mistake of their own) is
        # validated too, so that one run shows the file's every mistake; nothing twice at a line already reported.
        value, problems = validate_model(source, model, source.data)
        return value, source, [*read_errors,
                               *(problem for problem in problems if problem.line not in source.mended_lines)]

    return cache.load(source, model, read) if cache is not None else read(source.read_raw())


# Editors' and systems' own files, never content: hidden files (.DS_Store, vim's .x.yml.swp), backups (x.yml~),
# emacs autosaves (#x.yml#). They are never opened.
def _ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith("~")


def content_inventory(root: Path) -> tuple[list[Path], list[ContentError]]:
    """The treatment files of content/, and an error for everything in content/ that is not a known file: an
    unknown file or folder, a wrong extension, a link, a pipe or a device (which are never opened)."""
    errors: list[ContentError] = []
    # reviewed.yml: the record of what each page showed at its review, written by `build.py reviewed`.
    known = {content_file.name for content_file in CONTENT_FILES} | {"reviewed.yml"}
    treatments: list[Path] = []
    tree_errors = check_tree(root, "content", prefix="")
    errors.extend(error for error in tree_errors if error.file not in known)  # those report when they are read
    refused = {error.file for error in tree_errors}

    def where(path: Path) -> str:
        return path.relative_to(root).as_posix()

    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if _ignored(entry.name) or entry.name in refused:
            continue
        if entry.name == TREATMENTS_DIR and entry.is_dir() and not entry.is_symlink():
            for path in sorted(entry.iterdir()):
                if _ignored(path.name) or where(path) in refused:
                    continue
                if path.suffix == ".yml" and path.is_file():
                    treatments.append(path)
                elif path.is_dir():
                    errors.append(ContentError(where(path), 1, "", f"a folder inside {TREATMENTS_DIR}/; "
                                               "expected only treatment files, one .yml file per treatment"))
                else:
                    errors.append(ContentError(where(path), 1, "", _unexpected_extension(path)))
        elif entry.name not in known:
            hint = (f"expected one of: {', '.join(sorted(known))}, and the folder {TREATMENTS_DIR}/"
                    if entry.suffix == ".yml" else _unexpected_extension(entry))
            errors.append(ContentError(where(entry), 1, "", f"unknown file in content/, which the build would "
                                       f"ignore; {hint}"))
    return treatments, errors


def _unexpected_extension(path: Path) -> str:
    if path.suffix.lower() in (".yaml", ".yml"):
        return f"content files end in .yml (lowercase); rename it to {path.stem}.yml"
    return f"only .yml files belong here; rename it to {path.stem}.yml if it is content, or move it out of content/"


def _salvage(model: type[Model], data: Any) -> Salvaged | None:
    """What validates of a file that does not, or None if even that fails (its errors are reported anyway)."""
    try:
        return salvage(model, data)
    except Exception:  # noqa: BLE001 - a validator's own bug on odd input: check the valid files only
        return None


def _between_files(parsed: dict[str, Any], sources: dict[str, SourceFile],
                   treatments: list[tuple[Treatment, SourceFile]], invalid_treatments: list[str],
                   salvaged: dict[str, Salvaged], salvaged_treatments: list[tuple[Treatment, SourceFile]],
                   cache: DocumentCache | None = None) -> list[ContentError]:
    """The checks between files, also on what validates of the files that do not (so that one wrong field does
    not hide the mistakes of the next round), leaving out what follows from a mistake already reported."""
    def checks(files: dict[str, Any], every_treatment: list[tuple[Treatment, SourceFile]],
               undefined: list[str], partial: dict[str, set[str]] | None = None) -> list[ContentError]:
        return [*cross_check(files, sources, every_treatment, undefined, partial),
                *editorial_errors(files, sources, every_treatment, placeholders)]

    def placeholders(source: SourceFile) -> list[ContentError]:  # of a file unchanged since the last save: kept
        return cache.check(placeholders_of, source) if cache is not None else placeholders_of(source)

    if not salvaged:
        return checks(parsed, treatments, invalid_treatments)
    whole = {name: value if value is not None or name not in salvaged else salvaged[name].value
             for name, value in parsed.items()}
    readable = {source.name for _, source in salvaged_treatments}
    try:
        partial = {name: {ident for ids in salvaged[name].broken_ids.values() for ident in ids}
                   for name in whole if name in salvaged}
        if "algorithm.yml" in salvaged and not salvaged["algorithm.yml"].dropped & {"nodes", "edges"}:
            del partial["algorithm.yml"]  # every box and arrow is there: the chart's shape can be checked
        found = checks(whole, [*treatments, *salvaged_treatments],
                       [ident for ident in invalid_treatments if f"{TREATMENTS_DIR}/{ident}.yml" not in readable],
                       partial)
    except Exception:  # noqa: BLE001 - a shape the partial files cannot give: check the valid files only
        return checks(parsed, treatments, invalid_treatments)
    return [error for error in found if not _follows_from(error, salvaged)]


def _follows_from(error: ContentError, salvaged: dict[str, Salvaged]) -> bool:
    """An error at (or inside) a field whose own mistake is already reported."""
    if error.file not in salvaged:
        return False
    parts = tuple(error.field.split(".")) if error.field else ()
    return any(parts[:len(where)] == tuple(str(part) for part in where) for where in salvaged[error.file].broken)


def load_guide(root: Path, declared: Callable[[ContentError], None] = lambda exception: None,
               cache: DocumentCache | None = None) -> Guide:
    """Read, validate and cross-check all of `root` (the content/ folder); raise ContentErrors with every mistake.
    Each text whose numbers differ between the languages on purpose (`numbers_differ: <reason>`) is passed to
    `declared`, so that the build lists them. With a `cache` (the preview's), only the files that changed since
    the last load are read and validated again."""
    root = Path(root)
    errors: list[ContentError] = []
    parsed: dict[str, Any] = {}
    sources: dict[str, SourceFile] = {}
    salvaged: dict[str, Salvaged] = {}  # what validates of the files that do not, by file name

    for content_file in CONTENT_FILES:
        value, source, problems = load_document(root / content_file.name, content_file.model, root, cache=cache)
        errors.extend(problems)
        if source.data is not None:
            parsed[content_file.name], sources[content_file.name] = value, source
            if value is None and (part := _salvage(content_file.model, source.data)) is not None:
                salvaged[source.name] = part

    treatments: list[tuple[Treatment, SourceFile]] = []
    salvaged_treatments: list[tuple[Treatment, SourceFile]] = []
    invalid_treatments: list[str] = []  # still defined, so that their mistakes are not reported twice
    treatment_files, unexpected = content_inventory(root)
    errors.extend(unexpected)
    if not treatment_files:
        errors.append(ContentError(TREATMENTS_DIR, 1, "", "no treatment files; expected one .yml file per treatment"))
    unfinished: list[SourceFile] = [source for name, source in sources.items() if parsed[name] is None]
    for path in treatment_files:
        value, source, problems = load_document(path, Treatment, root, cache=cache)
        errors.extend(problems)
        if value is None:
            invalid_treatments.append(path.stem)
            if source.data is not None and (part := _salvage(Treatment, source.data)) is not None:
                salvaged[source.name] = part
                if salvaged[source.name].value.id != path.stem:
                    salvaged[source.name].value = salvaged[source.name].value.model_copy(update={"id": path.stem})
                salvaged_treatments.append((salvaged[source.name].value, source))
            if source.data is not None:
                unfinished.append(source)
        else:
            treatments.append((value, source))
            if value.id != path.stem:
                errors.append(source.error(("id",), f"the id {value.id!r} differs from the file name; expected {path.stem!r}"))
            elif value.id in RESERVED_PAGE_NAMES:
                errors.append(source.error(("id",), (
                    f"{value.id!r} cannot name a treatment: {TREATMENTS_DIR}/{value.id}.md would be taken for the "
                    "landing page of the Treatments section; rename the file (and its id)")))

    errors.extend(_between_files(parsed, sources, treatments, invalid_treatments, salvaged, salvaged_treatments,
                                 cache))
    # The same numbers in both languages, in every file that read as YAML (even one with other mistakes).
    for source in [*sources.values(), *(source for _, source in treatments)]:
        parity = cache.check(check_parity, source) if cache is not None else check_parity(source)
        errors.extend(parity.errors)
        for exception in parity.exceptions:
            declared(exception)
    # A file that did not validate (a new one from `build.py new`, say) still has its TODOs named, each at its
    # line, except where that line already has its error.
    located = {(error.file, error.line) for error in errors}
    errors.extend(error for source in unfinished for error in check_placeholders(texts_in(source.data, ()), source)
                  if (error.file, error.line) not in located)
    if errors:
        raise ContentErrors(errors)
    return Guide(**{content_file.field: parsed[content_file.name] for content_file in CONTENT_FILES},
                 treatments=[treatment for treatment, _ in treatments])
