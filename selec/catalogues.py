"""The Serbian catalogue in Latin script, written from the Cyrillic one.

Serbian is written in both scripts, letter for letter (Gaj's alphabet), so the ``sr_Latn``
catalogue is not translated separately: it is the ``sr`` one transliterated, and a test holds
the two equal (``tests/selec/test_catalogues.py``). polib reads and writes the files; it comes
with the development tools (the ``test`` extra), as makemessages' gettext does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from selec.core.transliteration import to_latin

if TYPE_CHECKING:
    import polib


def serbian_latin_catalogue(cyrillic: Path) -> polib.POFile:
    """The ``sr_Latn`` catalogue of the ``sr`` one at ``cyrillic``."""
    import polib

    catalogue = polib.pofile(str(cyrillic))
    catalogue.metadata["Language"] = "sr_Latn"
    catalogue.metadata["Language-Team"] = "sr_Latn"
    catalogue.header = catalogue.header.replace(" sr.", " sr_Latn (written from sr).")
    for entry in catalogue:
        entry.msgstr = to_latin(entry.msgstr)
        entry.msgstr_plural = {n: to_latin(form) for n, form in entry.msgstr_plural.items()}
    return catalogue
