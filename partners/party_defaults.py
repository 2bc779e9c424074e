"""What a party's officers start with: the language and the time zone of their pages.

An officer may choose both on their account page; a new officer starts with their party's.
The member states' languages are those the pages are offered in (Montenegro reads Serbian in
Latin script, Moldova Romanian); another party's officers start in SELEC's working language,
English. A state's time zone is the first its country has in the time zone database's
``zone.tab`` (the principal one: Europe/Bucharest for RO); an organisation's is SELEC's own.
"""

from __future__ import annotations

import functools
from importlib import resources

from django.conf import settings

MEMBER_STATE_LANGUAGES: dict[str, str] = {
    "AL": "sq",
    "BA": "bs",
    "BG": "bg",
    "GR": "el",
    "HU": "hu",
    "MD": "ro",
    "ME": "sr-latn",
    "MK": "mk",
    "RO": "ro",
    "RS": "sr",
    "TR": "tr",
}


def default_language(code: str) -> str:
    """The language of the party's pages: empty (SELEC's working language) unless the party is
    a member state whose language the installation offers."""
    language = MEMBER_STATE_LANGUAGES.get(code.upper(), "")
    return language if language in dict(settings.LANGUAGES) else ""


def default_time_zone(code: str) -> str:
    """The principal time zone of the state the code names; SELEC's own for an organisation
    (a code that is no ISO 3166 country)."""
    return _principal_zones().get(code.upper(), settings.TIME_ZONE)


@functools.cache
def _principal_zones() -> dict[str, str]:
    # zone.tab lists each country's zones, the principal one first: "RO\t+4426+02606\tEurope/Bucharest".
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            zones.setdefault(country, zone)
    return zones
