"""Editorial rules that span files: no placeholder reaches a reader, a reference names its authors, and a
treatment's tiers agree with where the 2014 review puts it (its placement badge)."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from .crosscheck import review_tiers, texts_in, where_it_may_go
from .errors import ContentError
from .schema import Algorithm, Reference, Tier, Treatment
from .source import Location, SourceFile
from .text import LANGS, cited_ids

# Words an editor leaves while a fact is still being checked. Each would print as such to a reader, so each is
# refused wherever it stands (texts, titles, notes, author lists). Case-insensitive, whole words.
PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), label) for pattern, label in (
    (r"\bnot (?:yet )?verified\b|\bunverified\b", "a note that the fact is unverified"),
    (r"\bnon vérifiée?s?\b|\bà (?:vérifier|confirmer|compléter)\b", "a note that the fact is unverified"),
    (r"\((?:verify|check)\)", "a note that the fact is unverified"),
    (r"\bexample\.(?:org|com|net)\b", "an example address"),
    (r"\b(?:lorem|ipsum)\b", "filler text"),
    (r"\b(?:TODO|TBD|FIXME|XXX+)\b", "a to-do marker"),
    (r"\bplaceholder\b", "a placeholder"),
    (r"\[\s*(?:…|\.\.\.|\?+)\s*\]|\?\?\?", "an elision or question mark left in place of text"),
))

# At least one person named the way references name them: a surname, then initials ("Surname AB", "de Surname A").
NAMED_AUTHOR = re.compile(r"(?:^|[,;]\s*|\s)[^\W\d_][^\s,;]*\s+[A-Z]{1,3}(?=\s*(?:[,;.]|$)|\s)")


# Any of them, in one pass: nearly every text holds none, and eight searches of each cost a third of a check.
ANY_PLACEHOLDER = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in PLACEHOLDERS), re.IGNORECASE)


def placeholder_in(text: str) -> str | None:
    """The placeholder a text holds, described for an editor, or None."""
    if not ANY_PLACEHOLDER.search(text):
        return None
    for pattern, label in PLACEHOLDERS:
        if match := pattern.search(text):
            return f"{match.group(0)!r} ({label})"
    return None


def check_placeholders(texts: Iterable[tuple[Location, str]], source: SourceFile) -> list[ContentError]:
    errors = []
    for location, text in texts:
        if found := placeholder_in(text):
            errors.append(source.error(location, (
                f"placeholder {found} would reach readers; write the verified fact, or leave the statement (or "
                "the reference) out until it is verified")))
    return errors


def check_reference_authors(references: list[Reference], source: SourceFile) -> list[ContentError]:
    """A published work is cited by the people who wrote it; a group name alone or an empty field is not that."""
    errors = []
    for position, reference in enumerate(references):
        authors = getattr(reference, "authors", None)
        if getattr(reference, "kind", "article") not in ("article", "chapter"):
            continue  # product information is cited by its holder, not by authors
        if not authors or not NAMED_AUTHOR.search(authors):
            errors.append(source.error(("references", position, "authors"), (
                f"reference {reference.id!r} does not name its authors; write them as Surname Initials "
                "(e.g. Surname AB, Other CD), as shown in the record you checked. A group alone "
                "('… investigators') is not an author list; if no record shows the authors, leave the reference out")))
    return errors


def check_tier_provenance(treatments: list[tuple[Treatment, SourceFile]], tiers: list[Tier],
                          review_id: str) -> list[ContentError]:
    """A tier whose note cites the 2014 review may hold only treatments the review's abstract names
    (placement review-2014), and those treatments sit only in such tiers; otherwise the badge and the tier's
    note would tell the reader two different stories about where the treatment comes from."""
    from_review = review_tiers(tiers, review_id)
    known = {tier.id for tier in tiers}
    supportive = {tier.id for tier in tiers if tier.supportive}
    errors = []
    for treatment, source in treatments:
        if treatment.placement is None or treatment.status is None:
            continue  # a file whose placement or status is itself wrong: that mistake is reported, not this one
        for position, tier_id in enumerate(treatment.tiers):
            if tier_id not in known:
                continue  # an unknown tier is reported by the id check
            if (treatment.status == "supportive-care") != (tier_id in supportive):
                errors.append(source.error(("tiers", position), where_it_may_go(
                    tiers, from_review, review_id, f"tier {tier_id!r} " + (
                        "is a group for supportive care, but this treatment's status is "
                        f"{treatment.status}" if tier_id in supportive else
                        "is not a group for supportive care (supportive: true), but this treatment's status is "
                        "supportive-care"))))
            elif treatment.placement == "review-2014" and tier_id not in from_review:
                errors.append(source.error(("tiers", position), (
                    f"tier {tier_id!r} does not cite the 2014 review ({review_id}), but this treatment is placed "
                    "'review-2014'; use a tier the review proposes ("
                    + ", ".join(sorted(from_review)) + ") or change the placement")))
            elif treatment.placement != "review-2014" and tier_id in from_review:
                errors.append(source.error(("tiers", position), (
                    f"tier {tier_id!r} cites the 2014 review ({review_id}) as proposing what it holds, but this "
                    f"treatment is placed {treatment.placement!r} (not in the review's abstract); use a tier that "
                    "does not cite the review (" + ", ".join(sorted(known - from_review)) + ")")))
    return errors


def check_algorithm_boxes(algorithm: Algorithm, treatments: list[Treatment], source: SourceFile,
                          known_tiers: set[str]) -> list[ContentError]:
    """A box of the chart drawn for a tier lists only treatments of that tier, so that the box, its note and the
    treatment's page (tier and placement badge) say the same thing."""
    tiers_of = {treatment.id: treatment.tiers for treatment in treatments}
    errors = []
    for number, node in enumerate(algorithm.nodes):
        for position, treatment_id in enumerate(node.treatments):
            if (node.tier and treatment_id in tiers_of and node.tier not in tiers_of[treatment_id]
                    and set(tiers_of[treatment_id]) <= known_tiers):  # else its unknown tier is the mistake
                errors.append(source.error(("nodes", number, "treatments", position), (
                    f"treatment {treatment_id!r} is drawn in the box of tier {node.tier!r}, but its file puts it in "
                    f"{', '.join(repr(tier) for tier in tiers_of[treatment_id])}; move it to the box of its tier")))
    return errors


