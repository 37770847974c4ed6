"""The publishing schema: who stands behind the guide (editors, contact) and what changed (changes.yml)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .text import Id, Model, PlainText, Text

# Reserved for documentation (RFC 2606): an address there is a placeholder, never shown to a reader.
PLACEHOLDER_DOMAIN = re.compile(r"[@./]example\.(com|net|org)\b|[@.]example(/|$)", re.IGNORECASE)


def not_a_placeholder(value: str) -> str:
    if PLACEHOLDER_DOMAIN.search(value):
        raise ValueError(f"{value!r} is a placeholder address (example.org and the like); give a real one or leave it out")
    return value


Email = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"),
                  AfterValidator(not_a_placeholder)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[A-Za-z0-9._~:/%?&=+-]*)?$"),
                     AfterValidator(not_a_placeholder)]


class Editor(Model):
    """A person who stands behind the guide. Only real, consenting people: never a placeholder."""

    name: PlainText
    role: Text
    affiliation: Text
    interests: Text  # declared interests; "none declared" is written out, never left blank


class Contact(Model):
    """Where a reader reports an error: an email address or a web form (https), exactly one."""

    email: Email | None = None
    form: HttpsUrl | None = None

    @model_validator(mode="after")
    def one_way(self) -> "Contact":
        if (self.email is None) == (self.form is None):
            raise ValueError("give either an email address (email:) or the https address of a form (form:), not both")
        return self


class Change(Model):
    """One version of the guide: when it was published, what changed, and which pages it touched."""

    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    date: dt.date
    summary: Text
    # Page ids: a treatment id, or the page of a chapter (home, algorithm, treatments, about…; see files.py).
    pages: list[Id] = []


class Changes(Model):
    """content/changes.yml: the versions of the guide, newest first."""

    changes: list[Change] = Field(min_length=1)

    @model_validator(mode="after")
    def newest_first(self) -> "Changes":
        versions = [change.version for change in self.changes]
        if len(set(versions)) != len(versions):
            raise ValueError("a version is listed twice; each version has one entry")
        if [change.date for change in self.changes] != sorted((change.date for change in self.changes), reverse=True):
            raise ValueError("list the versions newest first (each date no later than the one above it)")
        return self

    @property
    def latest(self) -> Change:
        return self.changes[0]

    def entry(self, version: str) -> Change | None:
        return next((change for change in self.changes if change.version == version), None)
