"""`build.py new treatment|reference|chapter ID`: a new content file (or reference entry) with every field an
editor must write, each marked as to be written.

Every text is "TODO: …" (which `check` refuses wherever it stands, calcguide/content/editorial.py) and every
value that must be chosen is left empty (which the schema refuses), so that `check` names each field still to
write, at its line, until every one is filled with a cited text. Nothing here is ever a default a reader could see.
"""
from __future__ import annotations

import re
from pathlib import Path

from .editorschema import CHAPTER_KIND, TREATMENT_KIND, schema_line
from .errors import ContentError
from .files import CONTENT_FILES, TREATMENTS_DIR
from .safety import REQUIRED, _WHAT
from .schema import Chapter

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # the pattern of text.Id
KINDS = ("treatment", "reference", "chapter")


class ScaffoldError(Exception):
    """What `new` refused, as one content error (file, line 0, field, message)."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


def _todo(what_en: str, what_fr: str, cited: bool = True) -> str:
    cite_en = ", each statement cited" if cited else ""
    cite_fr = ", chaque affirmation citée" if cited else ""
    # One line per text: `check` reports the field and its TODO at the same line, once.
    return f'{{en: "TODO: {what_en}{cite_en}", fr: "TODO : {what_fr}{cite_fr}"}}'


_SAFETY_FR = {
    "contraindications": "les contre-indications",
    "pregnancy": "la conduite pendant la grossesse (et la contraception si elle importe)",
    "breastfeeding": "la conduite pendant l'allaitement",
    "kidney": "la conduite en cas d'insuffisance rénale",
    "liver": "la conduite en cas d'insuffisance hépatique",
    "children": "ce qui s'applique à l'enfant",
    "monitoring": "les examens avant et pendant le traitement",
    "before_treatment": "ce qu'il faut vérifier avant le geste (anticoagulants, antiagrégants, ischémie digitale, "
                        "infection)",
}


def treatment_text(treatment_id: str, kind: str, header: str) -> str:
    safety = []
    for name in REQUIRED[kind]:
        if name == "interactions":
            safety.append(
                "  interactions:            # at least one; `- treatment: <id>` for another treatment of the guide\n"
                f"    - with: {_todo('the drug or class it interacts with', 'le médicament ou la classe concerné', cited=False)}\n"
                f"      mechanism: {_todo('the mechanism of the interaction', 'le mécanisme de l’interaction')}\n"
                f"      action: {_todo('what to do, short: shown word for word in every view', 'la conduite à tenir, brève')}")
        elif name == "short":
            safety.append(
                "  short:                   # one short line each, said from the fields above, for \"Before prescribing\"\n"
                + "\n".join(f"    {line}: {_todo('one short line: ' + _WHAT[line], 'une ligne brève : ' + _SAFETY_FR[line])}"
                             for line in ("contraindications", "pregnancy", "kidney", "monitoring")))
        else:
            safety.append(f"  {name}: {_todo(_WHAT[name], _SAFETY_FR[name])}")
    safety_block = "\n".join(safety)
    return f"""{header}
# A new treatment: replace every TODO with the verified fact and its citation [@id] (references.yml), and fill
# every empty value; `build.py check` names each one still to write. See README, "Editing the content".
id: {treatment_id}
slug:                        # the page's file name: in French the French name's words, no accents (traitement-local)
  en: {treatment_id}
  fr: ""
name: {_todo('the name of the treatment', 'le nom du traitement', cited=False)}
kind: {kind:<19}# drug, local or procedure: it decides the safety fields below
last_reviewed: ""            # the day you reviewed the page against its sources: YYYY-MM-DD
drug_class: {_todo('its class, or the kind of procedure', 'sa classe, ou le type de geste', cited=False)}
tiers: []                    # the ids of its tiers in tiers.yml; the first one places its page
placement: ""                # where the source review puts it (see the schema's list)
status: ""                   # what the guide makes of it (see the schema's list)
indications: []              # the situations it is used in (see the schema's list)
summary: {_todo('one or two sentences on the treatment', 'une ou deux phrases sur le traitement')}
mechanism: {_todo('how it is thought to work', 'son mécanisme supposé')}
regimen: {_todo('the doses as reported in the cited studies', 'les posologies rapportées dans les études citées')}
evidence:
  level: ""                  # the design of the strongest study: an id of evidence.yml
  patients: ""               # treated patients per study: 9, "4–17", or unknown
  summary: {_todo('the studies reported and their size', 'les études publiées et leurs effectifs')}
