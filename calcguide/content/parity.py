"""Number parity between the languages: every bilingual text states the same numbers, with the same units, in
French and in English. A dose typed 2400 instead of 240 in one language is the likeliest serious slip of a
bilingual guide, and nothing else would notice it: each language on its own is valid.

Each text's numbers are read in both languages (doses, ranges, percentages, counts, durations, years), written
as the language writes them (decimal comma or point, thousands grouped by spaces or commas, "à" or "to", an en
dash, the spelled-out numbers the guide uses), normalised to one value and one unit, and compared as two
multisets. A text whose languages legitimately differ (a French-only regulatory note) says so with
`numbers_differ: <reason>`; the build lists those exceptions.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Iterator

from ..fragments import CITATION
from .errors import ContentError
from .source import Location, SourceFile

# The key of a bilingual text that says why its numbers differ between the languages.
EXCEPTION_KEY = "numbers_differ"

# Units, as each language writes them, to one canonical name. Longest forms first: "mg/kg/j" before "mg/kg"
# before "mg" before "g". A unit that no entry names leaves the number unitless (it is still compared).
_UNITS: dict[str, tuple[str, ...]] = {
    "mg/kg": ("mg/kg",),
    "g/kg": ("g/kg",),
    "mg/m²": ("mg/m²", "mg/m2"),
    "mg/mL": ("mg/ml", "mg/mL"),
    "mmol/L": ("mmol/l", "mmol/L"),
    "µmol/L": ("µmol/l", "µmol/L", "μmol/l", "μmol/L"),
    "mL/min": ("ml/min", "mL/min"),
    "µg": ("µg", "μg", "mcg"),
    "mg": ("mg",),
    "kg": ("kg",),
    "g": ("g",),
    "mmol": ("mmol",),
    "mL": ("ml", "mL"),
    "L": ("l", "L"),
    "IU": ("IU", "UI"),
    "%": ("%",),
    "mJ/mm²": ("mJ/mm²", "mJ/mm2"),
    "W": ("W",),
    "Hz": ("Hz",),
    "bar": ("bar",),
    "°C": ("°C",),
    "mm": ("mm",),
    "cm": ("cm",),
}
# Durations and repeats: the word differs by language, the quantity must not (12 months is not 12 years).
_WORD_UNITS: dict[str, tuple[str, ...]] = {
    "year": ("years", "year", "ans", "an", "années", "année"),
    "month": ("months", "month", "mois"),
    "week": ("weeks", "week", "semaines", "semaine"),
    "day": ("days", "day", "jours", "jour"),
    "hour": ("hours", "hour", "heures", "heure", "h"),
    "minute": ("minutes", "minute", "min"),
    "session": ("sessions", "session", "séances", "séance"),
    "time": ("times", "fois"),
}
_UNIT_OF: dict[str, str] = {}
for _name, _forms in (*_UNITS.items(), *_WORD_UNITS.items()):
    for _form in _forms:
        _UNIT_OF[_form.lower() if _name in _WORD_UNITS else _form] = _name
_UNIT_FORMS = sorted(_UNIT_OF, key=len, reverse=True)
_UNIT = re.compile(
    r"[ \u00a0\u202f\u2009]?(?:(?:premiers|premières|derniers|dernières) )?(" + "|".join(re.escape(form) for form in _UNIT_FORMS) + r")(?![\w²])",
    re.IGNORECASE)
# How often a dose is given, right after its unit: "mg/day", "mg a day", "mg/kg/j", « mg par jour », "mg daily".
# Compared when both languages say it (240 mg a day is not 240 mg a week); a language may leave it to the sentence.
_PERIODS = {"day": "day", "d": "day", "j": "day", "jour": "day", "daily": "day", "week": "week", "wk": "week",
            "semaine": "week", "sem": "week", "weekly": "week", "month": "month", "mois": "month",
            "monthly": "month"}
_PERIOD = re.compile(
    r"(?:[ \u00a0]?/[ \u00a0]?|[ \u00a0]+(?:a|per|par|each|every|chaque)[ \u00a0]+)(day|d|j|jour|week|wk|semaine|sem|"
    r"month|mois)(?!\w)|[ \u00a0]+(daily|weekly|monthly|quotidien|hebdomadaire|mensuel)(?:le)?s?(?!\w)",
    re.IGNORECASE)
_PERIODS |= {"quotidien": "day", "hebdomadaire": "week", "mensuel": "month"}

# The spelled-out numbers the guide writes ("two of five patients", « deux patients sur cinq », "two- to
# fourfold"). "one", "un" and "une" alone are left out: in both languages they are far more often an article or a
# pronoun than a count; vague ones ("several dozen", « plusieurs dizaines ») too.
_SPELLED: dict[str, dict[str, int]] = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "twice": 2},
    "fr": {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
           "onze": 11, "douze": 12},
}
_SPELLED_WORD = {lang: re.compile(r"(?<![\w-])(" + "|".join(words) + r")(?:-?fold)?(?!\w)", re.IGNORECASE)
                 for lang, words in _SPELLED.items()}
# Words that may or may not be a number, depending on how the other language put it: "both" is « les deux »,
# "alternate days" is « un jour sur deux », "under 1 month" is « moins d'un mois », "once a day" is « une fois
# par jour » (and "once the wound has healed" is no number at all). Each counts only if it matches a number of
# the other language that nothing else matched.
_OPTIONAL: dict[str, tuple[re.Pattern[str], int]] = {
    "en": ((re.compile(r"(?<!\w)(?:both|the two|either of the two)(?!\w)", re.IGNORECASE), 2),
           (re.compile(r"(?<!\w)one(?=[ \u00a0](?:time|day|week|month|year|hour|session)s?\b)",
                       re.IGNORECASE), 1),
           (re.compile(r"(?<!\w)once(?!\w)", re.IGNORECASE), 1)),
    "fr": ((re.compile(r"(?<!\w)(?:tous|toutes|les|des|aux|sur) deux(?!\w)", re.IGNORECASE), 2),
           (re.compile(r"(?<!\w)(?:d'|d’)?une?(?=[ \u00a0](?:fois|jour|semaine|mois|an|année|heure|séance)s?\b)",
                       re.IGNORECASE), 1)),
}

# Roman numerals where the guide uses them as numbers: a level of evidence ("level IV", « niveau de preuve IV »), a
# grade, a stage, a class, a phase, a type. Elsewhere an uppercase I or V is a word or an abbreviation ("IV" for
# intravenous), so they are read only after those words.
_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_ROMAN_NUMERAL = r"(?:VIII|VII|VI|IV|IX|V|III|II|I|X)(?![\w-])"
_ROMAN = re.compile(
    r"(?<!\w)(?i:levels?|niveaux?|grades?|stages?|stades?|class(?:es)?|classes?|phases?|types?|polymerase|polymérase)"
    rf"[ \u00a0]+(?i:de preuve[ \u00a0]+)?({_ROMAN_NUMERAL})"
    rf"(?:[ \u00a0]*(?i:to|à|–|-|or|ou|and|et|,)[ \u00a0]*({_ROMAN_NUMERAL}))?")

_SPACES = "\u00a0\u202f\u2009 "
# A number standing alone: not part of a word or an identifier (CYP3A4, CO2, IgG1, C1q).
_NUMBER = re.compile(rf"(?<![\w.,/])\d+(?:[{_SPACES}]\d{{3}}(?!\d))*(?:[.,]\d+)*")
# What joins the two ends of a range: "240 to 480 mg", "240 à 480 mg", "240–480 mg", "20-40 %".
_RANGE_JOIN = re.compile(r"\s*(?:to|à|–|—|-|and|et|or|ou)\s*$", re.IGNORECASE)
# Text that is not prose: citations, link targets, and the addresses inside them.
_NOT_PROSE = (CITATION, re.compile(r"\]\([^)]*\)"), re.compile(r"https?://\S+"))


@dataclass(frozen=True, order=True)
class Quantity:
    value: Decimal
    unit: str = ""
    period: str = ""  # "day" for a dose a day

    def __str__(self) -> str:
        number = format(self.value.normalize(), "f")
        if self.unit.startswith("("):  # not a number: shown as written
            return self.unit[1:-1]
        if not self.unit:
            return number
        if self.unit == "%":
            return f"{number}%"
        plural = "s" if self.unit in _WORD_UNITS and self.value != 1 else ""
        return f"{number} {self.unit}{plural}" + (f"/{self.period}" if self.period else "")


def _value(written: str, lang: str) -> Decimal | None:
    """The value of a number as `lang` writes it: 5 218 and 5,218 (English) group thousands; 4,8 (French) and 4.8
    are decimals."""
    digits = re.sub(f"[{_SPACES}]", "", written)
    if lang == "en" and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        digits = digits.replace(",", "")
    else:  # a decimal comma: French, or an English slip that means the same number
        digits = digits.replace(",", ".")
    if digits.count(".") > 1:  # 1.2.3: a section or a version, not a quantity; compare it as written
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def prose(text: str) -> str:
    """The words a reader reads: citations and link addresses taken out (their digits are not the text's)."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text.replace("`", "").replace("**", "").replace("*", "")


@dataclass(frozen=True)
class Numbers:
    """One language's numbers: those it states, and those it may be stating ("both", « les deux »)."""
    stated: Counter[Quantity]
    optional: Counter[Quantity]


def _unit_after(text: str, end: int) -> tuple[str, str, int]:
    """The unit written right after a number ending at `end`, how often (for a dose), and where they end;
    ("", "", end) if none."""
    if match := _UNIT.match(text, end):
        form = match.group(1)
        unit = _UNIT_OF.get(form) or _UNIT_OF.get(form.lower(), "")
        if unit in _UNITS and (period := _PERIOD.match(text, match.end())):
            return unit, _PERIODS[(period.group(1) or period.group(2)).lower()], period.end()
        return unit, "", match.end()
    return "", "", end


def numbers(text: str, lang: str) -> Numbers:
    """Every number of one language's text, with its unit: what the other language must match."""
    text = prose(text)
    optional: Counter[Quantity] = Counter()
    taken: list[tuple[int, int]] = []
    for pattern, value in _OPTIONAL[lang]:
        for match in pattern.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end in taken):
                taken.append(match.span())
                optional[Quantity(Decimal(value), *_unit_after(text, match.end())[:2])] += 1
    found: list[tuple[int, int, Quantity]] = []  # start, end (after the unit), quantity
    for match in (*_NUMBER.finditer(text), *_SPELLED_WORD[lang].finditer(text)):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        written = match.group(0)
        spelled = _SPELLED[lang].get(match.group(1).lower()) if match.re is _SPELLED_WORD[lang] else None
        unit, period, end = _unit_after(text, match.end())
        if spelled is not None:
            value = Decimal(spelled)
            unit = "time" if match.group(1).lower() == "twice" else unit
        elif (value := _value(written, lang)) is None:
            value, unit, period = Decimal(0), f"({written})", ""  # 1.2.3: compared as written
        found.append((match.start(), end, Quantity(value, unit, period)))
    for match in _ROMAN.finditer(text):
        for group in (1, 2):
            if match.group(group):
                found.append((match.start(group), match.end(group), Quantity(Decimal(_ROMAN_VALUES[match.group(group)]))))
    found.sort(key=lambda item: item[0])
    # A range gives its unit to both ends: "240 to 480 mg" is 240 mg and 480 mg, as is "240 mg à 480 mg".
    for index in range(len(found) - 2, -1, -1):
        start, end, quantity = found[index]
        following = found[index + 1]
        if not quantity.unit and following[2].unit and _RANGE_JOIN.fullmatch(" " + text[end:following[0]]):
            found[index] = (start, end, Quantity(quantity.value, following[2].unit, following[2].period))
    return Numbers(Counter(quantity for _, _, quantity in found), optional)


