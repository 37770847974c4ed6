"""Deployment settings: what depends on where (and whether) the guide is deployed (its public address, a release or an
everyday build), as opposed to what it says (content/). A setting of the deployment, never a default in content:
without a public address, nothing prints or links a made-up one.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

PUBLIC_URL_VARIABLE = "CALCGUIDE_PUBLIC_URL"
# Hosts reserved for documentation and tests (RFC 2606, RFC 6761): an address there is a placeholder.
PLACEHOLDER_HOST = re.compile(r"(^|\.)(example\.(com|net|org)|example|invalid|localhost)$")
# What may appear in the address unescaped in HTML, XML, a PDF or a QR code; anything else is refused.
URL_CHARACTERS = re.compile(r"^[A-Za-z0-9._~:/%-]+$")


class PublishSettingsError(ValueError):
    """The public address given is not one a reader can use."""


def parse_public_url(value: str) -> str:
    """The public address of the chooser page, normalised to end with one slash; refused with a reason."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PublishSettingsError(f"the public address {value!r} must start with https:// and name a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublishSettingsError(f"the public address {value!r} must not hold ?, # or a user name")
    if not URL_CHARACTERS.match(value):
        raise PublishSettingsError(f"the public address {value!r} holds characters that are not allowed "
                                   "(letters, digits and . _ ~ : / % - only)")
    if PLACEHOLDER_HOST.search(parts.hostname):
        raise PublishSettingsError(f"the public address {value!r} is a placeholder host; give the real one")
    return value.rstrip("/") + "/"


@dataclass(frozen=True)
class PublishSettings:
    """Settings of one build: the public address (None when the guide is not deployed anywhere yet), whether
    this build is a release (missing release items are errors, not warnings), and the day it is built (the
    review cycle is counted from it; tests pin it)."""

    public_url: str | None = None
    release: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    # Why the address given was refused (a placeholder host…): a release lists it with its other missing items.
    public_url_problem: str | None = None

    @classmethod
    def from_command_line(cls, public_url: str | None, release: bool = False,
                          environ: Mapping[str, str] = os.environ) -> "PublishSettings":
        """`--public-url` wins over the CALCGUIDE_PUBLIC_URL variable; an empty value means no address."""
        value = public_url if public_url is not None else environ.get(PUBLIC_URL_VARIABLE, "")
        return cls(parse_public_url(value) if value.strip() else None, release)

    def language_url(self, lang: str) -> str | None:
        """The address of one language's site (its home is language_url + index.html)."""
        return f"{self.public_url}{lang}/" if self.public_url else None

    def page_url(self, lang: str, path: str) -> str | None:
        """The address of a page, from its path inside its language's site (`treatments/<id>.html`)."""
        return f"{self.public_url}{lang}/{path}" if self.public_url else None