def placeholders_of(source: SourceFile) -> list[ContentError]:
    """The placeholders of one file's texts (a check that reads the file alone)."""
    return check_placeholders(texts_in(source.data, ()), source)


def editorial_errors(parsed: dict[str, Any], sources: dict[str, SourceFile],
                     treatments: list[tuple[Treatment, SourceFile]],
                     placeholders: Callable[[SourceFile], list[ContentError]] = placeholders_of) -> list[ContentError]:
    """Every editorial rule, for the files that validated. `placeholders`: `placeholders_of`, or the preview's
    answer kept from the last save for a file that did not change (calcguide/content/loader.py)."""
    errors: list[ContentError] = []
    for source in [*(sources[name] for name in parsed if parsed[name] is not None), *(s for _, s in treatments)]:
        errors.extend(placeholders(source))
    if parsed.get("references.yml") is not None:
        errors.extend(check_reference_authors(parsed["references.yml"].references, sources["references.yml"]))
    if parsed.get("tiers.yml") is not None and parsed.get("site.yml") is not None:
        errors.extend(check_tier_provenance(treatments, parsed["tiers.yml"].tiers, parsed["site.yml"].source_review))
    known_tiers = {tier.id for tier in parsed["tiers.yml"].tiers} if parsed.get("tiers.yml") is not None else set()
    if parsed.get("algorithm.yml") is not None:
        errors.extend(check_algorithm_boxes(parsed["algorithm.yml"], [treatment for treatment, _ in treatments],
                                            sources["algorithm.yml"], known_tiers))
    return errors