def _same_amount(one: Quantity, other: Quantity) -> bool:
    """Two quantities that say the same thing: equal, or the same value where one language names a duration or
    a repeat and the other leaves it to the sentence ("after 75" is « après 75 ans », "twice" is « 2 fois »).
    A unit of measure (mg, g, mg/kg, %) is never implied: it must be written in both."""
    if one == other:
        return True
    if one.value == other.value and one.unit == other.unit and not (one.period and other.period):
        return True  # "240 mg a day" and « 240 mg, en une prise par jour »
    return one.value == other.value and (one.unit, other.unit) in {(unit, "") for unit in _WORD_UNITS} | {
        ("", unit) for unit in _WORD_UNITS}


def _match(left: list[Quantity], right: list[Quantity]) -> None:
    """Remove from both lists the pairs that say the same amount."""
    for quantity in list(left):
        if (twin := next((other for other in right if _same_amount(quantity, other)), None)) is not None:
            left.remove(quantity)
            right.remove(twin)


@lru_cache(maxsize=8192)  # a pure function of two texts; a guide asks it of about 1 600 pairs on every load
def difference(english: str, french: str) -> str | None:
    """How the numbers of a French text differ from those of its English twin, in an editor's words, or None."""
    en, fr = numbers(english, "en"), numbers(french, "fr")
    only_en = sorted((en.stated - fr.stated).elements())
    only_fr = sorted((fr.stated - en.stated).elements())
    _match(only_en, only_fr)
    _match(only_en, sorted(fr.optional.elements()))
    _match(only_fr, sorted(en.optional.elements()))
    if not only_en and not only_fr:
        return None
    pairs = []
    while only_fr and only_en:
        # Pair each French number with the English one it most likely replaced: the same unit, the nearest value.
        fr_quantity = only_fr.pop(0)
        candidates = [q for q in only_en if q.unit == fr_quantity.unit] or only_en
        en_quantity = min(candidates, key=lambda q: abs(q.value - fr_quantity.value))
        only_en.remove(en_quantity)
        pairs.append(f"the French text says {fr_quantity} where the English says {en_quantity}")
    pairs += [f"the French text says {q} where the English has no such number" for q in only_fr]
    pairs += [f"the English text says {q} where the French has no such number" for q in only_en]
    return "; ".join(pairs)