response: {_todo('the response reported, with figures', 'la réponse rapportée, chiffrée')}
cautions: {_todo('adverse effects and cautions', 'effets indésirables et précautions')}
references: []               # the ids of the page's references, in the order of its list
search_terms: {{en: [], fr: []}}  # synonyms and other spellings that find the page
safety:
{safety_block}
"""


def reference_text(reference_id: str) -> str:
    return f"""  - id: {reference_id}
    # A new reference: copy each field from the record you checked (the publisher's page, PubMed, PMC); a
    # label, a resource or a trial record has `kind:` and other fields (README, "Editing the content").
    language: ""             # the language of the title as published: en, fr…
    authors: "TODO: Surname Initials, as the record shows them"
    title: "TODO: the title as published"
    journal: "TODO: the journal's abbreviation"
    year: ""                 # four digits
    doi: ""                  # 10.xxxx/…, or give pmid: instead (or both)
    checked: ""              # the day you saw its identifiers in the record: YYYY-MM-DD
"""


def chapter_text(header: str) -> str:
    return f"""{header}
# A chapter: sections of text; a section's `treatments:` links the treatment pages it discusses under it.
title: {_todo('the chapter title', 'le titre du chapitre', cited=False)}
# slug: {{en: …, fr: …}}     # the page's address in each language, when the catalogue's does not fit
last_reviewed: ""            # the day you reviewed the page against its sources: YYYY-MM-DD
intro: {_todo('what the chapter covers', 'ce que couvre le chapitre')}
sections:
  - id: first-section        # the section's anchor: lowercase letters, digits and hyphens
    title: {_todo('the section title', 'le titre de la section', cited=False)}
    body: {_todo('the section text', 'le texte de la section')}
    treatments: []
"""


def new_file(project: Path, content_dir: Path, kind: str, new_id: str, treatment_kind: str = "drug") -> Path:
    """Write the new file (or, for a reference, append the entry to references.yml); the path written. Never
    overwrites: an existing file or id is refused."""
    if not ID_PATTERN.fullmatch(new_id) or len(new_id) > 60:
        raise ScaffoldError(ContentError("build.py", 0, "new", (
            f"{new_id!r} is not an id; use lowercase letters, digits and hyphens (e.g. topical-treatment)")))
    if kind == "treatment":
        path = content_dir / TREATMENTS_DIR / f"{new_id}.yml"
        _refuse_existing(path, content_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(treatment_text(new_id, treatment_kind, schema_line(project, path, TREATMENT_KIND)),
                        encoding="utf-8")
        return path
    if kind == "chapter":
        chapters = {Path(entry.name).stem: entry.name for entry in CONTENT_FILES if entry.model is Chapter}
        if new_id not in chapters:
            raise ScaffoldError(ContentError("build.py", 0, "new", (
                f"the guide has no chapter {new_id!r}; its chapters are: {', '.join(sorted(chapters))}")))
        path = content_dir / chapters[new_id]
        _refuse_existing(path, content_dir)
        path.write_text(chapter_text(schema_line(project, path, CHAPTER_KIND)), encoding="utf-8")
        return path
    if kind == "reference":
        path = content_dir / "references.yml"
        if not path.is_file():
            raise ScaffoldError(ContentError("references.yml", 0, "new", "no references.yml to add the reference to"))
        text = path.read_text(encoding="utf-8")
        if re.search(rf"(?m)^\s*- id: {re.escape(new_id)}\s*$", text):
            raise ScaffoldError(ContentError("references.yml", 0, "new", f"the reference {new_id!r} already exists"))
        path.write_text(text.rstrip("\n") + "\n" + reference_text(new_id), encoding="utf-8")
        return path
    raise ScaffoldError(ContentError("build.py", 0, "new", f"expected one of: {', '.join(KINDS)}"))


def _refuse_existing(path: Path, content_dir: Path) -> None:
    if path.exists() or path.is_symlink():
        raise ScaffoldError(ContentError(path.relative_to(content_dir).as_posix(), 0, "new", (
            "the file already exists; edit it, or choose another id")))