def bilingual_texts(value: Any, location: Location) -> Iterator[tuple[Location, dict[str, Any]]]:
    """Every bilingual text ({en: …, fr: …}) inside a parsed YAML value, with its location."""
    if isinstance(value, dict):
        if isinstance(value.get("en"), str) and isinstance(value.get("fr"), str):
            yield location, value
            return
        for key, child in value.items():
            yield from bilingual_texts(child, (*location, key))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from bilingual_texts(child, (*location, position))


@dataclass(frozen=True)
class ParityReport:
    errors: list[ContentError]
    exceptions: list[ContentError]  # texts that say why their numbers differ, with the reason as message


def check_parity(source: SourceFile) -> ParityReport:
    """Every bilingual text of one file: a located error where its numbers differ between the languages, and the
    texts that declare (with a reason) that they may."""
    errors, exceptions = [], []
    for location, text in bilingual_texts(source.data, ()):
        problem = difference(text["en"], text["fr"])
        reason = text.get(EXCEPTION_KEY)
        if reason is not None:
            if problem is None:
                errors.append(source.error((*location, EXCEPTION_KEY), (
                    "the text says its numbers differ between the languages, but they agree; remove "
                    f"{EXCEPTION_KEY}")))
            else:
                exceptions.append(source.error(location, f"{reason} ({problem})"))
        elif problem is not None:
            errors.append(source.error(location, (
                f"{problem}; make both languages state the same numbers, or, if they must differ, say why with "
                f"{EXCEPTION_KEY}: <reason>")))
    return ParityReport(errors, exceptions)
